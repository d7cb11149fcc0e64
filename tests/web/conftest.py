"""The browser the page tests drive (Playwright with Debian's Chromium), a page at a phone's
size and at a desktop's, and what every page test does: sign in as a person does, and check a
page (axe finds no serious or critical fault; a screenshot into `screenshots/`)."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from sampledata.demo import seed_demo_accounts
from tests.conftest import CHROMIUM
from tests.factories import PASSWORD

SHOTS = Path(__file__).resolve().parent.parent.parent / "screenshots"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Playwright's sync API keeps an event loop in this thread, and Django then refuses the
    # test's own database calls as "async"; they are not (Django's docs give this switch).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(params=list(SIZES))
def page(request, browser: Browser, live_server) -> Iterator[Page]:
    context = browser.new_context(viewport=SIZES[request.param], locale="id-ID")
    page = context.new_page()
    page.size_name = request.param  # type: ignore[attr-defined]
    elsewhere = watch_other_hosts(page, live_server.url)
    yield page
    context.close()
    assert elsewhere == [], "a page asked another host"


def watch_other_hosts(page: Page, origin: str) -> list[str]:
    """The URLs of every request the page makes to a host other than `origin`."""
    elsewhere: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(origin) else elsewhere.append(r.url))
    return elsewhere


def sign_in(page: Page, username: str) -> None:
    """On `/masuk/`: the name, the password, the button, as a person signs in."""
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()


def check(page: Page, name: str) -> None:
    """No serious or critical axe violation; the page photographed."""
    results = Axe().run(page)
    serious = [
        (v["id"], v["impact"], v["help"])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], serious
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{page.size_name}.png"), full_page=True)  # type: ignore[attr-defined]


@pytest.fixture
def demo(db) -> None:
    """The demo accounts of the README (relawan_bjm, petugas_bjm, supervisor_bjm, ...)."""
    seed_demo_accounts(password=PASSWORD)


@pytest.fixture
def desktop(browser: Browser, live_server, demo) -> Iterator[Page]:
    """A page at desktop size, the demo accounts there; no request may go to another host."""
    context = browser.new_context(viewport=SIZES["desktop"], locale="id-ID")
    page = context.new_page()
    page.size_name = "desktop"  # type: ignore[attr-defined]
    elsewhere = watch_other_hosts(page, live_server.url)
    yield page
    context.close()
    assert elsewhere == [], "a page asked another host"
