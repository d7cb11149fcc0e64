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

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from casework.models import IdempotencyRecord, User
from common.errors import Unprocessable, ValidationFailed

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
PENDING = 0


def request_fingerprint(*, method: str, path: str, body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


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
