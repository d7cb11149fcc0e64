"""Celery tasks of supervision (scheduled by beat, see CELERY_BEAT_SCHEDULE). Idempotent."""

from celery import shared_task

from supervision import digest


# The name it had before supervision was an app of its own: beat's schedule and any message
# already on the broker call it by this name.
@shared_task(name="workflows.send_daily_digest", acks_late=True)
def send_daily_digest() -> int:
    """07:00 WITA: the day's summary to every supervisor (once a day however often it runs)."""
    return digest.send_daily_digest()
