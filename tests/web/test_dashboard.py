"""The dashboard page `/dasbor/` (issue 13, items 5, 6 and 9): the dashboard API's figures for
the same person and filters, as headline numbers, bar charts with their tables and a map of the
region whose areas open their own dashboards; refused as the API refuses."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from tests.factories import make_case

pytestmark = pytest.mark.django_db
WITA = ZoneInfo("Asia/Makassar")
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=WITA)


@pytest.fixture
def cases(alice, vera):
    with time_machine.travel(T0, tick=False):
        return [
            make_case(alice),
            make_case(alice, region="63.71.01", category="FM", urgency="high"),
            make_case(vera, region="63.10.01", name="Pak Darman"),
        ]


def both(client, user, params: dict[str, str]):
    """(the page's figures, the API's answer) for `user` with `params`, at one moment."""
    api = APIClient()
    api.force_authenticate(user)
    client.force_login(user)
    with time_machine.travel(T0.replace(day=25), tick=False):
        page = client.get("/dasbor/", params)
        answer = api.get("/api/v1/dashboard/", params)
    assert (page.status_code, answer.status_code) == (200, 200)
    return page, answer.json()


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize(
    "params", [{}, {"category": "LUT"}, {"urgency": "high"}, {"region": "63.71.04"},
               {"region": "63.71.04.1003"},
               {"created_after": "2026-11-01", "created_before": "2026-12-01"}],
)  # fmt: skip
def test_the_page_shows_the_apis_figures_for_the_same_filters(client, carol, cases, params):
    page, answer = both(client, carol, params)
    assert page.context["figures"] == answer
    shown = text(page)
    overdue = {name: value for name, value, _link in page.context["headline"]}["Terlambat"]
    assert overdue == str(answer["overdue"])
    assert re.search(rf'<dt>Terlambat</dt><dd><a href="[^"]+">{overdue}</a></dd>', shown)
    for name, figures in answer["by_region"].items():
        assert figures["name"] in shown, name


def test_every_chart_is_an_image_with_its_words_and_a_table(client, carol, bob, cases):
    page, answer = both(client, carol, {})
    shown = text(page)
    assert shown.count('role="img"') == 8  # six charts, the trend and the map
    assert 'aria-label="Diagram batang: Kasus menurut status"' in shown
    states = re.search(r"<caption>Kasus menurut status</caption>.*?</table>", shown)[0]
    rows = re.findall(r'<th scope="row">([^<]+)</th><td>(\d+)</td>', states)
    assert [int(n) for _state, n in rows] == list(answer["by_state"].values())
    assert ("Dilaporkan", "2") in rows
    assert "Lanjut usia terlantar" in shown or "Lanjut Usia" in shown  # categories in words


def test_an_officer_of_tanah_bumbu_sees_only_his_kabupaten(client, tono, cases):
    page, answer = both(client, tono, {})
    assert answer["scope"]["region"]["code"] == "63.10"
    assert answer["total"] == 1
    shown = text(page)
    assert "Banjarmasin" not in shown
    assert cases[0].reference not in shown
    refused = client.get("/dasbor/", {"region": "63.71"})
    assert refused.status_code == 403
    assert "Anda hanya dapat melihat angka wilayah Anda sendiri." in text(refused)
    assert "figures" not in refused.context


def test_volunteers_are_refused_as_by_the_api(client, alice, cases):
    client.force_login(alice)
    assert client.get("/dasbor/").status_code == 403
    api = APIClient()
    api.force_authenticate(alice)
    assert api.get("/api/v1/dashboard/").status_code == 403


@pytest.mark.parametrize(
    ("params", "field"),
    [({"urgency": "kilat"}, "urgency"), ({"created_after": "kemarin"}, "created_after"),
     ({"region": "63.99"}, "region"), ({"category": "XYZ"}, "category"),
     ({"created_after": "2026-12-01", "created_before": "2026-11-01"}, "created_before")],
)  # fmt: skip
def test_a_bad_filter_is_the_form_again_with_its_message(client, carol, params, field):
    client.force_login(carol)
    response = client.get("/dasbor/", params)
    assert response.status_code == 400
    shown = text(response)
    assert f'aria-invalid="true" aria-describedby="e-{field}"' in shown
    assert re.search(rf'<p class="error" id="e-{field}">[^<]+</p>', shown)
    assert 'role="img"' not in shown


def test_the_province_map_has_each_kabupaten_shaded_and_linked(client, dina, cases):
    page, answer = both(client, dina, {})
    html = page.content.decode()
    drawn = re.search(r'<div class="map-stack">.*?</div>', html, re.S)[0]
    assert len(drawn.encode()) <= 100_000  # the picture and its links
    picture, links = re.findall(r"<svg .*?</svg>", drawn, re.S)
    assert 'role="img" aria-label="Peta Kalimantan Selatan per kabupaten/kota' in picture
    areas = re.findall(r'<path class="shade-(\d)" data-region="(63\.\d\d)"', picture)
    assert sorted(code for _shade, code in areas) == sorted(answer["by_region"])
    assert len(areas) == 13
    linked = re.findall(r'<a href="\?region=(63\.\d\d)" tabindex="-1"', links)
    assert sorted(linked) == sorted(answer["by_region"])
    shades = {code: shade for shade, code in areas}
    assert shades["63.71"] == "4" and shades["63.10"] != "0" and shades["63.01"] == "0"
    assert '<a href="?region=63.71">' in page.content.decode()  # and in the table


def test_a_drill_down_keeps_the_other_filters(client, carol, cases):
    page, _answer = both(client, carol, {"category": "LUT"})
    assert '<a href="?region=63.71.04&amp;category=LUT"' in page.content.decode()


def test_a_supervisors_home_is_the_dashboard(client, carol, cases):
    client.force_login(carol)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["figures"]["scope"]["region"]["code"] == "63.71"


def test_the_trend_is_a_chart_with_the_apis_numbers_in_a_table(client, carol, cases):
    page, answer = both(client, carol, {})
    shown = text(page)
    assert len(answer["trend"]) == 12
    assert re.search(r'<svg role="img" aria-label="Diagram kolom: kasus per minggu', shown)
    table = re.search(r"<caption>Kasus per minggu.*?</table>", shown)[0]
    rows = re.findall(
        r'<th scope="row"><time datetime="([\d-]+)">[^<]+</time></th>'
        r"<td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>",
        table,
    )
    assert [
        {"week_start": w, "new": int(n), "closed": int(c), "open_at_end": int(o)}
        for w, n, c, o in rows
    ] == answer["trend"]
    assert answer["trend"][-2]["new"] == 2  # Banjarmasin's two cases, reported last week
    assert shown.count('data-week="') == 12
