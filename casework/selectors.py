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


def case_id_of_reference(user: User, reference: str) -> str | None:
    """The id of the case with this reference among those the user may see: one out of reach
    is as unknown as one that does not exist."""
    found = (
        cases_visible_to(user)
        .filter(reference=reference.strip().upper())
        .values_list("pk", flat=True)
        .first()
    )
    return str(found) if found is not None else None


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


def names_of(user_ids: set[int]) -> dict[int, str]:
    """The names people are known by (full name, else username), by id: who a case's history
    says it was handed to."""
    if not user_ids:
        return {}
    rows = User.objects.filter(pk__in=user_ids).values_list("pk", "full_name", "username")
    return {pk: full_name or username for pk, full_name, username in rows}


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


# The work queue's sections (`work_queue`): what waits on an officer, each a scoped queryset.
QUEUE_DUE = "due"  # open cases, overdue first then by deadline
QUEUE_NEW = "new"  # new reports of their kabupaten/kota and division, not yet assigned
QUEUE_MINE = "mine"  # open cases assigned to them
QUEUE_RETURNED = "returned"  # returned, waiting on the reporter
QUEUE_ALL = "all"  # everything within reach
QUEUE_SECTIONS = (QUEUE_DUE, QUEUE_NEW, QUEUE_MINE, QUEUE_RETURNED, QUEUE_ALL)


def work_queue(user: User, section: str) -> QuerySet[Case]:
    """The cases of one section of the officer's work queue, as far as they may see them
    (`cases_visible_to`); unordered: the page orders and pages them."""
    cases = cases_visible_to(user)
    if section == QUEUE_ALL:
        return cases
    if section == QUEUE_RETURNED:
        return cases.filter(state=CaseState.RETURNED)
    if section == QUEUE_MINE:
        return cases.filter(assigned_to=user).exclude(state=CaseState.CLOSED)
    if section == QUEUE_NEW:
        # As routing decides whose a new report is (`workflows.responsibility`): the case's
        # kabupaten/kota and the division its category belongs to.
        root = jurisdiction_root(user)
        if root is None or not user.division:
            return cases.none()
        return cases.filter(
            region_and_below("regency__code", root),
            state=CaseState.REPORTED,
            assigned_to__isnull=True,
            category__division=user.division,
        )
    return cases.exclude(state=CaseState.CLOSED)
