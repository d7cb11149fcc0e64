"""`casework.maps`: a case's place as what an inline SVG needs."""

import re

import pytest

from casework.maps import WIDTH, case_map


def numbers(d: str) -> list[int]:
    return [int(n) for n in re.findall(r"-?\d+", d)]


def test_a_kelurahan_map_has_its_city_kecamatan_kelurahan_and_pin():
    drawn = case_map("63.71.04.1003", (-3.286, 114.5689))
    assert drawn is not None
    assert [(s.level, s.code) for s in drawn.shapes] == [
        ("regency", "63.71"),
        ("district", "63.71.04"),
        ("village", "63.71.04.1003"),
    ]
    assert drawn.view_box == f"0 0 {WIDTH} {drawn.height}"
    assert drawn.pin is not None
    x, y = drawn.pin
    assert 0 <= x <= WIDTH and 0 <= y <= drawn.height
    assert all(s.d.startswith("M") and s.d.endswith("z") for s in drawn.shapes)
    assert sum(len(s.d) for s in drawn.shapes) < 15_000


def test_it_is_not_stretched():
    # Kota Banjarmasin is about 13 km east-west by 11 km north-south (its boundary's extent):
    # at cos(3.3°) a degree of longitude is 0.998 of one of latitude, so the shape keeps it.
    drawn = case_map("63.71")
    assert drawn is not None
    assert drawn.height / drawn.width == pytest.approx(0.82, abs=0.03)


def test_the_pin_sits_inside_the_kelurahan_it_is_in():
    drawn = case_map("63.71.04.1003", (-3.286, 114.5689))
    assert drawn is not None and drawn.pin is not None
    village = numbers(drawn.shapes[2].d)
    xs, ys = [village[0]], [village[1]]
    for dx, dy in zip(village[2::2], village[3::2], strict=True):
        xs.append(xs[-1] + dx)
        ys.append(ys[-1] + dy)
    assert min(xs) <= drawn.pin[0] <= max(xs) and min(ys) <= drawn.pin[1] <= max(ys)


def test_no_location_no_pin_and_a_far_one_is_not_drawn():
    assert case_map("63.71.04.1003").pin is None
    assert case_map("63.71.04.1003", (-6.2, 106.8)).pin is None


def test_only_what_has_a_boundary_is_drawn():
    drawn = case_map("63.10.04.2027")  # a desa the boundary data lacks
    assert drawn is not None
    assert [s.level for s in drawn.shapes] == ["regency", "district"]
    assert [s.level for s in case_map("63.71.04").shapes] == ["regency", "district"]
    assert [s.level for s in case_map("63.71").shapes] == ["regency"]
    assert case_map("63.99.01") is None


def test_every_case_map_stays_small():
    from casework.places import boundaries

    sizes = [sum(len(s.d) for s in case_map(code).shapes) for code in boundaries().villages.codes]
    assert max(sizes) < 15_000
