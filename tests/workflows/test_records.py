"""Notes, attachments and further assistance on a case: who may add them, when, and what is kept.

Cases are filed and moved through `workflows.services`, as the product does, so every case has
its history; each write here must add exactly one history row beside its record.
"""

import base64
import re
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casework.models import Assistance, Attachment, Note
from tests.factories import make_case, make_user
from workflows.models import HistoryEntry
from workflows.services import case_transition

pytestmark = pytest.mark.django_db

# Real 1x1 images and a one-page PDF, as small as they come.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)
WEBP = base64.b64decode("UklGRhwAAABXRUJQVlA4TA8AAAAvAAAAAAcQ/Y/+ByKi/wEA")
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4"
    "UG1RV19iZ2hnPk1xeXBkeFxlZ2P/wAALCAABAAEBAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QA"
    "tRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0"
    "NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2"
    "t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/APQK/9k="
)
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 72 72]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
ASSESSMENT = "Dikunjungi: lansia tinggal sendiri, butuh sembako."


# --- cases made and moved the way the product does it --------------------------------------


def report(reporter, region="63.71.04.1003"):
    return make_case(reporter, region=region)


def move(case, actor, action, **data):
    return case_transition(case_id=str(case.pk), actor=actor, action=action, data=data)


def verified(reporter, officer):
    return move(report(reporter), officer, "verify", note=ASSESSMENT)


def assisted(reporter, officer, delivered_at=None):
    case = verified(reporter, officer)
    return move(case, officer, "assist", kind="basic_needs", description="Paket sembako.",
                delivered_at=delivered_at or timezone.localdate())  # fmt: skip


def closed(reporter, officer):
    return move(report(reporter), officer, "reject", outcome="rejected", reason="Bukan PPKS.")


def user_ref(user):
    return {"id": user.pk, "username": user.username, "full_name": user.full_name}


def stamp(value):
    return timezone.localtime(value).isoformat()


def history(case, action):
    return list(HistoryEntry.objects.filter(case=case, action=action))


@pytest.fixture
def bima(db):
    """Bima, another rehsos officer at Dinsos Kota Banjarmasin, not assigned to the case."""
    return make_user("bima", role="officer", region="63.71", division="rehsos")


# --- notes ---------------------------------------------------------------------------------


def notes_url(case):
    return f"/api/v1/cases/{case.pk}/notes/"


def test_it_adds_notes_and_lists_them_oldest_first(as_user, alice, bob):
    case = report(alice)
    first = as_user(bob).post(
        notes_url(case), {"text": "Sudah ditelepon.", "visibility": "reporter"}, format="json"
    )
    second = as_user(alice).post(notes_url(case), {"text": "Alamat benar."}, format="json")
    assert (first.status_code, second.status_code) == (201, 201)
    bob_note, alice_note = Note.objects.filter(case=case).order_by("id")
    assert first.json() == {
        "id": bob_note.pk,
        "text": "Sudah ditelepon.",
        "visibility": "reporter",
        "author": user_ref(bob),
        "created_at": stamp(bob_note.created_at),
    }
    listed = as_user(alice).get(notes_url(case))
    assert listed.status_code == 200
    assert listed.json() == [
        first.json(),
        {
            "id": alice_note.pk,
            "text": "Alamat benar.",
            "visibility": "reporter",
            "author": user_ref(alice),
            "created_at": stamp(alice_note.created_at),
        },
    ]


def test_a_note_writes_history_without_its_text(as_user, alice, bob):
    case = verified(alice, bob)
    response = as_user(bob).post(
        notes_url(case), {"text": "NIK ibu 6371045505480001."}, format="json"
    )
    assert response.status_code == 201
    [entry] = history(case, "note")
    assert (entry.from_state, entry.to_state, entry.actor_id, entry.reason, entry.payload) == (
        "verified",
        "verified",
        bob.pk,
        "",
        {"note_id": response.json()["id"]},
    )
    everything = [(e.reason, e.payload) for e in HistoryEntry.objects.filter(case=case)]
    assert "6371045505480001" not in str(everything)


@pytest.mark.parametrize("outsider", ["tono", "vera"])
def test_notes_of_a_case_out_of_reach_are_404(request, as_user, alice, outsider):
    """Another regency's officer, another volunteer: the case does not exist for them."""
    case = report(alice)
    user = request.getfixturevalue(outsider)
    assert as_user(user).get(notes_url(case)).status_code == 404
    response = as_user(user).post(notes_url(case), {"text": "Halo."}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not Note.objects.exists()
    assert history(case, "note") == []


def test_no_note_on_a_closed_case(as_user, alice, bob):
    case = closed(alice, bob)
    response = as_user(bob).post(notes_url(case), {"text": "Terlambat."}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "case_closed"
    assert not Note.objects.exists()
    assert history(case, "note") == []
    assert as_user(alice).get(notes_url(case)).json() == []  # still readable


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({}, "text", "required"),
        ({"text": "   "}, "text", "blank"),
        ({"text": "x" * 5001}, "text", "max_length"),
        # As sent, as the schema's maxLength counts: not what is left once trimmed.
        ({"text": "\r" + "x" * 5000}, "text", "max_length"),
        ({"text": 12}, "text", "invalid"),
        ({"text": "ok", "author": 1}, "author", "unknown_field"),
    ],
)
def test_a_bad_note_is_400_naming_the_field(as_user, alice, body, field, code):
    case = report(alice)
    response = as_user(alice).post(notes_url(case), body, format="json")
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)]
    assert not Note.objects.exists()


# --- attachments ---------------------------------------------------------------------------


def attachments_url(case):
    return f"/api/v1/cases/{case.pk}/attachments/"


def upload(client, case, content, filename="foto.png", content_type="image/png", **fields):
    body = {"file": SimpleUploadedFile(filename, content, content_type=content_type), **fields}
    return client.post(attachments_url(case), body, format="multipart")


def stored_files(path=""):
    """Every file in the default storage (in-memory in tests)."""
    try:
        directories, files = default_storage.listdir(path)
    except FileNotFoundError:
        return set()
    found = {f"{path}{name}" for name in files}
    for directory in directories:
        found |= stored_files(f"{path}{directory}/")
    return found


def assert_nothing_attached(case, files_before):
    assert not Attachment.objects.exists()
    assert history(case, "attachment") == []
    assert stored_files() == files_before


@pytest.mark.parametrize(
    ("content", "content_type", "extension"),
    [
        (PNG, "image/png", ".png"),
        (JPEG, "image/jpeg", ".jpg"),
        (WEBP, "image/webp", ".webp"),
        (PDF, "application/pdf", ".pdf"),
    ],
)
def test_a_file_is_recognised_by_its_content_not_its_name(
    as_user, alice, content, content_type, extension
):
    case = report(alice)
    response = upload(as_user(alice), case, content, "virus.exe", "text/plain")
    assert response.status_code == 201
    attachment = Attachment.objects.get()
    assert response.json() == {
        "id": attachment.pk,
        "name": "virus.exe",
        "content_type": content_type,
        "size": len(content),
        "uploaded_by": user_ref(alice),
        "created_at": stamp(attachment.created_at),
        "url": f"http://testserver/api/v1/cases/{case.pk}/attachments/{attachment.pk}/",
    }
    # Stored under a name of our own, with the extension of what it really is.
    assert re.fullmatch(
        rf"attachments/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\{extension}", attachment.file.name
    )
    with default_storage.open(attachment.file.name, "rb") as stored:
        assert stored.read() == content


def test_an_attachment_writes_history(as_user, alice, bob):
    case = verified(alice, bob)
    response = upload(as_user(bob), case, PDF, "laporan.pdf", "application/pdf")
    [entry] = history(case, "attachment")
    assert (entry.from_state, entry.to_state, entry.actor_id, entry.reason, entry.payload) == (
        "verified",
        "verified",
        bob.pk,
        "",
        {
            "attachment_id": response.json()["id"],
            "content_type": "application/pdf",
            "size": len(PDF),
        },
    )


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"<!DOCTYPE html><html><script>alert(1)</script></html>", id="html"),
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", id="exe"),
        pytest.param(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 20, id="zip"),
        pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', id="svg"),
        pytest.param(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", id="gif"),
        pytest.param(b"RIFF\x24\x00\x00\x00WAVEfmt ", id="wav-not-webp"),
        pytest.param(PNG[:7], id="truncated-png-signature"),
    ],
)
def test_anything_else_is_refused_whatever_it_claims(as_user, alice, content):
    case = report(alice)
    before = stored_files()
    response = upload(as_user(alice), case, content, "foto.png", "image/png")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "file",
            "code": "unsupported_file_type",
            "message": response.json()["errors"][0]["message"],
        }
    ]
    assert_nothing_attached(case, before)


def test_an_empty_file_is_refused(as_user, alice):
    case = report(alice)
    before = stored_files()
    response = upload(as_user(alice), case, b"")
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("file", "empty")]
    assert_nothing_attached(case, before)


def test_a_missing_file_is_refused(as_user, alice):
    case = report(alice)
    response = as_user(alice).post(attachments_url(case), {"name": "x"}, format="multipart")
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("file", "required")]


@pytest.mark.parametrize(
    "padding",
    [
        pytest.param(1, id="one-byte-over: refused by the file's size"),
        pytest.param(200 * 1024, id="far-over: refused by the body's length, before parsing"),
    ],
)
def test_a_file_over_the_limit_is_413_and_nothing_is_written(as_user, alice, settings, padding):
    settings.MAX_ATTACHMENT_BYTES = len(PNG) + 10
    case = report(alice)
    before = stored_files()
    response = upload(as_user(alice), case, PNG + b"\x00" * (10 + padding))
    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"
    assert_nothing_attached(case, before)
    # Exactly at the limit is fine.
    assert upload(as_user(alice), case, PNG + b"\x00" * 10).status_code == 201


def test_a_body_too_long_for_any_allowed_file_is_refused_before_it_is_parsed(
    as_user, alice, settings
):
    """Not even multipart: parsed, it would be a 400 for the missing file; unread, it is a 413."""
    settings.MAX_ATTACHMENT_BYTES = 1024
    case = report(alice)
    response = as_user(alice).generic(
        "POST",
        attachments_url(case),
        b"x" * (100 * 1024),
        content_type="multipart/form-data; boundary=nothing-here",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large"


def test_a_json_body_is_415(as_user, alice):
    case = report(alice)
    response = as_user(alice).post(attachments_url(case), {"file": "x"}, format="json")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_the_display_name_is_the_last_path_segment_without_control_characters(as_user, alice):
    case = report(alice)
    client = as_user(alice)
    named = upload(client, case, PNG, name="C:\\Users\\budi\\foto\r\nrumah.png")
    fallback = upload(client, case, PNG, filename="kamera.png", name="")
    long = upload(client, case, PNG, name="../" + "a" * 300 + ".jpeg")
    assert named.json()["name"] == "fotorumah.png"
    assert fallback.json()["name"] == "kamera.png"
    assert long.json()["name"] == "a" * 195 + ".jpeg"
    assert Attachment.objects.get(pk=long.json()["id"]).name == "a" * 195 + ".jpeg"


def test_attachments_are_listed_oldest_first(as_user, alice, bob):
    case = report(alice)
    first = upload(as_user(alice), case, PNG).json()
    second = upload(as_user(bob), case, PDF, "surat.pdf", "application/pdf").json()
    listed = as_user(bob).get(attachments_url(case))
    assert listed.status_code == 200
    assert listed.json() == [first, second]


def test_the_download_is_the_same_bytes_with_safe_headers(as_user, alice, bob):
    case = report(alice)
    url = upload(as_user(alice), case, JPEG, "virus.exe", "text/html").json()["url"]
    response = as_user(bob).get(url, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == JPEG
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'attachment; filename="virus.exe.jpg"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    response.close()


def test_an_officer_downloading_an_attachment_is_logged_and_the_reporter_is_not(
    as_user, alice, bob
):
    from casework.models import AccessLog

    case = report(alice)
    url = upload(as_user(alice), case, JPEG, "foto.jpg", "image/jpeg").json()["url"]
    responses = [as_user(alice).get(url), as_user(bob).get(url)]
    logged = list(AccessLog.objects.values_list("user__username", "case_id", "kind"))
    for response in responses:  # closing fires request_finished: only after the last query
        response.close()
    assert logged == [("bob", case.pk, "file")]


def test_a_download_keeps_a_name_that_already_says_what_it_is(as_user, alice):
    case = report(alice)
    url = upload(as_user(alice), case, JPEG, "rumah.JPEG", "image/jpeg").json()["url"]
    response = as_user(alice).get(url)
    assert response["Content-Disposition"] == 'attachment; filename="rumah.JPEG"'
    response.close()


def test_another_cases_attachment_is_404(as_user, alice):
    mine, other = report(alice), report(alice)
    attachment_id = upload(as_user(alice), other, PNG).json()["id"]
    response = as_user(alice).get(f"{attachments_url(mine)}{attachment_id}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert as_user(alice).get(f"{attachments_url(mine)}999999/").status_code == 404


@pytest.mark.parametrize("outsider", ["tono", "vera"])
def test_attachments_of_a_case_out_of_reach_are_404(request, as_user, alice, outsider):
    case = report(alice)
    attachment_id = upload(as_user(alice), case, PNG).json()["id"]
    before = stored_files()
    client = as_user(request.getfixturevalue(outsider))
    assert client.get(attachments_url(case)).status_code == 404
    assert client.get(f"{attachments_url(case)}{attachment_id}/").status_code == 404
    assert upload(client, case, PNG).status_code == 404
    assert Attachment.objects.count() == 1
    assert stored_files() == before


def test_no_attachment_on_a_closed_case(as_user, alice, bob):
    case = closed(alice, bob)
    before = stored_files()
    response = upload(as_user(bob), case, PNG)
    assert response.status_code == 409
    assert response.json()["code"] == "case_closed"
    assert_nothing_attached(case, before)


# --- assistance ----------------------------------------------------------------------------


def assistance_url(case):
    return f"/api/v1/cases/{case.pk}/assistance/"


def assistance_body(**overrides):
    return {
        "kind": "health",
        "description": "Didaftarkan BPJS-KIS.",
        "delivered_at": timezone.localdate().isoformat(),
        "provider": "Puskesmas Teluk Dalam",
        **overrides,
    }


@pytest.mark.parametrize("recorder", ["bob", "carol"])
def test_the_assignee_or_the_regency_supervisor_records_further_assistance(
    request, as_user, alice, bob, recorder
):
    yesterday = timezone.localdate() - timedelta(days=1)
    case = assisted(alice, bob, delivered_at=yesterday)
    user = request.getfixturevalue(recorder)
    response = as_user(user).post(assistance_url(case), assistance_body(), format="json")
    assert response.status_code == 201
    _first, further = Assistance.objects.filter(case=case).order_by("id")
    assert response.json() == {
        "id": further.pk,
        "kind": "health",
        "description": "Didaftarkan BPJS-KIS.",
        "delivered_at": timezone.localdate().isoformat(),
        "provider": "Puskesmas Teluk Dalam",
        "recorded_by": user_ref(user),
        "created_at": stamp(further.created_at),
    }
    case.refresh_from_db()
    assert case.state == "assisted"
    [entry] = history(case, "assistance")
    assert (entry.from_state, entry.to_state, entry.actor_id, entry.payload) == (
        "assisted",
        "assisted",
        user.pk,
        {
            "assistance_id": further.pk,
            "kind": "health",
            "delivered_at": timezone.localdate().isoformat(),
        },
    )


def test_assistance_is_listed_by_delivery_date(as_user, alice, bob):
    today = timezone.localdate()
    case = assisted(alice, bob, delivered_at=today)
    earlier = as_user(bob).post(
        assistance_url(case),
        assistance_body(delivered_at=(today - timedelta(days=3)).isoformat(), provider=""),
        format="json",
    )
    first = Assistance.objects.get(case=case, kind="basic_needs")
    listed = as_user(alice).get(assistance_url(case))
    assert listed.status_code == 200
    assert listed.json() == [
        earlier.json(),
        {
            "id": first.pk,
            "kind": "basic_needs",
            "description": "Paket sembako.",
            "delivered_at": today.isoformat(),
            "provider": "",
            "recorded_by": user_ref(bob),
            "created_at": stamp(first.created_at),
        },
    ]


def test_the_first_assistance_of_a_verified_case_is_the_assist_action(as_user, alice, bob):
    case = verified(alice, bob)
    response = as_user(bob).post(assistance_url(case), assistance_body(), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "use_assist_action"
    assert "assist" in response.json()["message"]
    assert not Assistance.objects.exists()
    assert history(case, "assistance") == []


@pytest.mark.parametrize("state", ["reported", "closed"])
def test_no_further_assistance_unless_assisted(as_user, alice, bob, carol, state):
    case = report(alice) if state == "reported" else closed(alice, bob)
    response = as_user(carol).post(assistance_url(case), assistance_body(), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "case_not_assisted"
    assert not Assistance.objects.exists()


@pytest.mark.parametrize("other", ["bima", "alice"])
def test_only_the_assignee_or_a_supervisor_records_assistance(request, as_user, alice, bob, other):
    """Another officer of the same Dinsos, or the reporting volunteer: they see it, may not."""
    case = assisted(alice, bob)
    user = request.getfixturevalue(other)
    response = as_user(user).post(assistance_url(case), assistance_body(), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Assistance.objects.filter(case=case).count() == 1
    assert history(case, "assistance") == []
    assert as_user(user).get(assistance_url(case)).status_code == 200


@pytest.mark.parametrize("outsider", ["tono", "vera"])
def test_assistance_of_a_case_out_of_reach_is_404(request, as_user, alice, bob, outsider):
    case = assisted(alice, bob)
    client = as_user(request.getfixturevalue(outsider))
    assert client.get(assistance_url(case)).status_code == 404
    response = client.post(assistance_url(case), assistance_body(), format="json")
    assert response.status_code == 404
    assert Assistance.objects.filter(case=case).count() == 1


def test_assistance_cannot_be_delivered_in_the_future(as_user, alice, bob):
    case = assisted(alice, bob)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = as_user(bob).post(
        assistance_url(case), assistance_body(delivered_at=tomorrow), format="json"
    )
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("delivered_at", "future")
    ]
    assert Assistance.objects.filter(case=case).count() == 1
    assert history(case, "assistance") == []


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        (assistance_body(kind="money"), "kind", "invalid_choice"),
        ({"kind": "health", "delivered_at": "2026-01-01"}, "description", "required"),
        (assistance_body(delivered_at="kemarin"), "delivered_at", "invalid"),
        (assistance_body(state="closed"), "state", "unknown_field"),
    ],
)
def test_a_bad_assistance_body_is_400_naming_the_field(as_user, alice, bob, body, field, code):
    case = assisted(alice, bob)
    response = as_user(bob).post(assistance_url(case), body, format="json")
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)]
