"""Celery tasks of workflows (scheduled by beat, see CELERY_BEAT_SCHEDULE). Idempotent."""

from celery import shared_task
from django.db import OperationalError

from workflows import escalation, tallies


@shared_task(name="workflows.escalate_deadlines", acks_late=True)
def escalate_deadlines() -> int:
    """Every minute: warnings and escalations of deadlines that have fallen due."""
    return escalation.escalate_due_cases()


@shared_task(
    name="workflows.fold_day_tallies",
    acks_late=True,
    autoretry_for=(OperationalError,),  # its lock not had within 5 s: try again later
    retry_backoff=60,
    max_retries=5,
)
def fold_day_tallies() -> int:
    """Nightly: the dashboard's day tallies of long-past days folded into one row per key
    (the figures stay as they were; run again, it finds nothing to fold)."""
    return tallies.fold_past_days()
