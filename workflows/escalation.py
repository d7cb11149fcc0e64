"""Deadline escalation (WORKFLOW.md): the sweep that Celery beat runs every minute.

Per step of a case: a warning to whoever handles it at 75% of the period; at the deadline, the
breach to them and the kabupaten/kota's supervisors; one more period later, still open, to the
provincial supervisors. Each is sent once per step: the case row holds the level already sent
and when the next falls due (`escalation_level`, `escalate_at`, set by `deadlines.schedule`), and
the sweep advances them in the same transaction as the history row and the outbox rows, under
the case's row lock taken with SKIP LOCKED, so overlapping sweeps never send one twice. A case
that moved on has a new step and new times. A level overtaken while nobody swept (the warning of
a case found already overdue) is not sent late.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from casework.models import Case, CaseState
from workflows import deadlines, responsibility
from workflows.deadlines import BREACHED, ESCALATED, WARNED
from workflows.notices import tell
from workflows.services import record_history
from workflows.steps import STEP_OF_STATE

logger = logging.getLogger(__name__)

BATCH = 200
EVENT = {WARNED: "sla_warning", BREACHED: "sla_breached", ESCALATED: "sla_escalated"}


def escalate_due_cases(*, now: datetime | None = None) -> int:
    """Send every escalation that has fallen due; returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            cases = list(
                Case.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("assigned_to", "category")
                .filter(escalate_at__lte=now)
                .exclude(state=CaseState.CLOSED)
                .order_by("escalate_at")[:BATCH]
            )
            for case in cases:
                sent += _escalate(case, now)
        if len(cases) < BATCH:
            break
    if sent:
        logger.info("escalation sweep: %d escalations sent", sent)
    return sent


def reached_level(case: Case, now: datetime) -> int:
    """The highest escalation level whose time has come for the case's current step."""
    level = case.escalation_level
    while True:
        at = deadlines.escalation_time(level, entered_at=case.state_changed_at, due=case.due_at)
        if at is None or at > now:
            return level
        level += 1


def _escalate(case: Case, now: datetime) -> int:
    done, reached = case.escalation_level, reached_level(case, now)
    levels = [lv for lv in (WARNED, BREACHED, ESCALATED) if done < lv <= reached]
    if reached >= BREACHED:  # a warning of a step already overdue says nothing new
        levels = [lv for lv in levels if lv != WARNED]
    for level in levels:
        record_history(
            case,
            action=EVENT[level],
            from_state=case.state,
            actor=None,
            at=now,
            payload={"step": STEP_OF_STATE[case.state], "due_at": _iso(case.due_at)},
        )
        tell(case, EVENT[level], _recipients(case, level), extra={"due_at": _iso(case.due_at)})
    case.escalation_level = reached
    case.escalate_at = deadlines.escalation_time(
        reached, entered_at=case.state_changed_at, due=case.due_at
    )
    case.save(update_fields=["escalation_level", "escalate_at"])
    return len(levels)


def _recipients(case: Case, level: int) -> list:
    """Warning: whoever handles the case. Breach: them and the kabupaten/kota's supervisors (the
    province's when it has none, as for every routing: a breach nobody oversees would go
    unseen for a whole period). Provincial escalation: the province's supervisors."""
    if level == WARNED:
        return responsibility.handlers(case)
    if level == BREACHED:
        return responsibility.handlers(case) + responsibility.supervisors(case.regency_id)
    return responsibility.province_supervisors(case.regency_id)


def _iso(moment: datetime | None) -> str:
    return deadlines.local_iso(moment) if moment else ""
