from casework.pagination import CasePagination


class InboxPagination(CasePagination):
    """Newest first; a cursor, so new arrivals never shift the page being read."""

    ordering = ("-created_at", "-id")
    page_size = 50
