"""`Idempotency-Key` for writes from flaky phone connections: a retry gets the first answer.

The stored response is written in the same transaction as the write it answers, and the key row
is inserted first: a concurrent request with the same key waits on the unique index until the
first commits, then finds its response. A failed request (4xx) stores nothing, so a corrected
retry with the same key is processed afresh.
"""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from casework.errors import Unprocessable, ValidationFailed
from casework.models import IdempotencyRecord, User

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
        )
    return key


def run_idempotent(
    *,
    user: User,
    key: str,
    fingerprint: str,
    produce: Callable[[], tuple[int, dict]],
) -> tuple[int, dict, bool]:
    """Run `produce` once per (user, key); returns (status, body, replayed)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user,
                    key=key,
                    fingerprint=fingerprint,
                    status_code=PENDING,
                    response_body={},
                )
        except IntegrityError:
            record = None
        if record is None:
            return _replay(user=user, key=key, fingerprint=fingerprint)
        status, body = produce()
        record.status_code = status
        record.response_body = body
        record.save(update_fields=["status_code", "response_body"])
    return status, body, False


def _replay(*, user: User, key: str, fingerprint: str) -> tuple[int, dict, bool]:
    record = IdempotencyRecord.objects.get(user=user, key=key)
    if record.fingerprint != fingerprint:
        raise Unprocessable(
            _("This Idempotency-Key was already used with a different request."),
            code="idempotency_key_reused",
        )
    return record.status_code, record.response_body, True
