"""The officer's work queue (`/`): a section of `casework.selectors.work_queue`, filtered by the
API's own filterset (`casework.filters.CaseFilter`, so the page takes exactly the API's filters
and refuses what it refuses), ordered as the cases should be handled and paged by a keyset
cursor (a page costs the same however deep: no offset, no count)."""

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework.exceptions import ValidationError

from casework import reference_cache, selectors
from casework.access import jurisdiction_root
from casework.filters import CaseFilter
from casework.models import Case, CaseState, RegionLevel, Urgency, User
from web import reporting
from web.presenters import CaseRow, ago, case_rows, deadline_words

PAGE = 50
SECTION_PARAM = "bagian"
CURSOR_PARAM = "cursor"
SECTION_LABELS = {
    selectors.QUEUE_DUE: _lazy("Overdue / to handle"),
    selectors.QUEUE_NEW: _lazy("New reports"),
    selectors.QUEUE_MINE: _lazy("Assigned to me"),
    selectors.QUEUE_RETURNED: _lazy("Returned"),
    selectors.QUEUE_ALL: _lazy("All"),
}
# The filters the form shows (the API's others, `assigned_to` and `reported_by`, are taken too).
FORM_FILTERS = (
    "search",
    "state",
    "category",
    "urgency",
    "region",
    "overdue",
    "created_after",
    "created_before",
)


@dataclass(frozen=True)
class QueueRow:
    case: CaseRow
    name: str  # the person reported about (the API's list shows it too, and logs it)
    urgency: str
    urgency_code: str
    age: str  # "2 hari lalu"
    created_at: datetime
    deadline: str  # "sisa 3 jam" / "terlambat 2 hari"
    overdue: bool


@dataclass
class QueuePage:
    section: str
    rows: list[QueueRow] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # a filter's name: what is wrong
    next_query: str = ""  # the query string of the next page (filters kept), or ""


def _ordering(section: str) -> tuple[str, bool]:
    """(field, newest first): "everything" is newest first, the rest in the order they should be
    handled: by deadline, so the overdue come first, with no deadline last."""
    return ("created_at", True) if section == selectors.QUEUE_ALL else ("due_at", False)


def _encode(value: datetime | None, pk: Any) -> str:
    text = f"{value.isoformat() if value else ''}|{pk}"
    return base64.urlsafe_b64encode(text.encode()).decode()


def _decode(cursor: str) -> tuple[datetime | None, str] | None:
    try:
        text = base64.urlsafe_b64decode(cursor.encode("ascii")).decode()
    except (binascii.Error, UnicodeError, ValueError):
        return None
    moment, _bar, pk = text.partition("|")
    try:
        value = parse_datetime(moment) if moment else None
    except ValueError:
        return None
    if (moment and value is None) or len(pk) != 36:
        return None
    return value, pk


def _after(cases: QuerySet[Case], section: str, position: tuple[datetime | None, str]) -> Any:
    _name, newest_first = _ordering(section)
    value, pk = position
    if newest_first:  # created_at is never null
        return cases.filter(Q(created_at__lt=value) | Q(created_at=value, pk__lt=pk))
    if value is None:
        return cases.filter(due_at__isnull=True, pk__gt=pk)
    return cases.filter(Q(due_at__gt=value) | Q(due_at=value, pk__gt=pk) | Q(due_at__isnull=True))


def _ordered(cases: QuerySet[Case], section: str) -> QuerySet[Case]:
    _name, newest_first = _ordering(section)
    if newest_first:
        return cases.order_by("-created_at", "-pk")
    return cases.order_by(F("due_at").asc(nulls_last=True), "pk")


def section_of(data: QueryDict) -> str:
    chosen = data.get(SECTION_PARAM, "")
    return chosen if chosen in selectors.QUEUE_SECTIONS else selectors.QUEUE_DUE


def queue_page(request: HttpRequest, user: User, section: str | None = None) -> QueuePage:
    """The chosen section's page of cases (or `section`'s: the case list is all of them), or
    the filters' errors (nothing read then)."""
    section = section or section_of(request.GET)
    page = QueuePage(section=section)
    filterset = CaseFilter(data=request.GET, queryset=selectors.work_queue(user, section))
    filterset.request = request  # `assigned_to=me` reads the user from it, as in the API
    if not filterset.is_valid():
        page.errors = {name: " ".join(errs) for name, errs in filterset.errors.items()}
        return page
    try:
        cases = filterset.qs
    except ValidationError as exc:  # a filter method's own check (a malformed region code)
        detail = exc.detail if isinstance(exc.detail, dict) else {"": exc.detail}
        page.errors = {str(k): " ".join(str(m) for m in v) for k, v in detail.items()}
        return page
    cursor = request.GET.get(CURSOR_PARAM, "")
    if cursor:
        position = _decode(cursor)
        if position is None:
            page.errors = {CURSOR_PARAM: _("This page link is not valid; start from the first.")}
            return page
        cases = _after(cases, section, position)
    found = list(_ordered(cases, section)[: PAGE + 1])
    page.cases = found[:PAGE]
    if len(found) > PAGE:
        last = page.cases[-1]
        name, _newest = _ordering(section)
        query = request.GET.copy()
        query[CURSOR_PARAM] = _encode(getattr(last, name), last.pk)
        page.next_query = query.urlencode()
    page.rows = queue_rows(page.cases)
    return page


def queue_rows(cases: list[Case], *, now: datetime | None = None) -> list[QueueRow]:
    now = now or timezone.now()
    return [
        QueueRow(
            case=row,
            name=case.subject.name if case.subject_id else "",
            urgency=str(Urgency(case.urgency).label),
            urgency_code=case.urgency,
            age=row_age(case, now),
            created_at=timezone.localtime(case.created_at),
            deadline=deadline_words(case, now=now),
            overdue=case.due_at is not None
            and case.due_at <= now
            and case.state != CaseState.CLOSED,
        )
        for case, row in zip(cases, case_rows(cases, now=now), strict=True)
    ]


def row_age(case: Case, now: datetime) -> str:
    return ago(case.created_at, now)


def section_links(data: QueryDict) -> list[tuple[str, str, str]]:
    """(section, label, query string): each tab keeps the filters, and starts at its first page."""
    links = []
    for section, label in SECTION_LABELS.items():
        query = data.copy()
        query.pop(CURSOR_PARAM, None)
        query[SECTION_PARAM] = section
        links.append((section, str(label), query.urlencode()))
    return links


def filter_choices(user: User) -> dict[str, Any]:
    """What the filter form's selects offer, in words."""
    english = (get_language() or "id").startswith("en")
    root = jurisdiction_root(user) or ""
    categories = [
        (c.code, c.name_en if english else c.name)
        for c in sorted(reference_cache.categories.all(), key=lambda c: c.sort_order)
    ]
    return {
        "states": CaseState.choices,
        "urgencies": Urgency.choices,
        "categories": categories,
        "districts": reporting.regions_below(root, RegionLevel.DISTRICT) if root else [],
        "overdue_choices": [("true", _("Overdue only")), ("false", _("Not overdue"))],
    }
