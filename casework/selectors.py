"""Reads: querysets already scoped to the user, with what the serializers need joined in."""

import uuid

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from casework import reference_cache
from casework.access import jurisdiction_root, visible_cases_q
from casework.models import Case, CaseState, Category, Region, Role, User, region_and_below
from common.errors import NotFound

# What CaseOutput reads. Not the category: its code is on the case row, and every extra join
# costs PostgreSQL planning time on each page.
CASE_RELATED = ("region", "subject", "reported_by", "assigned_to")


def cases_visible_to(user: User) -> QuerySet[Case]:
    return Case.objects.filter(visible_cases_q(user)).select_related(*CASE_RELATED)


def reports_home(user: User, *, limit: int) -> list[Case]:
    """The first `limit` cases the user reported, as far as they may see them: those returned
    to them (theirs to act on) first, then the newest change first.

    Two reads, each an index range in order stopped at the page (`case_reporter_returned`,
    `case_reporter_changed`): one ordered by "returned first" would sort every report of a
    volunteer with tens of thousands of them.
    """
    mine = cases_visible_to(user).filter(reported_by=user)
    newest = ("-state_changed_at", "-created_at")
    returned = list(mine.filter(state=CaseState.RETURNED).order_by(*newest)[:limit])
    rest = mine.exclude(state=CaseState.RETURNED).order_by(*newest)
    return returned + list(rest[: max(limit - len(returned), 0)])


def case_get_for_user(*, user: User, case_id: uuid.UUID | str) -> Case:
    """The case if the user may see it; otherwise 404, whether or not it exists."""
    try:
        return cases_visible_to(user).get(pk=case_id)
    except (Case.DoesNotExist, ValueError) as exc:
        raise NotFound() from exc


def region_list() -> QuerySet[Region]:
    return Region.objects.all()


def case_lock_for_user(*, user: User, case_id: uuid.UUID | str) -> Case:
    """The case locked FOR UPDATE, if the user may see it (404 otherwise, decided under the lock).

    Call inside a transaction. Joined like `cases_visible_to`, so the answer renders without
    more queries; only the case row is locked (`of`: PostgreSQL refuses to lock the nullable
    side of an outer join, and the people and places are not being changed).
    """
    try:
        return (
            Case.objects.select_for_update(of=("self",))
            .select_related(*CASE_RELATED)
            .filter(visible_cases_q(user))
            .get(pk=case_id)
        )
    except (Case.DoesNotExist, ValueError) as exc:
        raise NotFound() from exc


def category_list() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


def active_category(code: str) -> Category | None:
    """The category a new report may use (from the process's reference cache)."""
    category = reference_cache.categories.get(code)
    return category if category is not None and category.is_active else None


def existing_region_codes(codes: list[str]) -> set[str]:
    return {code for code in codes if reference_cache.regions.get(code) is not None}


def region_get(code: str) -> Region | None:
    """The region of this code (from the process's reference cache), or None."""
    return reference_cache.regions.get(code)


def reportable_region(code: str) -> Region | None:
    """The region if a case can be filed in it (see `Region.is_reportable`), else None."""
    region = reference_cache.regions.get(code)
    return region if region is not None and region.is_reportable else None


def officers_within_reach(user: User) -> QuerySet[User]:
    """The active officers of the user's office (an officer's kabupaten/kota, a supervisor's
    region), each with how many open cases they hold and how many of those are overdue: whom a
    case can be assigned to, and how loaded they are."""
    root = jurisdiction_root(user)
    if root is None:
        return User.objects.none()
    held = ~Q(assigned_cases__state=CaseState.CLOSED)
    return (
        User.objects.filter(region_and_below("region__code", root), role=Role.OFFICER)
        .filter(is_active=True)
        .select_related("region")
        .annotate(
            open_cases=Count("assigned_cases", filter=held),
            overdue_cases=Count(
                "assigned_cases", filter=held & Q(assigned_cases__due_at__lte=timezone.now())
            ),
        )
    )
