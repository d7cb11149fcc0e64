"""Celery tasks of notifications. Each takes ids only and is idempotent."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from notifications import delivery, relay, services


@shared_task(name="notifications.deliver", acks_late=True)
def deliver(*delivery_ids: str) -> None:
    """Send deliveries (each a message by one channel), in turn; schedule the retry of each one
    that failed."""
    for delivery_id in delivery_ids:
        delay = delivery.attempt(delivery_id)
        if delay is not None and not deliver.app.conf.task_always_eager:
            # Without a broker (eager, `make run` without Redis) there is nothing to wait in:
            # the retry waits for the sweep (`manage.py relay_outbox`).
            relay.publish([delivery_id], countdown=delay)


@shared_task(name="notifications.relay_outbox", acks_late=True, ignore_result=True)
def relay_outbox() -> int:
    """The relay sweep (beat, every `NOTIFY_SWEEP_SECONDS`)."""
    return relay.sweep(limit=settings.NOTIFY_SWEEP_BATCH)


@shared_task(name="notifications.purge_delivered", acks_late=True, ignore_result=True)
def purge_delivered() -> int:
    """Daily (beat, 03:00 WITA): notifications past `NOTIFY_RETENTION_DAYS`, all delivered."""
    cutoff = timezone.now() - timedelta(days=settings.NOTIFY_RETENTION_DAYS)
    return services.delivered_purge(older_than=cutoff)
