"""Who sees which case: out of reach means 404 (never 403), and lists show only what is in reach."""

import pytest

from tests.factories import make_case

pytestmark = pytest.mark.django_db

BJM_VILLAGE = "63.71.04.1003"  # Alalak Selatan, Kota Banjarmasin
TANBU_DISTRICT = "63.10.01"  # a kecamatan of Kabupaten Tanah Bumbu


def listed(client, **params) -> set[str]:
    response = client.get("/api/v1/cases/", params)
    assert response.status_code == 200, response.json()
    return {row["reference"] for row in response.json()["results"]}


@pytest.fixture
def bjm_case(alice):
    return make_case(alice, region=BJM_VILLAGE)


@pytest.fixture
def tanbu_case(vera):
    return make_case(vera, region=TANBU_DISTRICT)


def test_volunteer_sees_own_reports_only(as_user, alice, bjm_case, tanbu_case):
    client = as_user(alice)
    assert listed(client) == {bjm_case.reference}
    assert client.get(f"/api/v1/cases/{bjm_case.id}/").json()["reference"] == bjm_case.reference


def test_volunteer_cannot_see_other_volunteers_report_even_in_same_city(as_user, alice, db):
    from tests.factories import make_user

    siti = make_user("siti", role="volunteer", region="63.71")
    other = make_case(siti, region=BJM_VILLAGE)
    client = as_user(alice)
    assert listed(client) == set()
    response = client.get(f"/api/v1/cases/{other.id}/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": response.json()["message"]}


def test_officer_sees_cases_of_own_regency_and_not_others(as_user, bob, bjm_case, tanbu_case):
    client = as_user(bob)
    assert listed(client) == {bjm_case.reference}
    assert client.get(f"/api/v1/cases/{tanbu_case.id}/").status_code == 404


def test_officer_of_other_regency_gets_404_not_403(as_user, tono, bjm_case):
    response = as_user(tono).get(f"/api/v1/cases/{bjm_case.id}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_regency_supervisor_sees_own_regency_only(as_user, carol, bjm_case, tanbu_case):
    client = as_user(carol)
    assert listed(client) == {bjm_case.reference}
    assert client.get(f"/api/v1/cases/{tanbu_case.id}/").status_code == 404


def test_provincial_supervisor_sees_the_whole_province(as_user, dina, bjm_case, tanbu_case):
    assert listed(as_user(dina)) == {bjm_case.reference, tanbu_case.reference}


def test_officer_sees_a_case_they_filed_in_another_regency(as_user, bob):
    filed_for_caller = make_case(bob, region=TANBU_DISTRICT)
    assert listed(as_user(bob)) == {filed_for_caller.reference}


def test_unknown_case_id_is_404(as_user, dina):
    response = as_user(dina).get("/api/v1/cases/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404


def test_user_without_region_sees_nothing(as_user, db, bjm_case):
    from tests.factories import make_user

    lost = make_user("lost", role="officer", region=None, division="rehsos")
    assert listed(as_user(lost)) == set()
    assert as_user(lost).get(f"/api/v1/cases/{bjm_case.id}/").status_code == 404


@pytest.mark.parametrize(
    "path", ["/api/v1/cases/", "/api/v1/me/", "/api/v1/regions/", "/api/v1/categories/"]
)
def test_every_endpoint_needs_a_token(api, path):
    response = api.get(path)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_case_detail_needs_a_token(api, bjm_case):
    assert api.get(f"/api/v1/cases/{bjm_case.id}/").status_code == 401
    assert api.patch(f"/api/v1/cases/{bjm_case.id}/", {}, format="json").status_code == 401


def test_administrator_sees_no_case_through_the_api(as_user, adam, bjm_case):
    assert listed(as_user(adam)) == set()
    assert as_user(adam).get(f"/api/v1/cases/{bjm_case.id}/").status_code == 404
