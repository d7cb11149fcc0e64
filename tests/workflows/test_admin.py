"""The admin's case page: the transition buttons go through the same service as the API, and
the person and the report are shown as the API shows them, to whom it shows them, logged."""

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from casework import serializers, services
from casework.models import AccessLog, Case
from tests.admin_pages import CASEWORK, staff_client, submit_controls, visible_text
from tests.factories import make_case
from workflows.models import HistoryEntry

pytestmark = pytest.mark.django_db

NIK, PHONE, NAME = "6371045505480001", "+6281234567890", "Nenek Aminah"
DESCRIPTION = "Lansia tinggal sendiri, tidak ada yang merawat."
HIDDEN_ID = "Hanya ditampilkan kepada Dinas Sosial wilayah kasus ini dan pelapornya"


@pytest.fixture
def staff_carol(carol):
    """Carol, supervisor of Kota Banjarmasin, allowed into the admin to work cases."""
    return staff_client(carol, *CASEWORK)


def change_page(client, case, **headers):
    return client.get(f"/admin/casework/case/{case.pk}/change/", **headers)


def test_the_case_page_offers_only_the_transitions_the_user_may_perform(staff_carol, alice):
    case = make_case(alice)
    page = change_page(staff_carol, case).content.decode()
    for offered in ("verify", "return_to_reporter", "reject", "transfer"):
        assert f'value="{offered}"' in page
    for refused in ("assist", "close", "reopen", "resubmit"):
        assert f'value="{refused}"' not in page


def test_the_transition_buttons_are_named_in_the_readers_language(staff_carol, alice):
    case = make_case(alice)
    indonesian = visible_text(change_page(staff_carol, case))
    english = visible_text(change_page(staff_carol, case, HTTP_ACCEPT_LANGUAGE="en"))
    for label in ("Tindakan", "Tolak", "Kembalikan ke pelapor", "Alihkan ke wilayah lain"):
        assert label in indonesian
    for label in ("Actions", "Reject", "Return to the reporter", "Transfer to another region"):
        assert label in english
    assert "return_to_reporter" not in indonesian + english
    assert "Transition (state)" not in indonesian + english


def test_the_transition_form_speaks_the_readers_language(staff_carol, alice):
    case = make_case(alice)
    response = staff_carol.get(f"/admin/casework/case/{case.pk}/transition/verify/")
    form = visible_text(response)
    assert "Verifikasi Ringkasan asesmen: Petugas penanggung jawab:" in form
    assert "None" not in form  # no empty help text printed as "None"
    assert 'type="submit" value="Terapkan"' in response.content.decode()


def test_an_officer_of_the_region_sees_the_person_and_the_report_and_it_is_logged(bob, alice):
    case = make_case(alice)
    shown = visible_text(change_page(staff_client(bob, *CASEWORK), case))
    assert "Orang yang dilaporkan dan laporannya" in shown
    for line in (
        f"Nama: {NAME}",
        f"NIK: {NIK}",
        "Jenis kelamin: Perempuan",
        "Tanggal lahir: 1948-05-15",
        f"Telepon (E.164): {PHONE}",
        "Lokasi: -3.286, 114.5689",
        f"Uraian: {DESCRIPTION}",
    ):
        assert line in shown
    assert list(AccessLog.objects.values_list("user__username", "case_id", "kind")) == [
        ("bob", case.pk, "view")  # as the API's detail logs it
    ]


def test_the_report_is_in_english_on_request(bob, alice):
    case = make_case(alice)
    shown = visible_text(change_page(staff_client(bob, *CASEWORK), case, HTTP_ACCEPT_LANGUAGE="en"))
    assert "The person and the report" in shown
    assert f"Name: {NAME} NIK: {NIK} Sex: Female Birth date: 1948-05-15" in shown


@pytest.mark.parametrize("who", ["tono", "adam"])
def test_whom_the_api_shows_no_case_sees_its_bookkeeping_but_not_the_person(request, who, alice):
    """Tono works for another kabupaten; Adam administers the system (a superuser): the API
    answers them 404, so the admin shows neither the person nor the report, and logs nothing."""
    case = make_case(alice)
    reader = request.getfixturevalue(who)
    client = staff_client(reader, *CASEWORK)
    response = change_page(client, case)
    shown = visible_text(response)
    assert response.status_code == 200
    assert case.reference in shown and "Status: Dilaporkan" in shown
    assert HIDDEN_ID in shown
    for personal in (NAME, NIK, "6371**********01", PHONE, DESCRIPTION, "1948"):
        assert personal not in shown
    assert AccessLog.objects.count() == 0


def test_a_reader_who_may_not_see_personal_data_gets_it_masked_as_in_the_api(
    monkeypatch, bob, alice
):
    # No role sees a case without its personal data today; should one come, the API's rule
    # (`may_see_personal_data`, asked by the API's serializer and access log) decides here too.
    monkeypatch.setattr(serializers, "may_see_personal_data", lambda user, case: False)
    monkeypatch.setattr(services, "may_see_personal_data", lambda user, case: False)
    case = make_case(alice)
    shown = visible_text(change_page(staff_client(bob, *CASEWORK), case))
    assert "NIK: 6371**********01" in shown
    assert "Telepon (E.164): +62********890" in shown
    assert "Tanggal lahir: 1948-**-**" in shown
    assert NIK not in shown and PHONE not in shown
    assert AccessLog.objects.count() == 0  # a masked read is not logged


def test_the_case_list_shows_no_personal_data(bob, alice):
    case = make_case(alice)
    client = staff_client(bob, *CASEWORK)
    listing = visible_text(client.get("/admin/casework/case/"))
    found = visible_text(client.get(f"/admin/casework/case/?q={case.reference}"))
    assert case.reference in listing and case.reference in found
    for personal in (NAME, NIK, PHONE, DESCRIPTION):
        assert personal not in listing + found
    assert AccessLog.objects.count() == 0  # nothing personal was shown


def test_the_case_page_offers_no_save_or_delete(staff_carol, alice):
    case = make_case(alice)
    response = change_page(staff_carol, case)
    assert submit_controls(response) == []
    assert "Lihat kasus" in visible_text(response)  # not "Ubah kasus": nothing to change here


def test_the_history_rows_are_in_words_without_a_title_line(bob, alice):
    case = make_case(alice)
    shown = visible_text(change_page(staff_client(bob, *CASEWORK), case))
    assert "Riwayat Waktu Tindakan Dari status Ke status Oleh Alasan atau catatan" in shown
    assert "Dilaporkan - Dilaporkan alice" in shown  # the report row: action, from, to, by
    assert str(case.pk) not in shown  # no "<uuid> report ->reported" above the row
    assert "->" not in shown


def test_a_transition_from_the_admin_is_checked_timed_and_logged(staff_carol, carol, bob, alice):
    case = make_case(alice, urgency="emergency")
    before = timezone.now()
    response = staff_carol.post(
        f"/admin/casework/case/{case.pk}/transition/verify/",
        {"note": "Dikunjungi, lansia sendirian.", "assignee": bob.pk},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.assigned_to_id) == ("verified", bob.pk)
    assert case.due_at >= before + timezone.timedelta(hours=24)  # first-assistance clock
    entry = HistoryEntry.objects.get(case=case, action="verify")
    assert (entry.actor_id, entry.from_state, entry.reason) == (
        carol.pk,
        "reported",
        "Dikunjungi, lansia sendirian.",
    )
    shown = [m.message for m in staff_carol.get(response["Location"]).context["messages"]]
    assert shown == ["Verifikasi: selesai."]


def test_a_transition_the_reader_may_not_take_is_refused_in_words(tono, alice):
    case = make_case(alice)
    client = staff_client(tono, *CASEWORK)  # of another kabupaten: he may not verify it
    response = client.get(f"/admin/casework/case/{case.pk}/transition/verify/", follow=True)
    assert [m.message for m in response.context["messages"]] == [
        "Anda tidak boleh melakukan tindakan ini pada kasus ini."
    ]
    assert Case.objects.get(pk=case.pk).state == "reported"


@override_settings(LANGUAGE_CODE="en")
def test_a_refused_transition_from_the_admin_changes_nothing(staff_carol, tono, alice):
    case = make_case(alice)
    response = staff_carol.post(
        f"/admin/casework/case/{case.pk}/transition/verify/",
        {"note": "Petugas kabupaten lain.", "assignee": tono.pk},
        follow=True,
    )
    shown = [(m.level_tag, m.message) for m in response.context["messages"]]
    assert len(shown) == 1
    assert shown[0][0] == "error"
    assert "assignee" in shown[0][1]  # the field named in the message
    case.refresh_from_db()
    assert case.state == "reported"
    assert not HistoryEntry.objects.filter(case=case, action="verify").exists()


def test_the_administrator_sees_no_transition_buttons(adam, alice):
    case = make_case(alice)
    client = Client()
    client.force_login(adam)
    page = change_page(client, case).content.decode()
    assert 'value="verify"' not in page
    assert Case.objects.get(pk=case.pk).state == "reported"


def test_history_is_read_only_in_the_admin(adam, alice):
    client = Client()
    client.force_login(adam)
    assert client.get("/admin/workflows/historyentry/add/").status_code == 403
