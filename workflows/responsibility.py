"""Who is responsible for a case, and so who is told: read from data editable in the admin.

The Dinsos of the case's kabupaten/kota and the division that handles its PPKS category (the
category's `division`, loaded from ppks_categories.csv) own it. Duty officers are that
division's active officers there who are on duty (`User.on_duty`); without any, the
kabupaten/kota's supervisors; without those, the province's.
"""

from datetime import UTC, datetime

from django.db.models import Count, QuerySet
from django.utils import timezone

from casework.access import handles
from casework.models import Case, CaseState, Role, User, region_and_below


def _active(role: str) -> QuerySet[User]:
    # With the notification preference: the recipients' channels then need no query of their own.
    return User.objects.filter(role=role, is_active=True).select_related("notification_preference")


def regency_supervisors(regency_code: str) -> list[User]:
    return list(_active(Role.SUPERVISOR).filter(region_id=regency_code))


def province_supervisors(regency_code: str) -> list[User]:
    return list(_active(Role.SUPERVISOR).filter(region_id=regency_code.split(".")[0]))


def supervisors(regency_code: str) -> list[User]:
    """The kabupaten/kota's supervisors, or the province's when it has none."""
    return regency_supervisors(regency_code) or province_supervisors(regency_code)


def _division_officers(case: Case) -> QuerySet[User]:
    return (
        _active(Role.OFFICER)
        .filter(region_and_below("region__code", case.regency_id))
        .filter(division=case.category.division, on_duty=True)
    )


def duty_officers(case: Case, *, besides: User | None = None) -> list[User]:
    """The officers to tell about a new (or newly arrived) case, with the fallbacks above.

    `besides`: whoever caused the event. When they are the only officer on duty, nobody else
    would hear of it, so the supervisors are told instead.
    """
    officers = [u for u in _division_officers(case) if besides is None or u.pk != besides.pk]
    return officers or supervisors(case.regency_id)


def handlers(case: Case) -> list[User]:
    """Who carries the case now: its assignee, else the duty officers.

    An assignee who can no longer act on it (deactivated, or moved to another office) would
    never read a deadline warning: the duty officers get it instead.
    """
    assignee = case.assigned_to if case.assigned_to_id else None
    if assignee is not None and assignee.is_active and handles(assignee, case):
        return [assignee]
    return duty_officers(case)


def auto_assignee(case: Case, *, besides: User | None = None) -> User | None:
    """The on-duty officer of the case's division and Dinsos with the fewest open cases; among
    equals, the one auto-assigned least recently (never first), then the lowest id; never
    `besides` (the assignee a reassignment takes the case from).

    Call inside the transaction that assigns: the candidates' rows are locked (FOR NO KEY
    UPDATE, in id order, so no deadlock and no blocking of rows that merely reference them), so
    concurrent auto-assignments in one pool take turns and each counts the others' results.
    Effects: the chosen officer's `last_assigned_at`.
    """
    officers = _division_officers(case)
    if besides is not None:
        officers = officers.exclude(pk=besides.pk)
    candidates = list(officers.order_by("pk").select_for_update(no_key=True, of=("self",)))
    if not candidates:
        return None
    open_cases = dict(
        Case.objects.filter(assigned_to__in=candidates)
        .exclude(state=CaseState.CLOSED)
        .values("assigned_to")
        .annotate(n=Count("pk"))
        .values_list("assigned_to", "n")
    )
    never = datetime(1970, 1, 1, tzinfo=UTC)
    chosen = min(
        candidates,
        key=lambda u: (open_cases.get(u.pk, 0), u.last_assigned_at or never, u.pk),
    )
    chosen.last_assigned_at = timezone.now()
    User.objects.filter(pk=chosen.pk).update(last_assigned_at=chosen.last_assigned_at)
    return chosen


def may_be_assigned(user: User, case: Case) -> bool:
    """An active officer or supervisor of the Dinsos that owns the case (not the province's:
    provincial supervisors oversee, they do not carry cases)."""
    return user.is_active and handles(user, case) and user.region_id != case.regency_id[:2]
