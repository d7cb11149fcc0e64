"""`casework.places`: where a GPS point lies, on the shipped boundaries and real points."""

import numpy as np
import pytest
import shapely
from django.utils import translation

from casework import places
from casework.places import Area, Miss, Place, describe, distance_to_region, locate


@pytest.mark.parametrize(
    ("lat", "lon", "code", "name"),
    [
        # The `properties.centroid` of Banjarmasin kelurahan, as the boundary file gives them.
        (-3.356463, 114.546867, "63.71.01.1001", "Mantuil"),
        (-3.32638, 114.616884, "63.71.02.1001", "Kuripan"),
        (-3.286046, 114.568941, "63.71.04.1003", "Alalak Selatan"),
        (-3.303346, 114.601433, "63.71.04.1006", "Surgi Mufti"),
    ],
)
def test_it_finds_the_kelurahan_of_its_own_centroid(lat, lon, code, name):
    place = locate(lat, lon)
    assert place.village == Area(code, name)
    assert place.district is not None and place.district.code == code[:8]
    assert place.regency == Area("63.71", "Kota Banjarmasin")
    assert place.exact is True
    assert describe(place) is None


def test_it_answers_with_the_reference_datas_names():
    # The boundary file writes "Murung A."; kalsel_regions.csv (and so /api/v1/regions/) "Murung A".
    place = locate(-2.636458, 115.411203)
    assert place.village == Area("63.07.02.2001", "Murung A")
    assert place.district == Area("63.07.02", "Batu Benawa")
    assert place.regency == Area("63.07", "Kabupaten Hulu Sungai Tengah")


def test_a_point_on_a_shared_border_lands_in_one_neighbour_always_the_same():
    # A vertex of both Mantuil and its neighbour 63.71.01.1012: both boundaries hold it.
    lat, lon = -3.347286, 114.564438
    assert distance_to_region("63.71.01.1001", lat, lon) == 0
    assert distance_to_region("63.71.01.1012", lat, lon) == 0
    answers = {locate(lat, lon) for _ in range(3)}
    assert answers == {locate(lat, lon)}
    (place,) = answers
    assert place.village is not None and place.village.code == "63.71.01.1001"  # the lower code
    assert place.exact is True


def test_of_two_overlapping_boundaries_the_point_goes_to_the_one_it_is_deepest_in():
    def square(code, x0, x1):
        ring = [[x0, 0], [x1, 0], [x1, 1], [x0, 1], [x0, 0]]
        geometry = {"type": "MultiPolygon", "coordinates": [[ring]]}
        return {"properties": {"code": code, "name": code}, "geometry": geometry}

    layer = places.Layer([square("b", 0.0, 1.0), square("a", 0.9, 2.0)], names={})
    near_a = shapely.Point(1.5 * places.METRES_PER_DEGREE_LON, 0.5 * places.METRES_PER_DEGREE_LAT)
    in_both = shapely.Point(0.97 * places.METRES_PER_DEGREE_LON, 0.5 * places.METRES_PER_DEGREE_LAT)
    assert layer.codes[layer.containing(near_a)] == "a"
    # 0.03° inside "b" (its east edge at 1.0), 0.07° inside "a" (its west edge at 0.9).
    assert layer.codes[layer.containing(in_both)] == "a"


def test_a_point_just_off_the_coast_takes_the_nearest_desa_not_exact():
    place = locate(-4.035442, 114.973191)  # about 100 m off Swarangan's shore, Tanah Laut
    assert place.village == Area("63.01.02.2005", "Swarangan")
    assert place.district == Area("63.01.02", "Jorong")
    assert place.regency == Area("63.01", "Kabupaten Tanah Laut")
    assert place.exact is False
    assert place.miss == Miss.NEAREST_VILLAGE
    assert place.distance_m == pytest.approx(100, abs=5)
    with translation.override("id"):
        assert describe(place) == (
            "Titik ini tidak berada di dalam batas desa/kelurahan mana pun; yang terdekat adalah "
            "Desa Swarangan, sekitar 100 m dari titik ini."
        )


def test_a_point_in_a_kecamatan_but_in_no_desa_has_no_desa():
    place = locate(-2.354464, 115.832583)  # inside Kecamatan Halong, 300+ m from every desa
    assert place == Place(
        Area("63.11", "Kabupaten Balangan"),
        Area("63.11.02", "Halong"),
        None,
        miss=Miss.VILLAGE_UNKNOWN,
    )
    assert place.exact is False
    with translation.override("id"):
        assert describe(place) == (
            "Titik ini berada di Kecamatan Halong, Kabupaten Balangan, tetapi desa/kelurahannya "
            "tidak dapat ditentukan dari batas wilayah."
        )


def test_a_point_in_the_java_sea_is_at_sea():
    place = locate(-4.2, 115.0)  # about 18 km off Tanah Laut: within the province's waters
    assert place == Place(None, None, None, miss=Miss.AT_SEA)
    with translation.override("id"):
        assert describe(place) == "Titik ini berada di laut atau di luar Kalimantan Selatan."
    with translation.override("en"):
        assert describe(place) == "This point is at sea or outside Kalimantan Selatan."


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(-6.2, 106.8), (-3.0, 114.0), (-2.0, 116.3)],  # Jakarta; Kalimantan Tengah; the sea far out
)
def test_a_point_far_from_the_province_is_outside_it(lat, lon):
    place = locate(lat, lon)
    assert place == Place(None, None, None, miss=Miss.OUTSIDE_PROVINCE)
    with translation.override("id"):
        assert describe(place) == "Titik ini berada di luar Kalimantan Selatan."


def test_distance_to_a_region_is_zero_inside_and_metres_outside():
    assert distance_to_region("63.71.04.1003", -3.286, 114.5689) == 0
    # The API's old example point lies in Gadang, some 4 km from Alalak Selatan.
    assert distance_to_region("63.71.04.1003", -3.3186, 114.5944) == pytest.approx(4040, abs=20)
    assert distance_to_region("63.71.04", -3.286, 114.5689) == 0
    assert distance_to_region("63.71", -3.286, 114.5689) == 0


@pytest.mark.parametrize("code", ["63", "63.10.04.2027", "63.99.01.2001", "63.71.99"])
def test_a_region_without_a_boundary_has_no_distance(code):
    assert distance_to_region(code, -3.286, 114.5689) is None


def test_every_boundary_is_valid_once_read():
    found = places.boundaries()
    for layer, count in ((found.regencies, 13), (found.districts, 156), (found.villages, 2008)):
        assert len(layer.codes) == count
        assert bool(np.all(shapely.is_valid(layer.shapes)))
        assert set(shapely.get_type_id(layer.shapes)) <= {3, 6}  # Polygon, MultiPolygon


def test_the_boundaries_are_read_once_per_process():
    assert places.boundaries() is places.boundaries()
