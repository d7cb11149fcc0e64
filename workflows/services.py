"""Everything that moves a case. Each function owns its transaction and lists its effects.

The shape of every write (see docs/architecture.md): lock the case row (404 if out of reach),
check the declared transition (409 wrong state, 403 not yours), validate the data against the
database (400), apply the transition (it only sets fields), set the step's deadline, save, write
one history row and the outbox rows, all in one transaction.
"""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from casework import services as casework_services
from casework.models import Assistance, Case, CaseState, Outcome, User
from casework.selectors import case_get_for_user, case_lock_for_user, reportable_region
from common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from workflows import deadlines, responsibility, tallies
from workflows.models import HistoryEntry
from workflows.notices import tell
from workflows.steps import COMPLETES


@dataclass
class Step:
    """What an action does besides the transition: its arguments and what it records."""

    kwargs: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    # (event, recipients) computed after the transition, when the case has its new values
    notices: Callable[[Case], list[tuple[str, Sequence[User | None]]]] = lambda case: []
    after: Callable[[Case], None] = lambda case: None


def case_report(*, reporter: User, data: casework_services.CaseData) -> Case:
    """File a new case: it enters `reported` with its verification deadline.

    Effects, in one transaction: the subject and case rows (`casework.services.case_create`),
    a `report` history row, `case_reported` outbox rows for the duty officers.
    """
    now = timezone.now()
    due = deadlines.due_at(
        state=CaseState.REPORTED,
        urgency=data.urgency,
        category_id=data.category.code,
        entered_at=now,
    )
    escalate_at = deadlines.escalation_time(deadlines.NONE, entered_at=now, due=due)
    with transaction.atomic():
        case = casework_services.case_create(
            reporter=reporter, data=data, due_at=due, escalate_at=escalate_at, at=now
        )
        record_history(case, action="report", from_state="", actor=reporter, at=now)
        tell(
            case,
            "case_reported",
            responsibility.duty_officers(case, besides=reporter),
            actor=reporter,
        )
        tallies.apply(None, tallies.snapshot(case, []))
    return case


def case_edit(*, case_id: str, actor: User, changes: dict[str, Any]) -> Case:
    """Change descriptive fields (`casework.services.case_update`); a new urgency or category
    re-times the current step from when it started.

    Effects, in one transaction: the case and subject rows; an `edit` history row naming the
    changed fields (not their values: they may be personal data).
    """
    if not changes:  # nothing asked, nothing written
        return case_get_for_user(user=actor, case_id=case_id)
    # What the dashboard counts moves with the kecamatan, category, urgency and deadline.
    retallied = bool({"region", "category", "urgency"} & set(changes))
    with transaction.atomic():
        before = tallies.locked(case_id) if retallied else None
        case = casework_services.case_update(case_id=case_id, actor=actor, changes=changes)
        if {"urgency", "category"} & set(changes):
            deadlines.schedule(case, new_step=False)
            case.save(update_fields=["due_at", "escalate_at"])
        record_history(case, action="edit", from_state=case.state, actor=actor,
                payload={"fields": sorted(changes)})  # fmt: skip
        if before is not None:
            history = tallies.entries(case)
            tallies.apply(tallies.snapshot(before, history), tallies.snapshot(case, history))
    return case


def case_transition(
    *, case_id: uuid.UUID | str, actor: User, action: str, data: dict[str, Any]
) -> Case:
    """Perform a workflow action (WORKFLOW.md) on a case.

    Effects, in one transaction: the case row (locked first), the action's own rows (e.g. an
    assistance record), one history row, the next deadline, and the outbox rows of the event.
    The case returned says whom the action told (`told_user_ids`: the outbox rows' recipients).
    Raises NotFound (out of reach), Conflict (not from this state, or its data preconditions
    fail), PermissionDenied (not this user's to do), ValidationFailed (bad references in data).
    """
    prepare = ACTIONS.get(action)
    if prepare is None:
        raise NotFound()
    with transaction.atomic():
        case = case_lock_for_user(user=actor, case_id=case_id)
        method = _transition_method(case, action)
        _check_allowed(case, method, actor)
        history = tallies.entries(case)
        before = tallies.snapshot(case, history)
        step = prepare(case, actor, data)
        from_state, now = case.state, timezone.now()
        if completed := COMPLETES.get((action, from_state)):
            record = deadlines.sla_record(completed, due=case.due_at, at=now)
            step.payload = {**step.payload, "sla": record}
        method(**step.kwargs)
        new_step = case.state != from_state or action == "transfer"
        if new_step:
            case.state_changed_at = now
        deadlines.schedule(case, new_step=new_step)
        case.save()
        step.after(case)
        entry = record_history(case, action=action, from_state=from_state, actor=actor, at=now,
                reason=step.reason, payload=step.payload)  # fmt: skip
        told = [
            user.pk
            for event, recipients in step.notices(case)
            for user in tell(case, event, recipients, actor=actor)
        ]
        case.told_user_ids = frozenset(told)
        history.append(tallies.entry_of(action, from_state, case.state, now, entry.payload))
        tallies.apply(before, tallies.snapshot(case, history))
    return case


# --- the actions ---------------------------------------------------------------------------


def _verify(case: Case, actor: User, data: dict) -> Step:
    auto = data.get("auto_assign")
    if auto is None:
        auto = settings.AUTO_ASSIGN_ON_VERIFY and data.get("assignee") is None
    if auto and data.get("assignee") is not None:
        raise ValidationFailed.for_field(
            "auto_assign", "conflict", _("Name an assignee or ask for auto-assignment, not both.")
        )
    # Nobody on duty: the verifier keeps it, as when no assignee is named.
    chosen = responsibility.auto_assignee(case) if auto else None
    assignee = chosen or _assignee(case, data.get("assignee"), default=actor)
    payload: dict[str, Any] = {"assignee": assignee.pk}
    if auto:
        payload["auto_assigned"] = chosen is not None
    return Step(
        kwargs={"assignee": assignee},
        reason=data["note"],
        payload=payload,
        notices=lambda c: [
            ("case_verified", [c.reported_by]),
            ("case_assigned", [assignee]),
        ],
    )


def _return(case: Case, actor: User, data: dict) -> Step:
    return Step(reason=data["reason"], notices=lambda c: [("case_returned", [c.reported_by])])


def _resubmit(case: Case, actor: User, data: dict) -> Step:
    changes = data.get("changes") or {}
    if changes:
        # Applied first, so the new verification deadline uses a corrected urgency.
        try:
            casework_services.case_update(case_id=str(case.pk), actor=actor, changes=changes)
        except ValidationFailed as error:  # name the fields as the body does: changes.<field>
            raise ValidationFailed(
                error.message,
                code=error.code,
                errors=[replace(e, field=f"changes.{e.field}") for e in error.errors],
            ) from error
        case.refresh_from_db()
    return Step(
        reason=data.get("note") or "",
        payload={"fields": sorted(changes)},
        notices=lambda c: [("case_resubmitted", responsibility.duty_officers(c, besides=actor))],
    )


def _reject(case: Case, actor: User, data: dict) -> Step:
    outcome = data["outcome"]
    original = None
    if outcome == Outcome.DUPLICATE:
        original = _duplicate_target(case, actor, data.get("duplicate_of"))
    elif data.get("duplicate_of") is not None:
        raise ValidationFailed.for_field(
            "duplicate_of", "invalid", _("Only a duplicate names the case it duplicates.")
        )
    return Step(
        kwargs={"outcome": outcome, "duplicate_of": original},
        reason=data["reason"],
        payload={"outcome": outcome, "duplicate_of": str(original.pk) if original else None},
        notices=lambda c: [("case_closed", [c.reported_by])],
    )


def _assist(case: Case, actor: User, data: dict) -> Step:
    record = assistance_build(case, actor, data)
    # The description stays on the assistance record; history names the record.
    return Step(
        payload={"kind": record.kind, "delivered_at": record.delivered_at.isoformat()},
        after=lambda c: record.save(),
        notices=lambda c: [("case_assisted", [c.reported_by])],
    )


def _close(case: Case, actor: User, data: dict) -> Step:
    outcome, referred_to = data["outcome"], (data.get("referred_to") or "").strip()
    if outcome == Outcome.REFERRED and not referred_to:
        raise ValidationFailed.for_field(
            "referred_to", "required", _("Say where the case was referred to.")
        )
    return Step(
        kwargs={"outcome": outcome, "referred_to": referred_to},
        reason=data["summary"],
        payload={"outcome": outcome, "referred_to": referred_to},
        notices=lambda c: [("case_closed", [c.reported_by])],
    )


def _reopen(case: Case, actor: User, data: dict) -> Step:
    """A case rejected before anyone was assigned comes back assigned to the supervisor."""
    return Step(
        kwargs={"by": actor},
        reason=data["reason"],
        notices=lambda c: [("case_reopened", [c.assigned_to])],
    )


def _assign(case: Case, actor: User, data: dict) -> Step:
    auto, named = data.get("auto_assign", False), data.get("assignee")
    if auto and named is not None:
        raise ValidationFailed.for_field(
            "auto_assign", "conflict", _("Name an assignee or ask for auto-assignment, not both.")
        )
    if not auto and named is None:
        raise ValidationFailed.for_field(
            "assignee", "required", _("Choose the officer, or ask for auto-assignment.")
        )
    if auto:
        # Reassigning "automatically" means someone else: the case is taken off its assignee.
        chosen = responsibility.auto_assignee(case, besides=case.assigned_to)
        if chosen is None:
            raise ValidationFailed.for_field(
                "auto_assign",
                "nobody_on_duty",
                _("No other officer of this division is on duty: choose one by name."),
            )
        assignee = chosen
    else:
        assignee = _assignee(case, named)
    payload: dict[str, Any] = {"assignee": assignee.pk, "previous": case.assigned_to_id}
    if auto:
        payload["auto_assigned"] = True
    return Step(
        kwargs={"assignee": assignee},
        reason=data.get("note") or "",
        payload=payload,
        notices=lambda c: [("case_assigned", [assignee])],
    )


def _transfer(case: Case, actor: User, data: dict) -> Step:
    region = reportable_region(data["region"])
    if region is None:
        raise ValidationFailed.for_field(
            "region", "unknown_region", _("Choose a region in Kalimantan Selatan.")
        )
    if region.regency_code == case.regency_id:
        raise ValidationFailed.for_field(
            "region",
            "same_regency",
            _("The case is already with this regency/city: correct the region instead."),
        )
    return Step(
        kwargs={"region": region},
        reason=data["reason"],
        payload={"from_region": case.region_id, "to_region": region.code},
        notices=lambda c: [("case_transferred", responsibility.duty_officers(c, besides=actor))],
    )


ACTIONS: dict[str, Callable[[Case, User, dict], Step]] = {
    "verify": _verify,
    "return": _return,
    "resubmit": _resubmit,
    "reject": _reject,
    "assist": _assist,
    "close": _close,
    "reopen": _reopen,
    "assign": _assign,
    "transfer": _transfer,
}


# --- checks and records --------------------------------------------------------------------


def _transition_method(case: Case, action: str) -> Callable[..., None]:
    for transition in case.get_all_state_transitions():
        if transition.custom.get("action") == action:
            return getattr(case, transition.name)
    raise NotFound()  # an action not declared for cases


def _check_allowed(case: Case, method: Callable[..., None], actor: User) -> None:
    if not can_proceed(method, check_conditions=False):
        raise Conflict(
            _("This action is not possible while the case is %(state)s.")
            % {"state": case.get_state_display()},
            code="invalid_transition",
        )
    # The meta's own check: django_fsm.has_transition_perm would also test the conditions,
    # turning an unmet precondition (409) into a refusal (403).
    if not method._django_fsm.has_transition_perm(case, case.state, actor):  # type: ignore[attr-defined]
        raise PermissionDenied(_("You may not perform this action on this case."))
    if not can_proceed(method):
        raise Conflict(
            _("The case does not meet this action's conditions yet."),
            code="transition_conditions_not_met",
        )


def _assignee(case: Case, user_id: int | None, default: User | None = None) -> User:
    if user_id is None and default is not None:
        return default
    user = User.objects.filter(pk=user_id).first() if user_id is not None else None
    if user is None or not responsibility.may_be_assigned(user, case):
        raise ValidationFailed.for_field(
            "assignee",
            "invalid_assignee",
            _("The assignee must be an active officer of the Dinsos that handles this case."),
        )
    return user


def _duplicate_target(case: Case, actor: User, case_id: Any) -> Case:
    if case_id is None:
        raise ValidationFailed.for_field(
            "duplicate_of", "required", _("Name the case this one duplicates.")
        )
    try:
        original = case_get_for_user(user=actor, case_id=case_id)
    except NotFound as exc:
        raise ValidationFailed.for_field(
            "duplicate_of", "does_not_exist", _("No such case among those you can see.")
        ) from exc
    if original.pk == case.pk:
        raise ValidationFailed.for_field(
            "duplicate_of", "invalid", _("A case cannot duplicate itself.")
        )
    if original.duplicate_of_id is not None:
        # Point at the case that survives, so two cases never end as each other's duplicate.
        raise ValidationFailed.for_field(
            "duplicate_of",
            "is_duplicate",
            _("That case is itself a duplicate: name the case it duplicates instead."),
        )
    return original


def assistance_build(case: Case, actor: User, data: dict) -> Assistance:
    """An unsaved assistance record, its delivery date checked (not in the future)."""
    delivered: date = data["delivered_at"]
    if delivered > timezone.localdate():
        raise ValidationFailed.for_field(
            "delivered_at", "future", _("Assistance cannot be delivered in the future.")
        )
    return Assistance(
        case=case,
        kind=data["kind"],
        description=data["description"],
        delivered_at=delivered,
        provider=data.get("provider") or "",
        recorded_by=actor,
    )


def record_history(
    case: Case,
    *,
    action: str,
    from_state: str,
    actor: User | None,
    at: datetime | None = None,
    reason: str = "",
    payload: dict | None = None,
) -> HistoryEntry:
    return HistoryEntry.objects.create(
        case=case,
        action=action,
        from_state=from_state,
        to_state=case.state,
        actor=actor,
        at=at or timezone.now(),
        reason=reason,
        payload=payload or {},
    )
