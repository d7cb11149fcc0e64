"""SLA deadlines: when the current step of a case is due.

Each clock starts when the case enters a state: `reported` (and `returned`, where the reporter
must answer within the same period) runs the verification clock, `verified` the first-assistance
clock, `assisted` the closing clock; a closed case has no deadline. The period comes from the
policy for the case's urgency and category, else the urgency's default, else WORKFLOW.md's.
"""

from datetime import datetime, timedelta

from django.db.models import Q

from casework.models import CaseState
from workflows.models import DEFAULT_SLA, SlaPolicy

STEP_OF_STATE = {
    CaseState.REPORTED: "verify",
    CaseState.RETURNED: "verify",
    CaseState.VERIFIED: "assist",
    CaseState.ASSISTED: "close",
}
STEP_INDEX = {"verify": 0, "assist": 1, "close": 2}


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
    return DEFAULT_SLA[urgency][STEP_INDEX[step]]


def due_at(*, state: str, urgency: str, category_id: str, entered_at: datetime) -> datetime | None:
    period = step_period(state=state, urgency=urgency, category_id=category_id)
    return entered_at + period if period is not None else None
