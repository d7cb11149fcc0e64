"""The pages of the casework lists."""

from common.pagination import CheckedCursorPagination


class CasePagination(CheckedCursorPagination):
    ordering = "-created_at"


class RegionPagination(CheckedCursorPagination):
    ordering = "code"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class OfficerPagination(CheckedCursorPagination):
    ordering = "username"
    page_size = 100
    max_page_size = 500
