"""SLA deadlines: when the current step of a case is due.

Each clock starts when the case enters a state: `reported` (and `returned`, where the reporter
must answer within the same period) runs the verification clock, `verified` the first-assistance
clock, `assisted` the closing clock; a closed case has no deadline. The period comes from the
policy for the case's urgency and category, else the urgency's default, else WORKFLOW.md's.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from casework.models import Case
from workflows.models import DEFAULT_SLA, SlaPolicy
from workflows.steps import STEP_OF_STATE, STEPS


def step_period(*, state: str, urgency: str, category_id: str) -> timedelta | None:
    step = STEP_OF_STATE.get(state)
    if step is None:
        return None
    policies = SlaPolicy.objects.filter(urgency=urgency).filter(
        Q(category_id=category_id) | Q(category__isnull=True)
    )
    chosen = min(policies, key=lambda p: p.category_id is None, default=None)
    if chosen is not None:
        return getattr(chosen, f"{step}_within")
    return DEFAULT_SLA[urgency][STEPS.index(step)]


def due_at(*, state: str, urgency: str, category_id: str, entered_at: datetime) -> datetime | None:
    period = step_period(state=state, urgency=urgency, category_id=category_id)
    return entered_at + period if period is not None else None


# Escalation levels of a step (workflows.escalation): what has been sent so far.
NONE, WARNED, BREACHED, ESCALATED = 0, 1, 2, 3
WARNING_AT = 0.75  # of the period


def escalation_time(level: int, *, entered_at: datetime, due: datetime | None) -> datetime | None:
    """When the escalation after `level` falls due: the warning at 75% of the period, the breach
    at the deadline, the provincial escalation one more period later; then none."""
    if due is None or level >= ESCALATED:
        return None
    period = due - entered_at
    return {
        NONE: entered_at + period * WARNING_AT,
        WARNED: due,
        BREACHED: due + period,
    }[level]


def escalation_state(
    *, entered_at: datetime, due: datetime | None, now: datetime
) -> tuple[int, datetime | None]:
    """(level, next escalation time) of a step as if every escalation due by `now` was sent:
    what a case loaded around the sweep (the sample data) should carry."""
    level = NONE
    at = escalation_time(level, entered_at=entered_at, due=due)
    while at is not None and at <= now:
        level += 1
        at = escalation_time(level, entered_at=entered_at, due=due)
    return level, at


def sla_record(step: str, *, due: datetime | None, at: datetime) -> dict[str, Any]:
    """What the history keeps of the step a transition completes at `at`: its deadline then,
    and whether it was met (the dashboard's SLA compliance counts these). No deadline: met."""
    return {
        "step": step,
        "due_at": local_iso(due) if due else None,
        "on_time": due is None or at <= due,
    }


def local_iso(moment: datetime) -> str:
    """A moment as the API shows every time: ISO 8601 in WITA, with its offset."""
    return timezone.localtime(moment).isoformat()


def schedule(case: Case, *, new_step: bool) -> None:
    """Set the case's deadline for its current step and its next escalation (fields only).

    A new step (a new state, or a new Dinsos) starts with no escalation sent; re-timing the
    same step (a new urgency or category) keeps what was sent and times what comes next.
    """
    case.due_at = due_at(
        state=case.state,
        urgency=case.urgency,
        category_id=case.category_id,
        entered_at=case.state_changed_at,
    )
    if new_step:
        case.escalation_level = NONE
    case.escalate_at = escalation_time(
        case.escalation_level, entered_at=case.state_changed_at, due=case.due_at
    )
