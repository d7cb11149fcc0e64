"""The dashboard in a real browser at a desktop's size: `supervisor_bjm` signs in to her
dashboard (her home), finds the API's figures on it, and clicks a kecamatan on the map to get
that kecamatan's dashboard."""

import pytest
from playwright.sync_api import Page, expect

from casework.models import Region, User
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
