"""PATCH changes descriptive fields only; never the state; never outside one's reach."""

import pytest

from casework.models import Case
from tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(alice):
    return make_case(alice)


def patch(client, case, body):
    return client.patch(f"/api/v1/cases/{case.id}/", body, format="json")


def force_state(case, state):
    # Until the workflow exists, tests put a case in a state directly (never product code).
    Case.objects.filter(pk=case.pk).update(state=state)


def test_reporter_corrects_description_and_subject(as_user, alice, case):
    response = patch(
        as_user(alice),
        case,
        {"description": "Nenek tinggal sendiri, sakit.", "subject": {"phone": "0813 1111 2222"}},
    )
    assert response.status_code == 200
    assert response.json()["description"] == "Nenek tinggal sendiri, sakit."
    assert response.json()["subject"]["phone"] == "+6281311112222"
    case.refresh_from_db()
    assert case.subject.phone == "+6281311112222"
    assert case.subject.name == "Nenek Aminah"  # untouched fields stay


def test_state_is_never_writable(as_user, bob, case):
    response = patch(as_user(bob), case, {"state": "closed"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "state"
    assert response.json()["errors"][0]["code"] == "read_only"
    case.refresh_from_db()
    assert case.state == "reported"


def test_officer_may_change_category_but_volunteer_may_not(as_user, alice, bob, case):
    refused = patch(as_user(alice), case, {"category": "PD"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0] == {
        "field": "category",
        "code": "not_editable",
        "message": refused.json()["errors"][0]["message"],
    }
    assert patch(as_user(bob), case, {"category": "PD"}).json()["category"] == "PD"


def test_volunteer_cannot_edit_after_verification(as_user, alice, case):
    force_state(case, "verified")
    response = patch(as_user(alice), case, {"description": "Perubahan setelah diverifikasi."})
    assert response.status_code == 409
    assert response.json()["code"] == "case_not_editable"


def test_nobody_edits_a_closed_case(as_user, bob, case):
    force_state(case, "closed")
    response = patch(as_user(bob), case, {"description": "Perubahan setelah ditutup."})
    assert response.status_code == 409
    assert response.json()["code"] == "case_closed"


def test_region_may_be_corrected_within_the_same_regency(as_user, bob, case):
    response = patch(as_user(bob), case, {"region": "63.71.01"})
    assert response.status_code == 200
    assert response.json()["region"]["code"] == "63.71.01"


def test_moving_the_region_to_another_regency_is_refused_use_transfer(as_user, bob, case):
    response = patch(as_user(bob), case, {"region": "63.10.01"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "region_outside_regency"
    case.refresh_from_db()
    assert case.region_id == "63.71.04.1003"


def test_other_volunteer_and_other_regency_get_404(as_user, vera, tono, case):
    assert patch(as_user(vera), case, {"description": "Bukan laporan saya."}).status_code == 404
    assert patch(as_user(tono), case, {"description": "Bukan wilayah saya."}).status_code == 404


def test_administrator_cannot_see_or_edit_cases(as_user, adam, case):
    response = patch(as_user(adam), case, {"description": "Admin tidak mengubah kasus."})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.description == "Lansia tinggal sendiri, tidak ada yang merawat."


@pytest.mark.parametrize("location", [{"lat": -3.3}, {"lon": 114.6}, {}])
def test_half_a_location_is_400_naming_the_missing_coordinate(as_user, bob, case, location):
    response = patch(as_user(bob), case, {"location": location})
    assert response.status_code == 400
    missing = {e["field"] for e in response.json()["errors"]}
    assert missing == {f"location.{k}" for k in ("lat", "lon") if k not in location}
    case.refresh_from_db()
    assert (case.latitude, case.longitude) == (-3.286, 114.5689)


def test_changing_nik_recomputes_the_warnings(as_user, bob, case):
    response = patch(as_user(bob), case, {"subject": {"sex": "M"}})
    assert [w["code"] for w in response.json()["warnings"]] == ["nik_sex_mismatch"]
    response = patch(as_user(bob), case, {"subject": {"sex": "F"}})
    assert response.json()["warnings"] == []


def test_invalid_patch_writes_nothing(as_user, bob, case):
    response = patch(
        as_user(bob), case, {"description": "Deskripsi baru yang valid.", "subject": {"nik": "123"}}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "subject.nik"
    case.refresh_from_db()
    assert case.description == "Lansia tinggal sendiri, tidak ada yang merawat."


def test_clearing_the_location_and_phone(as_user, bob, case):
    response = patch(as_user(bob), case, {"location": None, "subject": {"phone": ""}})
    assert response.json()["location"] is None
    assert response.json()["subject"]["phone"] == ""


@pytest.mark.parametrize("field", ["observed_at", "description", "category", "region", "urgency"])
def test_a_required_field_cannot_be_erased_with_null(as_user, bob, case, field):
    response = patch(as_user(bob), case, {field: None})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": field, "code": "null", "message": response.json()["errors"][0]["message"]}
    ]
