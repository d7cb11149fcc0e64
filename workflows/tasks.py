"""Celery tasks of workflows (scheduled by beat, see CELERY_BEAT_SCHEDULE). Idempotent."""

from celery import shared_task

from workflows import escalation


@shared_task(name="workflows.escalate_deadlines", acks_late=True)
def escalate_deadlines() -> int:
    """Every minute: warnings and escalations of deadlines that have fallen due."""
    return escalation.escalate_due_cases()
