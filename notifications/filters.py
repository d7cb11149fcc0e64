"""Query-string filters of the inbox. Bad values are a 400 naming the parameter."""

import django_filters as filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from common.filters import ChoiceFilter
from notifications.models import InboxItem


class InboxFilter(filters.FilterSet):
    # A choice, not a BooleanFilter: that one silently ignores "maybe" instead of refusing it.
    unread = ChoiceFilter(
        choices=[("true", "true"), ("false", "false")], method="filter_unread", label=_("Unread")
    )

    class Meta:
        model = InboxItem
        fields: list[str] = []

    def filter_unread(
        self, queryset: QuerySet[InboxItem], name: str, value: str
    ) -> QuerySet[InboxItem]:
        return queryset.filter(read_at__isnull=value == "true")
