"""`GET /api/v1/regions/locate/?lat=&lon=`: the regions holding a GPS point."""

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/regions/locate/"


def test_a_point_in_a_kelurahan_names_it_and_its_kecamatan_and_city(as_user, alice):
    response = as_user(alice).get(URL, {"lat": "-3.286", "lon": "114.5689"})
    assert response.status_code == 200
    assert response.json() == {
        "regency": {"code": "63.71", "name": "Kota Banjarmasin"},
        "district": {"code": "63.71.04", "name": "Banjarmasin Utara"},
        "village": {"code": "63.71.04.1003", "name": "Alalak Selatan"},
        "exact": True,
        "message": None,
        "reason": None,
    }
    assert response["Cache-Control"] == "no-store"


def test_a_point_just_off_the_coast_gives_the_nearest_desa_with_a_message(as_user, bob):
    body = as_user(bob).get(URL, {"lat": "-4.035442", "lon": "114.973191"}).json()
    assert body == {
        "regency": {"code": "63.01", "name": "Kabupaten Tanah Laut"},
        "district": {"code": "63.01.02", "name": "Jorong"},
        "village": {"code": "63.01.02.2005", "name": "Swarangan"},
        "exact": False,
        "message": "Titik ini tidak berada di dalam batas desa/kelurahan mana pun; yang "
        "terdekat adalah Desa Swarangan, sekitar 100 m dari titik ini.",
        "reason": "nearest_village",
    }


def test_a_point_in_a_kecamatan_without_a_desa_boundary_has_no_village(as_user, alice):
    body = as_user(alice).get(URL, {"lat": "-2.354464", "lon": "115.832583"}).json()
    assert body["regency"] == {"code": "63.11", "name": "Kabupaten Balangan"}
    assert body["district"] == {"code": "63.11.02", "name": "Halong"}
    assert (body["village"], body["exact"], body["reason"]) == (None, False, "village_unknown")


@pytest.mark.parametrize(
    ("lat", "lon", "reason", "indonesian", "english"),
    [
        (
            "-4.2",
            "115.0",
            "at_sea",
            "Titik ini berada di laut atau di luar Kalimantan Selatan.",
            "This point is at sea or outside Kalimantan Selatan.",
        ),
        (
            "-6.2",
            "106.8",
            "outside_province",
            "Titik ini berada di luar Kalimantan Selatan.",
            "This point is outside Kalimantan Selatan.",
        ),
    ],
)
def test_a_point_at_sea_or_elsewhere_finds_nothing_and_says_why(
    as_user, alice, lat, lon, reason, indonesian, english
):
    client = as_user(alice)
    body = client.get(URL, {"lat": lat, "lon": lon}).json()
    assert body == {
        "regency": None,
        "district": None,
        "village": None,
        "exact": False,
        "message": indonesian,
        "reason": reason,
    }
    in_english = client.get(URL, {"lat": lat, "lon": lon}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert in_english["message"] == english


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ({"lon": "114.5689"}, "lat", "required"),
        ({"lat": "-3.286"}, "lon", "required"),
        ({"lat": "", "lon": "114.5689"}, "lat", "invalid"),
        ({"lat": "abc", "lon": "114.5689"}, "lat", "invalid"),
        ({"lat": "NaN", "lon": "114.5689"}, "lat", "invalid"),
        ({"lat": "-3.286", "lon": "Infinity"}, "lon", "invalid"),
        ({"lat": "1e400", "lon": "114.5689"}, "lat", "invalid"),
        ({"lat": "91", "lon": "114.5689"}, "lat", "max_value"),
        ({"lat": "-3.286", "lon": "-181"}, "lon", "min_value"),
    ],
)
def test_a_missing_or_bad_coordinate_is_400_naming_it(as_user, alice, query, field, code):
    response = as_user(alice).get(URL, query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert [(e["field"], e["code"]) for e in body["errors"]] == [(field, code)]


def test_both_missing_are_both_named(as_user, alice):
    body = as_user(alice).get(URL).json()
    assert sorted(e["field"] for e in body["errors"]) == ["lat", "lon"]


def test_it_needs_a_signed_in_user(api):
    response = api.get(URL, {"lat": "-3.286", "lon": "114.5689"})
    assert response.status_code == 401
