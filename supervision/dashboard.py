"""The supervisors' dashboard: where cases are stuck and how fast they move, for one region.

Reads only. Every figure is defined once, in `supervision.serializers.DashboardOutput`
(the API schema shows those texts), and computed here, from the tallies where the scope allows
(`Scope.tallied`, `Scope.plain`) and from the cases and their history otherwise:

- counts by state, category, region and outcome, and SLA compliance: `CaseTally` (per kecamatan,
  category and urgency) for the province, a kabupaten/kota or a kecamatan without a created-date
  range (a kecamatan's breakdown by desa from its cases);
- durations (median, p90): `DurationTally` (per kabupaten/kota, and the province's own) for the
  province or a kabupaten/kota when, in addition, no category or urgency is asked;
- what depends on the clock (open cases by age, overdue, workload): `DayTally` under the same
  condition (a kabupaten/kota's overdue by kecamatan from its `due_in` rows), plus the open
  cases of the one day each boundary falls in (a partial index holds exactly the open cases,
  so the closed cases of past years are never read).

Both ways give the same numbers; the tests hold them to it. The reads run in one REPEATABLE
READ transaction on PostgreSQL, so the figures of one answer agree with each other.
"""

from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone

from casework.models import (
    Case,
    CaseState,
    Category,
    Region,
    RegionLevel,
    Role,
    User,
    region_and_below,
)
from supervision.scope import Scope
from workflows.models import CaseTally, DayTally, DurationTally, HistoryEntry, WeekTally
from workflows.steps import COMPLETES, OUTCOMES, STATES, STEPS
from workflows.tallies import utc_day
from workflows.tally_sql import ACTIONS, COUNTERS, WEEK_COUNTERS, duration_histogram

DAY = timedelta(days=1)
# Open cases by whole days since their report: (name, fewest days, most days or None).
AGE_BUCKETS = [
    ("under_1_day", 0, 0),
    ("1_to_7_days", 1, 7),
    ("8_to_30_days", 8, 30),
    ("over_30_days", 31, None),
]
OPEN = ~Q(state=CaseState.CLOSED)  # as written, it matches the partial indexes' condition
# History rows into or out of `closed` (as written, the partial index `history_closing_at`'s).
CLOSING = Q(to_state=CaseState.CLOSED) | Q(from_state=CaseState.CLOSED)
# The code length of a region's children, by its level.
CHILD_CODE_LENGTH: dict[str, int] = {
    RegionLevel.PROVINCE: 5,
    RegionLevel.REGENCY: 8,
    RegionLevel.DISTRICT: 13,
}
DURATION_NAMES = {step: f"to_{step}" for step in STEPS}
PERCENTILES = {"median_hours": 50, "p90_hours": 90}
TREND_WEEKS = 12


def dashboard(scope: Scope, *, now: datetime, use_tallies: bool = True) -> dict[str, Any]:
    """Every figure (see `serializers.DashboardOutput`) of the scope, as of `now`.

    `use_tallies=False` computes all of them from the cases and history (the tests compare).
    """
    tallied, plain = use_tallies and scope.tallied, use_tallies and scope.plain
    with _snapshot():
        counts = _tallied_counts(scope) if tallied else _counted(scope)
        hours = _tallied_hours(scope) if plain else _history_hours(scope)
        opened = _open_tallied(scope, now) if plain else _open_counted(scope, now)
        children = _children(scope.region)
        workload = _workload(scope, opened.loads)
        # Without a report range the counts are all the cases': their open ones are the trend's.
        open_now = (
            sum(counts["by_state"].values()) - counts["by_state"][CaseState.CLOSED]
            if tallied
            else None
        )
        trend = _trend(scope, now, tallied=use_tallies, open_now=open_now)
    by_region = {}
    for code, name in children:
        totals = counts["by_region"].get(code, {"total": 0, "open": 0})
        by_region[code] = {"name": name, **totals, "overdue": opened.by_child.get(code, 0)}
    return {
        "as_of": now,
        "total": sum(counts["by_state"].values()),
        "by_state": counts["by_state"],
        "by_category": counts["by_category"],
        "by_region": by_region,
        "open_by_age": opened.by_age,
        "overdue": opened.overdue,
        "sla_compliance": counts["sla_compliance"],
        **{
            name: {DURATION_NAMES[s]: _percentile(hours[s], p) for s in STEPS}
            for name, p in PERCENTILES.items()
        },
        "closure_outcomes": counts["closure_outcomes"],
        "workload": workload,
        "trend": trend,
    }


@contextmanager
def _snapshot() -> Iterator[None]:
    """One snapshot for all the reads: a REPEATABLE READ, READ ONLY transaction on PostgreSQL
    when none is open (inside one, e.g. a test's, its snapshot rules)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


# --- the cases in scope ------------------------------------------------------------------


def _cases(scope: Scope) -> QuerySet[Case]:
    region = scope.region
    if region.level == RegionLevel.PROVINCE:
        cases = Case.objects.filter(regency__code__startswith=f"{region.code}.")
    elif region.level == RegionLevel.REGENCY:
        cases = Case.objects.filter(regency_id=region.code)
    else:
        cases = Case.objects.filter(region_and_below("region__code", region.code))
    if scope.category:
        cases = cases.filter(category_id=scope.category)
    if scope.urgency:
        cases = cases.filter(urgency=scope.urgency)
    if scope.created_after:
        cases = cases.filter(created_at__gte=scope.created_after)
    if scope.created_before:
        cases = cases.filter(created_at__lt=scope.created_before)
    return cases


def _in_scope(scope: Scope, prefix: str) -> Q:
    """`_cases`' region, category and urgency as a condition on the case at `prefix` (a join:
    the rows of an index are then read first, their cases looked up by key)."""
    region = scope.region
    if region.level == RegionLevel.PROVINCE:  # every case is the province's: no join needed
        where = Q()
    elif region.level == RegionLevel.REGENCY:
        where = Q(**{f"{prefix}regency_id": region.code})
    else:
        where = region_and_below(f"{prefix}region__code", region.code)
    if scope.category:
        where &= Q(**{f"{prefix}category_id": scope.category})
    if scope.urgency:
        where &= Q(**{f"{prefix}urgency": scope.urgency})
    return where


def _children(region: Region) -> list[tuple[str, str]]:
    """The regions one level below, and the region itself when cases may be filed at its level
    (a case may name a kabupaten/kota without its kecamatan). None below a village."""
    if region.level == RegionLevel.VILLAGE:
        return []
    children = list(Region.objects.filter(parent=region).values_list("code", "name"))
    if region.level != RegionLevel.PROVINCE:
        children.append((region.code, region.name))
    return children


def _child(region: Region, field: str) -> Substr | None:
    length = CHILD_CODE_LENGTH.get(region.level)
    return Substr(field, 1, length) if length else None


# --- counts: from the tallies ------------------------------------------------------------


def _tallied_counts(scope: Scope) -> dict[str, Any]:
    """One pass over the scope's tally rows, grouped by category and child region (a
    province's 16,000 rows at most): the sums, the categories and the regions from it."""
    code = scope.region.code
    tallies = CaseTally.objects.filter(region_and_below("area", code))
    if scope.category:
        tallies = tallies.filter(category_id=scope.category)
    if scope.urgency:
        tallies = tallies.filter(urgency=scope.urgency)
    by_desa = scope.region.level == RegionLevel.DISTRICT  # finer than the tallies: the cases
    groups = ["category_id"] if by_desa else ["category_id", "child"]
    if not by_desa:
        tallies = tallies.annotate(child=_child(scope.region, "area"))
    sums: Counter = Counter()
    by_category: Counter = Counter()
    by_region: dict[str, dict[str, int]] = {}
    for row in tallies.values(*groups).annotate(**{name: Sum(name) for name in COUNTERS}):
        total = sum(row[s] for s in STATES)
        for name in COUNTERS:
            sums[name] += row[name]
        by_category[row["category_id"]] += total
        if not by_desa:
            region = by_region.setdefault(row["child"], {"total": 0, "open": 0})
            region["total"] += total
            region["open"] += total - row[CaseState.CLOSED]
    return _shape(
        by_state={s: sums[s] for s in STATES},
        outcomes={o: sums[o] for o in OUTCOMES},
        steps={s: (sums[f"{s}_done"], sums[f"{s}_met"]) for s in STEPS},
        # A category all moved away leaves rows of zeros.
        by_category={c: n for c, n in by_category.items() if n},
        by_region=_counted_by_region(scope) if by_desa else by_region,
    )


# --- counts: from the cases and their history ---------------------------------------------


def _counted(scope: Scope) -> dict[str, Any]:
    cases = _cases(scope)
    by_state: Counter = Counter()
    outcomes: Counter = Counter()
    for state, outcome, n in (
        cases.values("state", "outcome").annotate(n=Count("*")).values_list("state", "outcome", "n")
    ):
        by_state[state] += n
        if state == CaseState.CLOSED and outcome:
            outcomes[outcome] += n
    by_category = dict(
        cases.values("category_id").annotate(n=Count("*")).values_list("category_id", "n")
    )
    by_region = _counted_by_region(scope)
    done: dict[str, Q] = {}
    for (action, from_state), step in COMPLETES.items():
        done[step] = done.get(step, Q()) | Q(action=action, from_state=from_state)
    on_time = Q(payload__sla__on_time=True)
    row = HistoryEntry.objects.filter(
        case__in=cases.values("id"), action__in=ACTIONS, payload__has_key="sla"
    ).aggregate(
        **{f"{s}_done": Count("id", filter=done[s]) for s in STEPS},
        **{f"{s}_met": Count("id", filter=done[s] & on_time) for s in STEPS},
    )
    steps = {s: (row[f"{s}_done"], row[f"{s}_met"]) for s in STEPS}
    return _shape(
        by_state={s: by_state[s] for s in STATES},
        outcomes={o: outcomes[o] for o in OUTCOMES},
        steps=steps,
        by_category=by_category,
        by_region=by_region,
    )


def _counted_by_region(scope: Scope) -> dict[str, dict[str, int]]:
    child = _child(scope.region, "region_id")
    if child is None:
        return {}
    return {
        row["child"]: {"total": row["total"], "open": row["open"]}
        for row in _cases(scope)
        .annotate(child=child)
        .values("child")
        .annotate(total=Count("*"), open=Count("id", filter=OPEN))
    }


def _shape(
    *,
    by_state: dict[str, int],
    outcomes: dict[str, int],
    steps: dict[str, tuple[int, int]],
    by_category: dict[str, int],
    by_region: dict[str, dict[str, int]],
) -> dict[str, Any]:
    categories = Category.objects.filter(Q(is_active=True) | Q(code__in=list(by_category)))
    return {
        "by_state": by_state,
        "closure_outcomes": outcomes,
        "sla_compliance": {
            step: {"completed": done, "met": met, "rate": round(met / done, 4) if done else None}
            for step, (done, met) in steps.items()
        },
        "by_category": {
            code: by_category.get(code, 0)
            for code in categories.order_by("sort_order", "code").values_list("code", flat=True)
        },
        "by_region": by_region,
    }


# --- durations ---------------------------------------------------------------------------


def _per_regency(rows: QuerySet[Any], region: Region) -> QuerySet[Any]:
    """The rows, kept per kabupaten/kota, of the province or of one kabupaten/kota (an equal
    key, which the tables' unique indexes range over)."""
    if region.level == RegionLevel.PROVINCE:
        return rows.filter(regency__code__startswith=f"{region.code}.")
    return rows.filter(regency_id=region.code)


def _tallied_hours(scope: Scope) -> dict[str, Counter]:
    rows = (
        DurationTally.objects.filter(regency_id=scope.region.code)  # the province's: its own
        .values("step", "hours")
        .annotate(n=Sum("cases"))
        .values_list("step", "hours", "n")
    )
    hours: dict[str, Counter] = {s: Counter() for s in STEPS}
    for step, h, n in rows:
        hours[step][h] += n
    return hours


def _history_hours(scope: Scope) -> dict[str, Counter]:
    """Whole hours from each case's report to the first time it reached each step."""
    cases_sql, params = _cases(scope).values("id").query.sql_with_params()
    hours: dict[str, Counter] = {s: Counter() for s in STEPS}
    with connection.cursor() as cursor:
        for step, h, n in duration_histogram(cursor, connection.vendor, cases_sql, params):
            hours[step][h] += n
    return hours


def _percentile(histogram: Counter, p: int) -> int | None:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    n = sum(histogram.values())
    if not n:
        return None
    rank = max(1, -(-p * n // 100))  # ceil(p * n / 100)
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None  # unreachable: seen reaches n


# --- what depends on the clock: the open cases --------------------------------------------


@dataclass
class OpenFigures:
    by_child: dict[str, int]  # overdue by child region
    by_age: dict[str, int]
    overdue: int
    loads: dict[int, tuple[int, int]]  # assignee id → (open, overdue)


def _age_conditions(now: datetime) -> dict[str, Q]:
    conditions = {}
    for name, fewest, most in AGE_BUCKETS:
        condition = Q(created_at__lte=now - fewest * DAY)
        if most is not None:
            condition &= Q(created_at__gt=now - (most + 1) * DAY)
        conditions[name] = condition
    return conditions


def _open_counted(scope: Scope, now: datetime) -> OpenFigures:
    """From the open cases themselves (one pass, grouped by child region and assignee)."""
    opened = _cases(scope).filter(OPEN)
    child = _child(scope.region, "region_id")
    grouped: QuerySet[Case, Mapping[str, Any]] = (
        opened.annotate(child=child).values("child", "assigned_to_id")
        if child is not None
        else opened.values("assigned_to_id")
    )
    rows = grouped.annotate(
        n=Count("*"),
        overdue=Count("created_at", filter=Q(due_at__lte=now)),
        **{name: Count("created_at", filter=c) for name, c in _age_conditions(now).items()},
    )
    figures = OpenFigures({}, {name: 0 for name, *_ in AGE_BUCKETS}, 0, {})
    for row in rows:
        if child is not None:
            figures.by_child[row["child"]] = figures.by_child.get(row["child"], 0) + row["overdue"]
        figures.overdue += row["overdue"]
        for name in figures.by_age:
            figures.by_age[name] += row[name]
        if row["assigned_to_id"] is not None:
            n, late = figures.loads.get(row["assigned_to_id"], (0, 0))
            figures.loads[row["assigned_to_id"]] = (n + row["n"], late + row["overdue"])
    return figures


def _open_tallied(scope: Scope, now: datetime) -> OpenFigures:
    """From `DayTally`: whole UTC days, plus the open cases of the day each boundary falls in
    (due earlier today; reported on the day 1, 8 or 31 days back), read from the cases."""
    days = _per_regency(DayTally.objects.all(), scope.region)
    opened = _cases(scope).filter(OPEN)
    by_kecamatan = scope.region.level == RegionLevel.REGENCY
    child = _child(scope.region, "region_id") if by_kecamatan else None
    by_regency, loads, late_today = _overdue_tallied(days, opened, now, child)
    if by_kecamatan:  # this kabupaten/kota's overdue cases by kecamatan ("due_in")
        by_child = dict(late_today)
        for area, n in (
            days.filter(kind="due_in", day__lt=utc_day(now))
            .values("area")
            .annotate(n=Sum("cases"))
            .values_list("area", "n")
        ):
            by_child[area] = by_child.get(area, 0) + n
    else:
        by_child = by_regency
    return OpenFigures(by_child, _ages_tallied(days, opened, now), sum(by_regency.values()), loads)


def _overdue_tallied(
    days: QuerySet[DayTally], opened: QuerySet[Case], now: datetime, child: Substr | None
) -> tuple[dict[str, int], dict[int, tuple[int, int]], Counter]:
    """(overdue by kabupaten/kota, (open, overdue) by assignee, and with `child` (a child
    region's code) the cases due today up to now by child region): deadlines on days before
    today from the tally, today's up to now from the cases."""
    today = utc_day(now)
    midnight = datetime.combine(today, time(), UTC)
    keys = ["regency_id", "assigned_to_id"]
    due_now = opened.filter(due_at__gte=midnight, due_at__lte=now)
    if child is not None:
        due_now, keys = due_now.annotate(child=child), [*keys, "child"]
    due_today: Counter = Counter()
    late_today: Counter = Counter()
    for row in due_now.values(*keys).annotate(n=Count("*")):
        due_today[(row["regency_id"], row["assigned_to_id"])] += row["n"]
        if child is not None:
            late_today[row["child"]] += row["n"]
    by_regency: dict[str, int] = {}
    loads: dict[int, tuple[int, int]] = {}
    for regency, assignee, n, late in (
        days.filter(kind="due")
        .values("regency_id", "assignee_id")
        .annotate(n=Sum("cases"), late=Sum("cases", filter=Q(day__lt=today)))
        .filter(n__gt=0)  # someone whose cases all closed or moved on holds none
        .values_list("regency_id", "assignee_id", "n", "late")
    ):
        late = (late or 0) + due_today[(regency, assignee or None)]
        by_regency[regency] = by_regency.get(regency, 0) + late
        if assignee:  # one row per kabupaten/kota the person has cases in
            held, overdue = loads.get(assignee, (0, 0))
            loads[assignee] = (held + n, overdue + late)
    return by_regency, loads, late_today


def _ages_tallied(
    days: QuerySet[DayTally], opened: QuerySet[Case], now: datetime
) -> dict[str, int]:
    """Open cases by age bucket: whole report days from the tally (one sum per boundary, in
    one pass), the day each boundary (1, 8 and 31 days back) falls in from the cases."""
    moments = {n: now - n * DAY for n in (1, 8, 31)}
    reported = days.filter(kind="opened").aggregate(
        total=Sum("cases"),
        **{f"after_{n}": Sum("cases", filter=Q(day__gt=utc_day(m))) for n, m in moments.items()},
    )

    def newer_than(n: int) -> int:
        moment = moments[n]
        day = utc_day(moment)
        edge = opened.filter(
            created_at__gt=moment, created_at__lt=datetime.combine(day + DAY, time(), UTC)
        ).count()
        return edge + (reported[f"after_{n}"] or 0)

    under_1, under_8, under_31 = (newer_than(n) for n in (1, 8, 31))
    return {
        "under_1_day": under_1,
        "1_to_7_days": under_8 - under_1,
        "8_to_30_days": under_31 - under_8,
        "over_30_days": (reported["total"] or 0) - under_31,
    }


def _workload(scope: Scope, loads: dict[int, tuple[int, int]]) -> list[dict[str, Any]]:
    """Open cases per assignee; the active officers of the region with none are listed too."""
    # Officers belong to a kabupaten/kota: those of the region's (or, for the province, all).
    region = scope.region
    office = region.code if region.level == RegionLevel.PROVINCE else region.code[:5]
    officers = User.objects.filter(
        Q(pk__in=list(loads))
        | Q(is_active=True, role=Role.OFFICER) & region_and_below("region__code", office)
    )
    result = [
        {
            "user": {"id": u.pk, "username": u.username, "full_name": u.full_name},
            "open": loads.get(u.pk, (0, 0))[0],
            "overdue": loads.get(u.pk, (0, 0))[1],
        }
        for u in officers.only("id", "username", "full_name")
    ]
    return sorted(result, key=lambda r: (-r["open"], -r["overdue"], r["user"]["username"]))


# --- the trend: new, closed and open cases per week ----------------------------------------


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())  # the Monday (ISO weeks)


def _trend(
    scope: Scope, now: datetime, *, tallied: bool, open_now: int | None = None
) -> list[dict[str, Any]]:
    """The last `TREND_WEEKS` weeks (WITA, from Monday), the oldest first, ending with the
    current one: cases reported, closings (entries into `closed`: a close or a reject) and the
    open cases at the end of each week (now, for the current one). The report-time range is
    ignored: the trend always covers those weeks, of the scope's region, category and urgency.

    From `WeekTally` and `CaseTally` for the province or a kabupaten/kota (`Scope.weekly`),
    else from the cases and their history. The open count at the end of a week is the open
    count now, less the reports and reopenings after that week, plus the closings after it."""
    weeks = [
        _week_start(timezone.localdate(now)) - timedelta(weeks=n)
        for n in range(TREND_WEEKS - 1, -1, -1)
    ]
    undated = replace(scope, created_after=None, created_before=None)
    if tallied and undated.weekly:
        tallied_open, counted = _weeks_tallied(undated, weeks[0], known_open=open_now)
    else:
        tallied_open, counted = _weeks_counted(undated, weeks[0], now)
    trend = []
    open_at_end = tallied_open
    for week in reversed(weeks):  # walk back from now
        new, closed, reopened = (counted[(week, c)] for c in ("reported", "closed", "reopened"))
        trend.append({"week_start": week, "new": new, "closed": closed, "open_at_end": open_at_end})
        open_at_end += closed - new - reopened
    return trend[::-1]


def _weeks_tallied(
    scope: Scope, first: date, *, known_open: int | None = None
) -> tuple[int, Counter]:
    """(open cases now, {(week, counter): n} since `first`): two sums over tally rows (one when
    the open cases are `known_open`)."""
    code = scope.region.code
    rows = _per_regency(WeekTally.objects.all(), scope.region)
    cases = CaseTally.objects.filter(region_and_below("area", code))
    if scope.category:
        rows, cases = (
            rows.filter(category_id=scope.category),
            cases.filter(category_id=scope.category),
        )
    if scope.urgency:
        rows, cases = rows.filter(urgency=scope.urgency), cases.filter(urgency=scope.urgency)
    counted: Counter = Counter()
    for week, *values in (
        rows.filter(week__gte=first)
        .values("week")
        .annotate(*(Sum(c) for c in WEEK_COUNTERS))
        .values_list("week", *(f"{c}__sum" for c in WEEK_COUNTERS))
    ):
        for counter, n in zip(WEEK_COUNTERS, values, strict=True):
            counted[(week, counter)] += n or 0
    if known_open is not None:
        return known_open, counted
    open_states = [s for s in STATES if s != CaseState.CLOSED]
    total = cases.aggregate(n=Sum(sum((F(s) for s in open_states[1:]), F(open_states[0]))))
    return total["n"] or 0, counted


def _weeks_counted(scope: Scope, first: date, now: datetime) -> tuple[int, Counter]:
    """The same from the cases and their history: the open cases now, the reports since the
    first week's start, and the history rows into or out of `closed` since then (a partial
    index holds exactly those; a row from `closed` to `closed`, were one written, is neither)."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(first, time(), tz)
    cases = _cases(scope)
    counted: Counter = Counter()
    for day, n in (
        cases.filter(created_at__gte=start, created_at__lte=now)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("*"))
        .values_list("day", "n")
    ):
        counted[(_week_start(day), "reported")] += n
    for day, to_state, n in (
        HistoryEntry.objects.filter(CLOSING, _in_scope(scope, "case__"), at__gte=start, at__lte=now)
        .exclude(from_state=CaseState.CLOSED, to_state=CaseState.CLOSED)
        .annotate(day=TruncDate("at", tzinfo=tz))
        .values("day", "to_state")
        .annotate(n=Count("*"))
        .values_list("day", "to_state", "n")
    ):
        counted[(_week_start(day), "closed" if to_state == CaseState.CLOSED else "reopened")] += n
    return cases.filter(OPEN).count(), counted
