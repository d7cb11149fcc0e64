"""The admin speaks the reader's language, carries the service's name, names its records in
words, and offers nothing to submit on its read-only pages.

Bahasa Indonesia by default, English on `Accept-Language: en`, as everywhere else.
"""

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.utils import translation

from casework import services
from casework.models import AccessKind, AccessLog
from notifications.models import Delivery, OutboxMessage
from tests.admin_pages import submit_controls, visible_text
from tests.factories import make_case
from workflows.models import HistoryEntry, SlaPolicy
from workflows.services import case_transition
from workflows.sla import load_default_sla

pytestmark = pytest.mark.django_db

OURS = ("casework", "workflows", "notifications", "supervision")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def admin_client_of(adam) -> Client:
    load_default_sla()  # the policies `make run` loads; without them the defaults apply
    client = Client()
    client.force_login(adam)
    return client


def test_the_admin_carries_the_services_name_in_both_languages(admin_client_of):
    indonesian = visible_text(admin_client_of.get("/admin/"))
    english = visible_text(admin_client_of.get("/admin/", **EN))
    assert "PPKS Kalimantan Selatan — Administrasi" in indonesian
    assert "Administrasi penanganan kasus" in indonesian
    assert "PPKS Kalimantan Selatan — Administration" in english
    assert "Administrasi Django" not in indonesian and "Django administration" not in english
    assert "Lihat situs" in indonesian  # the web app, at /


def test_the_case_list_has_no_english_column_or_filter_in_indonesian(admin_client_of, alice):
    make_case(alice)
    indonesian = visible_text(admin_client_of.get("/admin/casework/case/"))
    english = visible_text(admin_client_of.get("/admin/casework/case/", **EN))
    assert "Kategori PPKS" in indonesian and "Berdasarkan kategori PPKS" in indonesian
    assert "Kabupaten/kota" in indonesian and "Dilaporkan" in indonesian
    for word in ("Category", "Regency", "Region", "reported"):
        assert word not in indonesian
    assert "PPKS category" in english and "Regency/city" in english


def test_every_field_the_admin_shows_has_words_of_its_own():
    """A field without a verbose name shows Django's English guess from its name ("Region",
    "Is active") whatever the reader's language; every model and app of ours is named too."""
    unnamed = [
        f"{model.__name__}.{field.name}"
        for model in admin.site._registry
        if model._meta.app_label in OURS
        for field in model._meta.get_fields()
        if field.concrete and field.name != "id" and field._verbose_name is None
    ]
    assert unnamed == []
    ours = [model for model in apps.get_models() if model._meta.app_label in OURS]
    assert [m.__name__ for m in ours if "verbose_name" not in m._meta.original_attrs] == []
    for label in OURS:
        name = apps.get_app_config(label).verbose_name
        with translation.override("en"):
            english = str(name)
        with translation.override("id"):
            assert str(name) != english, label


def test_records_are_titled_in_words(admin_client_of, alice, bob, carol):
    case = make_case(alice)
    case_transition(
        case_id=case.pk, actor=carol, action="verify", data={"note": "Sesuai.", "assignee": bob.pk}
    )
    services.personal_data_reads_record(user=bob, cases=[case], kind=AccessKind.VIEW)
    verified = HistoryEntry.objects.get(action="verify")
    message = OutboxMessage.objects.filter(recipient=bob, event="case_reported").get()
    pages = {
        f"/admin/workflows/historyentry/{verified.pk}/change/": (
            f"{case.reference}: Verifikasi oleh carol,",
            f"{case.reference}: Verify by carol,",
        ),
        f"/admin/casework/accesslog/{AccessLog.objects.get().pk}/change/": (
            f"bob: Melihat data lengkap, {case.reference},",
            f"bob: Viewed the full record, {case.reference},",
        ),
        f"/admin/notifications/outboxmessage/{message.pk}/change/": (
            f"Kasus baru untuk bob ({case.reference})",
            f"New case to bob ({case.reference})",
        ),
        f"/admin/notifications/delivery/{message.deliveries.get().pk}/change/": (
            f"Kasus baru untuk bob ({case.reference}) lewat Kotak masuk aplikasi:",
            f"New case to bob ({case.reference}) by In-app inbox:",
        ),
        f"/admin/workflows/slapolicy/{SlaPolicy.objects.get(urgency='high').pk}/change/": (
            "Tinggi, semua kategori",
            "High, every category",
        ),
    }
    for url, (indonesian, english) in pages.items():
        assert indonesian in visible_text(admin_client_of.get(url)), url
        assert english in visible_text(admin_client_of.get(url, **EN)), url


def test_actions_states_and_events_are_shown_in_words(admin_client_of, alice, bob, carol):
    case = make_case(alice)
    case_transition(
        case_id=case.pk, actor=carol, action="verify", data={"note": "Sesuai.", "assignee": bob.pk}
    )
    history = visible_text(admin_client_of.get("/admin/workflows/historyentry/"))
    deliveries = visible_text(admin_client_of.get("/admin/notifications/delivery/"))
    assert "Verifikasi Dilaporkan Terverifikasi carol" in history
    assert "Berdasarkan tindakan Semua Dilaporkan Verifikasi" in history
    assert "Kasus baru" in deliveries and "Kasus ditugaskan" in deliveries
    for code in ("verify", "reported", "verified", "case_reported", "case_assigned"):
        assert code not in history + deliveries


def test_sla_periods_are_written_in_words(admin_client_of):
    indonesian = visible_text(admin_client_of.get("/admin/workflows/slapolicy/"))
    english = visible_text(admin_client_of.get("/admin/workflows/slapolicy/", **EN))
    assert "Darurat - 45 menit 1 hari 14 hari" in indonesian
    assert "Emergency - 45 minutes 1 day 14 days" in english
    assert "0:45:00" not in indonesian + english


def test_read_only_pages_offer_nothing_to_submit(admin_client_of, alice, bob):
    case = make_case(alice)
    services.personal_data_reads_record(user=bob, cases=[case], kind=AccessKind.VIEW)
    urls = [
        f"/admin/casework/case/{case.pk}/change/",
        f"/admin/casework/accesslog/{AccessLog.objects.get().pk}/change/",
        f"/admin/workflows/historyentry/{HistoryEntry.objects.get().pk}/change/",
        f"/admin/notifications/outboxmessage/{OutboxMessage.objects.get().pk}/change/",
        f"/admin/notifications/delivery/{Delivery.objects.get().pk}/change/",
    ]
    for url in urls:
        response = admin_client_of.get(url)
        assert response.status_code == 200, url
        assert submit_controls(response) == [], url
        assert "Tutup" in visible_text(response), url  # the way back instead
