"""`Idempotency-Key` for writes from flaky phone connections: a retry gets the first answer.

The key row is inserted first, in the same transaction as the write it guards: a concurrent
request with the same key waits on the unique index until the first commits, then replays.
A failed request (4xx) rolls the key row back with everything else, so a corrected retry with
the same key is processed afresh. What is kept is the status and the id of what was created,
never the response body (it carries personal data); a replay renders that resource again, so it
has the same id, reference and status, and shows the case as it is now.
"""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from casework.models import IdempotencyRecord, User
from common.errors import Unprocessable, ValidationFailed

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
PENDING = 0


def request_fingerprint(*, method: str, path: str, body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def form_body(data: QueryDict) -> dict[str, list]:
    """A multipart body as `request_fingerprint` takes it: each field's values, a file as its
    name and the sha256 of its bytes, so a retry of other bytes under the same name (a photo
    taken again) is another request, and only the same bytes replay."""
    return {
        field: [_file_digest(v) if isinstance(v, UploadedFile) else v for v in values]
        for field, values in data.lists()
    }


def _file_digest(upload: UploadedFile) -> dict[str, str]:
    digest = hashlib.sha256()
    for chunk in upload.chunks():  # from the start, whatever was read before
        digest.update(chunk)
    upload.seek(0)  # the upload is read again, to check and to store it
    return {"name": upload.name or "", "sha256": digest.hexdigest()}


def check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed.for_field(
            HEADER,
            "invalid_idempotency_key",
            _("The Idempotency-Key header must be 1 to 255 characters."),
            label=_("Idempotency-Key header"),
        )
    return key


def run_idempotent(
    *,
    user: User,
    key: str,
    fingerprint: str,
    perform: Callable[[], tuple[int, str, dict]],
    replay: Callable[[str], dict],
) -> tuple[int, dict, bool]:
    """`perform` once per (user, key); returns (status, body, replayed).

    `perform` does the write and returns (status, id of the resource, body); a replay gets the
    stored status and `replay(id)` as its body.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, fingerprint=fingerprint, status_code=PENDING
                )
        except IntegrityError:
            record = None
        if record is None:
            status, resource_id = _stored(user=user, key=key, fingerprint=fingerprint)
            return status, replay(resource_id), True
        status, resource_id, body = perform()
        record.status_code, record.resource_id = status, resource_id
        record.save(update_fields=["status_code", "resource_id"])
    return status, body, False


def _stored(*, user: User, key: str, fingerprint: str) -> tuple[int, str]:
    record = IdempotencyRecord.objects.get(user=user, key=key)
    if record.fingerprint != fingerprint:
        raise Unprocessable(
            _("This Idempotency-Key was already used with a different request."),
            code="idempotency_key_reused",
        )
    return record.status_code, record.resource_id
