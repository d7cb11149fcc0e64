"""`Idempotency-Key` on an upload: a photo sent again over a flaky connection is stored once.

The rules are case creation's (`tests/casework/test_idempotency.py`); what an upload adds is
that its body is a file, fingerprinted by its bytes, and that a file stored by a request that
then fails is deleted again.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from casework.models import Attachment, IdempotencyRecord
from tests.concurrency import run_concurrently
from tests.workflows.test_records import (
    JPEG,
    PDF,
    PNG,
    attachments_url,
    history,
    report,
    stored_files,
)

pytestmark = pytest.mark.django_db


def upload(client, case, content=PNG, filename="rumah.png", key="photo-1", **fields):
    body = {"file": SimpleUploadedFile(filename, content, content_type="image/png"), **fields}
    return client.post(attachments_url(case), body, format="multipart", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retry_with_the_same_key_answers_the_first_attachment_and_stores_nothing(as_user, alice):
    case = report(alice)
    before = stored_files()
    client = as_user(alice)
    first = upload(client, case, name="Rumah tampak depan")
    again = upload(client, case, name="Rumah tampak depan")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert (first["Idempotent-Replayed"], again["Idempotent-Replayed"]) == ("false", "true")
    attachment = Attachment.objects.get()
    assert attachment.pk == first.json()["id"]
    assert stored_files() - before == {attachment.file.name}
    assert len(history(case, "attachment")) == 1


@pytest.mark.parametrize(
    ("content", "filename", "fields"),
    [
        pytest.param(JPEG, "rumah.png", {}, id="other-bytes-same-name"),
        pytest.param(PNG, "dapur.png", {}, id="same-bytes-other-name"),
        pytest.param(PNG, "rumah.png", {"name": "Dapur"}, id="other-display-name"),
    ],
)
def test_the_same_key_with_another_upload_is_422_and_stores_nothing(
    as_user, alice, content, filename, fields
):
    case = report(alice)
    client = as_user(alice)
    upload(client, case)
    before = stored_files()
    response = upload(client, case, content, filename, **fields)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Attachment.objects.count() == 1
    assert stored_files() == before


def test_the_same_key_on_another_case_is_422(as_user, alice):
    first, second = report(alice), report(alice)
    client = as_user(alice)
    upload(client, first)
    response = upload(client, second)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert not Attachment.objects.filter(case=second).exists()


def test_a_refused_upload_leaves_the_key_free_for_the_corrected_retry(as_user, alice):
    case = report(alice)
    client = as_user(alice)
    refused = upload(client, case, b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "rumah.gif")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "unsupported_file_type"
    assert not IdempotencyRecord.objects.exists()
    corrected = upload(client, case, PDF, "surat.pdf")
    assert corrected.status_code == 201
    assert corrected["Idempotent-Replayed"] == "false"
    assert Attachment.objects.get().content_type == "application/pdf"


def test_the_same_key_from_another_user_is_another_upload(as_user, alice, bob):
    case = report(alice)
    mine = upload(as_user(alice), case)
    theirs = upload(as_user(bob), case)
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert Attachment.objects.filter(case=case).count() == 2


def test_without_a_key_each_upload_is_stored(as_user, alice):
    case = report(alice)
    client = as_user(alice)
    for _ in range(2):
        body = {"file": SimpleUploadedFile("rumah.png", PNG, content_type="image/png")}
        assert client.post(attachments_url(case), body, format="multipart").status_code == 201
    assert Attachment.objects.count() == 2


@pytest.mark.parametrize("key", ["", "   ", "k" * 256])
def test_an_empty_or_oversize_key_is_400_naming_the_header(as_user, alice, key):
    case = report(alice)
    before = stored_files()
    response = upload(as_user(alice), case, key=key)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("Idempotency-Key", "invalid_idempotency_key")
    assert not Attachment.objects.exists()
    assert stored_files() == before


def test_a_case_out_of_reach_is_404_before_the_key_is_read(as_user, alice, tono):
    case = report(alice)
    assert upload(as_user(tono), case, key="").status_code == 404


def test_a_file_stored_by_a_request_that_fails_afterwards_is_deleted(as_user, alice, monkeypatch):
    """The attachment's own transaction has committed into the key's when the key row is
    updated; a failure there rolls back both rows, and the file must go with them."""
    case = report(alice)
    before = stored_files()
    original = IdempotencyRecord.save

    def save_failing_on_update(self, *args, **kwargs):
        if kwargs.get("update_fields"):
            raise RuntimeError("the database went away")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(IdempotencyRecord, "save", save_failing_on_update)
    with pytest.raises(RuntimeError):
        upload(as_user(alice), case)
    assert not Attachment.objects.exists()
    assert not IdempotencyRecord.objects.exists()
    assert stored_files() == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_store_exactly_one_attachment(alice):
    case = report(alice)
    before = stored_files()

    def send(_: int):
        client = APIClient()
        client.force_authenticate(alice)
        response = upload(client, case, key="same-photo-from-a-flaky-phone")
        return response.status_code, response.json()

    results = run_concurrently(8, send)
    assert [status for status, _ in results] == [201] * 8
    assert len({body["id"] for _, body in results}) == 1
    attachment = Attachment.objects.get()
    assert stored_files() - before == {attachment.file.name}
