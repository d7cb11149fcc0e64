"""The dashboard in a real browser at a desktop's size: `supervisor_bjm` signs in to her
dashboard (her home), finds the API's figures on it, and clicks a kecamatan on the map to get
that kecamatan's dashboard; the dashboard moves by exactly the cases just made, its overdue
figure opens exactly those cases and their XLSX; an officer of Tanah Bumbu sees nothing of
Banjarmasin."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone, translation
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from casework.models import CaseState, Category, Region, User
from sampledata.demo import seed_demo_accounts
from tests.factories import PASSWORD, make_case
from tests.web.conftest import check, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def click_inside(page: Page, selector: str) -> None:
    """Click a point of the shape that is the shape itself on screen (its bounding box's
    centre may be a neighbour's, or outside it)."""
    point = page.evaluate(
        """(selector) => {
            const shape = document.querySelector(selector);
            shape.scrollIntoView({ block: "center" });  // a point off the screen is no point
            const box = shape.getBoundingClientRect();
            for (let i = 1; i < 20; i++) for (let j = 1; j < 20; j++) {
                const x = box.left + box.width * i / 20, y = box.top + box.height * j / 20;
                if (document.elementFromPoint(x, y) === shape) { return [x, y]; }
            }
            return null;
        }""",
        selector,
    )
    assert point is not None, selector
    page.mouse.click(*point)


def test_a_supervisor_reads_her_dashboard_and_opens_a_kecamatan_from_the_map(
    desktop: Page, live_server
):
    reporter = User.objects.get(username="relawan_bjm")
    for _ in range(3):
        make_case(reporter)  # Alalak Selatan, Banjarmasin Utara (63.71.04)
    make_case(reporter, region="63.71.01", category="FM", urgency="high")
    page = desktop
    page.goto(f"{live_server.url}/masuk/")
    sign_in(page, "supervisor_bjm")
    city = Region.objects.get(code="63.71").name
    expect(page.get_by_role("heading", name=f"Dasbor: {city}")).to_be_visible()
    answer = page.request.get(f"{live_server.url}/api/v1/dashboard/").json()
    assert answer["total"] == 4
    glance = page.locator(".headline")
    expect(glance.locator("div", has_text="Kasus").first.locator("dd")).to_have_text("4")
    expect(page.get_by_role("img", name="Diagram batang: Kasus menurut status")).to_be_visible()
    expect(page.get_by_role("img", name=f"Peta {city} per kecamatan", exact=False)).to_be_visible()
    check(page, "dasbor")

    click_inside(page, '.map-links a[data-region="63.71.04"] path')
    district = Region.objects.get(code="63.71.04").name
    expect(page.get_by_role("heading", name=f"Dasbor: {district}")).to_be_visible()
    assert page.url.endswith("/?region=63.71.04") or page.url.endswith("/dasbor/?region=63.71.04")
    answer = page.request.get(f"{live_server.url}/api/v1/dashboard/?region=63.71.04").json()
    assert answer["total"] == 3
    expect(glance.locator("div", has_text="Kasus").first.locator("dd")).to_have_text("3")
    expect(page.get_by_role("link", name=f"Naik ke {city}")).to_be_visible()
    check(page, "dasbor-kecamatan")

    page.emulate_media(media="print")  # for the meeting: what, where, with which filters, when
    expect(page.locator("form.filters")).to_be_hidden()
    expect(page.locator("#as-of")).to_contain_text("Angka per")
    expect(page.locator("#as-of")).to_contain_text("tanpa filter: semua kasus")
    assert page.pdf(format="A4")[:4] == b"%PDF"


def test_the_provincial_supervisor_sees_the_province_by_kabupaten(page: Page, live_server):
    seed_demo_accounts(password=PASSWORD)
    make_case(User.objects.get(username="relawan_tanbu"), region="63.10.01")
    page.goto(f"{live_server.url}/masuk/?next=/dasbor/")
    sign_in(page, "supervisor_kalsel")
    expect(page.get_by_role("heading", name="Dasbor: Kalimantan Selatan")).to_be_visible()
    expect(
        page.get_by_role("img", name="Peta Kalimantan Selatan per kabupaten/kota", exact=False)
    ).to_be_visible()
    expect(page.locator(".map-stack path[data-region]")).to_have_count(13)
    expect(page.locator('path[data-region="63.10"]')).not_to_have_class("shade-0")
    check(page, "dasbor-provinsi")
    page.get_by_role("link", name=Region.objects.get(code="63.10").name, exact=True).click()
    expect(
        page.get_by_role("heading", name=f"Dasbor: {Region.objects.get(code='63.10').name}")
    ).to_be_visible()


# --- the dashboard moves by exactly the cases just made ----------------------------------


def headline(page: Page) -> dict[str, str]:
    """The dashboard's figures at a glance, by name: {"Kasus": "4", "Terlambat": "1", ...}."""
    glance = page.locator(".headline > div")
    return {
        item.locator("dt").inner_text(): item.locator("dd").inner_text() for item in glance.all()
    }


def chart(page: Page, title: str) -> tuple[dict[str, str], dict[str, str]]:
    """A chart's drawing and its table, each as {label: count}."""
    section = page.locator("section.chart").filter(
        has=page.get_by_role("heading", name=title, exact=True)
    )
    drawn = {
        bar.locator("text").nth(0).text_content() or "": bar.locator("text").nth(1).text_content()
        or ""
        for bar in section.locator("svg g").all()
    }
    table = {
        row.locator("th").inner_text(): row.locator("td").first.inner_text()
        for row in section.locator("tbody tr").all()
    }
    return drawn, table


def test_the_dashboard_moves_by_exactly_the_new_cases_and_its_overdue_figure_exports_them(
    desktop: Page, live_server
):
    page = desktop
    page.goto(f"{live_server.url}/masuk/")
    sign_in(page, "supervisor_bjm")
    before = page.request.get(f"{live_server.url}/api/v1/dashboard/").json()
    assert headline(page)["Kasus"] == str(before["total"])

    reporter = User.objects.get(username="relawan_bjm")
    with time_machine.travel(timezone.now() - timedelta(days=3)):  # its deadline has passed
        late = make_case(reporter, region="63.71.01", category="FM", urgency="high")
    fresh = [make_case(reporter), make_case(reporter, category="FM")]
    make_case(User.objects.get(username="relawan_tanbu"), region="63.10.01")  # not hers
    page.reload()

    after = page.request.get(f"{live_server.url}/api/v1/dashboard/").json()
    assert after["total"] == before["total"] + 3 and after["overdue"] == before["overdue"] + 1
    shown = headline(page)
    assert (shown["Kasus"], shown["Terlambat"]) == (str(after["total"]), str(after["overdue"]))
    with translation.override("id"):
        by_state = {str(CaseState(s).label): str(n) for s, n in after["by_state"].items()}
        by_category = {
            Category.objects.get(code=c).name: str(n) for c, n in after["by_category"].items()
        }
    assert by_state["Dilaporkan"] == str(before["by_state"]["reported"] + 3)
    assert chart(page, "Kasus menurut status") == (by_state, by_state)
    assert chart(page, "Kasus menurut kategori") == (by_category, by_category)

    page.locator(".headline").get_by_role("link", name=shown["Terlambat"]).last.click()
    expect(page.get_by_role("heading", name="Kasus", exact=True)).to_be_visible()
    assert "overdue=true" in page.url
    listed = page.locator("p.ref a").all_inner_texts()
    api = page.request.get(f"{live_server.url}/api/v1/cases/?overdue=true").json()
    assert listed == [row["reference"] for row in api["results"]] == [late.reference]
    check(page, "kasus-terlambat")

    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert late.reference in rows[1] and len(rows) == 2  # the header, then exactly that case
    assert not {c.reference for c in fresh} & {str(v) for row in rows for v in row}


def test_an_officer_of_tanah_bumbu_never_sees_a_banjarmasin_case_or_figure(
    desktop: Page, live_server
):
    banjarmasin = make_case(User.objects.get(username="relawan_bjm"))
    own = make_case(User.objects.get(username="relawan_tanbu"), region="63.10.01")
    page = desktop
    page.goto(f"{live_server.url}/masuk/")
    sign_in(page, "petugas_tanbu")
    expect(page.get_by_role("link", name=own.reference)).to_be_visible()  # his work queue
    for path in ("/?bagian=all", "/kasus/", f"/?search={banjarmasin.reference}"):
        page.goto(live_server.url + path)
        expect(page.locator("main")).not_to_contain_text(banjarmasin.reference)
    page.goto(f"{live_server.url}/dasbor/")
    regency = Region.objects.get(code="63.10").name
    expect(page.get_by_role("heading", name=f"Dasbor: {regency}")).to_be_visible()
    assert headline(page)["Kasus"] == "1"
    expect(page.locator("main")).not_to_contain_text("Banjarmasin")
    guessed = page.goto(f"{live_server.url}/kasus/{banjarmasin.pk}/")
    assert guessed is not None and guessed.status == 404
    answer = page.request.get(f"{live_server.url}/api/v1/cases/{banjarmasin.pk}/")
    assert answer.status == 404
    refused = page.goto(f"{live_server.url}/dasbor/?region=63.71")
    assert refused is not None and refused.status == 403
