"""Query-string filters of the case list and export. Bad values are a 400 naming the parameter."""

import re

import django_filters as filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from casework.models import Case, CaseState, Category, Urgency

REGION_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


def _invalid(param: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({param: [message]}, code=code)


class CaseFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=CaseState.choices)
    category = filters.ModelChoiceFilter(
        queryset=Category.objects.all(), to_field_name="code", field_name="category"
    )
    urgency = filters.ChoiceFilter(choices=Urgency.choices)
    region = filters.CharFilter(method="filter_region", help_text=_("A region code: it and below."))
    assigned_to = filters.CharFilter(method="filter_assigned_to", help_text=_("A user id or `me`."))
    reported_by = filters.CharFilter(method="filter_reported_by", help_text=_("`me`."))
    # A choice, not a BooleanFilter: that one silently ignores "maybe" instead of refusing it.
    overdue = filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")], method="filter_overdue"
    )
    search = filters.CharFilter(method="filter_search", help_text=_("Reference prefix or name."))
    created_after = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_region(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if not REGION_CODE.match(value):
            raise _invalid("region", str(_("A region code looks like 63.71 or 63.71.04.1003.")))
        return queryset.filter(Q(region_id=value) | Q(region__code__startswith=f"{value}."))

    def filter_assigned_to(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if value == "me":
            return queryset.filter(assigned_to=self.request.user)
        if not value.isdigit():
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
