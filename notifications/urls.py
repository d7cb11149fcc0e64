from django.urls import path

from notifications import apis

urlpatterns = [
    path("notifications/", apis.InboxListApi.as_view(), name="notification-list"),
    path(
        "notifications/preferences/", apis.PreferenceApi.as_view(), name="notification-preferences"
    ),
    path("notifications/read-all/", apis.InboxReadAllApi.as_view(), name="notification-read-all"),
    path(
        "notifications/<uuid:item_id>/read/",
        apis.InboxReadApi.as_view(),
        name="notification-read",
    ),
]
