"""Celery tasks of workflows (scheduled by beat, see CELERY_BEAT_SCHEDULE). Idempotent."""

from celery import shared_task

from workflows import digest, escalation


@shared_task(name="workflows.escalate_deadlines", acks_late=True)
def escalate_deadlines() -> int:
    """Every minute: warnings and escalations of deadlines that have fallen due."""
    return escalation.escalate_due_cases()


@shared_task(name="workflows.send_daily_digest", acks_late=True)
def send_daily_digest() -> int:
    """07:00 WITA: the day's summary to every supervisor (once a day however often it runs)."""
    return digest.send_daily_digest()
