"""The case export (`GET /api/v1/cases/export/`): the rows, read and masked once, and their CSV.

One query read through a server-side cursor in chunks (PostgreSQL); each chunk becomes
`ExportRow`s, masked by the rule of the API (`casework.access.may_see_personal_data`), with
region names from the per-process reference cache rather than joins. `export_parts` hands the
chunks on one at a time, logging each just before: the CSV here streams them, the workbook of
`casework.export_xlsx` spools them. Memory stays one chunk's whatever the number of cases.

The CSV is the machine format: codes, ISO 8601 times in WITA to the second, numbers as typed.
"""

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from itertools import islice
from typing import Any, Literal, NamedTuple

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework import reference_cache
from casework.access import may_see_personal_data
from casework.models import Case, CaseState, User
from casework.nik import mask_nik
from casework.phones import mask_phone
from casework.serializers import birth_date_shown
from common.errors import ValidationFailed

CHUNK = 2000
FORMATS = ("csv", "xlsx")
ExportFormat = Literal["csv", "xlsx"]


class ExportRow(NamedTuple):
    """One exported case as both formats see it: personal fields already masked for the reader,
    times as stored (aware), codes as stored. Its field names are the CSV's columns."""

    reference: str
    created_at: datetime
    observed_at: datetime
    state: str
    state_changed_at: datetime
    category: str
    urgency: str
    regency_code: str
    regency: str
    district: str
    village: str
    assigned_to: str
    due_at: datetime | None
    overdue: bool
    outcome: str
    referred_to: str
    subject_name: str
    subject_sex: str
    subject_birth_date: date | str | None  # the date shown in full, or its masked text
    subject_age_estimate: int | None  # years, when the birth date is not known
    subject_nik: str
    subject_phone: str


# Documented in the endpoint's schema.
COLUMNS = list(ExportRow._fields)
VALUES = [
    "reference", "created_at", "observed_at", "state", "state_changed_at", "category_id",
    "urgency", "region_id", "regency_id", "reported_by_id", "assigned_to__username", "due_at",
    "outcome", "referred_to", "subject__name", "subject__sex", "subject__birth_date",
    "subject__age_estimate", "subject__nik", "subject__phone",
]  # fmt: skip
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A stored phone is E.164 ("+62…", `casework.phones`), masked or not: a number, never a formula.
PHONE = re.compile(r"^\+[0-9*]+$")
DISTRICT_LENGTH, VILLAGE_LENGTH = len("63.71.04"), len("63.71.04.1003")


def export_format(value: str | None) -> ExportFormat:
    """The `format` query parameter: `csv` (the default, also when given empty, as any query
    parameter given empty is one not given) or `xlsx`; anything else is a 400."""
    if value is None or value in ("", "csv"):
        return "csv"
    if value == "xlsx":
        return "xlsx"
    raise ValidationFailed.for_field("format", "invalid_choice", _("Use csv or xlsx."))


def export_parts(
    user: User, cases: QuerySet[Case], *, log: Callable[[list], None] | None = None
) -> Iterator[list[ExportRow]]:
    """The cases newest first as rows, CHUNK at a time.

    Before each chunk is handed on, `log` gets the ids of its cases whose personal data the
    reader sees in full: whatever goes out was logged first, and a consumer that stops early
    (a CSV download broken off) logs no more than it took.
    """
    now = timezone.now()
    values = cases.order_by("-created_at", "-id").values("pk", *VALUES).iterator(chunk_size=CHUNK)
    while True:
        rows, shown = _part(user, islice(values, CHUNK), now)
        if not rows:
            return
        if log is not None and shown:
            log(shown)
        yield rows
        del rows, shown  # not held while the next part is read: memory stays one part's


def _part(user: User, values: Iterable[dict], now: datetime) -> tuple[list[ExportRow], list]:
    """These cases' rows, and the ids of those shown in full."""
    rows, shown = [], []
    for value in values:
        # may_see_personal_data reads only these two fields of the case.
        case = Case(reported_by_id=value["reported_by_id"], regency_id=value["regency_id"])
        full = may_see_personal_data(user, case)
        if full:
            shown.append(value["pk"])
        rows.append(_row(value, now, full=full))
    return rows, shown


def _row(value: dict[str, Any], now: datetime, *, full: bool) -> ExportRow:
    region = value["region_id"]
    due_at = value["due_at"]
    birth_date = value["subject__birth_date"]
    return ExportRow(
        reference=value["reference"],
        created_at=value["created_at"],
        observed_at=value["observed_at"],
        state=value["state"],
        state_changed_at=value["state_changed_at"],
        category=value["category_id"],
        urgency=value["urgency"],
        regency_code=value["regency_id"],
        regency=_name(value["regency_id"]),
        district=_name(region[:DISTRICT_LENGTH]) if len(region) >= DISTRICT_LENGTH else "",
        village=_name(region) if len(region) == VILLAGE_LENGTH else "",
        assigned_to=value["assigned_to__username"] or "",
        due_at=due_at,
        overdue=value["state"] != CaseState.CLOSED and due_at is not None and due_at <= now,
        outcome=value["outcome"],
        referred_to=value["referred_to"],
        subject_name=value["subject__name"],
        subject_sex=value["subject__sex"],
        subject_birth_date=birth_date if full else birth_date_shown(birth_date, full=False),
        subject_age_estimate=value["subject__age_estimate"],
        subject_nik=value["subject__nik"] if full else mask_nik(value["subject__nik"]),
        subject_phone=value["subject__phone"] if full else mask_phone(value["subject__phone"]),
    )


def _name(code: str) -> str:
    region = reference_cache.regions.get(code)
    return region.name if region else ""


class _Line:
    """A file-like object that hands back what csv.writer writes to it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    user: User, cases: QuerySet[Case], *, log: Callable[[list], None] | None = None
) -> Iterator[str]:
    """The export as CSV text: a UTF-8 BOM (spreadsheets then read it right) and the header,
    then the cases newest first, CHUNK lines at a time, each chunk logged (`export_parts`) just
    before it is sent. The first bytes leave after one chunk, not after the whole export.
    """
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(COLUMNS)
    for rows in export_parts(user, cases, log=log):
        text = "".join([writer.writerow(_csv_line(row)) for row in rows])
        del rows  # not held while the next part is built
        yield text


def _csv_line(row: ExportRow) -> list[str]:
    birth_date = row.subject_birth_date
    return [
        row.reference,
        _when(row.created_at),
        _when(row.observed_at),
        row.state,
        _when(row.state_changed_at),
        row.category,
        row.urgency,
        row.regency_code,
        row.regency,
        row.district,
        row.village,
        row.assigned_to,
        _when(row.due_at),
        "yes" if row.overdue else "no",
        row.outcome,
        _text(row.referred_to),
        _text(row.subject_name),
        row.subject_sex,
        birth_date.isoformat() if isinstance(birth_date, date) else birth_date or "",
        "" if row.subject_age_estimate is None else str(row.subject_age_estimate),
        row.subject_nik,
        row.subject_phone if PHONE.match(row.subject_phone) else _text(row.subject_phone),
    ]


def _text(value: str) -> str:
    """Typed text a spreadsheet would run as a formula (`=…`, `+…`, `-…`, `@…`) is kept as text
    by a leading apostrophe (OWASP's CSV injection advice)."""
    return f"'{value}" if value[:1] in FORMULA_STARTS else value


def _when(value: datetime | None) -> str:
    """ISO 8601 in WITA, to the second: the microseconds the database keeps are noise here."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value is not None else ""
