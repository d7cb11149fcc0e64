"""`GET /api/v1/officers/` (issue 11, item 16): whom an officer or supervisor can assign a case
to, with their duty and load; nobody outside the caller's reach, and only to office staff."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.factories import make_case, make_user
from workflows.services import case_transition

pytestmark = pytest.mark.django_db
URL = "/api/v1/officers/"


@pytest.fixture
def staff(bob, tono):
    """Bob (rehsos, 63.71) and Tono (rehsos, 63.10), plus Budi (linjamsos, 63.71, off duty) and
    a retired officer of 63.71."""
    budi = make_user("budi", role="officer", region="63.71", division="linjamsos", on_duty=False)
    make_user("pensiun", role="officer", region="63.71", division="rehsos", is_active=False)
    return budi


def names(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["username"] for row in response.json()["results"]]


def test_an_officer_sees_the_officers_of_their_kabupaten_kota(as_user, bob, staff):
    assert names(as_user(bob).get(URL)) == ["bob", "budi"]


def test_supervisors_see_their_region(as_user, carol, dina, staff):
    assert names(as_user(carol).get(URL)) == ["bob", "budi"]
    assert names(as_user(dina).get(URL)) == ["bob", "budi", "tono"]


def test_filters_by_region_and_division(as_user, dina, staff):
    assert names(as_user(dina).get(URL, {"region": "63.10"})) == ["tono"]
    assert names(as_user(dina).get(URL, {"division": "linjamsos"})) == ["budi"]
    bad = as_user(dina).get(URL, {"division": "dinas"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "division"
    bad = as_user(dina).get(URL, {"region": "63.7x"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "region"


def test_each_officer_comes_with_duty_and_load(as_user, alice, bob, carol, staff):
    with time_machine.travel(timezone.now() - timedelta(days=30)):
        late = make_case(alice, urgency="high")  # verified 30 days ago: first assistance overdue
        case_transition(case_id=str(late.pk), actor=carol, action="verify",
                        data={"note": "Benar.", "assignee": bob.pk})  # fmt: skip
    fresh = make_case(alice)
    case_transition(case_id=str(fresh.pk), actor=carol, action="verify",
                    data={"note": "Benar.", "assignee": bob.pk})  # fmt: skip
    rows = {row["username"]: row for row in as_user(carol).get(URL).json()["results"]}
    assert rows["bob"] == {
        "id": bob.pk, "username": "bob", "full_name": "Bob",
        "region": {"code": "63.71", "name": "Kota Banjarmasin"}, "division": "rehsos",
        "on_duty": True, "open_cases": 2, "overdue_cases": 1,
    }  # fmt: skip
    assert (rows["budi"]["on_duty"], rows["budi"]["open_cases"]) == (False, 0)


@pytest.mark.parametrize("who", ["alice", "adam"])
def test_volunteers_and_administrators_are_refused(request, as_user, who):
    response = as_user(request.getfixturevalue(who)).get(URL)
    assert response.status_code == 403
    assert (
        response.json()["message"]
        == "Hanya petugas dan supervisor yang dapat melihat daftar petugas."
    )
