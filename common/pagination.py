"""Cursor pagination and ordering for every list: constant cost per page however deep, at a
million rows; a forged cursor or an unknown ordering is the client's error, never a 500."""

import re
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import CursorPagination

from common.errors import ValidationFailed

# Longer than any cursor this API hands out (a position, a reverse flag, an offset, encoded).
CURSOR_MAX = 200
CURSOR_TEXT = re.compile(r"^[A-Za-z0-9+/=]*$")


class CheckedCursorPagination(CursorPagination):
    """Newest first by `created_at` unless a subclass orders otherwise; the cursor is checked."""

    ordering: str | list[str] | tuple[str, ...] = "-created_at"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request):
        """An unreadable or forged cursor is the client's error (400 naming `cursor`), never a
        database error."""
        raw = request.query_params.get(self.cursor_query_param, "")
        try:
            if len(raw) > CURSOR_MAX or not CURSOR_TEXT.match(raw):
                raise NotFound  # base64 only, as the schema says: b64decode would skip the rest
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor = None
            valid = False
        else:
            position = cursor.position if cursor is not None else None
            valid = position is None or self._valid_position(position)
        if not valid:
            raise ValidationFailed.for_field(
                self.cursor_query_param,
                "invalid_cursor",
                self.invalid_cursor_message,
                label=_("Page cursor"),
            )
        return cursor

    def get_page_size(self, request):
        """A whole number from 1 (a larger one is cut to `max_page_size`); anything else is a
        400 naming the parameter rather than the default page in silence."""
        if self.page_size_query_param not in request.query_params:
            return self.page_size
        raw = request.query_params[self.page_size_query_param]
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise ValidationFailed.for_field(
                self.page_size_query_param,
                "invalid_page_size",
                _("Use a whole number from 1 to %(max)d.") % {"max": self.max_page_size},
                label=_("Page size"),
            )
        return min(int(raw), self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        """The parameters as the checks above take them: a cursor is base64 (valid only as a
        page handed it out), a page size a whole number from 1."""
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.cursor_query_param:
                parameter["schema"].update(pattern=CURSOR_TEXT.pattern, maxLength=CURSOR_MAX)
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters

    def _valid_position(self, position: str) -> bool:
        if "\x00" in position:
            return False
        if self.ordering[0].lstrip("-") != "created_at":
            return True
        try:
            return parse_datetime(position) is not None
        except ValueError:
            return False


class StrictOrderingFilter(OrderingFilter):
    """Like DRF's, but an unknown ordering is a 400 instead of being ignored."""

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        fields = sorted(view.ordering_fields)
        for parameter in parameters:
            parameter["schema"]["enum"] = [*fields, *(f"-{f}" for f in fields)]
        return parameters

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params:
            fields = [p.strip() for p in params.split(",")]
            allowed = {f for f in view.ordering_fields} | {f"-{f}" for f in view.ordering_fields}
            unknown = [f for f in fields if f not in allowed]
            if unknown or len(fields) > 1:
                raise ValidationFailed.for_field(
                    self.ordering_param,
                    "invalid",
                    _("Order by one of: %(fields)s.") % {"fields": ", ".join(sorted(allowed))},
                    label=_("Order"),
                )
        return super().get_ordering(request, queryset, view)
