"""The case export (`GET /api/v1/cases/export/`): CSV rows built from plain values, streamed.

One query read through a server-side cursor in chunks (PostgreSQL) and written row by row, so
memory stays flat whatever the number of cases. Personal fields are masked by the rule of the
API (`casework.access.may_see_personal_data`); region names come from the per-process reference
cache, not from joins.
"""

import csv
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from casework import reference_cache
from casework.access import may_see_personal_data
from casework.models import Case, CaseState, User
from casework.nik import mask_nik
from casework.phones import mask_phone
from casework.serializers import birth_date_shown

CHUNK = 2000
# (CSV column, the value it is built from); documented in the endpoint's schema.
COLUMNS = [
    "reference", "created_at", "observed_at", "state", "state_changed_at", "category",
    "urgency", "regency_code", "regency", "district", "village", "assigned_to", "due_at",
    "overdue", "outcome", "referred_to", "subject_name", "subject_sex", "subject_birth_date",
    "subject_nik", "subject_phone",
]  # fmt: skip
VALUES = [
    "reference", "created_at", "observed_at", "state", "state_changed_at", "category_id",
    "urgency", "region_id", "regency_id", "reported_by_id", "assigned_to__username", "due_at",
    "outcome", "referred_to", "subject__name", "subject__sex", "subject__birth_date",
    "subject__nik", "subject__phone",
]  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DISTRICT_LENGTH, VILLAGE_LENGTH = len("63.71.04"), len("63.71.04.1003")


class _Line:
    """A file-like object that hands back what csv.writer writes to it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    user: User, cases: QuerySet[Case], *, log: Callable[[list], None] | None = None
) -> Iterator[str]:
    """The export as CSV text: a UTF-8 BOM (spreadsheets then read it right) and the header,
    then the cases newest first, CHUNK lines at a time.

    Before each chunk is handed on, `log` gets the ids of its cases whose personal data the
    reader sees in full: whatever was sent was logged first, and a download broken off logs no
    more than it sent. The first bytes leave after one chunk, not after the whole export.
    """
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(COLUMNS)
    now = timezone.now()
    rows = cases.order_by("-created_at", "-id").values("pk", *VALUES).iterator(chunk_size=CHUNK)
    while True:
        text, shown = _part(user, islice(rows, CHUNK), now, writer)
        if not text:
            return
        if log is not None and shown:
            log(shown)
        yield text
        del text, shown  # not held while the next part is read: memory stays one part's


def _part(user: User, rows: Iterable[dict], now: datetime, writer: Any) -> tuple[str, list]:
    """The CSV text of these rows, and the ids of those shown in full."""
    lines, shown = [], []
    for row in rows:
        # may_see_personal_data reads only these two fields of the case.
        case = Case(reported_by_id=row["reported_by_id"], regency_id=row["regency_id"])
        full = may_see_personal_data(user, case)
        if full:
            shown.append(row["pk"])
        lines.append(writer.writerow(_line(row, now, full=full)))
    return "".join(lines), shown


def _line(row: dict[str, Any], now: datetime, *, full: bool) -> list[str]:
    open_ = row["state"] != CaseState.CLOSED
    return [
        row["reference"],
        _when(row["created_at"]),
        _when(row["observed_at"]),
        row["state"],
        _when(row["state_changed_at"]),
        row["category_id"],
        row["urgency"],
        row["regency_id"],
        _name(row["regency_id"]),
        _name(row["region_id"][:DISTRICT_LENGTH])
        if len(row["region_id"]) >= DISTRICT_LENGTH
        else "",
        _name(row["region_id"]) if len(row["region_id"]) == VILLAGE_LENGTH else "",
        row["assigned_to__username"] or "",
        _when(row["due_at"]),
        "yes" if open_ and row["due_at"] is not None and row["due_at"] <= now else "no",
        row["outcome"],
        _text(row["referred_to"]),
        _text(row["subject__name"]),
        row["subject__sex"],
        birth_date_shown(row["subject__birth_date"], full=full) or "",
        row["subject__nik"] if full else mask_nik(row["subject__nik"]),
        _text(row["subject__phone"] if full else mask_phone(row["subject__phone"])),
    ]


def _text(value: str) -> str:
    """Typed text a spreadsheet would run as a formula (`=…`, `+…`, `-…`, `@…`) is kept as text
    by a leading apostrophe (OWASP's CSV injection advice); a phone keeps its "+"."""
    return f"'{value}" if value[:1] in FORMULA_STARTS else value


def _name(code: str) -> str:
    region = reference_cache.regions.get(code)
    return region.name if region else ""


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).isoformat() if value is not None else ""
