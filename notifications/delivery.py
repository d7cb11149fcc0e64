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
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications.channels import BACKENDS, PermanentError, TransientError
from notifications.models import Channel, Delivery, DeliveryAttempt, DeliveryStatus, Language
from notifications.templates import Rendered, render

logger = logging.getLogger(__name__)

# A task that arrives a moment before its retry time (clock skew) still counts as due.
EARLY_TOLERANCE = timedelta(seconds=1)
# In-app deliveries one worker takes at once (see `attempt`).
INBOX_BATCH = 50


def attempt(delivery_id: uuid.UUID | str) -> float | None:
    """Try to send the delivery once; returns the seconds until the next try, or None if done
    (delivered, dead, not due, or in another worker's hands)."""
    now = timezone.now()
    with transaction.atomic():
        delivery = _locked(Q(pk=delivery_id)).first()
        if delivery is None or delivery.next_attempt_at > now + EARLY_TOLERANCE:
            return None
        if delivery.channel == Channel.INBOX:
            # In-app messages are rows of this database: the worker takes other due ones with
            # it (those not locked by another), so a burst costs a transaction per batch rather
            # than per message; their own tasks then find them delivered and stop.
            others = _locked(
                Q(channel=Channel.INBOX, next_attempt_at__lte=now) & ~Q(pk=delivery.pk)
            )
            return _send_all(
                [delivery, *others.order_by("next_attempt_at")[: INBOX_BATCH - 1]], now
            )
        return _send_all([delivery], now)


def _locked(condition: Q):
    """Pending deliveries matching `condition`, locked for this transaction unless another holds
    them, with what rendering needs (the recipient and their language)."""
    return (
        Delivery.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("message__recipient__notification_preference")
        .filter(condition, status=DeliveryStatus.PENDING)
    )


def _send_all(deliveries: list[Delivery], now: datetime) -> float | None:
    """Send by the deliveries' channel (one channel; several only for the inbox) and record
    the outcome; a failure is recorded on the first, the one this task was given (the others,
    untouched, are still their own tasks' to try)."""
    first = deliveries[0]
    try:
        # A savepoint: an error undoes only what the send wrote, and the failed attempt can
        # still be recorded in this transaction.
        with transaction.atomic():
            BACKENDS[first.channel].send_many([(d, _render(d)) for d in deliveries])
    except (TransientError, PermanentError) as error:
        first.attempts += 1
        return _failed(first, error, now)
    except Exception as error:
        # A bug or a bad setting (a webhook URL without a scheme). Counted as a failed
        # attempt, it ends as a dead letter the admin sees; raised, the task would fail
        # with nothing recorded and the sweep would republish it every few minutes, forever.
        logger.exception("delivery %s by %s failed unexpectedly", first.pk, first.channel)
        first.attempts += 1
        return _failed(first, TransientError(type(error).__name__), now)
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
        status=DeliveryStatus.DELIVERED,
        delivered_at=timezone.now(),
        attempts=F("attempts") + 1,
        last_error="",
    )
    DeliveryAttempt.objects.bulk_create(
        [DeliveryAttempt(delivery=d, at=now, succeeded=True) for d in deliveries]
    )
    return None


def _render(delivery: Delivery) -> Rendered:
    message = delivery.message
    # The preference came with the lock (no SELECT of its own); none: Indonesian.
    preference = getattr(message.recipient, "notification_preference", None)
    return render(message, preference.language if preference else Language.INDONESIAN)


def _failed(delivery: Delivery, error: Exception, now: datetime) -> float | None:
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
