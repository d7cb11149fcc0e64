"""The work queue in a browser (issue 13): a new report appears in an officer's queue without a
reload, by the page polling itself (htmx)."""

import pytest
from playwright.sync_api import Page, expect

from casework.models import User
from tests.factories import make_case
from tests.web.conftest import check, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_report_appears_in_the_queue_without_a_reload(desktop: Page, live_server, settings):
    settings.WORK_QUEUE_POLL_SECONDS = 1
    page = desktop
    volunteer = User.objects.get(username="relawan_bjm")
    first = make_case(volunteer, name="Nenek Aminah")
    page.goto(f"{live_server.url}/masuk/?next=/?bagian=new")
    sign_in(page, "petugas_bjm")
    expect(page.get_by_role("heading", name="Antrean kerja")).to_be_visible()
    expect(page.get_by_role("link", name="Laporan baru")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("link", name=first.reference)).to_be_visible()
    page.evaluate("window.notReloaded = true")

    second = make_case(volunteer, name="Pak Darman", category="AT", urgency="high")
    expect(page.get_by_role("link", name=second.reference)).to_be_visible(timeout=10_000)
    assert page.evaluate("window.notReloaded") is True  # the same page: no reload
    expect(page.locator("#queue")).to_contain_text("Anak Terlantar")
    check(page, "work-queue")

    page.get_by_role("button", name="Sedang bertugas").click()
    expect(page.get_by_role("button", name="Tidak bertugas")).to_be_visible()
    assert "bagian=new" in page.url
