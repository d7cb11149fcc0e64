"""NIK and phone are masked for whoever does not need them; full reads by staff are logged."""

import pytest

from casework.models import AccessLog
from tests.factories import make_case

pytestmark = pytest.mark.django_db

FULL = {"nik": "6371045505480001", "phone": "+6281234567890"}
MASKED = {"nik": "6371**********01", "phone": "+62********890"}


def subject_ids(response) -> dict[str, str]:
    subject = response.json()["subject"]
    return {"nik": subject["nik"], "phone": subject["phone"]}


@pytest.fixture
def case(alice):
    return make_case(alice)


@pytest.mark.parametrize("who", ["alice", "bob", "carol", "dina"])
def test_reporter_and_regional_staff_see_nik_and_phone(request, as_user, case, who):
    response = as_user(request.getfixturevalue(who)).get(f"/api/v1/cases/{case.id}/")
    assert subject_ids(response) == FULL


def test_administrator_sees_the_case_with_nik_and_phone_masked(as_user, adam, case):
    response = as_user(adam).get(f"/api/v1/cases/{case.id}/")
    assert response.status_code == 200
    assert subject_ids(response) == MASKED
    rows = as_user(adam).get("/api/v1/cases/").json()["results"]
    assert {"nik": rows[0]["subject"]["nik"], "phone": rows[0]["subject"]["phone"]} == MASKED


def test_case_without_nik_or_phone_shows_empty_strings_not_stars(as_user, adam, alice):
    bare = make_case(alice, nik="", phone="")
    subject = as_user(adam).get(f"/api/v1/cases/{bare.id}/").json()["subject"]
    assert (subject["nik"], subject["phone"]) == ("", "")


def test_officer_reading_a_case_is_logged(as_user, bob, case):
    as_user(bob).get(f"/api/v1/cases/{case.id}/")
    assert list(AccessLog.objects.values_list("user__username", "case_id", "kind")) == [
        ("bob", case.id, "view")
    ]


def test_officer_listing_cases_logs_each_case_shown(as_user, bob, alice, case):
    second = make_case(alice, name="Kakek Usman")
    as_user(bob).get("/api/v1/cases/")
    assert set(AccessLog.objects.values_list("user__username", "case_id", "kind")) == {
        ("bob", case.id, "list"),
        ("bob", second.id, "list"),
    }


def test_volunteer_reading_own_report_is_not_logged(as_user, alice, case):
    as_user(alice).get(f"/api/v1/cases/{case.id}/")
    as_user(alice).get("/api/v1/cases/")
    assert AccessLog.objects.count() == 0


def test_masked_read_by_administrator_is_not_a_personal_data_read(as_user, adam, case):
    as_user(adam).get(f"/api/v1/cases/{case.id}/")
    assert AccessLog.objects.count() == 0


def test_refused_read_is_not_logged(as_user, tono, case):
    assert as_user(tono).get(f"/api/v1/cases/{case.id}/").status_code == 404
    assert AccessLog.objects.count() == 0


def test_subject_personal_data_never_appears_in_str_or_admin_listing(case):
    assert "Aminah" not in str(case.subject)
    assert "6371045505480001" not in str(case)
