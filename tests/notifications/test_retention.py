"""Retention (issue 11, item 25): a notification all of whose deliveries went out is kept
`NOTIFY_RETENTION_DAYS` (180 by default), then purged with its inbox item, deliveries and
attempts by a daily task; one still pending or dead stays for the relay or the admin's retry."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import delivery
from notifications.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    InboxItem,
    OutboxMessage,
)
from notifications.services import notify
from notifications.tasks import purge_delivered

pytestmark = pytest.mark.django_db
CONTEXT = {"category_names": {"id": "Lansia", "en": "Elderly"}, "district": "Kuin"}


def message(recipient, *, days_old: int, status: str) -> OutboxMessage:
    (queued,) = notify(event="case_reported", recipients=[recipient], case_id=None,
                       case_reference="6371-2026-000001", context=CONTEXT)  # fmt: skip
    if status == DeliveryStatus.DELIVERED:
        for row in Delivery.objects.filter(message=queued):
            delivery.attempt(row.pk)
    elif status == DeliveryStatus.DEAD:
        Delivery.objects.filter(message=queued).update(status=DeliveryStatus.DEAD)
    old = timezone.now() - timedelta(days=days_old)
    OutboxMessage.objects.filter(pk=queued.pk).update(created_at=old)
    return queued


def test_old_delivered_notifications_go_with_everything_that_hangs_on_them(bob, settings):
    settings.NOTIFY_RETENTION_DAYS = 180
    old = message(bob, days_old=181, status=DeliveryStatus.DELIVERED)
    recent = message(bob, days_old=179, status=DeliveryStatus.DELIVERED)
    stuck = message(bob, days_old=400, status=DeliveryStatus.PENDING)
    dead = message(bob, days_old=400, status=DeliveryStatus.DEAD)
    assert InboxItem.objects.filter(message=old).exists()

    assert purge_delivered() == 1

    kept = set(OutboxMessage.objects.values_list("pk", flat=True))
    assert kept == {recent.pk, stuck.pk, dead.pk}
    assert not InboxItem.objects.filter(message_id=old.pk).exists()
    assert not Delivery.objects.filter(message_id=old.pk).exists()
    assert not DeliveryAttempt.objects.filter(delivery__message_id=old.pk).exists()
    assert InboxItem.objects.filter(message=recent).exists()
    assert purge_delivered() == 0  # idempotent


def test_the_purge_runs_daily_in_a_quiet_hour():
    from celery.schedules import crontab

    from config.celery import app

    entry = app.conf.beat_schedule["purge-notifications"]
    assert entry["task"] == "notifications.purge_delivered"
    assert entry["schedule"] == crontab(hour=3, minute=0)
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
