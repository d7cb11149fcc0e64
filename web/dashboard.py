"""`/dasbor/`: the dashboard API's own figures for people. The query is read by the API's
`DashboardQuery`, scoped by its `scope_for` and counted by its `dashboard()`, then serialized by
its `DashboardOutput`, so the page's numbers are the API's for the same person and filters by
construction; this module only puts them into words, bar charts and the map."""

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from casework.access import jurisdiction_root
from casework.maps import AreaMap, area_map
from casework.models import CaseState, Category, Outcome, Region, RegionLevel, Urgency, User
from common.errors import DomainError
from supervision import dashboard
from supervision.scope import scope_for
from supervision.serializers import DashboardOutput, DashboardQuery
from web import refusals

FILTERS = ("region", "category", "urgency", "created_after", "created_before")
BAR = 300  # the longest bar, in the chart's 400-unit-wide viewBox
ROW = 34  # one bar and its label
SHADES = 5  # the map's shades: 0 (no open case) to 4 (the most)
TREND_HEIGHT = 150  # the tallest column of the trend, in its viewBox
TREND_GROUP = 40  # one week's three columns and the gap after them
TREND_KINDS = ("new", "closed", "open_at_end")


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[str, ...]  # the table's figures after the label
    y: int = 0
    bar: int = 0  # the bar's length
    mark: int = 0  # the part drawn as overdue over it
    shown: str = ""  # the number written after the bar
    href: str = ""


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    label: str  # the drawing's aria-label
    columns: tuple[str, ...]
    rows: list[Row]

    @property
    def height(self) -> int:
        return max(ROW, ROW * len(self.rows))


@dataclass(frozen=True)
class Column:
    kind: str  # new, closed or open_at_end: its class
    x: int
    y: int
    height: int


@dataclass(frozen=True)
class TrendWeek:
    label: str  # the week's Monday, e.g. 30/11
    week_start: str
    cells: tuple[str, ...]  # new, closed, open at the end
    x: int
    columns: list[Column]


@dataclass(frozen=True)
class Trend:
    label: str
    columns: tuple[str, ...]
    weeks: list[TrendWeek]
    width: int
    height: int = TREND_HEIGHT + 40


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    d: str
    shade: int
    href: str


@dataclass(frozen=True)
class RegionMap:
    drawing: AreaMap
    label: str
    areas: list[Area]


@dataclass
class Page:
    status: int
    values: dict[str, str]  # the form's inputs as sent
    refusal: refusals.Refusal | None = None
    figures: dict[str, Any] | None = None  # exactly the API's answer
    context: dict[str, Any] = field(default_factory=dict)


def read(user: User, params: Any) -> Page:
    """The page for `params` (the GET query): the figures, or the form with its refusal (400,
    403 for a region outside the reader's, as the API answers)."""
    values = {name: params.get(name, "") for name in FILTERS}
    query = DashboardQuery(data=params)
    if not query.is_valid():
        return _refused(user, values, refusals.of_serializer(query), 400)
    try:
        scope = scope_for(user, query.validated_data)
    except DomainError as exc:
        refusal = refusals.of_domain_error(exc, DashboardQuery)
        return _refused(user, values, refusal, exc.status_code)
    counted = dashboard.dashboard(scope, now=timezone.now())
    figures = dict(DashboardOutput({**counted, "scope": scope}).data)
    page = Page(200, values, figures=figures)
    page.context = {**_form(user, values), **_shown(figures, values, user)}
    return page


def _refused(user: User, values: dict[str, str], refusal: refusals.Refusal, status: int) -> Page:
    page = Page(status, values, refusal=refusal)
    page.context = {**_form(user, values), "refusal": refusal, "errors": refusal.by_input}
    return page


# --- the filters' form ---------------------------------------------------------------------


def _form(user: User, values: dict[str, str]) -> dict[str, Any]:
    root = jurisdiction_root(user) or ""
    regions = list(
        Region.objects.within(root)
        .filter(level__in=[RegionLevel.PROVINCE, RegionLevel.REGENCY, RegionLevel.DISTRICT])
        .values_list("code", "name", "level")
    )
    chosen = values["region"]
    if chosen and chosen not in {code for code, *_ in regions}:  # a desa reached by the map
        regions += Region.objects.filter(code=chosen).values_list("code", "name", "level")
    return {
        "values": values,
        "region_options": [(code, _region_words(name, level)) for code, name, level in regions],
        "category_options": list(_category_names(active_only=True).items()),
        "urgency_options": list(Urgency.choices),
    }


def _region_words(name: str, level: str) -> str:
    if level == RegionLevel.DISTRICT:
        return "\u2003" + _("Kecamatan %(name)s") % {"name": name}
    if level == RegionLevel.VILLAGE:
        return "\u2003\u2003" + name
    return name


def _category_names(*, active_only: bool = False) -> dict[str, str]:
    english = (get_language() or "id").startswith("en")
    categories = Category.objects.order_by("sort_order", "code")
    if active_only:
        categories = categories.filter(is_active=True)
    return {c.code: (c.name_en if english else c.name) for c in categories}


# --- the figures, in words -----------------------------------------------------------------


def _link(values: dict[str, str], region: str) -> str:
    """This dashboard for `region`, with the same other filters."""
    kept = {name: value for name, value in values.items() if value and name != "region"}
    return "?" + urlencode({"region": region, **kept})


def _percent(rate: float | None) -> str:
    return "\u2014" if rate is None else f"{round(rate * 100)}%"


def _hours(value: int | None) -> str:
    return "\u2014" if value is None else str(value)


def step_names() -> dict[str, str]:
    return {"verify": _("Verification"), "assist": _("First assistance"), "close": _("Closing")}


def _shown(figures: dict[str, Any], values: dict[str, str], user: User) -> dict[str, Any]:
    region = figures["scope"]["region"]
    open_ = figures["total"] - figures["by_state"][CaseState.CLOSED]
    steps = step_names()
    sla = figures["sla_compliance"]
    return {
        "figures": figures,
        "region": region,
        "up": _up(region["code"], user, values),
        "as_of": parse_datetime(figures["as_of"]),
        "filters_in_words": _filters_in_words(figures["scope"]),
        "headline": [
            (_("Cases"), str(figures["total"]), _cases_url(region["code"], values)),
            (_("Open"), str(open_), ""),
            (
                _("Overdue"),
                str(figures["overdue"]),
                _cases_url(region["code"], values, overdue=True),
            ),
            *[
                (_("On time: %(step)s") % {"step": steps[s]}, _percent(sla[s]["rate"]), "")
                for s in steps
            ],
        ],
        "durations": [
            (
                steps[s],
                _hours(figures["median_hours"][f"to_{s}"]),
                _hours(figures["p90_hours"][f"to_{s}"]),
            )
            for s in steps
        ],
        "charts": _charts(figures),
        "trend": _trend(figures["trend"]),
        "exports": [
            (label, _export_url(region["code"], values, kind))
            for label, kind in (("XLSX", "xlsx"), ("CSV", "csv"))
        ],
        "map": _map(figures, values),
        "areas": _area_rows(figures, values),
    }


def _cases_url(region: str, values: dict[str, str], *, overdue: bool = False) -> str:
    """The case list of exactly the cases a figure counts: the same filters, the case list's
    own names for them (the API's)."""
    query = QueryDict(mutable=True)
    for name in FILTERS:
        if values.get(name):
            query[name] = values[name]
    query["region"] = region
    if overdue:
        query["overdue"] = "true"
    return f"{reverse('web:cases')}?{query.urlencode()}"


def _export_url(region: str, values: dict[str, str], kind: str) -> str:
    """The API's export of the cases these figures count (its filters are the dashboard's)."""
    query = QueryDict(mutable=True)
    for name in FILTERS:
        if values.get(name):
            query[name] = values[name]
    query["region"], query["format"] = region, kind
    return f"{reverse('case-export')}?{query.urlencode()}"


def _up(code: str, user: User, values: dict[str, str]) -> tuple[str, str] | None:
    """The region above this one, when it is still the reader's: (its name, its dashboard)."""
    root = jurisdiction_root(user) or ""
    if code == root or "." not in code:
        return None
    parent = code.rsplit(".", 1)[0]
    region = Region.objects.filter(code=parent).first()
    return (region.name, _link(values, parent)) if region is not None else None


def _filters_in_words(scope: dict[str, Any]) -> str:
    words = []
    if scope["category"]:
        words.append(_category_names().get(scope["category"], scope["category"]))
    if scope["urgency"]:
        words.append(str(Urgency(scope["urgency"]).label))
    if scope["created_after"]:
        words.append(_("reported from %(when)s") % {"when": scope["created_after"][:10]})
    if scope["created_before"]:
        words.append(_("reported before %(when)s") % {"when": scope["created_before"][:10]})
    return ", ".join(words) or _("no filter: every case")


def _bars(key: str, title: str, column: str, counts: list[tuple[str, int]], **extra: Any) -> Chart:
    most = max([n for _label, n in counts] + [1])
    rows = [
        Row(label, (str(n),), y=i * ROW, bar=round(BAR * n / most), shown=str(n))
        for i, (label, n) in enumerate(counts)
    ]
    return Chart(key, title, _("Bar chart: %(title)s") % {"title": title}, (column,), rows)


def _charts(figures: dict[str, Any]) -> list[Chart]:
    categories = _category_names()
    ages = {
        "under_1_day": _("Under 1 day"),
        "1_to_7_days": _("1 to 7 days"),
        "8_to_30_days": _("8 to 30 days"),
        "over_30_days": _("Over 30 days"),
    }
    cases = _("Cases")
    return [
        _bars(
            "state",
            _("Cases by state"),
            cases,
            [(str(CaseState(s).label), n) for s, n in figures["by_state"].items()],
        ),
        _bars(
            "category",
            _("Cases by category"),
            cases,
            [(categories.get(c, c), n) for c, n in figures["by_category"].items()],
        ),
        _bars(
            "age",
            _("Open cases by age"),
            cases,
            [(ages[a], n) for a, n in figures["open_by_age"].items()],
        ),
        _sla_chart(figures["sla_compliance"]),
        _bars(
            "outcome",
            _("Closing outcomes"),
            cases,
            [(str(Outcome(o).label), n) for o, n in figures["closure_outcomes"].items()],
        ),
        _workload_chart(figures["workload"]),
    ]


def _sla_chart(sla: dict[str, Any]) -> Chart:
    title = _("Steps completed on time")
    rows = []
    for i, (step, name) in enumerate(step_names().items()):
        figures = sla[step]
        rate = figures["rate"]
        rows.append(
            Row(
                name,
                (str(figures["completed"]), str(figures["met"]), _percent(rate)),
                y=i * ROW,
                bar=round(BAR * (rate or 0)),
                shown=_percent(rate),
            )
        )
    columns = (_("Completed"), _("On time"), _("Share on time"))
    return Chart("sla", title, _("Bar chart: %(title)s") % {"title": title}, columns, rows)


def _workload_chart(workload: list[dict[str, Any]]) -> Chart:
    title = _("Officers' open and overdue cases")
    most = max([w["open"] for w in workload] + [1])
    rows = [
        Row(
            w["user"]["full_name"] or w["user"]["username"],
            (str(w["open"]), str(w["overdue"])),
            y=i * ROW,
            bar=round(BAR * w["open"] / most),
            mark=round(BAR * w["overdue"] / most),
            shown=f"{w['open']} / {w['overdue']}",
        )
        for i, w in enumerate(workload)
    ]
    label = _("Bar chart: %(title)s; the overdue part of each bar is darker") % {"title": title}
    return Chart("workload", title, label, (_("Open"), _("Overdue")), rows)


def _trend(trend: list[dict[str, Any]]) -> Trend:
    """Per week, three columns side by side: reported, closed, open at the week's end."""
    most = max([w[k] for w in trend for k in TREND_KINDS] + [1])
    weeks = []
    for i, w in enumerate(trend):
        x = i * TREND_GROUP
        columns = []
        for j, kind in enumerate(TREND_KINDS):
            height = round(TREND_HEIGHT * w[kind] / most)
            columns.append(Column(kind, x + 4 + j * 10, 10 + TREND_HEIGHT - height, height))
        day = w["week_start"]  # YYYY-MM-DD
        weeks.append(
            TrendWeek(
                f"{day[8:10]}/{day[5:7]}",
                day,
                tuple(str(w[k]) for k in TREND_KINDS),
                x,
                columns,
            )
        )
    label = _(
        "Column chart: cases per week over the last %(n)s weeks, from the week of %(first)s; "
        "for each week, reported, closed and open at its end, from left to right"
    ) % {"n": len(trend), "first": trend[0]["week_start"] if trend else ""}
    heads = (_("Reported"), _("Closed"), _("Open at the end of the week"))
    return Trend(label, heads, weeks, max(TREND_GROUP, TREND_GROUP * len(trend)))


def _shade(n: int, most: int) -> int:
    return 0 if n <= 0 else max(1, -(-(SHADES - 1) * n // most))


def _map(figures: dict[str, Any], values: dict[str, str]) -> RegionMap | None:
    region = figures["scope"]["region"]
    drawing = area_map(region["code"])
    if drawing is None:
        return None
    by_region = figures["by_region"]
    most = max([r["open"] for r in by_region.values()] + [1])
    areas = [
        Area(
            shape.code,
            by_region[shape.code]["name"],
            shape.d,
            _shade(by_region[shape.code]["open"], most),
            _link(values, shape.code),
        )
        for shape in drawing.shapes
        if shape.code in by_region
    ]
    label = _(
        "Map of %(region)s by %(parts)s, each shaded by its open cases (darker: more); the "
        "figures are in the table beside it"
    ) % {"region": region["name"], "parts": _parts(region["level"])}
    return RegionMap(drawing, label, areas)


def _parts(level: str) -> str:
    parts: dict[str, str] = {
        RegionLevel.PROVINCE: _("kabupaten/kota"),
        RegionLevel.REGENCY: _("kecamatan"),
        RegionLevel.DISTRICT: _("desa/kelurahan"),
    }
    return parts.get(level, "")


def _area_rows(figures: dict[str, Any], values: dict[str, str]) -> list[Row]:
    own = figures["scope"]["region"]["code"]
    unplaced = _("%(name)s (no smaller region given)")
    return [
        Row(
            r["name"] if code != own else unplaced % {"name": r["name"]},
            (str(r["total"]), str(r["open"]), str(r["overdue"])),
            href=_link(values, code) if code != own else "",
        )
        for code, r in sorted(figures["by_region"].items())
    ]
