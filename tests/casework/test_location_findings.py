"""A case's GPS location outside its chosen desa/kelurahan is a warning
(`location_outside_village`), never a refusal: at intake and when the location or region is
corrected."""

import pytest

from tests.factories import case_payload

pytestmark = pytest.mark.django_db

ALALAK_SELATAN = "63.71.04.1003"
IN_ALALAK_SELATAN = {"lat": -3.286, "lon": 114.5689}
IN_GADANG = {"lat": -3.3186, "lon": 114.5944}  # Kecamatan Banjarmasin Tengah, 4 km away
# 100 m outside Alalak Selatan, in Kuin Utara: within what simplified boundaries allow.
JUST_OVER_THE_BORDER = {"lat": -3.291801, "lon": 114.570732}


def create(client, **overrides):
    response = client.post("/api/v1/cases/", case_payload(**overrides), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def village_warnings(body):
    return [w for w in body["warnings"] if w["code"] == "location_outside_village"]


def test_a_location_in_another_kelurahan_is_201_with_a_warning_naming_where_it_is(
    as_user, alice, bob
):
    created = create(as_user(alice), region=ALALAK_SELATAN, location=IN_GADANG)
    assert village_warnings(created) == [
        {
            "field": "location",
            "code": "location_outside_village",
            "message": "Lokasi GPS berada di luar desa/kelurahan yang dipilih (terdeteksi: "
            "Kelurahan Gadang, Kecamatan Banjarmasin Tengah).",
        }
    ]
    assert created["region"]["code"] == ALALAK_SELATAN  # kept as chosen
    read = as_user(bob).get(f"/api/v1/cases/{created['id']}/", HTTP_ACCEPT_LANGUAGE="en")
    assert village_warnings(read.json())[0]["message"] == (
        "The GPS location is outside the chosen village "
        "(detected: Kelurahan Gadang, Kecamatan Banjarmasin Tengah)."
    )


@pytest.mark.parametrize(
    "location", [IN_ALALAK_SELATAN, JUST_OVER_THE_BORDER], ids=["inside", "100-m-outside"]
)
def test_a_location_in_or_near_the_chosen_kelurahan_is_no_warning(as_user, alice, location):
    created = create(as_user(alice), region=ALALAK_SELATAN, location=location)
    assert created["warnings"] == []


def test_a_location_at_sea_says_only_that_it_is_outside(as_user, alice):
    created = create(as_user(alice), region=ALALAK_SELATAN, location={"lat": -4.2, "lon": 115.0})
    assert [w["message"] for w in village_warnings(created)] == [
        "Lokasi GPS berada di luar desa/kelurahan yang dipilih."
    ]


@pytest.mark.parametrize(
    "region",
    [
        "63.71.04",  # a kecamatan: only a desa/kelurahan is held to its boundary
        "63.10.04.2027",  # a desa the boundary data lacks
    ],
)
def test_a_region_that_is_no_desa_with_a_boundary_is_no_warning(as_user, bob, region):
    created = create(as_user(bob), region=region, location=IN_GADANG)
    assert village_warnings(created) == []


def test_outside_the_province_only_that_warning_is_given(as_user, alice):
    created = create(as_user(alice), region=ALALAK_SELATAN, location={"lat": -6.2, "lon": 106.8})
    assert [w["code"] for w in created["warnings"]] == ["location_outside_province"]


def test_correcting_the_location_or_the_region_rechecks_it(as_user, alice):
    client = as_user(alice)
    created = create(client, region=ALALAK_SELATAN, location=IN_ALALAK_SELATAN)
    url = f"/api/v1/cases/{created['id']}/"

    moved = client.patch(url, {"location": IN_GADANG}, format="json").json()
    assert [w["code"] for w in village_warnings(moved)] == ["location_outside_village"]

    gadang = client.patch(url, {"region": "63.71.05.1008"}, format="json").json()
    assert gadang["warnings"] == []
