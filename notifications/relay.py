"""Hands deliveries to the broker: right after the commit that wrote them (the kick), and from a
sweep every few seconds for any the kick could not hand over (broker down, process gone).

A delivery carries `enqueued_at`, when it was last handed over. The sweep takes pending
deliveries that are due and were never handed over, or longer ago than
`NOTIFY_REPUBLISH_AFTER` (a task lost with a broker that keeps nothing on disk), claims them
with `SELECT ... FOR UPDATE SKIP LOCKED` so overlapping sweeps split the work, and publishes
them. Publishing twice is harmless: a delivery is attempted under its row lock, once.
"""

import logging
import uuid
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications.models import Delivery, DeliveryStatus

logger = logging.getLogger(__name__)


def publish(ids: Sequence[uuid.UUID | str], *, countdown: float = 0, together: bool = False) -> int:
    """Publish a delivery task per id (`together`: one task for them all; for in-app deliveries,
    which a worker sends as one batch anyway); on a broker failure, leave the rest to the sweep.

    Returns how many deliveries were handed over. Never raises for the broker: this runs after a
    commit, where the event has already happened.
    """
    from notifications.tasks import deliver  # the task module imports this one

    tasks = [tuple(str(i) for i in ids)] if together and ids else [(str(i),) for i in ids]
    done = 0
    if deliver.app.conf.task_always_eager:  # no broker: each runs here and now
        for args in tasks:
            deliver.apply_async(args)
        return len(ids)
    try:
        with deliver.app.producer_or_acquire() as producer:
            for args in tasks:
                deliver.apply_async(args, countdown=countdown, producer=producer)
                done += len(args)
    except Exception:  # kombu raises several kinds for a broker that is away; all mean "later"
        logger.warning(
            "broker unavailable: %d deliveries left for the relay sweep", len(ids) - done
        )
        _forget_enqueued(ids[done:])
    return done


def kick(inbox_ids: Sequence[uuid.UUID], other_ids: Sequence[uuid.UUID]) -> None:
    """After the commit of an event: its in-app deliveries as one task, the others one each
    (a slow gateway then holds up nothing else)."""
    if inbox_ids:
        publish(inbox_ids, together=True)
    if other_ids:
        publish(other_ids)


def sweep(*, limit: int | None = None) -> int:
    """Publish what is due and not (or no longer believed to be) with the broker."""
    limit = limit or settings.NOTIFY_SWEEP_BATCH
    now = timezone.now()
    stale = now - timedelta(seconds=settings.NOTIFY_REPUBLISH_AFTER)
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=stale))
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        Delivery.objects.filter(pk__in=ids).update(enqueued_at=now)
    if ids:
        logger.info("relay sweep: publishing %d deliveries", len(ids))
    return publish(ids)


def _forget_enqueued(ids: Sequence[uuid.UUID | str]) -> None:
    try:
        Delivery.objects.filter(pk__in=list(ids), status=DeliveryStatus.PENDING).update(
            enqueued_at=None
        )
    except Exception:  # the database too: the sweep's republish period covers these
        logger.exception("could not mark %d deliveries for the relay sweep", len(ids))
