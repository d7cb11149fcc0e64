"""The dashboard's pre-aggregated counts (`CaseTally`, `DurationTally`, `DayTally`,
`WeekTally`), kept exact.

Every write that changes what a case contributes (its report, a transition, an edit of its
region, category or urgency, a transfer) takes a `Snapshot` of the case before and after and
calls `apply`, in the same transaction as the change: the tallies then commit or roll back with
it. `rebuild` recomputes them from the cases and their history (after a bulk load, or to check
them): the two must always agree, and a test holds them to it.

A case contributes, under its key (kecamatan, category, urgency): one to its state, one to its
outcome when closed, and for each step it completed (`COMPLETES`) one `<step>_done` and, when
that was by the deadline in force (the `sla.on_time` the transition wrote in its history row),
one `<step>_met`. Under its kabupaten/kota, and again under its province, it contributes the
whole hours from its report to the first time it reached each step (`steps.first_reached`) to
`DurationTally`. While open it contributes to `DayTally` one to the UTC day of its deadline
(with its assignee), one to that day again under its kecamatan, and one to the UTC day of its
report. Under its kabupaten/kota, category and urgency it contributes to `WeekTally` one
`reported` in the week (WITA) of its report, and for each history row into `closed` one
`closed`, out of it one `reopened`, in that row's week.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q

from casework.models import Case, CaseState
from workflows.models import HistoryEntry
from workflows.steps import COMPLETES, first_reached
from workflows.tally_sql import (
    ACTIONS,
    COUNTERS,
    NO_DEADLINE,
    WEEK_COUNTERS,
    WEEK_TABLE,
    fold_days,
    rebuild,
)


def province_of(region_code: str) -> str:
    """The province of a region code (`63.71` → `63`)."""
    return region_code[:2]


def area_of(region_code: str) -> str:
    """The kecamatan of a region code, or the code itself above that level."""
    return region_code[:8]


@dataclass(frozen=True)
class Entry:
    """What of a history row the tallies need."""

    action: str
    from_state: str
    to_state: str
    at: datetime
    on_time: bool | None  # None: no SLA record (history written before the service kept one)


@dataclass(frozen=True)
class Snapshot:
    area: str
    regency: str
    category: str
    urgency: str
    counts: Counter = field(default_factory=Counter)
    hours: dict[str, int] = field(default_factory=dict)  # step → whole hours to first reach it
    days: tuple[tuple[str, str, str, int, date], ...] = ()  # (kind, regency, area, assignee, day)
    weeks: Counter = field(default_factory=Counter)  # (week, counter) → n


def utc_day(moment: datetime | None) -> date:
    """The UTC day of a moment (the far future for none: a deadline never reached)."""
    if moment is None:
        return date.fromisoformat(NO_DEADLINE)
    return moment.astimezone(UTC).date()


def week_of(moment: datetime) -> date:
    """The Monday of the week (WITA, `settings.TIME_ZONE`) a moment falls in."""
    day = moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    return day - timedelta(days=day.weekday())


# The history rows any tally reads: the steps' (`ACTIONS`), and the closings and reopenings
# (into or out of `closed` from another state) the week tallies count.
_INTO = Q(to_state=CaseState.CLOSED) & ~Q(from_state=CaseState.CLOSED)
_OUT_OF = Q(from_state=CaseState.CLOSED) & ~Q(to_state=CaseState.CLOSED)
_COUNTED = Q(action__in=ACTIONS) | _INTO | _OUT_OF


def entries(case: Case) -> list[Entry]:
    """The case's history rows that count (one indexed query)."""
    rows = (
        HistoryEntry.objects.filter(_COUNTED, case=case)
        .order_by("at", "id")
        .values_list("action", "from_state", "to_state", "at", "payload")
    )
    return [entry_of(*row) for row in rows]


def entry_of(action: str, from_state: str, to_state: str, at: datetime, payload: Any) -> Entry:
    sla = payload.get("sla") if isinstance(payload, dict) else None
    on_time = bool(sla.get("on_time")) if isinstance(sla, dict) else None
    return Entry(action, from_state, to_state, at, on_time)


def locked(case_id: Any) -> Case | None:
    """The case as it is before an edit, its row locked (None if there is no such case)."""
    try:
        return Case.objects.select_for_update(of=("self",)).filter(pk=case_id).first()
    except (ValueError, ValidationError):
        return None


def snapshot(case: Case, history: Iterable[Entry]) -> Snapshot:
    counts: Counter = Counter({case.state: 1})
    if case.state == CaseState.CLOSED and case.outcome:
        counts[case.outcome] += 1
    hours: dict[str, int] = {}
    weeks: Counter = Counter({(week_of(case.created_at), "reported"): 1})
    for entry in history:
        closes = entry.to_state == CaseState.CLOSED
        if closes != (entry.from_state == CaseState.CLOSED):
            weeks[(week_of(entry.at), "closed" if closes else "reopened")] += 1
        step = COMPLETES.get((entry.action, entry.from_state))
        if step is not None and entry.on_time is not None:
            counts[f"{step}_done"] += 1
            counts[f"{step}_met"] += entry.on_time
        first = first_reached(entry.action, entry.from_state)
        if first is not None and first not in hours:
            hours[first] = int((entry.at - case.created_at).total_seconds() // 3600)
    days: tuple[tuple[str, str, str, int, date], ...] = ()
    if case.state != CaseState.CLOSED:
        due = utc_day(case.due_at)
        days = (
            ("due", case.regency_id, "", case.assigned_to_id or 0, due),
            ("due_in", case.regency_id, area_of(case.region_id), 0, due),
            ("opened", case.regency_id, "", 0, utc_day(case.created_at)),
        )
    return Snapshot(
        area=area_of(case.region_id),
        regency=case.regency_id,
        category=case.category_id,
        urgency=case.urgency,
        counts=counts,
        hours=hours,
        days=days,
        weeks=weeks,
    )


def apply(before: Snapshot | None, after: Snapshot) -> None:
    """Move the tallies from what the case contributed to what it contributes now.

    Rows are changed in key order so two transactions never wait on each other in a circle;
    call it last in the transaction, which then holds the rows' locks only until its commit.
    """
    cases: dict[tuple, Counter] = {}
    durations: Counter = Counter()
    days: Counter = Counter()
    weeks: dict[tuple, Counter] = {}
    for snap, sign in ((before, -1), (after, 1)):
        if snap is None:
            continue
        delta = cases.setdefault((snap.area, snap.category, snap.urgency), Counter())
        for name, n in snap.counts.items():
            delta[name] += sign * n
        for step, hours in snap.hours.items():
            durations[(snap.regency, step, hours)] += sign
            durations[(province_of(snap.regency), step, hours)] += sign
        for key in snap.days:
            days[key] += sign
        for (week, counter), n in snap.weeks.items():
            at = (snap.regency, snap.category, snap.urgency, week)
            weeks.setdefault(at, Counter())[counter] += sign * n
    case_rows = [(key, [cases[key][name] for name in COUNTERS]) for key in sorted(cases)]
    with connection.cursor() as cursor:
        _add(cursor, "workflows_casetally", CASE_KEY, COUNTERS, case_rows, prune=False)
        for table, key_columns, deltas in (
            ("workflows_durationtally", DURATION_KEY, durations),
            ("workflows_daytally", DAY_KEY, days),
        ):
            rows = [(key, [deltas[key]]) for key in sorted(deltas) if deltas[key]]
            _add(cursor, table, key_columns, ["cases"], rows, prune=True)
        week_rows = [(key, [weeks[key][c] for c in WEEK_COUNTERS]) for key in sorted(weeks)]
        _add(cursor, WEEK_TABLE, WEEK_KEY, WEEK_COUNTERS, week_rows, prune=False)


CASE_KEY = ("area", "category_id", "urgency")
DURATION_KEY = ("regency_id", "step", "hours")
DAY_KEY = ("kind", "regency_id", "area", "assignee_id", "day")
WEEK_KEY = ("regency_id", "category_id", "urgency", "week")


def _add(
    cursor: Any,
    table: str,
    key_columns: tuple[str, ...],
    counters: list[str],
    rows: list[tuple[tuple, list[int]]],
    *,
    prune: bool,
) -> None:
    """Add each row's deltas to its tally row, creating it if need be: one statement, rows in
    key order (the order PostgreSQL locks them in). `prune`: a histogram row down to zero goes,
    so past days do not pile up."""
    rows = [(key, values) for key, values in rows if any(values)]
    if not rows:
        return
    columns = [*key_columns, *counters]
    one = f"({', '.join(['%s'] * len(columns))})"
    updates = ", ".join(f"{c} = {table}.{c} + EXCLUDED.{c}" for c in counters)
    returning = f" RETURNING {', '.join(key_columns)}, cases" if prune else ""
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * len(rows))} "  # noqa: S608 - our own names
        f"ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET {updates}{returning}",
        [value for key, values in rows for value in (*key, *values)],
    )
    if prune:
        match = " AND ".join(f"{c} = %s" for c in key_columns)
        for *key, cases in cursor.fetchall():
            if cases == 0:
                cursor.execute(f"DELETE FROM {table} WHERE {match} AND cases = 0", key)  # noqa: S608


def rebuild_here() -> None:
    """`rebuild` on Django's own database connection, in one transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        rebuild(cursor, connection.vendor)


def fold_past_days(now: datetime | None = None) -> int:
    """`fold_days` as of now (UTC), on Django's connection, in one transaction: the nightly
    task. How many day rows went."""
    today = utc_day(now or datetime.now(UTC))
    with transaction.atomic(), connection.cursor() as cursor:
        return fold_days(cursor, connection.vendor, today=today)
