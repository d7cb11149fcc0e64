"""The pages' routes (fixed: notifications and bookmarks rely on them). `config.urls` adds
`/masuk/` with the sign-in form under the login limits, and names them all `web:`."""

from django.urls import path

from web import offline, views

urlpatterns = [
    path("", views.home, name="home"),
    path("keluar/", views.SignOutView.as_view(), name="sign-out"),
    path("bertugas/", views.duty_set, name="duty"),
    path("lapor/", views.report, name="report"),
    path("lapor/wilayah.json", offline.regions, name="report-regions"),
    path("sw.js", offline.service_worker, name="service-worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("luring/", offline.offline, name="offline"),
    path("kasus/", views.case_list, name="cases"),
    path("kasus/<uuid:case_id>/", views.case_page, name="case"),
    path("kasus/<uuid:case_id>/catatan/", views.case_note, name="case-note"),
    path("kasus/<uuid:case_id>/berkas/", views.case_upload, name="case-upload"),
    path("kasus/<uuid:case_id>/<slug:action>/", views.case_action, name="case-action"),
    path("dasbor/", views.dashboard_page, name="dashboard"),
    path("notifikasi/", views.inbox, name="inbox"),
    path("notifikasi/dibaca/", views.inbox_read_all, name="inbox-read-all"),
    path("notifikasi/<uuid:item_id>/dibaca/", views.inbox_read, name="inbox-read"),
]
