"""The volunteer's field app in a real browser at a phone's size, as UI.md describes it: reports
kept on the phone with no signal and filed exactly once when it returns, a lost answer retried
without a second case or photo, and the region filled from the phone's GPS."""

import struct
import zlib
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from casework.models import Attachment, Case
from tests.web.conftest import SIZES, check, sign_in, watch_other_hosts
from tests.workflows.test_records import JPEG, PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Kelurahan Alalak Selatan (63.71.04.1003), Banjarmasin Utara: its centroid in the boundaries.
ALALAK_SELATAN = {"latitude": -3.286046, "longitude": 114.568941}
JAVA_SEA = {"latitude": -4.2, "longitude": 115.0}  # 18 km off the coast: the province's waters
JAKARTA = {"latitude": -6.2, "longitude": 106.8}


@pytest.fixture
def phone(browser: Browser, live_server, demo) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=SIZES["phone"], locale="id-ID")
    yield context
    context.close()


def open_form(context: BrowserContext, live_server, username: str = "relawan_bjm") -> Page:
    page = context.new_page()
    page.size_name = "phone"  # type: ignore[attr-defined]
    page.goto(f"{live_server.url}/masuk/?next=/lapor/")
    sign_in(page, username)
    expect(page.get_by_role("heading", name="Laporan baru")).to_be_visible()
    return page


def wait_until_kept(page: Page) -> None:
    """The service worker controls the page and keeps the form and the region list."""
    page.wait_for_function(
        """async () => {
            if (!navigator.serviceWorker.controller) { return false; }
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                if (await cache.match("/lapor/") && await cache.match("/lapor/wilayah.json")) {
                    return true;
                }
            }
            return false;
        }"""
    )


def fill_report(page: Page, name: str) -> None:
    page.get_by_label("Kategori").select_option(label="Lanjut Usia Terlantar")
    page.get_by_label("Kabupaten/Kota").select_option("63.71")
    page.get_by_label("Kecamatan").select_option("63.71.04")
    page.get_by_label("Desa/Kelurahan").select_option("63.71.04.1003")
    page.get_by_label("Uraian").fill("Lansia tinggal sendiri, tidak ada yang merawat.")
    page.get_by_label("Nama", exact=True).fill(name)
    page.get_by_label("Foto").set_input_files(
        [
            {"name": "depan.png", "mimeType": "image/png", "buffer": PNG},
            {"name": "dapur.jpg", "mimeType": "image/jpeg", "buffer": JPEG},
        ]
    )


def outbox(page: Page):
    return page.get_by_role("status").filter(has_text="Menunggu dikirim")


def sent_from_the_phone(page: Page):
    """The report form's list of what this phone has filed (an empty status proves nothing: a
    page just opened has not counted yet)."""
    return page.locator("#sent-list > li")


def test_reports_filed_offline_wait_on_the_phone_and_are_filed_once(phone, live_server):
    page = open_form(phone, live_server)
    elsewhere = watch_other_hosts(page, live_server.url)
    wait_until_kept(page)

    phone.set_offline(True)
    for name in ("Nenek Aminah", "Kakek Darmo"):
        fill_report(page, name)
        page.get_by_role("button", name="Kirim laporan").click()
        expect(page.get_by_role("status").filter(has_text="Tidak ada sinyal")).to_be_visible()
    expect(outbox(page)).to_contain_text("Menunggu dikirim (2)")
    expect(page.get_by_role("heading", name="Tersimpan di ponsel ini")).to_be_visible()
    assert Case.objects.count() == 0

    page.reload()  # still no signal: the form comes from the phone, the two are still there
    expect(page.get_by_role("heading", name="Laporan baru")).to_be_visible()
    expect(outbox(page)).to_contain_text("Menunggu dikirim (2)")
    check(page, "lapor-tanpa-sinyal")
    page.get_by_role("link", name="Notifikasi").click()  # a page the phone does not keep
    expect(page.get_by_role("heading", name="Tidak ada sinyal")).to_be_visible()
    expect(outbox(page)).to_contain_text("Menunggu dikirim (2)")
    check(page, "luring")
    page.get_by_role("link", name="Laporan baru").click()
    expect(page.get_by_role("heading", name="Laporan baru")).to_be_visible()
    expect(outbox(page)).to_contain_text("Menunggu dikirim (2)")

    phone.set_offline(False)
    expect(sent_from_the_phone(page)).to_have_count(2)
    expect(outbox(page)).to_have_count(0)
    names = sorted(Case.objects.values_list("subject__name", flat=True))
    assert names == ["Kakek Darmo", "Nenek Aminah"]
    for case in Case.objects.all():
        assert Attachment.objects.filter(case=case).count() == 2
    assert elsewhere == []


def test_a_report_whose_answer_is_lost_is_filed_once(browser: Browser, live_server, demo):
    # The page's own requests are routed here, so the service worker stays out of the way.
    context = browser.new_context(viewport=SIZES["phone"], locale="id-ID", service_workers="block")
    page = open_form(context, live_server)
    lost: list[str] = []

    def lose_first_answer(route: Route) -> None:
        url = route.request.url
        kind = "photo" if url.endswith("/attachments/") else "case"
        filing = url.endswith(("/api/v1/cases/", "/attachments/"))  # not the form's checks
        if route.request.method == "POST" and filing and kind not in lost:
            route.fetch()  # the server files it...
            lost.append(kind)
            route.abort("connectionreset")  # ...and the phone never hears back
        else:
            route.continue_()

    page.route("**/api/v1/cases/**", lose_first_answer)
    fill_report(page, "Nenek Aminah")
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page.get_by_role("status").filter(has_text="dikirim lagi")).to_be_visible()
    expect(outbox(page)).to_contain_text("Menunggu dikirim (1)")
    assert Case.objects.count() == 1  # filed, though the phone does not know it yet

    # The app opened again: the outbox sends what waits, with the same key; the case's answer
    # comes back now, the first photo's is lost in turn.
    with page.expect_event("requestfailed", lambda r: r.url.endswith("/attachments/")):
        page.reload()
    expect(outbox(page)).to_contain_text("Menunggu dikirim (1)")
    assert Attachment.objects.count() == 1
    page.reload()
    expect(sent_from_the_phone(page)).to_have_count(1)
    expect(outbox(page)).to_have_count(0)
    assert lost == ["case", "photo"]
    assert Case.objects.count() == 1
    assert Attachment.objects.filter(case=Case.objects.get()).count() == 2
    context.close()


def test_a_refused_report_is_shown_to_fix_and_is_sent_once_fixed(phone, live_server):
    page = open_form(phone, live_server)
    fill_report(page, "Nenek Aminah")
    page.get_by_label("NIK").fill("12345")
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#e-nik")).to_contain_text("16")
    expect(page.get_by_label("NIK")).to_have_attribute("aria-invalid", "true")
    assert Case.objects.count() == 0
    check(page, "lapor-ditolak")

    page.get_by_label("NIK").fill("")
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page.get_by_role("status").filter(has_text="Laporan terkirim")).to_be_visible()
    assert Case.objects.count() == 1
    expect(outbox(page)).to_have_count(0)


def test_use_my_location_fills_the_three_regions(browser: Browser, live_server, demo):
    context = browser.new_context(
        viewport=SIZES["phone"],
        locale="id-ID",
        geolocation=ALALAK_SELATAN,
        permissions=["geolocation"],
    )
    page = open_form(context, live_server)
    page.get_by_role("button", name="Gunakan lokasi saya").click()
    expect(page.get_by_label("Desa/Kelurahan")).to_have_value("63.71.04.1003")
    expect(page.get_by_label("Kecamatan")).to_have_value("63.71.04")
    expect(page.get_by_label("Kabupaten/Kota")).to_have_value("63.71")
    expect(page.get_by_text("Alalak Selatan, Banjarmasin Utara")).to_be_visible()
    check(page, "lapor-lokasi")

    for point, words in ((JAVA_SEA, "laut"), (JAKARTA, "di luar Kalimantan Selatan")):
        context.set_geolocation(point)
        page.get_by_role("button", name="Gunakan lokasi saya").click()
        expect(page.locator("#locate-status")).to_contain_text(words)
        expect(page.get_by_label("Desa/Kelurahan")).to_have_value("63.71.04.1003")  # kept
        assert page.locator("#f-lat").input_value() == ""  # that point is not sent
    context.close()


def test_the_form_checks_the_nik_and_warns_before_sending(phone, live_server):
    page = open_form(phone, live_server)
    page.get_by_label("NIK").fill("63710455054800")
    page.get_by_label("NIK").blur()
    expect(page.locator("#e-nik")).to_contain_text("16 digit")  # the API's own message
    expect(page.get_by_label("NIK")).to_have_attribute("aria-invalid", "true")

    # A woman's NIK (day of birth + 40) with "Laki-laki" chosen: a warning, not a refusal.
    page.get_by_label("NIK").fill("6371045505480001")
    expect(page.locator("#e-nik")).to_have_count(0)
    page.get_by_label("Jenis kelamin").select_option("M")
    warning = page.get_by_role("status").filter(has_text="Mohon diperiksa")
    expect(warning).to_contain_text("jenis kelamin")
    check(page, "lapor-peringatan")
    page.get_by_label("Jenis kelamin").select_option("F")
    expect(warning).to_have_count(0)
    assert Case.objects.count() == 0


def act(page: Page, action: str, label: str, text: str) -> None:
    """On a case page: the action's button, its one field, `Simpan`, then sign out."""
    page.get_by_role("button", name=action).click()
    page.get_by_label(label).fill(text)
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("status")).to_contain_text(f"Tersimpan: {action}.")
    page.get_by_role("button", name="Keluar").click()


def test_a_report_from_the_field_to_the_officer_and_back(phone, live_server):
    """relawan_bjm files with two photos; petugas_bjm finds it and returns it (a return comes
    before verification in the workflow); she adds what was asked and sends it again; he
    verifies it; her notification opens her case."""
    page = open_form(phone, live_server)
    fill_report(page, "Nenek Aminah")
    page.get_by_role("button", name="Kirim laporan").click()
    sent = page.get_by_role("status").filter(has_text="Laporan terkirim")
    expect(sent).to_be_visible()
    case = Case.objects.get()
    assert Attachment.objects.filter(case=case).count() == 2
    page.get_by_role("link", name="PPKS Kalimantan Selatan").click()
    expect(page.get_by_role("heading", name="Laporan saya")).to_be_visible()
    expect(page.get_by_role("link", name=case.reference)).to_be_visible()
    page.get_by_role("button", name="Keluar").click()

    sign_in(page, "petugas_bjm")
    page.get_by_role("link", name=case.reference).click()
    act(page, "Kembalikan", "Alasan", "Mohon lengkapi NIK dan tanggal lahir.")

    sign_in(page, "relawan_bjm")
    returned = page.locator(".case.state-returned")
    expect(returned).to_contain_text(case.reference)
    returned.get_by_role("link", name=case.reference).click()
    expect(page.get_by_role("note")).to_contain_text("Mohon lengkapi NIK dan tanggal lahir.")
    page.get_by_role("button", name="Kirim ulang").click()
    expect(page.get_by_label("Uraian")).to_have_value(case.description)  # what it now says
    page.get_by_label("NIK").fill("12345")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("#e-nik")).to_contain_text("16 digit")  # the API's message, beside it
    check(page, "kirim-ulang-ditolak")
    page.get_by_label("NIK").fill("6371045505480001")
    page.get_by_label("Tanggal lahir").fill("1948-05-15")
    page.get_by_label("Catatan").fill("NIK dan tanggal lahir dari KTP anaknya.")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("status")).to_contain_text("Tersimpan: Kirim ulang.")
    case.refresh_from_db()
    assert case.state == "reported"
    assert case.subject.nik == "6371045505480001"
    assert str(case.subject.birth_date) == "1948-05-15"
    assert case.subject.name == "Nenek Aminah"  # untouched fields stay as they were
    page.get_by_role("button", name="Keluar").click()

    sign_in(page, "petugas_bjm")
    page.goto(f"{live_server.url}/kasus/{case.pk}/")
    act(page, "Verifikasi", "Catatan", "Dikunjungi: benar tinggal sendiri.")

    sign_in(page, "relawan_bjm")
    page.get_by_role("link", name="Notifikasi").click()
    page.get_by_role("link", name=f"Kasus {case.reference} terverifikasi").click()
    expect(page.get_by_role("heading", name=case.reference)).to_be_visible()
    expect(page.get_by_text("memverifikasi laporan")).to_be_visible()


def test_a_lapsed_session_keeps_the_report_until_she_signs_in_again(phone, live_server):
    page = open_form(phone, live_server)
    phone.clear_cookies()  # the session lapsed while she was writing
    fill_report(page, "Nenek Aminah")
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page.get_by_role("status").filter(has_text="Sesi Anda sudah berakhir")).to_be_visible()
    expect(outbox(page)).to_contain_text("Menunggu dikirim (1)")
    assert Case.objects.count() == 0

    outbox(page).get_by_role("link", name="masuk untuk mengirim").click()
    sign_in(page, "relawan_bjm")
    expect(page.get_by_role("heading", name="Laporan baru")).to_be_visible()
    expect(sent_from_the_phone(page)).to_have_count(1)  # sent as soon as she was back
    expect(outbox(page)).to_have_count(0)
    case = Case.objects.get()
    assert case.reported_by.username == "relawan_bjm"
    assert Attachment.objects.filter(case=case).count() == 2


def big_png(width: int, height: int) -> bytes:
    """A plain grey PNG of that size (a phone camera's photo is several thousand pixels wide)."""
    row = b"\x00" + b"\x80\x80\x80" * width
    raw = zlib.compress(row * height)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's frame header."""
    at = 2
    while at < len(data):
        marker, length = data[at + 1], struct.unpack(">H", data[at + 2 : at + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    raise AssertionError("no frame header")


def test_a_photo_is_shrunk_on_the_phone_before_it_is_sent(phone, live_server):
    page = open_form(phone, live_server)
    fill_report(page, "Nenek Aminah")
    page.get_by_label("Foto").set_input_files(
        [{"name": "rumah.png", "mimeType": "image/png", "buffer": big_png(4000, 3000)}]
    )
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page.get_by_role("status").filter(has_text="Laporan terkirim")).to_be_visible()
    photo = Attachment.objects.get()
    stored = photo.file.read()
    assert stored[:3] == b"\xff\xd8\xff"  # a JPEG now
    assert jpeg_size(stored) == (1600, 1200)  # the longest side 1600 px, the shape kept
    assert photo.name == "rumah.jpg"


def test_an_answer_that_is_not_the_apis_keeps_the_report(phone, live_server):
    """A Wi-Fi sign-in page or a proxy answering 200 with its own HTML is no answer."""
    page = open_form(phone, live_server)
    portal = "<html><body>Masuk ke Wi-Fi gratis</body></html>"
    page.route(
        "**/api/v1/cases/",
        lambda route: (
            route.fulfill(status=200, content_type="text/html", body=portal)
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    fill_report(page, "Nenek Aminah")
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page.get_by_role("status").filter(has_text="dikirim lagi")).to_be_visible()
    expect(outbox(page)).to_contain_text("Menunggu dikirim (1)")
    assert Case.objects.count() == 0

    page.unroute("**/api/v1/cases/")
    page.reload()
    expect(sent_from_the_phone(page)).to_have_count(1)
    expect(outbox(page)).to_have_count(0)
    assert Case.objects.count() == 1
    sent = page.locator("#sent")
    expect(sent).to_contain_text(f"Laporan terkirim: {Case.objects.get().reference}")


def test_a_report_waits_for_its_writer_when_someone_else_signed_in_meanwhile(phone, live_server):
    writer = open_form(phone, live_server)
    phone.set_offline(True)
    fill_report(writer, "Nenek Aminah")
    writer.get_by_role("button", name="Kirim laporan").click()
    expect(outbox(writer)).to_contain_text("Menunggu dikirim (1)")
    phone.clear_cookies()  # in another tab she signed out, and a colleague signed in
    other = phone.new_page()
    phone.set_offline(False)
    other.goto(f"{live_server.url}/masuk/")
    sign_in(other, "relawan_tanbu")
    # Her tab, still open, hears that the signal is back: his session is not hers.
    signal_returns(writer)
    expect(outbox(writer)).to_contain_text("masuk untuk mengirim")
    assert Case.objects.count() == 0  # never filed under his name

    other.get_by_role("button", name="Keluar").click()
    sign_in(other, "relawan_bjm")
    signal_returns(writer)
    expect(sent_from_the_phone(writer)).to_have_count(1)
    expect(outbox(writer)).to_have_count(0)
    assert Case.objects.get().reported_by.username == "relawan_bjm"


def signal_returns(page: Page) -> None:
    """The browser says it is online again; returns when the outbox has had its run."""
    page.evaluate(
        """() => new Promise((resolve) => {
            document.addEventListener("ppks-outbox", () => resolve(true), { once: true });
            window.dispatchEvent(new Event("online"));
        })"""
    )


def test_a_photo_the_server_keeps_failing_does_not_hold_back_the_next_report(phone, live_server):
    page = open_form(phone, live_server)
    phone.set_offline(True)
    for name in ("Nenek Aminah", "Kakek Darmo"):
        fill_report(page, name)
        page.get_by_role("button", name="Kirim laporan").click()
        expect(page.get_by_role("status").filter(has_text="Tidak ada sinyal")).to_be_visible()
    first_case: list[str] = []

    def fail_the_first_cases_photos(route: Route) -> None:
        case_id = route.request.url.rstrip("/").split("/")[-2]
        first_case[:] = first_case or [case_id]
        if route.request.method == "POST" and case_id == first_case[0]:
            route.fulfill(status=503, content_type="application/json", body='{"code": "down"}')
        else:
            route.continue_()

    page.route("**/attachments/", fail_the_first_cases_photos)
    phone.set_offline(False)
    expect(page.locator("#outbox")).to_contain_text("fotonya sedang dikirim")
    expect(outbox(page)).to_contain_text("Menunggu dikirim (1)")
    darmo = Case.objects.get(subject__name="Kakek Darmo")
    assert Attachment.objects.filter(case=darmo).count() == 2  # the second went on its way
    assert not Attachment.objects.filter(case__subject__name="Nenek Aminah").exists()
    assert Case.objects.count() == 2
