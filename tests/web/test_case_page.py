"""The case page `/kasus/<uuid>/` (issue 12, part 1): what the reader may see, masked and logged
as the API's detail; the history in sentences; the actions open to the reader, done through
the same body rules and service as the API."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casework.models import AccessKind, AccessLog, Case, CaseState
from tests.factories import make_case
from tests.workflows.test_records import JPEG, PDF, PNG
from workflows import records
from workflows.models import HistoryEntry

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def page_of(client, case, **query):
    return client.get(f"/kasus/{case.pk}/", query)


def test_the_officer_of_the_region_sees_the_person_in_full_and_it_is_logged(client, alice, bob):
    case = make_case(alice, nik="6371045505480001")
    client.force_login(bob)
    page = text(page_of(client, case))
    assert "6371045505480001" in page
    assert "Lanjut Usia Terlantar" in page and "Dilaporkan" in page
    assert AccessLog.objects.filter(user=bob, case=case).count() == 1


def test_an_officer_elsewhere_gets_a_404_as_from_the_api(client, alice, tono):
    case = make_case(alice)
    client.force_login(tono)
    assert page_of(client, case).status_code == 404
    assert not AccessLog.objects.filter(user=tono).exists()


def test_a_signed_out_reader_signs_in_and_lands_on_the_case(client, alice):
    case = make_case(alice)
    response = page_of(client, case)
    assert response.status_code == 302
    assert response["Location"] == f"/masuk/?next=/kasus/{case.pk}/"


def test_the_officer_verifies_from_the_page_and_the_history_says_it(client, alice, bob):
    case = make_case(alice)
    client.force_login(bob)
    page = text(page_of(client, case))
    assert '<button type="submit" name="aksi" value="verify">Verifikasi</button>' in page
    form = text(page_of(client, case, aksi="verify"))
    assert '<label for="f-note">Catatan</label>' in form
    assert '<label for="f-assignee">Petugas</label>' in form
    done = client.post(f"/kasus/{case.pk}/verify/", {"note": "Dikunjungi, benar terlantar."})
    assert (done.status_code, done["Location"]) == (302, f"/kasus/{case.pk}/")
    case.refresh_from_db()
    assert case.state == CaseState.VERIFIED
    after = text(client.get(done["Location"]))
    assert "Tersimpan: Verifikasi." in after
    assert "(petugas) memverifikasi laporan" in after
    assert "Dikunjungi, benar terlantar." in after


def test_a_refused_action_is_the_form_again_with_the_reason_beside_the_field(client, alice, bob):
    case = make_case(alice)
    client.force_login(bob)
    before = HistoryEntry.objects.count()
    response = client.post(f"/kasus/{case.pk}/verify/", {"note": ""})
    assert response.status_code == 400
    page = text(response)
    assert 'role="alert"' in page and "1 isian perlu diperbaiki: Catatan" in page
    assert '<p class="error" id="e-note">' in page
    assert Case.objects.get(pk=case.pk).state == CaseState.REPORTED
    assert HistoryEntry.objects.count() == before


def test_the_reporter_reads_the_history_without_the_officers_internal_note(client, alice, bob):
    case = make_case(alice)
    client.force_login(bob)
    client.post(f"/kasus/{case.pk}/verify/", {"note": "Catatan internal asesmen."})
    client.force_login(alice)
    page = text(page_of(client, case))
    assert "memverifikasi laporan" in page
    assert "Catatan internal asesmen." not in page
    assert 'name="aksi"' not in page  # nothing for her to do on a verified case


def test_an_action_not_open_to_the_reader_is_refused(client, alice, bob):
    case = make_case(alice)
    client.force_login(alice)  # a volunteer cannot verify
    response = client.post(f"/kasus/{case.pk}/verify/", {"note": "Saya sendiri."})
    assert response.status_code == 400
    assert 'role="alert"' in text(response)
    assert Case.objects.get(pk=case.pk).state == CaseState.REPORTED


def test_a_returned_report_opens_with_the_reason_and_is_sent_again(client, alice, bob):
    case = make_case(alice)
    client.force_login(bob)
    client.post(f"/kasus/{case.pk}/return/", {"reason": "Mohon lengkapi alamat dan foto rumah."})
    client.force_login(alice)
    page = text(page_of(client, case))
    assert "Dikembalikan kepada pelapor" in page
    assert "Mohon lengkapi alamat dan foto rumah." in page.split("<h2>Orang yang dilaporkan")[0]
    assert '<button type="submit" name="aksi" value="resubmit">Kirim ulang</button>' in page
    done = client.post(f"/kasus/{case.pk}/resubmit/", {"note": "Alamat: RT 05, rumah biru."})
    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).state == CaseState.REPORTED


def test_a_browser_gets_a_page_not_json_for_a_case_out_of_reach(client, alice, tono):
    case = make_case(alice)
    client.force_login(tono)
    response = client.get(f"/kasus/{case.pk}/", HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "<h1>Tidak ditemukan</h1>" in text(response)
    api = client.get(f"/api/v1/cases/{case.pk}/", HTTP_ACCEPT="text/html")
    assert (api.status_code, api["Content-Type"]) == (404, "application/json")


def test_an_action_that_does_not_exist_is_a_404_and_changes_nothing(client, alice, bob):
    case = make_case(alice)
    client.force_login(bob)
    assert client.post(f"/kasus/{case.pk}/delete/", {}).status_code == 404
    assert page_of(client, case, aksi="delete").status_code == 200  # no such form is offered
    assert 'id="action-title"' not in text(page_of(client, case, aksi="delete"))
    assert Case.objects.get(pk=case.pk).state == CaseState.REPORTED


# --- photos and documents ------------------------------------------------------------------


def attach(case, uploader, content, filename):
    upload = SimpleUploadedFile(filename, content)
    return records.attachment_add(case_id=case.pk, uploader=uploader, upload=upload, name=None)


def test_the_photos_are_thumbnails_and_the_documents_links_for_a_reader_in_reach(
    client, alice, bob
):
    case = make_case(alice)
    front, kitchen = attach(case, alice, PNG, "depan.png"), attach(case, alice, JPEG, "dapur.jpg")
    letter = attach(case, bob, PDF, "surat-rt.pdf")
    client.force_login(bob)
    page = text(page_of(client, case))
    assert "<h2>Foto dan dokumen</h2>" in page
    for number, photo in enumerate((front, kitchen), start=1):
        url = f"/api/v1/cases/{case.pk}/attachments/{photo.pk}/"
        assert (
            f'<a href="{url}"><img src="{url}" alt="Foto {number} dari 2: {photo.name}" '
            'loading="lazy" width="160" height="160"></a>'
        ) in page
    url = f"/api/v1/cases/{case.pk}/attachments/{letter.pk}/"
    assert f'<a href="{url}">surat-rt.pdf</a> <span class="meta">({len(PDF)} bita)</span>' in page
    assert "Belum ada foto" not in page


def test_a_case_without_attachments_says_so(client, alice):
    case = make_case(alice)
    client.force_login(alice)
    page = text(page_of(client, case))
    assert '<p class="meta">Belum ada foto atau dokumen.</p>' in page
    assert 'class="photos"' not in page


def test_a_thumbnail_opens_with_the_page_session_and_not_for_a_reader_out_of_reach(
    client, alice, bob, tono
):
    case = make_case(alice)
    photo = attach(case, alice, PNG, "depan.png")
    url = f"/api/v1/cases/{case.pk}/attachments/{photo.pk}/"
    client.force_login(bob)
    shown = client.get(url, HTTP_ACCEPT="image/avif,image/webp,image/*,*/*;q=0.8")
    assert (shown.status_code, shown["Content-Type"]) == (200, "image/png")
    assert b"".join(shown.streaming_content) == PNG
    assert AccessLog.objects.filter(user=bob, case=case, kind=AccessKind.ATTACHMENT).count() == 1
    client.force_login(tono)
    assert client.get(url).status_code == 404
    assert not AccessLog.objects.filter(user=tono).exists()


def test_sending_a_returned_report_again_changes_only_what_was_corrected(client, alice, bob):
    case = make_case(alice)
    client.force_login(bob)
    client.post(f"/kasus/{case.pk}/return/", {"reason": "Mohon lengkapi alamat."})
    client.force_login(alice)
    form = text(client.get(f"/kasus/{case.pk}/?aksi=resubmit"))
    assert (
        f'name="name" type="text" autocomplete="off" value="{case.subject.name}"' in form
    )  # what it now says
    sent = {
        "note": "Alamat dilengkapi.",
        "description": case.description,  # left as it was
        "address": "Jl. Kuin Utara RT 05, rumah biru",
        "name": case.subject.name,
        "nik": case.subject.nik,  # her own report: she reads it whole
        "birth_date": str(case.subject.birth_date or ""),
        "phone": case.subject.phone,
    }
    assert case.subject.nik and f'value="{case.subject.nik}"' in form
    assert client.post(f"/kasus/{case.pk}/resubmit/", sent).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.REPORTED
    assert case.address == "Jl. Kuin Utara RT 05, rumah biru"
    assert (case.subject.nik, case.subject.name) == (sent["nik"], sent["name"])


def map_of(page: str) -> str:
    found = re.search(r'<figure class="map">.*?</figure>', page)
    assert found, "no map on the page"
    return found.group(0)


def test_the_map_shows_the_kelurahan_and_pins_the_reports_location(client, alice):
    case = make_case(alice, region="63.71.04.1003", location=(-3.286, 114.5689))
    client.force_login(alice)
    figure = map_of(text(page_of(client, case)))
    place = "Kelurahan Alalak Selatan, Kecamatan Banjarmasin Utara, Kota Banjarmasin"
    assert f'<svg role="img" aria-label="Peta: {place}; titik lokasi laporan"' in figure
    assert [level for level in re.findall(r'<path class="map-(\w+)"', figure)] == [
        "regency",
        "district",
        "village",
    ]
    assert len(re.findall(r'<circle class="map-pin"', figure)) == 1
    assert f"<figcaption>{place} · -3.28600, 114.56890</figcaption>" in figure
    assert len(figure) < 15_000


def test_without_a_location_the_map_has_no_pin(client, alice):
    case = make_case(alice, region="63.71.04.1003", location=None)
    client.force_login(alice)
    figure = map_of(text(page_of(client, case)))
    place = "Kelurahan Alalak Selatan, Kecamatan Banjarmasin Utara, Kota Banjarmasin"
    assert f'aria-label="Peta: {place}"' in figure
    assert "map-pin" not in figure
    assert f"<figcaption>{place}</figcaption>" in figure


def test_a_desa_without_a_boundary_shows_its_kecamatan_and_kabupaten(client, vera):
    case = make_case(vera, region="63.10.04.2027", location=None)
    client.force_login(vera)
    figure = map_of(text(page_of(client, case)))
    assert re.findall(r'<path class="map-(\w+)"', figure) == ["regency", "district"]
    assert "Peta: Desa " in figure and ", Kabupaten Tanah Bumbu" in figure


def test_a_location_far_away_is_said_not_drawn(client, alice):
    case = make_case(alice, region="63.71.04.1003", location=(-6.2, 106.8))
    client.force_login(alice)
    figure = map_of(text(page_of(client, case)))
    assert "map-pin" not in figure
    assert "-6.20000, 106.80000 (terlalu jauh untuk ditampilkan di peta ini)" in figure


@pytest.mark.parametrize("who", ["alice", "vera", "bob", "carol", "dina", "tono"])
def test_the_page_shows_and_logs_exactly_what_the_api_shows_and_logs(
    request, client, as_user, alice, who
):
    """The API's privacy cases (tests/casework/test_privacy.py) through the page: the same reach,
    the same NIK and phone, and the same access-log rows (a volunteer's own report unlogged)."""
    case = make_case(alice, nik="6371045505480001", phone="+6281234567890")
    user = request.getfixturevalue(who)
    before = AccessLog.objects.count()
    answer = as_user(user).get(f"/api/v1/cases/{case.pk}/")
    logged_by_the_api = AccessLog.objects.count() - before
    client.force_login(user)
    page = client.get(f"/kasus/{case.pk}/", HTTP_ACCEPT="text/html")
    logged_by_the_page = AccessLog.objects.count() - before - logged_by_the_api
    assert page.status_code == answer.status_code
    assert logged_by_the_page == logged_by_the_api
    if answer.status_code == 200:
        shown = text(page)
        for name in ("nik", "phone"):
            value = answer.json()["subject"][name]
            assert value in shown, (who, name)


def test_no_page_with_personal_data_is_kept_by_the_browser(client, alice, bob):
    case = make_case(alice)
    client.force_login(bob)
    for path in ("/", f"/kasus/{case.pk}/", "/notifikasi/", "/lapor/"):
        assert "no-store" in client.get(path)["Cache-Control"], path
    page = client.get(f"/kasus/{case.pk}/").content.decode()
    # htmx, which the case page uses, keeps no copy of it in the browser's storage either.
    assert '"historyCacheSize": 0' in page


def test_an_untouched_description_with_line_breaks_is_no_correction(client, alice, bob):
    case = make_case(alice, description="Lansia tinggal sendiri.\nTidak ada yang merawat.")
    client.force_login(bob)
    client.post(f"/kasus/{case.pk}/return/", {"reason": "Mohon lengkapi alamat."})
    client.force_login(alice)
    sent = {"description": "Lansia tinggal sendiri.\r\nTidak ada yang merawat.", "note": "Ok."}
    assert client.post(f"/kasus/{case.pk}/resubmit/", sent).status_code == 302
    case.refresh_from_db()
    assert case.description == "Lansia tinggal sendiri.\nTidak ada yang merawat."


# --- notes, files and assistance from the case page ----------------------------------------


def test_an_officers_internal_note_is_his_offices_and_the_reporters_note_is_shared(
    client, alice, bob
):
    case = make_case(alice)
    client.force_login(bob)
    form = text(page_of(client, case))
    assert '<label for="r-visibility">Untuk siapa</label>' in form  # the Dinsos chooses
    sent = {"text": "Keluarga di Martapura belum dihubungi.", "visibility": "internal"}
    assert client.post(f"/kasus/{case.pk}/catatan/", sent).status_code == 302
    assert "Keluarga di Martapura belum dihubungi." in text(page_of(client, case))

    client.force_login(alice)
    page = text(page_of(client, case))
    assert "Keluarga di Martapura" not in page  # internal: not for the reporter
    assert 'name="visibility"' not in page  # her notes are always for the Dinsos and her
    assert client.post(f"/kasus/{case.pk}/catatan/", {"text": "Rumahnya biru."}).status_code == 302
    client.force_login(bob)
    assert "Rumahnya biru." in text(page_of(client, case))
    assert case.notes.count() == 2


def test_a_blank_note_is_the_page_again_with_the_reason_beside_it(client, alice, bob):
    case = make_case(alice)
    client.force_login(bob)
    response = client.post(f"/kasus/{case.pk}/catatan/", {"text": "  "})
    assert response.status_code == 400
    page = text(response)
    assert 'aria-invalid="true" aria-describedby="re-text"' in page
    assert '<p class="error" id="re-text">' in page
    assert not case.notes.exists()


def test_a_photo_is_added_from_the_page_and_a_text_file_is_refused(client, alice, bob):
    case = make_case(alice)
    client.force_login(bob)
    photo = SimpleUploadedFile("rumah.png", PNG, content_type="image/png")
    assert client.post(f"/kasus/{case.pk}/berkas/", {"file": photo}).status_code == 302
    assert "rumah.png" in text(page_of(client, case))
    fake = SimpleUploadedFile("surat.pdf", b"bukan pdf", content_type="application/pdf")
    response = client.post(f"/kasus/{case.pk}/berkas/", {"file": fake})
    assert response.status_code == 400
    assert '<p class="error" id="re-file">' in text(response)
    assert case.attachments.count() == 1


def test_a_closed_case_takes_no_note_or_file_and_shows_its_assistance(client, alice, bob):
    case = make_case(alice)
    records.note_add(case_id=case.pk, author=bob, text="Sudah dikunjungi.", visibility="reporter")
    Case.objects.filter(pk=case.pk).update(state=CaseState.CLOSED)
    client.force_login(bob)
    page = text(page_of(client, case))
    assert "Sudah dikunjungi." in page
    assert 'action="/kasus/' + str(case.pk) + '/catatan/"' not in page
    assert 'action="/kasus/' + str(case.pk) + '/berkas/"' not in page
    response = client.post(f"/kasus/{case.pk}/catatan/", {"text": "Lagi."})
    assert response.status_code == 409
    assert "Kasus yang sudah ditutup" in text(response)


def test_a_note_for_nobody_known_is_refused_beside_its_field(client, alice, bob):
    case = make_case(alice)
    client.force_login(bob)
    response = client.post(f"/kasus/{case.pk}/catatan/", {"text": "Ok.", "visibility": "rahasia"})
    assert response.status_code == 400
    page = text(response)
    assert 'aria-invalid="true" aria-describedby="re-visibility"' in page
    assert '<p class="error" id="re-visibility">' in page
    assert not case.notes.exists()
