"""The report form `/lapor/` (issue 12, part 1): the API's intake under the page's names, with
its photos all or nothing, filed once however often it is sent."""

import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casework.models import Attachment, Case, Subject
from notifications.models import OutboxMessage
from tests.workflows.test_records import JPEG, PNG
from workflows.sla import load_default_sla

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def filled(**changes: str) -> dict:
    values = {
        "key": str(uuid.uuid4()),
        "category": "LUT",
        "urgency": "high",
        "regency": "63.71",
        "district": "63.71.04",
        "village": "63.71.04.1003",
        "address": "Jl. Sungai Andai No. 12",
        "description": "Lansia tinggal sendiri, tidak ada yang merawat.",
        "name": "Nenek Aminah",
        "sex": "F",
        "birth_date": "1948-05-15",
        "nik": "6371045505480001",
        "phone": "0812-3456-7890",
    }
    values.update(changes)
    return values


def photos() -> list:
    return [
        SimpleUploadedFile("depan.png", PNG, content_type="image/png"),
        SimpleUploadedFile("dapur.jpg", JPEG, content_type="image/jpeg"),
    ]


def test_the_form_speaks_in_words(client, alice):
    load_default_sla()
    client.force_login(alice)
    page = text(client.get("/lapor/"))
    for label in ("Kategori", "Urgensi", "Kabupaten/Kota", "Kecamatan", "Desa/Kelurahan",
                  "Alamat", "Uraian", "Nama", "Jenis kelamin", "Tanggal lahir", "NIK",
                  "Nomor telepon", "Foto"):  # fmt: skip
        assert f">{label}</label>" in page, label
    assert ">Lanjut Usia Terlantar</option>" in page
    assert "Darurat: diverifikasi dalam 45 menit" in page  # what the urgency means
    assert ">Kirim laporan</button>" in page


def test_a_report_is_filed_with_its_photos(client, alice):
    client.force_login(alice)
    response = client.post("/lapor/", {**filled(), "photos": photos()})
    case = Case.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/kasus/{case.pk}/")
    assert (case.reported_by, case.region_id, case.category_id) == (alice, "63.71.04.1003", "LUT")
    assert sorted(a.content_type for a in Attachment.objects.filter(case=case)) == [
        "image/jpeg",
        "image/png",
    ]
    assert "Laporan terkirim: " + case.reference in text(client.get(response["Location"]))


def test_sent_twice_with_its_key_it_is_filed_once(client, alice):
    client.force_login(alice)
    values = filled()
    first = client.post("/lapor/", {**values, "photos": photos()})
    again = client.post("/lapor/", {**values, "photos": photos()})
    assert first["Location"] == again["Location"]
    assert Case.objects.count() == 1
    assert Attachment.objects.count() == 2


def test_a_refused_field_is_the_form_again_with_the_reason_beside_it(client, alice):
    client.force_login(alice)
    response = client.post("/lapor/", filled(nik="12345"))
    assert response.status_code == 400
    page = text(response)
    assert "1 isian perlu diperbaiki: NIK (Orang yang dilaporkan)" in page
    assert '<p class="error" id="e-nik">NIK harus terdiri dari tepat 16 digit.</p>' in page
    assert 'value="Nenek Aminah"' in page  # what was typed is kept
    assert not Case.objects.exists() and not Subject.objects.exists()


def test_a_photo_that_is_not_one_files_nothing(client, alice):
    client.force_login(alice)
    bad = SimpleUploadedFile("virus.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = client.post("/lapor/", {**filled(), "photos": [*photos(), bad]})
    assert response.status_code == 400
    assert 'id="e-file"' in text(response)
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_a_form_that_lost_its_token_is_still_filed_not_thrown_away(client, alice):
    """An old or stripped form: the report matters more than the retry protection it lost."""
    client.force_login(alice)
    response = client.post("/lapor/", filled(key=""))
    assert response.status_code == 302
    assert Case.objects.count() == 1


def test_a_token_that_is_not_one_is_refused_with_the_reason(client, alice):
    client.force_login(alice)
    response = client.post("/lapor/", filled(key="x" * 300))
    assert response.status_code == 400
    assert "Idempotency-Key" in text(response)
    assert not Case.objects.exists()


def test_a_report_that_fails_after_its_first_photo_leaves_no_file_behind(
    client, alice, monkeypatch
):
    from django.core.files.storage import default_storage

    from workflows import records

    real = records.attachment_add
    stored: list[str] = []

    def second_fails(**kwargs):
        if stored:
            raise RuntimeError("disk full")
        attachment = real(**kwargs)
        stored.append(attachment.file.name)
        return attachment

    monkeypatch.setattr(records, "attachment_add", second_fails)
    client.force_login(alice)
    client.raise_request_exception = False
    response = client.post("/lapor/", {**filled(), "photos": photos()})
    assert response.status_code == 500
    assert not Case.objects.exists() and not Attachment.objects.exists()
    assert len(stored) == 1 and not default_storage.exists(stored[0])


def test_an_elder_without_papers_is_reported_with_an_estimated_age(client, alice, bob):
    client.force_login(alice)
    unknown = {"birth_date": "", "nik": "", "name": "Kakek di pasar", "sex": "M"}
    response = client.post("/lapor/", filled(age_estimate="75", **unknown))
    case = Case.objects.get()
    assert response.status_code == 302
    assert (case.subject.birth_date, case.subject.age_estimate) == (None, 75)
    client.force_login(bob)
    page = text(client.get(f"/kasus/{case.pk}/"))
    assert "<dt>Perkiraan umur</dt><dd>sekitar 75 tahun (saat dilaporkan)</dd>" in page


def test_an_estimated_age_of_200_is_the_form_again_with_the_reason_beside_it(client, alice):
    client.force_login(alice)
    response = client.post("/lapor/", filled(age_estimate="200"))
    assert response.status_code == 400
    page = text(response)
    assert 'id="f-age_estimate"' in page and 'aria-describedby="e-age_estimate age-help"' in page
    assert '<p class="error" id="e-age_estimate">' in page
    assert not Case.objects.exists()


def test_an_officer_files_a_callers_report_on_the_same_form(client, alice, bob, carol):
    """A phone call or a walk-in (issue 13, item 4): the officer opens the volunteer's form, with
    the same fields, and the case is his report, routed as any other: it waits in the work
    queue of the duty officers (he is told nothing of his own report; the supervisor is, being
    the only one left)."""

    def inputs(page: str) -> list[str]:  # the report form's, not the header's (the duty switch)
        form = re.search(r"<form[^>]*data-regions.*?</form>", page, re.DOTALL)
        assert form is not None
        return re.findall(r'<(?:input|select|textarea)[^>]* name="([^"]+)"', form.group(0))

    client.force_login(alice)
    volunteers = inputs(client.get("/lapor/").content.decode())
    client.force_login(bob)
    form = client.get("/lapor/")
    assert form.status_code == 200 and inputs(form.content.decode()) == volunteers

    response = client.post("/lapor/", {**filled(), "photos": photos()})

    case = Case.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/kasus/{case.pk}/")
    assert (case.reported_by, case.state) == (bob, "reported")
    assert case.reference in text(client.get("/", {"bagian": "new"}))
    told = OutboxMessage.objects.filter(case_id=case.pk, event="case_reported")
    assert list(told.values_list("recipient__username", flat=True)) == [carol.username]
