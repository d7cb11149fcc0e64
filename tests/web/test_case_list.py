"""The case list `/kasus/` (UI.md's route; issue 13, items 6 and 8): every case in the reader's
reach with the API's filters as a form; the dashboard's figures open it on exactly the cases they
count, and the export buttons download exactly the listed cases."""

import html
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from casework.models import Case
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def references(response) -> list[str]:
    return re.findall(
        r'<p class="ref"><a href="/kasus/[^"]+/">(\S+)</a>', response.content.decode()
    )


@pytest.fixture
def cases(alice, vera):
    late = make_case(alice, urgency="high")
    Case.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=2))
    return {
        "late": late,
        "on_time": make_case(alice, region="63.71.01"),
        "tanah_bumbu": make_case(vera, region="63.10.01"),
    }


def test_a_supervisor_lists_the_cases_of_their_region_with_the_apis_filters(client, carol, cases):
    client.force_login(carol)
    listed = references(client.get("/kasus/"))
    assert sorted(listed) == sorted([cases["late"].reference, cases["on_time"].reference])
    assert references(client.get("/kasus/", {"urgency": "high"})) == [cases["late"].reference]
    refused = client.get("/kasus/", {"urgency": "sangat"})
    assert refused.status_code == 400
    assert '<p class="error" id="e-urgency">' in refused.content.decode()


def test_an_officer_of_tanah_bumbu_lists_only_his_kabupaten(client, tono, cases):
    client.force_login(tono)
    assert references(client.get("/kasus/")) == [cases["tanah_bumbu"].reference]


def test_the_dashboards_overdue_figure_opens_exactly_the_overdue_cases(client, carol, cases):
    client.force_login(carol)
    page = client.get("/dasbor/").content.decode()
    found = re.search(r'<dt>Terlambat</dt><dd><a href="([^"]+)">(\d+)</a>', page)
    assert found, "the overdue figure is a link"
    link, figure = html.unescape(found.group(1)), int(found.group(2))
    assert "overdue=true" in link
    listed = references(client.get(link))
    assert len(listed) == figure == 1
    assert listed == [cases["late"].reference]


def test_the_export_buttons_download_exactly_the_listed_cases(client, bob, cases):
    client.force_login(bob)
    page = client.get("/kasus/", {"urgency": "high"}).content.decode()
    links = dict(re.findall(r'<a class="button" href="([^"]+)" download>(XLSX|CSV)</a>', page))
    by_kind = {kind: html.unescape(url) for url, kind in links.items()}
    assert set(by_kind) == {"XLSX", "CSV"}
    assert "urgency=high" in by_kind["XLSX"] and "format=xlsx" in by_kind["XLSX"]
    download = client.get(by_kind["XLSX"])
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    cells = {str(cell.value) for row in sheet.iter_rows() for cell in row}
    assert cases["late"].reference in cells and cases["on_time"].reference not in cells


def test_a_volunteer_lists_her_reports_and_gets_no_export(client, alice, cases):
    client.force_login(alice)
    response = client.get("/kasus/")
    assert sorted(references(response)) == sorted(
        [cases["late"].reference, cases["on_time"].reference]
    )
    assert "format=xlsx" not in response.content.decode()


def test_the_dashboards_export_is_exactly_its_cases(client, carol, cases):
    client.force_login(carol)
    page = client.get("/dasbor/", {"urgency": "high"}).content.decode()
    found = re.search(r'<a class="button" href="([^"]+)" download>XLSX</a>', page)
    assert found
    download = client.get(html.unescape(found.group(1)))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    cells = {str(cell.value) for row in sheet.iter_rows() for cell in row}
    assert cases["late"].reference in cells
    assert cases["on_time"].reference not in cells  # another urgency
    assert cases["tanah_bumbu"].reference not in cells  # another region


def test_an_officer_is_chosen_by_name_with_what_they_carry(client, alice, bob, cases):
    client.force_login(bob)
    form = client.get(f"/kasus/{cases['on_time'].pk}/", {"aksi": "verify"}).content.decode()
    carried = "Bob — Rehabilitasi Sosial · sedang bertugas · 0 kasus terbuka, 0 terlambat"
    assert re.search(rf'<option value="{bob.pk}">{carried}</option>', form)
