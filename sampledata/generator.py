"""Generate many realistic cases, fast (COPY, not the API; PostgreSQL only): the data of
`manage.py generate_cases` and of `make bench`. Deterministic for a given seed and count.

Where the cases come from and what they hold is `sampledata.spread`; what happened to each is
told with the workflow's own rules (`sampledata.histories`): it went through the declared
transitions its state and outcome imply, each a `workflows_historyentry` row with its actor,
time and SLA record; `state_changed_at` is the last of them; `due_at` is the current step's
deadline from the default SLA policy in the database (none once closed), and the escalation
state is what the sweep would have sent by now; an assignee exactly when the case was verified;
`referred_to` for referred outcomes and `duplicate_of` (an earlier case of the same
kabupaten/kota) for duplicates. References are reserved from `ReferenceCounter` with
`casework.references`, so cases created later through the API never collide.

COPY must name every NOT NULL column: Django keeps model defaults in Python, not in the
database. The notification outbox is not seeded: it holds the messages not yet delivered, which
is near empty when delivery keeps up. The dashboard's tallies are recounted once at the end
(`workflows.tally_sql.rebuild`) instead of row by row.
"""

import json
import random
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import psycopg

from casework.models import CaseState
from casework.references import format_reference, reference_year, reserve_numbers
from sampledata import histories
from sampledata.spread import (
    ASSIGNEES,
    CATEGORY_WEIGHTS,
    DESCRIPTIONS,
    FIRST_NAMES,
    LAST_NAMES,
    OUTCOMES,
    REFERRED_TO,
    REGENCY_WEIGHTS,
    REPORTERS,
    STATE_BY_AGE,
    STEP_DAYS,
    STREETS,
    URGENCY,
)
from workflows.steps import STEPS
from workflows.tally_sql import rebuild

BATCH = 10_000
YEARS_BACK = 3

SUBJECT_COLUMNS = ("id", "name", "nik", "sex", "birth_date", "phone", "created_at")
CASE_COLUMNS = [
    "id",
    "reference",
    "state",
    "urgency",
    "address",
    "latitude",
    "longitude",
    "description",
    "observed_at",
    "due_at",
    "state_changed_at",
    "outcome",
    "referred_to",
    "duplicate_of_id",
    "warnings",
    "created_at",
    "updated_at",
    "assigned_to_id",
    "reported_by_id",
    "category_id",
    "regency_id",
    "region_id",
    "subject_id",
    "escalation_level",
    "escalate_at",
]
HISTORY_COLUMNS = (
    "case_id",
    "action",
    "from_state",
    "to_state",
    "actor_id",
    "at",
    "reason",
    "payload",
)


@dataclass(frozen=True)
class SeedResult:
    before: int
    added: int
    seconds: float
    history_added: int = 0


def _picker(rng: random.Random, weights: dict[str, int]) -> Callable[[], str]:
    keys, values = list(weights), list(weights.values())
    return lambda: rng.choices(keys, values)[0]


def count_cases(conn: psycopg.Connection) -> int:
    ((n,),) = conn.execute("SELECT count(*) FROM casework_case").fetchall()  # one row
    return n


def seed_cases(conninfo: str, *, target: int, seed: int = 2026) -> SeedResult:
    """Add cases until the table holds `target`; nothing when it already does. Commits per batch."""
    return _add(conninfo, lambda before: max(0, target - before), seed)


def _sla_periods(conn: psycopg.Connection) -> dict[str, dict[str, timedelta]]:
    """The default SLA policy per urgency (`load_reference_data` loads it), by step."""
    columns = ", ".join(f"{step}_within" for step in STEPS)
    rows = conn.execute(
        f"SELECT urgency, {columns} FROM workflows_slapolicy WHERE category_id IS NULL"  # noqa: S608
    ).fetchall()
    periods = {urgency: dict(zip(STEPS, within, strict=True)) for urgency, *within in rows}
    if missing := sorted(set(URGENCY) - set(periods)):
        raise RuntimeError(f"default SLA policy missing for {', '.join(missing)}")
    return periods


def add_cases(
    conninfo: str,
    *,
    count: int,
    seed: int = 2026,
    progress: Callable[[int, int], None] | None = None,
) -> SeedResult:
    """Add `count` cases (whatever the table holds), committing per batch of BATCH;
    `progress(done, count)` after each batch."""
    return _add(conninfo, lambda _before: count, seed, progress)


def _add(
    conninfo: str,
    how_many: Callable[[int], int],
    seed: int,
    progress: Callable[[int, int], None] | None = None,
) -> SeedResult:
    """Add `how_many(cases already there)` cases, then refresh the tables' statistics."""
    started = time.perf_counter()
    with psycopg.connect(conninfo) as conn:
        before = count_cases(conn)
        count = how_many(before)
        history = _seed(conn, count, random.Random(seed + before), progress) if count else 0
    _analyze(conninfo)
    return SeedResult(
        before=before,
        added=count,
        seconds=time.perf_counter() - started,
        history_added=history,
    )


def _analyze(conninfo: str) -> None:
    with psycopg.connect(conninfo, autocommit=True) as maintenance:
        # Fresh statistics and visibility map, as autovacuum would give a long-lived table.
        for table in (
            "casework_case",
            "casework_subject",
            "casework_accesslog",
            "workflows_historyentry",
        ):
            maintenance.execute(f"VACUUM ANALYZE {table}")


@dataclass
class Spread:
    """The pickers of one run, drawing from one random generator in a fixed order."""

    rng: random.Random
    users: dict[str, int]
    villages: dict[str, list[str]]
    periods: dict[str, dict[str, timedelta]]  # urgency → step → period
    regency: Callable[[], str]
    category: Callable[[], str]
    urgency: Callable[[], str]
    outcome: Callable[[], str]
    states: list[tuple[int, Callable[[], str]]]
    reporters: dict[str, Callable[[], str]]


def _spread(conn: psycopg.Connection, rng: random.Random) -> Spread:
    """The reference data, accounts and policy the cases draw on; a clear error when missing."""
    users: dict[str, int] = dict(conn.execute("SELECT username, id FROM casework_user").fetchall())
    categories = [r[0] for r in conn.execute("SELECT code FROM casework_category WHERE is_active")]
    villages: dict[str, list[str]] = defaultdict(list)
    for (code,) in conn.execute("SELECT code FROM casework_region WHERE level = 'village'"):
        villages[code[:5]].append(code)
    needed = {name for weights in REPORTERS.values() for name in weights}
    needed |= {name for names in ASSIGNEES.values() for name in names}
    if missing := sorted(needed - set(users)):
        raise RuntimeError(f"demo accounts missing (run seed_demo): {', '.join(missing)}")
    if set(REGENCY_WEIGHTS) - set(villages) or not categories:
        raise RuntimeError("reference data missing (run load_reference_data)")
    return Spread(
        rng=rng,
        users=users,
        villages=villages,
        regency=_picker(rng, REGENCY_WEIGHTS),
        category=_picker(rng, {c: CATEGORY_WEIGHTS.get(c, 2) for c in categories}),
        urgency=_picker(rng, URGENCY),
        outcome=_picker(rng, OUTCOMES),
        periods=_sla_periods(conn),
        states=[(limit, _picker(rng, w)) for limit, w in STATE_BY_AGE],
        reporters={k: _picker(rng, w) for k, w in REPORTERS.items()},
    )


def _seed(
    conn: psycopg.Connection,
    count: int,
    rng: random.Random,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write `count` cases with their subjects and history; returns the history rows written."""
    spread = _spread(conn, rng)
    now = datetime.now(UTC)
    span = YEARS_BACK * 365 * 86400
    # More recent cases than old ones; oldest first so reference numbers follow time.
    ages = sorted((span * rng.random() ** 1.4 for _ in range(count)), reverse=True)
    earlier: dict[str, list[uuid.UUID]] = defaultdict(list)  # for duplicates: recent cases
    history = 0
    for start in range(0, count, BATCH):
        cases = [_plan(spread, age, now, earlier) for age in ages[start : start + BATCH]]
        history += _write_batch(conn, cases, rng)
        conn.commit()
        if progress is not None:
            progress(min(start + BATCH, count), count)
    # The dashboard's tallies, recounted once rather than kept row by row as the services do.
    with conn.cursor() as cursor:
        rebuild(cursor, "postgresql")
    conn.commit()
    return history


def _plan(spread: Spread, age: float, now: datetime, earlier: dict[str, list[uuid.UUID]]) -> dict:
    """One case `age` seconds old: where, what, who, and the transitions it went through."""
    rng = spread.rng
    regency = spread.regency()
    created = now - timedelta(seconds=age)
    age_days = age / 86400
    state = next(pick() for limit, pick in spread.states if age_days < limit)
    urgency = spread.urgency()
    reporter = spread.reporters.get(regency, spread.reporters["*"])()
    outcome = spread.outcome() if state == CaseState.CLOSED else ""
    moves = histories.walk(state, outcome)
    staff = [spread.users[name] for name in ASSIGNEES.get(regency, ASSIGNEES["*"])]
    assigned = rng.choice(staff) if histories.is_verified(moves) else None
    # Transition times: each one's usual delay, squeezed into the case's age if needed.
    gaps = [rng.uniform(*STEP_DAYS[move.action]) for move in moves]
    squeeze = min(1.0, age_days * 0.95 / sum(gaps)) if gaps else 1.0
    times, at = [], created
    for gap in gaps:
        at += timedelta(days=gap * squeeze)
        times.append(at)
    changed = times[-1] if times else created
    case_id = uuid.UUID(int=rng.getrandbits(128), version=4)
    recent = earlier[regency]
    duplicate_of = rng.choice(recent) if outcome == "duplicate" and recent else None
    recent.append(case_id)
    del recent[:-50]
    return {
        "id": case_id,
        "regency": regency,
        "region": rng.choice(spread.villages[regency]),
        "created": created,
        "state": state,
        "urgency": urgency,
        "category": spread.category(),
        "reporter": spread.users[reporter],
        "assigned": assigned,
        "outcome": outcome,
        "referred_to": rng.choice(REFERRED_TO) if outcome == "referred" else "",
        "duplicate_of": duplicate_of,
        "changed": changed,
        "due": histories.due_at(state, changed, spread.periods[urgency]),
        "periods": spread.periods[urgency],
        "steps": list(zip(moves, times, strict=True)),
        # verify/return/reject by whoever handles the regency; the rest by the assignee
        "staff": assigned or rng.choice(staff),
    }


def _reserve_references(conn: psycopg.Connection, cases: list[dict]) -> dict[tuple, int]:
    """The first free number per (regency, year) of the batch, a block reserved for each."""
    groups = Counter((c["regency"], reference_year(c["created"])) for c in cases)
    with conn.cursor() as cursor:
        return {
            (regency, year): reserve_numbers(cursor, regency_code=regency, year=year, count=n)
            for (regency, year), n in groups.items()
        }


def _write_batch(conn: psycopg.Connection, cases: list[dict], rng: random.Random) -> int:
    now = datetime.now(UTC)
    next_number = _reserve_references(conn, cases)
    subject_ids = [
        r[0]
        for r in conn.execute(
            "SELECT nextval(pg_get_serial_sequence('casework_subject', 'id')) "
            "FROM generate_series(1, %s)",
            (len(cases),),
        )
    ]
    subjects, rows, history = [], [], []
    for case, subject_id in zip(cases, subject_ids, strict=True):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        sex = rng.choice("MF")
        birth = date(1935, 1, 1) + timedelta(days=rng.randrange(365 * 85))
        nik = "" if rng.random() < 0.1 else _nik(case["region"], sex, birth, rng)
        phone = f"+62812{rng.randrange(10**8):08d}" if rng.random() < 0.5 else ""
        subjects.append((subject_id, name, nik, sex, birth, phone, case["created"]))
        key = (case["regency"], reference_year(case["created"]))
        reference = format_reference(regency_code=key[0], year=key[1], number=next_number[key])
        next_number[key] += 1
        rows.append(_case_row(case, reference, name, subject_id, now, rng))
        history += histories.history_rows(case, rng)
    _copy(conn, "casework_subject", SUBJECT_COLUMNS, subjects)
    _copy(conn, "casework_case", CASE_COLUMNS, rows)
    _copy(conn, "workflows_historyentry", HISTORY_COLUMNS, history)
    return len(history)


def _case_row(
    case: dict, reference: str, name: str, subject_id: int, now: datetime, rng: random.Random
) -> tuple:
    """The `casework_case` row, in CASE_COLUMNS' order."""
    located = rng.random() < 0.7
    return (
        case["id"],
        reference,
        case["state"],
        case["urgency"],
        f"Jl. {rng.choice(STREETS)} No. {rng.randrange(1, 200)}, RT {rng.randrange(1, 30):02d}",
        round(rng.uniform(-3.9, -1.4), 5) if located else None,
        round(rng.uniform(114.4, 116.5), 5) if located else None,
        rng.choice(DESCRIPTIONS).format(name=name),
        case["created"] - timedelta(hours=rng.uniform(0, 48)),
        case["due"],
        case["changed"],
        case["outcome"],
        case["referred_to"],
        case["duplicate_of"],
        json.dumps([]),
        case["created"],
        case["changed"],  # updated_at: the last transition saved the row
        case["assigned"],
        case["reporter"],
        case["category"],
        case["regency"],
        case["region"],
        subject_id,
        *histories.escalation(case["changed"], case["due"], now),
    )


def _copy(conn: psycopg.Connection, table: str, columns: tuple | list, rows: list) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _nik(village: str, sex: str, birth: date, rng: random.Random) -> str:
    """A well-formed NIK of the case's kecamatan, matching the subject's sex and birth date."""
    day = birth.day + (40 if sex == "F" else 0)
    district = village[:8].replace(".", "")
    return (
        f"{district}{day:02d}{birth.month:02d}{birth.year % 100:02d}{rng.randrange(1, 10**4):04d}"
    )
