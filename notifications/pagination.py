from common.pagination import CheckedCursorPagination


class InboxPagination(CheckedCursorPagination):
    """Newest first; a cursor, so new arrivals never shift the page being read."""

    ordering = ("-created_at", "-id")
    page_size = 50
