"""Issue 13's officers' round in a real browser at desktop size: petugas_bjm finds a new report
in his work queue, verifies it and assigns petugas_bjm_2 by name; she records the assistance and
closes the case; each step is a sentence of the history, and the reporter is told."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from casework.models import CaseState, User
from sampledata.demo import seed_demo_accounts
from tests.factories import PASSWORD, make_case
from tests.web.conftest import SIZES, check, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(browser: Browser, live_server, size: str, username: str, then: str) -> Page:
    """The demo accounts; a fresh browser at `size`, `username` signed in, landing on `then`."""
    seed_demo_accounts(password=PASSWORD)
    page = browser.new_context(viewport=SIZES[size], locale="id-ID").new_page()
    page.size_name = size  # type: ignore[attr-defined]
    page.goto(f"{live_server.url}/masuk/?next={then}")
    sign_in(page, username)
    return page


def saved(page: Page, action: str) -> None:
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator(".notice")).to_contain_text(f"Tersimpan: {action}.")


def inbox_titles(page: Page) -> list[str]:
    page.get_by_role("link", name="Notifikasi").click()
    return page.locator("main li").all_inner_texts()


def test_verified_and_assigned_by_name_then_assisted_and_closed(
    browser: Browser, live_server, settings
):
    settings.WORK_QUEUE_POLL_SECONDS = 1
    page = signed_in(browser, live_server, "desktop", "petugas_bjm", "/")
    page.evaluate("window.notReloaded = true")
    case = make_case(User.objects.get(username="relawan_bjm"))
    link = page.get_by_role("link", name=case.reference)  # his work queue, polling itself
    expect(link).to_be_visible(timeout=10_000)
    assert page.evaluate("window.notReloaded") is True
    link.click()

    page.get_by_role("button", name="Verifikasi").click()
    page.get_by_label("Catatan").fill("Dikunjungi: benar tinggal sendiri.")
    officers = page.get_by_label("Petugas")
    budi = officers.locator("option", has_text="Budi Santoso")
    expect(budi).to_contain_text("Rehabilitasi Sosial")
    expect(officers.locator("option", has_text="Otomatis")).to_have_count(1)
    officers.select_option(budi.get_attribute("value"))
    saved(page, "Verifikasi")
    expect(page.locator(".notice")).to_contain_text("Pelapor diberi tahu.")
    expect(
        page.get_by_text(
            "Rina Marlina (petugas) memverifikasi laporan dan menugaskannya kepada Budi Santoso"
        )
    ).to_be_visible()
    check(page, "kasus-diverifikasi")
    page.get_by_role("button", name="Keluar").click()

    sign_in(page, "petugas_bjm_2")  # she is told it is hers
    assert any(f"Kasus {case.reference} ditugaskan kepada Anda" in t for t in inbox_titles(page))
    page.goto(f"{live_server.url}/kasus/{case.pk}/")
    page.get_by_role("button", name="Catat bantuan").click()
    page.get_by_label("Jenis bantuan").select_option("basic_needs")
    page.get_by_label("Uraian").fill("Paket sembako diantar ke rumah.")
    page.get_by_label("Tanggal bantuan").fill(timezone.localdate().isoformat())
    saved(page, "Catat bantuan")
    expect(page.locator(".notice")).to_contain_text("Pelapor diberi tahu.")
    expect(page.get_by_text("Budi Santoso (petugas) mencatat bantuan pertama")).to_be_visible()
    expect(page.locator(".records").first).to_contain_text("Paket sembako diantar ke rumah.")
    page.get_by_role("button", name="Tutup kasus").click()
    page.get_by_label("Hasil").select_option("resolved")
    page.get_by_label("Ringkasan").fill("Lansia kini dirawat keluarganya.")
    saved(page, "Tutup kasus")
    expect(page.locator(".notice")).to_contain_text("Pelapor diberi tahu.")
    expect(page.get_by_text(re.compile(r"Budi Santoso \(petugas\) menutup"))).to_be_visible()
    check(page, "kasus-ditutup")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert case.assigned_to is not None and case.assigned_to.username == "petugas_bjm_2"
    page.get_by_role("button", name="Keluar").click()

    sign_in(page, "relawan_bjm")  # the reporter is told of each step, and her link opens it
    titles = inbox_titles(page)
    for told in ("terverifikasi", "telah dibantu", "ditutup"):
        assert any(f"Kasus {case.reference} {told}" in t for t in titles), (told, titles)
    page.get_by_role("link", name=re.compile(case.reference)).first.click()
    expect(page.get_by_role("heading", name=case.reference)).to_be_visible()
    page.context.close()


def test_an_officer_moves_a_case_to_another_kabupaten_by_its_names(browser: Browser, live_server):
    page = signed_in(browser, live_server, "phone", "petugas_bjm", "/")
    case = make_case(User.objects.get(username="relawan_bjm"))
    page.goto(f"{live_server.url}/kasus/{case.pk}/")
    page.get_by_role("button", name="Pindahkan").click()
    page.get_by_label("Kabupaten/Kota", exact=True).select_option(label="Kabupaten Tanah Bumbu")
    # The kecamatan and desa lists narrow each other, as on the report form.
    page.get_by_label("Kecamatan", exact=True).select_option("63.10.01")
    page.get_by_label("Desa/Kelurahan", exact=True).select_option("63.10.01.1007")
    page.get_by_label("Alasan").fill("Lansia tinggal di Tanah Bumbu sejak bulan lalu.")
    check(page, "kasus-pindahkan")
    saved(page, "Pindahkan")
    # Out of his reach now: back to his queue, told where the case went.
    notice = page.locator(".notice")
    expect(notice).to_contain_text("kini ditangani Dinas Sosial Kabupaten Tanah Bumbu")
    expect(page.get_by_role("heading", name="Antrean kerja")).to_be_visible()
    case.refresh_from_db()
    assert case.region_id == "63.10.01.1007" and case.regency_id == "63.10"
    page.context.close()
