"""The daily digest to supervisors (beat, 07:00 WITA): open, overdue and new cases in their
region. Sent once per supervisor and day, however often the task runs (the outbox's dedupe key).
"""

from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from casework import reference_cache
from casework.access import jurisdiction_q
from casework.models import Case, CaseState, Role, User
from notifications.services import notify


def send_daily_digest(*, now: datetime | None = None) -> int:
    """Queue today's digest for every active supervisor; returns how many were queued now."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    queued = 0
    for supervisor in User.objects.filter(role=Role.SUPERVISOR, is_active=True).exclude(
        region=None
    ):
        with transaction.atomic():
            queued += len(
                notify(
                    event="daily_digest",
                    recipients=[supervisor],
                    case_id=None,
                    context=digest_figures(supervisor, now=now, day=today),
                    dedupe_key=f"daily_digest:{today.isoformat()}",
                )
            )
    return queued


def digest_figures(supervisor: User, *, now: datetime, day: date) -> dict[str, int | str]:
    """Counts for the supervisor's region: open, open past their deadline, filed in 24 hours."""
    counts = Case.objects.filter(jurisdiction_q(supervisor)).aggregate(
        open=Count("pk", filter=~Q(state=CaseState.CLOSED)),
        overdue=Count("pk", filter=~Q(state=CaseState.CLOSED) & Q(due_at__lte=now)),
        new=Count("pk", filter=Q(created_at__gt=now - timedelta(days=1))),
    )
    region = reference_cache.regions.get(supervisor.region_id) if supervisor.region_id else None
    return {
        **counts,
        "region": region.name if region else supervisor.region_id,
        "date": day.isoformat(),
    }
