"""Query-string filters of the case list and export. Bad values are a 400 naming the parameter."""

import re
from datetime import UTC, datetime
from typing import Any

import django_filters as filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from casework.models import (
    Case,
    CaseState,
    Category,
    Division,
    Region,
    RegionLevel,
    Urgency,
    User,
    region_and_below,
)
from casework.reference_data import reference_rows
from common.filters import ChoiceFilter, ModelChoiceFilter
from common.serializers import valid_offset

REGION_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
MAX_ID_DIGITS = 18  # fits a bigint; longer is not an id
# What the schema says of codes: a Kemendagri region code, a PPKS category code.
REGION_CODE_SCHEMA = {"type": "string", "pattern": REGION_CODE.pattern}
# The Permensos categories as the reference data loads them: the codes a category can have.
CATEGORY_CODES = sorted(row["code"] for row in reference_rows("ppks_categories.csv"))
CATEGORY_CODE_SCHEMA = {"type": "string", "enum": CATEGORY_CODES}


class CodeFilter(filters.CharFilter):
    """A code is taken as written: a form field would trim it, and " 63.71" is no code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("strip", False)
        super().__init__(*args, **kwargs)


@extend_schema_field(REGION_CODE_SCHEMA)
class RegionCodeFilter(CodeFilter):
    pass


@extend_schema_field(CATEGORY_CODE_SCHEMA)
class CategoryFilter(ModelChoiceFilter):
    pass


@extend_schema_field({"type": "string", "pattern": rf"^(me|[0-9]{{1,{MAX_ID_DIGITS}}})$"})
class UserIdFilter(CodeFilter):
    pass


@extend_schema_field({"type": "string", "enum": ["me"]})
class MeFilter(CodeFilter):
    pass


# Before any case (and after 1932, when WITA became +08:00: an older instant would be shown in
# Makassar's mean solar time, +07:57:36, which RFC 3339 cannot write).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


class BoundedDateTimeField(IsoDateTimeField):
    """An ISO datetime as a bound: one beyond what Python holds (year 1, year 9999 in a far
    zone) is the bound it means, the offset one RFC 3339 can write
    (`common.serializers.valid_offset`). The value is handed on in UTC."""

    def to_python(self, value: Any) -> datetime | None:
        try:
            parsed = super().to_python(value)
        except OverflowError:
            # Year 1 or 9999 in a zone that pushes it past what Python holds: a bound all the
            # same, and bounds beyond every case mean what they say.
            return EARLIEST if str(value).strip()[:4] < "5000" else LATEST
        except ValueError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if parsed is None:
            return None
        if not valid_offset(parsed):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return min(max(parsed, EARLIEST), LATEST).astimezone(UTC)


class BoundedDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = BoundedDateTimeField


class RegionFilter(filters.FilterSet):
    parent = RegionCodeFilter(
        method="filter_parent",
        label=_("Parent region"),
        help_text=_("Children of this region code."),
    )
    level = ChoiceFilter(choices=RegionLevel.choices, label=_("Level"))
    search = filters.CharFilter(
        method="filter_search",
        max_length=100,
        label=_("Search"),
        help_text=_("Part of a name, or a code prefix."),
    )

    class Meta:
        model = Region
        fields: list[str] = []

    def filter_parent(self, queryset: QuerySet[Region], name: str, value: str) -> QuerySet[Region]:
        if not REGION_CODE.match(value):
            raise _invalid("parent", str(_("A region code looks like 63.71 or 63.71.04.1003.")))
        return queryset.filter(parent_id=value)

    def filter_search(self, queryset: QuerySet[Region], name: str, value: str) -> QuerySet[Region]:
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=value))


def _invalid(param: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({param: [message]}, code=code)


class CaseFilter(filters.FilterSet):
    state = ChoiceFilter(choices=CaseState.choices, label=_("State"))
    category = CategoryFilter(
        queryset=Category.objects.all(),
        to_field_name="code",
        field_name="category",
        label=_("Category"),
    )
    urgency = ChoiceFilter(choices=Urgency.choices, label=_("Urgency"))
    region = RegionCodeFilter(
        method="filter_region", label=_("Region"), help_text=_("A region code: it and below.")
    )
    assigned_to = UserIdFilter(
        method="filter_assigned_to", label=_("Assigned to"), help_text=_("A user id or `me`.")
    )
    reported_by = MeFilter(
        method="filter_reported_by", label=_("Reported by"), help_text=_("`me`.")
    )
    # A choice, not a BooleanFilter: that one silently ignores "maybe" instead of refusing it.
    overdue = ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_overdue",
        label=_("Overdue"),
    )
    search = filters.CharFilter(
        method="filter_search", label=_("Search"), help_text=_("Reference prefix or name.")
    )
    created_after = BoundedDateTimeFilter(
        field_name="created_at", lookup_expr="gte", label=_("Reported from")
    )
    created_before = BoundedDateTimeFilter(
        field_name="created_at", lookup_expr="lt", label=_("Reported before")
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_region(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if not REGION_CODE.match(value):
            raise _invalid("region", str(_("A region code looks like 63.71 or 63.71.04.1003.")))
        return queryset.filter(region_and_below("region__code", value))

    def filter_assigned_to(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if value == "me":
            return queryset.filter(assigned_to=self.request.user)
        if not (value.isascii() and value.isdigit() and len(value) <= MAX_ID_DIGITS):
            raise _invalid("assigned_to", str(_("Use a user id or `me`.")))
        return queryset.filter(assigned_to_id=int(value))

    def filter_reported_by(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if value != "me":
            raise _invalid("reported_by", str(_("Only `me` is supported.")))
        return queryset.filter(reported_by=self.request.user)

    def filter_overdue(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        overdue = Q(due_at__lte=timezone.now()) & ~Q(state=CaseState.CLOSED)
        return queryset.filter(overdue if value == "true" else ~overdue)

    def filter_search(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(reference__istartswith=value) | Q(subject__name__icontains=value))


class OfficerFilter(filters.FilterSet):
    region = RegionCodeFilter(
        method="filter_region",
        label=_("Region"),
        help_text=_("A region code: it and below."),
    )
    division = ChoiceFilter(choices=Division.choices, label=_("Division"))

    class Meta:
        model = User
        fields: list[str] = []

    def filter_region(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        if not REGION_CODE.match(value):
            raise _invalid("region", str(_("Use a region code such as 63.71 or 63.71.04.")))
        return queryset.filter(region_and_below("region__code", value))
