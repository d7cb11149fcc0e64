"""The tallies' columns and their rebuild in plain SQL on any DB-API cursor, so the COPY
generator (`sampledata.generator`) can run it on its own psycopg connection.

`workflows.tallies` keeps the same counts live; see there for what a case contributes. The
vocabulary (steps, states, outcomes, which transitions complete or first reach a step) is
`workflows.steps`, derived from the declarations.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from workflows.steps import COMPLETES, FIRST_REACH, OUTCOMES, STATES, STEPS

# The history rows any tally reads: those that complete a step or may first reach one.
ACTIONS = sorted(
    {action for action, _ in COMPLETES}
    | {action for moves in FIRST_REACH.values() for action, _ in moves}
)
COUNTERS = [*STATES, *OUTCOMES, *(f"{s}_{k}" for s in STEPS for k in ("done", "met"))]


# --- rebuilding from the cases and their history -----------------------------------------

# Whether a history row carries its SLA record (rows written before the services kept one do
# not, and count neither as met nor as missed), and whether that record says "on time".
_RECORDED = {
    "postgresql": "(h.payload -> 'sla') IS NOT NULL",
    "sqlite": "json_extract(h.payload, '$.sla') IS NOT NULL",
}
_ON_TIME = {
    "postgresql": "COALESCE((h.payload -> 'sla' ->> 'on_time')::boolean, false)",
    "sqlite": "COALESCE(json_extract(h.payload, '$.sla.on_time'), 0)",
}
# The UTC day of a timestamp column (how `workflows.tallies.utc_day` counts it).
_DAY = {
    "postgresql": "(({0}) AT TIME ZONE 'UTC')::date",
    "sqlite": "date({0})",
}
TABLES = ["workflows_casetally", "workflows_durationtally", "workflows_daytally"]
WEEK_TABLE = "workflows_weektally"
WEEK_COUNTERS = ["reported", "closed", "reopened"]
# The Monday (WITA: `settings.TIME_ZONE`, a fixed offset, as everywhere in Indonesia) of the
# week a timestamp column falls in, as `workflows.tallies.week_of` counts it.
_WEEK = {
    "postgresql": "date_trunc('week', ({0}) AT TIME ZONE '{tz}')::date",
    "sqlite": "date({0}, '{offset} hours', '-6 days', 'weekday 1')",
}
NO_DEADLINE = "9999-12-31"  # the day of an open case without a deadline: never overdue
# The day tallies' rows of days long past, folded into one per key (`fold_days`): the dashboard
# reads those days only all together (deadlines before today; reports over 31 days back).
FOLDED_DAY = "0001-01-01"
FOLD_AFTER_DAYS = 32
# Whole hours from one timestamp column to a later one, rounded down.
_HOURS = {
    "postgresql": "floor(extract(epoch FROM {later} - {earlier}) / 3600)::integer",
    "sqlite": "(CAST(strftime('%s', {later}) AS INTEGER) "
    "- CAST(strftime('%s', {earlier}) AS INTEGER)) / 3600",
}
_ACTIONS_SQL = ", ".join(f"'{action}'" for action in ACTIONS)


def _any_of(moves: list[tuple[str, str]]) -> str:
    """A history row `h` is one of these (action, from_state) moves."""
    return " OR ".join(f"(h.action = '{a}' AND h.from_state = '{s}')" for a, s in moves)


# The history rows that are the first time a case reached a step, if earliest (a case is
# verified once; a reopened case is assisted and closed again): `steps.FIRST_REACH`, the rule
# `workflows.tallies` applies in Python.
FIRST_REACHED = {step: _any_of(moves) for step, moves in FIRST_REACH.items()}


def _firsts(cases_where: str = "") -> str:
    """Per case: its kabupaten/kota, report time and the first time it reached each step."""
    reached = ", ".join(
        f"MIN(CASE WHEN {condition} THEN h.at END) AS {step}_at"
        for step, condition in FIRST_REACHED.items()
    )
    return (
        f"SELECT h.case_id, c.regency_id, c.created_at, {reached} "  # noqa: S608
        "FROM workflows_historyentry h JOIN casework_case c ON c.id = h.case_id "
        f"WHERE h.action IN ({_ACTIONS_SQL}){cases_where} "
        "GROUP BY h.case_id, c.regency_id, c.created_at"
    )


def _by_hours(vendor: str, firsts: str, *, per_regency: bool = False, with_params: bool) -> str:
    """(step, hours, cases[, regency]) of the `firsts` rows, one SELECT per step over them
    (a CTE: PostgreSQL computes it once). `with_params`: the statement goes with parameters,
    so a literal % must be written %%."""
    parts = []
    also = ", f.regency_id" if per_regency else ""
    template = _HOURS[vendor].replace("%", "%%") if with_params else _HOURS[vendor]
    for step in STEPS:
        hours = template.format(later=f"f.{step}_at", earlier="f.created_at")
        parts.append(
            f"SELECT '{step}', {hours}, COUNT(*){also} FROM f "  # noqa: S608
            f"WHERE f.{step}_at IS NOT NULL GROUP BY {hours}{also}"
        )
    return f"WITH f AS ({firsts}) " + " UNION ALL ".join(parts)


def duration_histogram(
    cursor: Any, vendor: str, cases_sql: str, params: tuple | list
) -> list[tuple[str, int, int]]:
    """(step, whole hours, cases) of the cases `cases_sql` selects (one column: their ids)."""
    firsts = _firsts(f" AND h.case_id IN ({cases_sql})")
    cursor.execute(_by_hours(vendor, firsts, with_params=True), params)
    return cursor.fetchall()


def rebuild(cursor: Any, vendor: str) -> None:
    """Recompute the tallies from `casework_case` and `workflows_historyentry`.

    Plain SQL on any DB-API cursor (Django's, or psycopg's for the COPY generator), so it runs
    on a connection Django does not manage (Django itself must be set up: the conditions come
    from the declared transitions). Takes the tables' write locks first: a
    change committed meanwhile would otherwise be counted twice or not at all. So reports and
    transitions wait until it commits (about 20 s at a million cases): run it in a quiet hour.
    """
    tables = [*TABLES, WEEK_TABLE]
    if vendor == "postgresql":
        cursor.execute(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE")
    for table in tables:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - our own table names
    cursor.execute(_case_tally_sql(vendor))
    cursor.execute(
        "INSERT INTO workflows_durationtally (step, hours, cases, regency_id) "
        + _by_hours(vendor, _firsts(), per_regency=True, with_params=False)
    )
    cursor.execute(  # the province's histogram: its kabupaten/kota's, added up
        "INSERT INTO workflows_durationtally (step, hours, cases, regency_id) "
        "SELECT step, hours, SUM(cases), substr(regency_id, 1, 2) FROM workflows_durationtally "
        "GROUP BY step, hours, substr(regency_id, 1, 2)"
    )
    cursor.execute(_day_tally_sql(vendor))
    cursor.execute(_week_tally_sql(vendor))
    fold_days(cursor, vendor, today=datetime.now(UTC).date())
    _analyze(cursor, vendor, tables)


def fold_before(today: date) -> date:
    """The first day `fold_days` leaves as it is."""
    return today - timedelta(days=FOLD_AFTER_DAYS)


def fold_days(cursor: Any, vendor: str, *, today: date) -> int:
    """Fold the day tallies' rows of the days before `fold_before(today)` into one row per
    (kind, kabupaten/kota, kecamatan, assignee) at `FOLDED_DAY`; how many rows went.

    Every figure stays as it was: the dashboard sums those days only all together, and a case
    closed later still takes its one from its own day's row (which may then go below zero:
    the sums stay right, and the next fold takes it in). Without it the rows grow with the days
    (a deadline per day per assignee: 26,000 rows at a million cases). The table is locked
    against writers meanwhile (milliseconds, nightly) so no change is counted twice or lost;
    on PostgreSQL it waits at most 5 s for that lock, then raises (OperationalError)."""
    if vendor == "postgresql":
        # Behind a long transaction, the writers would queue behind this lock: give up instead
        # (the task tries again later; the fold can wait a day).
        cursor.execute("SET LOCAL lock_timeout = '5s'")
        cursor.execute("LOCK TABLE workflows_daytally IN EXCLUSIVE MODE")
    keys = "kind, regency_id, area, assignee_id"
    past = "day < %s AND day > %s"
    params = [fold_before(today).isoformat(), FOLDED_DAY]
    cursor.execute(
        f"INSERT INTO workflows_daytally ({keys}, day, cases) "  # noqa: S608 - our own names
        f"SELECT {keys}, %s, SUM(cases) FROM workflows_daytally WHERE {past} GROUP BY {keys} "
        f"ON CONFLICT ({keys}, day) "
        "DO UPDATE SET cases = workflows_daytally.cases + EXCLUDED.cases",
        [FOLDED_DAY, *params],
    )
    cursor.execute(f"DELETE FROM workflows_daytally WHERE {past}", params)  # noqa: S608
    folded = cursor.rowcount
    cursor.execute("DELETE FROM workflows_daytally WHERE day = %s AND cases = 0", [FOLDED_DAY])
    return folded


def _analyze(cursor: Any, vendor: str, tables: list[str]) -> None:
    """Every row was replaced: the planner's statistics are those of the old rows until
    autovacuum comes round (sorts of tens of thousands of rows it took for one)."""
    if vendor == "postgresql":
        cursor.execute(f"ANALYZE {', '.join(tables)}")


def rebuild_weeks(cursor: Any, vendor: str) -> None:
    """Recompute the week tallies alone (their migration, on a database with cases)."""
    if vendor == "postgresql":
        cursor.execute(f"LOCK TABLE {WEEK_TABLE} IN EXCLUSIVE MODE")
    cursor.execute(f"DELETE FROM {WEEK_TABLE}")  # noqa: S608 - our own table name
    cursor.execute(_week_tally_sql(vendor))
    _analyze(cursor, vendor, [WEEK_TABLE])


def week_sql(vendor: str, column: str) -> str:
    from django.conf import settings

    offset = datetime.now(ZoneInfo(settings.TIME_ZONE)).utcoffset()
    seconds = int(offset.total_seconds()) if offset is not None else 0
    # SQLite is given whole hours: Indonesia's zones are UTC+7, +8 and +9, without DST.
    if seconds % 3600:
        raise ValueError(f"TIME_ZONE {settings.TIME_ZONE}: not a whole number of hours")
    hours = seconds // 3600
    return _WEEK[vendor].format(column, tz=settings.TIME_ZONE, offset=f"{hours:+d}")


def _week_tally_sql(vendor: str) -> str:
    """A case counts one `reported` in the week of its report; each history row into `closed`
    from another state one `closed`, each out of it one `reopened`, in the row's week; all
    under the case's present kabupaten/kota, category and urgency."""
    counters = ", ".join(WEEK_COUNTERS)
    sums = ", ".join(f"SUM({c})" for c in WEEK_COUNTERS)
    return (
        f"INSERT INTO {WEEK_TABLE} (regency_id, category_id, urgency, week, {counters}) "  # noqa: S608
        f"SELECT regency_id, category_id, urgency, week, {sums} FROM ("
        f"  SELECT c.regency_id, c.category_id, c.urgency, {week_sql(vendor, 'c.created_at')} "
        "   AS week, 1 AS reported, 0 AS closed, 0 AS reopened FROM casework_case c"
        "  UNION ALL"
        f"  SELECT c.regency_id, c.category_id, c.urgency, {week_sql(vendor, 'h.at')}, 0, "
        "   CASE WHEN h.to_state = 'closed' THEN 1 ELSE 0 END, "
        "   CASE WHEN h.from_state = 'closed' THEN 1 ELSE 0 END "
        "  FROM workflows_historyentry h JOIN casework_case c ON c.id = h.case_id"
        "  WHERE (h.to_state = 'closed' OR h.from_state = 'closed')"
        "   AND NOT (h.to_state = 'closed' AND h.from_state = 'closed')"
        ") t GROUP BY regency_id, category_id, urgency, week"
        # Week by week, as the rows come when kept live: the trend reads the last weeks' rows,
        # then neighbours on few pages.
        " ORDER BY week"
    )


def _case_tally_sql(vendor: str) -> str:
    done = {
        step: _any_of([move for move, completed in COMPLETES.items() if completed == step])
        for step in STEPS
    }
    history_columns = ", ".join(
        f"SUM(CASE WHEN ({done[s]}) AND {_RECORDED[vendor]} THEN 1 ELSE 0 END) AS {s}_done, "
        f"SUM(CASE WHEN ({done[s]}) AND {_ON_TIME[vendor]} THEN 1 ELSE 0 END) AS {s}_met"
        for s in STEPS
    )
    state_columns = ", ".join(f"SUM(CASE WHEN c.state = '{s}' THEN 1 ELSE 0 END)" for s in STATES)
    outcome_columns = ", ".join(
        f"SUM(CASE WHEN c.state = 'closed' AND c.outcome = '{o}' THEN 1 ELSE 0 END)"
        for o in OUTCOMES
    )
    step_columns = ", ".join(f"COALESCE(SUM(s.{s}_{k}), 0)" for s in STEPS for k in ("done", "met"))
    return (
        f"INSERT INTO workflows_casetally (area, category_id, urgency, {', '.join(COUNTERS)}) "  # noqa: S608
        f"SELECT substr(c.region_id, 1, 8), c.category_id, c.urgency, "
        f"{state_columns}, {outcome_columns}, {step_columns} "
        f"FROM casework_case c LEFT JOIN ("
        f"  SELECT h.case_id, {history_columns} FROM workflows_historyentry h "
        f"  WHERE h.action IN ({_ACTIONS_SQL}) GROUP BY h.case_id"
        f") s ON s.case_id = c.id "
        f"GROUP BY substr(c.region_id, 1, 8), c.category_id, c.urgency"
    )


def _day_tally_sql(vendor: str) -> str:
    due_day = f"COALESCE({_DAY[vendor].format('due_at')}, '{NO_DEADLINE}')"
    opened_day = _DAY[vendor].format("created_at")
    return (
        "INSERT INTO workflows_daytally (kind, regency_id, area, assignee_id, day, cases) "  # noqa: S608
        f"SELECT 'due', regency_id, '', COALESCE(assigned_to_id, 0), {due_day}, COUNT(*) "
        "FROM casework_case WHERE NOT state = 'closed' "
        f"GROUP BY regency_id, COALESCE(assigned_to_id, 0), {due_day} "
        f"UNION ALL SELECT 'due_in', regency_id, substr(region_id, 1, 8), 0, {due_day}, COUNT(*) "
        "FROM casework_case WHERE NOT state = 'closed' "
        f"GROUP BY regency_id, substr(region_id, 1, 8), {due_day} "
        f"UNION ALL SELECT 'opened', regency_id, '', 0, {opened_day}, COUNT(*) "
        f"FROM casework_case WHERE NOT state = 'closed' GROUP BY regency_id, {opened_day}"
    )
