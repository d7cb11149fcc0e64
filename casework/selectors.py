"""Reads: querysets already scoped to the user, with what the serializers need joined in."""

import uuid

from django.db.models import Q, QuerySet

from casework.access import visible_cases_q
from casework.errors import NotFound
from casework.models import Case, Category, Region, RegionLevel, User

CASE_RELATED = ("category", "region", "subject", "reported_by", "assigned_to")


def cases_visible_to(user: User) -> QuerySet[Case]:
    return Case.objects.filter(visible_cases_q(user)).select_related(*CASE_RELATED)


def case_get_for_user(*, user: User, case_id: uuid.UUID | str) -> Case:
    """The case if the user may see it; otherwise 404, whether or not it exists."""
    try:
        return cases_visible_to(user).get(pk=case_id)
    except (Case.DoesNotExist, ValueError) as exc:
        raise NotFound() from exc


def region_list(
    *, parent: str | None = None, level: str | None = None, search: str | None = None
) -> QuerySet[Region]:
    regions = Region.objects.all()
    if parent:
        regions = regions.filter(parent_id=parent)
    if level:
        regions = regions.filter(level=level)
    if search:
        regions = regions.filter(Q(name__icontains=search) | Q(code__startswith=search))
    return regions


def category_list() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


def existing_region_codes(codes: list[str]) -> set[str]:
    return set(Region.objects.filter(code__in=codes).values_list("code", flat=True))


def reportable_region(code: str) -> Region | None:
    """A region a case can be filed in: any level below the province, within Kalimantan Selatan."""
    return Region.objects.exclude(level=RegionLevel.PROVINCE).filter(code=code).first()
