"""The category hint in a real browser: it follows the chosen category, and stays the list's
description beside an error the page's script shows."""

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import check, sign_in
from tests.web.test_category_help import AJ_ID, LUT_ID

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NONE_CHOSEN = "Pilih kategori untuk melihat siapa yang termasuk di dalamnya."


def test_the_hint_says_who_belongs_in_the_chosen_category(page: Page, live_server, alice):
    page.goto(f"{live_server.url}/masuk/?next=/lapor/")
    sign_in(page, "alice")
    page.wait_for_load_state()  # its scripts listening
    category = page.get_by_label("Kategori")
    expect(category).to_have_accessible_description(NONE_CHOSEN)

    category.select_option(label="Anak Jalanan")
    expect(page.locator("#category-help")).to_have_text(AJ_ID)
    expect(category).to_have_accessible_description(AJ_ID)

    page.get_by_text("Apa arti tiap kategori?").click()
    expect(page.get_by_text(LUT_ID)).to_be_visible()
    check(page, "lapor-kategori")


def test_a_refused_category_is_described_by_its_error_and_its_hint(page: Page, live_server, alice):
    page.goto(f"{live_server.url}/masuk/?next=/lapor/")
    sign_in(page, "alice")
    page.wait_for_load_state()
    page.get_by_role("button", name="Kirim laporan").click()  # nothing chosen, nothing written
    category = page.get_by_label("Kategori")
    expect(category).to_have_attribute("aria-invalid", "true")
    expect(category).to_have_attribute("aria-describedby", "e-category category-help")
