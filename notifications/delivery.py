"""One attempt at one delivery: the body of the `deliver` task.

The delivery row is locked (`FOR UPDATE SKIP LOCKED`) for the whole attempt: a second worker
given the same delivery skips it, and one given it after it succeeded finds it delivered, so a
message reaches each channel once. If the worker dies mid-send, the database drops its lock and
its transaction, the broker hands the task out again (acks late), and the next attempt sends
with the same idempotency key. The attempt, its outcome and the next try commit together.
"""

import logging
import random
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications.channels import BACKENDS, PermanentError, TransientError
from notifications.models import Delivery, DeliveryAttempt, DeliveryStatus, Language
from notifications.templates import render

logger = logging.getLogger(__name__)

# A task that arrives a moment before its retry time (clock skew) still counts as due.
EARLY_TOLERANCE = timedelta(seconds=1)


def attempt(delivery_id: uuid.UUID | str) -> float | None:
    """Try to send the delivery once; returns the seconds until the next try, or None if done
    (delivered, dead, not due, or in another worker's hands)."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("message__recipient__notification_preference")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if delivery is None or delivery.next_attempt_at > now + EARLY_TOLERANCE:
            return None
        message = delivery.message
        delivery.attempts += 1
        try:
            # A savepoint: an error undoes only what the send wrote, and the failed attempt
            # can still be recorded in this transaction.
            with transaction.atomic():
                # The preference came with the lock (no SELECT of its own); none: Indonesian.
                preference = getattr(message.recipient, "notification_preference", None)
                rendered = render(
                    message, preference.language if preference else Language.INDONESIAN
                )
                BACKENDS[delivery.channel].send(delivery, rendered)
        except (TransientError, PermanentError) as error:
            return _failed(delivery, error, now)
        except Exception as error:
            # A bug or a bad setting (a webhook URL without a scheme). Counted as a failed
            # attempt, it ends as a dead letter the admin sees; raised, the task would fail
            # with nothing recorded and the sweep would republish it every few minutes, forever.
            logger.exception("delivery %s by %s failed unexpectedly", delivery.pk, delivery.channel)
            return _failed(delivery, TransientError(type(error).__name__), now)
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.last_error = ""
        delivery.save(update_fields=["status", "delivered_at", "attempts", "last_error"])
        DeliveryAttempt.objects.create(delivery=delivery, at=now, succeeded=True)
    return None


def _failed(delivery: Delivery, error: Exception, now) -> float | None:  # type: ignore[no-untyped-def]
    reason = str(error)[:200]
    DeliveryAttempt.objects.create(delivery=delivery, at=now, succeeded=False, error=reason)
    delivery.last_error = reason
    give_up = isinstance(error, PermanentError) or delivery.attempts >= settings.NOTIFY_MAX_ATTEMPTS
    delay = None if give_up else backoff(delivery.attempts)
    if delay is None:
        delivery.status = DeliveryStatus.DEAD
        logger.warning(
            "delivery %s by %s is a dead letter after %d attempts (%s)",
            delivery.pk, delivery.channel, delivery.attempts, reason,
        )  # fmt: skip
    else:
        delivery.next_attempt_at = now + timedelta(seconds=delay)
        # Handed to the broker as a delayed task; the sweep only steps in well after it is due.
        delivery.enqueued_at = delivery.next_attempt_at
    delivery.save(
        update_fields=["status", "attempts", "last_error", "next_attempt_at", "enqueued_at"]
    )
    return delay


def backoff(attempts: int) -> float:
    """Exponential in the attempts made, capped, with jitter so failures spread out."""
    ceiling = min(
        settings.NOTIFY_RETRY_MAX_DELAY, settings.NOTIFY_RETRY_BASE_DELAY * 2 ** (attempts - 1)
    )
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 (not for secrets)
