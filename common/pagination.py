"""Cursor pagination and ordering for every list: constant cost per page however deep, at a
million rows; a forged cursor or an unknown ordering is the client's error, never a 500."""

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import CursorPagination

from common.errors import ValidationFailed


class CheckedCursorPagination(CursorPagination):
    """Newest first by `created_at` unless a subclass orders otherwise; the cursor is checked."""

    ordering: str | list[str] | tuple[str, ...] = "-created_at"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request):
        """An unreadable or forged cursor is the client's error (400 naming `cursor`), never a
        database error."""
        try:
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
        raw = request.query_params.get(self.page_size_query_param, "")
        if raw == "":
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            raise ValidationFailed.for_field(
                self.page_size_query_param,
                "invalid_page_size",
                _("Use a whole number from 1 to %(max)d.") % {"max": self.max_page_size},
                label=_("Page size"),
            )
        return min(int(raw), self.max_page_size)

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
