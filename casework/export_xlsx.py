"""The case export as an Excel workbook (`format=xlsx`): the CSV's rows for people, not programs.

Headers in the reader's language, labels instead of codes, times as real date cells in WITA, NIK
and phone as text (Excel keeps 15 significant digits of a number: a 16-digit NIK typed as one
loses its last digit), "overdue" as Ya/Tidak. The rows, their masking and their access log are
the CSV's (`casework.export.export_parts`).

Written with XlsxWriter in `constant_memory` mode: each row goes to a scratch file as soon as the
next one starts and strings are written inline, so nothing grows with the number of cases
(openpyxl's write-only mode keeps every distinct string in an in-memory shared-strings table:
a million NIKs and names would stay in memory until the end). A zip cannot be sent before it is
finished, so the workbook is built into a temporary file first, then sent from it in blocks:
the whole file is logged before its first byte leaves.
"""

import tempfile
from collections.abc import Callable
from datetime import date, datetime
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from xlsxwriter import Workbook

from casework import reference_cache
from casework.export import ExportRow, export_parts
from casework.models import Case, CaseState, Outcome, Sex, Urgency, User

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# (header, column width in characters), in the order of `_cells`.
HEADERS = [
    (_("Reference"), 18),
    (_("Reported at"), 17),
    (_("Observed at"), 17),
    (_("Status"), 14),
    (_("Status changed at"), 17),
    (_("Category (PPKS)"), 40),
    (_("Urgency"), 12),
    (_("Regency/city code"), 12),
    (_("Regency/city"), 22),
    (_("District (kecamatan)"), 22),
    (_("Village (desa/kelurahan)"), 22),
    (_("Assignee"), 16),
    (_("Due at"), 17),
    (_("Overdue"), 10),
    (_("Outcome"), 16),
    (_("Referred to"), 24),
    (_("Name"), 28),
    (_("Sex"), 12),
    (_("Birth date"), 12),
    (_("Estimated age (years)"), 12),
    (_("NIK"), 19),
    (_("Phone"), 17),
]
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
DATE_FORMAT = "dd/mm/yyyy"


def xlsx_file(
    user: User, cases: QuerySet[Case], *, log: Callable[[list], None] | None = None
) -> IO[bytes]:
    """The export as a workbook in an anonymous temporary file (gone once closed), rewound.

    Headers and labels are in the active language (the request's). `log` is called chunk by
    chunk as for the CSV, as each chunk is written.
    """
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller, who closes it
    try:
        # XlsxWriter's own scratch files live in a directory removed whatever happens here.
        with tempfile.TemporaryDirectory(prefix="ppks-xlsx-") as scratch:
            _write(out, user, cases, log=log, scratch=scratch)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def _write(
    out: IO[bytes],
    user: User,
    cases: QuerySet[Case],
    *,
    log: Callable[[list], None] | None,
    scratch: str,
) -> None:
    book = Workbook(
        out,
        {
            "constant_memory": True,
            "tmpdir": scratch,
            # Text stays text: a name typed as "=HYPERLINK(…)" is never a formula, a NIK never
            # a number, and no string becomes a link.
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = book.add_worksheet(str(_("Cases")))
    bold = book.add_format({"bold": True})
    when = book.add_format({"num_format": DATETIME_FORMAT})
    day = book.add_format({"num_format": DATE_FORMAT})
    for column, (header, width) in enumerate(HEADERS):
        sheet.set_column(column, column, width)
        sheet.write_string(0, column, str(header), bold)
    sheet.freeze_panes(1, 0)
    labels = _Labels()
    number = 0
    for rows in export_parts(user, cases, log=log):
        for row in rows:
            number += 1
            for column, value in enumerate(_cells(row, labels)):
                if isinstance(value, datetime):
                    sheet.write_datetime(number, column, value, when)
                elif isinstance(value, date):
                    sheet.write_datetime(number, column, value, day)
                elif isinstance(value, int):  # an estimated age, 0 for a baby included
                    sheet.write_number(number, column, value)
                elif value:
                    sheet.write_string(number, column, value)
        del rows  # not held while the next part is built: memory stays one part's
    sheet.autofilter(0, 0, number, len(HEADERS) - 1)
    book.close()


class _Labels:
    """The words for the codes, looked up once per export in the active language."""

    def __init__(self) -> None:
        english = (get_language() or "").startswith("en")
        self.categories = {
            code: (category.name_en if english else category.name)
            for code in reference_cache.categories.codes()
            if (category := reference_cache.categories.get(code)) is not None
        }
        self.states = {value: str(label) for value, label in CaseState.choices}
        self.urgencies = {value: str(label) for value, label in Urgency.choices}
        self.outcomes = {value: str(label) for value, label in Outcome.choices}
        self.sexes = {value: str(label) for value, label in Sex.choices}
        self.yes, self.no = str(_("Yes")), str(_("No"))


def _cells(row: ExportRow, labels: _Labels) -> list[Any]:
    birth_date = row.subject_birth_date
    return [
        row.reference,
        _local(row.created_at),
        _local(row.observed_at),
        labels.states.get(row.state, row.state),
        _local(row.state_changed_at),
        labels.categories.get(row.category, row.category),
        labels.urgencies.get(row.urgency, row.urgency),
        row.regency_code,
        row.regency,
        row.district,
        row.village,
        row.assigned_to,
        _local(row.due_at),
        labels.yes if row.overdue else labels.no,
        labels.outcomes.get(row.outcome, row.outcome),
        row.referred_to,
        row.subject_name,
        labels.sexes.get(row.subject_sex, row.subject_sex),
        birth_date,  # a date when shown in full, else its masked text ("1948-**-**")
        row.subject_age_estimate,
        row.subject_nik,
        row.subject_phone,
    ]


def _local(value: datetime | None) -> datetime | None:
    """The time in WITA without its offset (Excel has no time zones), to the second."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)
