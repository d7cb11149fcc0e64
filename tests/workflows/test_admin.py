"""The admin's transition buttons go through the same service as the API."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client, override_settings
from django.utils import timezone

from casework.models import Case
from tests.factories import make_case
from workflows.models import HistoryEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_carol(carol):
    """Carol, supervisor of Kota Banjarmasin, allowed into the admin to work cases."""
    carol.is_staff = True
    carol.save()
    carol.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_case", "change_case"])
    )
    client = Client()
    client.force_login(carol)
    return client


def change_page(client, case) -> str:
    return client.get(f"/admin/casework/case/{case.pk}/change/").content.decode()


def test_the_case_page_offers_only_the_transitions_the_user_may_perform(staff_carol, alice):
    case = make_case(alice)
    page = change_page(staff_carol, case)
    for offered in ("verify", "return_to_reporter", "reject", "transfer"):
        assert f'value="{offered}"' in page
    for refused in ("assist", "close", "reopen", "resubmit"):
        assert f'value="{refused}"' not in page
    assert "Nenek Aminah" not in page  # no personal data in the admin
    assert "6371045505480001" not in page


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
    page = change_page(client, case)
    assert 'value="verify"' not in page
    assert Case.objects.get(pk=case.pk).state == "reported"


def test_history_is_read_only_in_the_admin(adam, alice):
    client = Client()
    client.force_login(adam)
    assert client.get("/admin/workflows/historyentry/add/").status_code == 403
