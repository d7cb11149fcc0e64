"""Generate many realistic cases, fast (COPY, not the API; PostgreSQL only): the data of
`manage.py generate_cases` and of `make bench`.

Performance depends on what is in the table, so the spread follows the real one
roughly: regencies weighted by population, common PPKS categories more frequent, more recent
cases than old ones, old cases mostly closed. References are taken from `ReferenceCounter` the
way `casework.references` does, so cases created later through the API never collide.
Deterministic for a given seed and count.

Each case is consistent with the workflow (WORKFLOW.md, `workflows.services`): it went through
the transitions its state implies (report; return; verify; assist; close, or reject), each one a
`workflows_historyentry` row with its actor and time; `state_changed_at` is the last of them;
`due_at` is the current step's deadline from the default SLA policy in the database (none once
closed); an assignee exactly when the case was verified; `referred_to` for referred outcomes and
`duplicate_of` (an earlier case of the same kabupaten/kota) for duplicates. COPY must name every
NOT NULL column: Django keeps model defaults in Python, not in the database. The notification
outbox is not seeded: it holds the messages not yet delivered, which is near empty when delivery
keeps up. Each step-completing transition's history row carries its SLA record (`payload.sla`) as
`workflows.services` writes it, and the dashboard's tallies are recounted once at the end
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

from workflows.steps import COMPLETES
from workflows.tally_sql import rebuild

BATCH = 10_000
YEARS_BACK = 3
WITA = timedelta(hours=8)

# Roughly the 2020 census populations (thousands): where most reports come from.
REGENCY_WEIGHTS = {
    "63.01": 348,  # Tanah Laut
    "63.02": 325,  # Kotabaru
    "63.03": 565,  # Banjar
    "63.04": 313,  # Barito Kuala
    "63.05": 189,  # Tapin
    "63.06": 228,  # Hulu Sungai Selatan
    "63.07": 258,  # Hulu Sungai Tengah
    "63.08": 226,  # Hulu Sungai Utara
    "63.09": 253,  # Tabalong
    "63.10": 322,  # Tanah Bumbu
    "63.11": 130,  # Balangan
    "63.71": 657,  # Kota Banjarmasin
    "63.72": 253,  # Kota Banjarbaru
}
# The categories Dinsos sees most; every other active category weighs 2.
CATEGORY_WEIGHTS = {"FM": 25, "LUT": 18, "PD": 12, "AT": 8, "ABT": 5, "KBS": 5, "PGM": 4}
URGENCY = {"emergency": 5, "high": 20, "normal": 60, "low": 15}
SLA_DAYS = {"emergency": 1, "high": 3, "normal": 7, "low": 14}
OUTCOMES = {
    "resolved": 60,
    "referred": 15,
    "rejected": 10,
    "duplicate": 5,
    "deceased": 3,
    "unreachable": 7,
}
# State by the case's age in days: (upper bound, weights).
STATE_BY_AGE = [
    (30, {"reported": 40, "returned": 5, "verified": 25, "assisted": 20, "closed": 10}),
    (180, {"reported": 7, "returned": 3, "verified": 15, "assisted": 25, "closed": 50}),
    (10_000, {"reported": 2, "returned": 0, "verified": 3, "assisted": 10, "closed": 85}),
]
# Who reports, by regency (demo accounts of API.md); "*" is every other regency.
REPORTERS = {
    "63.71": {"relawan_bjm": 85, "petugas_bjm": 6, "petugas_bjm_2": 4, "supervisor_bjm": 5},
    "63.10": {"relawan_tanbu": 90, "petugas_tanbu": 10},
    "*": {"relawan_bjm": 45, "relawan_tanbu": 45, "supervisor_kalsel": 10},
}
# Who handles a case once verified. Other regencies have no demo officer: the province's
# supervisor handles (and may be assigned) every regency's cases.
ASSIGNEES = {
    "63.71": ["petugas_bjm", "petugas_bjm_2"],
    "63.10": ["petugas_tanbu"],
    "*": ["supervisor_kalsel"],
}
# The transitions a case in each state went through (`reject` replaces the rest for rejected and
# duplicate outcomes), with the days each took after the previous one: (shortest, longest).
PATHS = {
    "reported": [],
    "returned": ["return"],
    "verified": ["verify"],
    "assisted": ["verify", "assist"],
    "closed": ["verify", "assist", "close"],
}
STEP_DAYS = {
    "return": (0.1, 3),
    "verify": (0.05, 3),
    "reject": (0.05, 3),
    "assist": (0.5, 14),
    "close": (1, 60),
}
TO_STATE = {
    "return": "returned",
    "verify": "verified",
    "reject": "closed",
    "assist": "assisted",
    "close": "closed",
}
# The SLA step each state is timed by: column of workflows_slapolicy.
SLA_STEP = {
    "reported": "verify_within",
    "returned": "verify_within",
    "verified": "assist_within",
    "assisted": "close_within",
}
REFERRED_TO = [
    "Panti Sosial Tresna Werdha Budi Sejahtera",
    "RSUD Ulin Banjarmasin",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "UPTD Rehabilitasi Sosial Anak",
]
ASSISTANCE_KINDS = ["basic_needs", "health", "civil_documents", "cash_transfer", "shelter"]
NOTES = {
    "report": "",
    "return": "Mohon lengkapi alamat dan nomor kontak keluarga.",
    "verify": "Asesmen awal selesai, kondisi sesuai laporan.",
    "reject": "Tidak memenuhi kriteria PPKS setelah kunjungan.",
    "assist": "",  # the description stays on the assistance record
    "close": "Penanganan selesai, tindak lanjut oleh keluarga.",
}
FIRST_NAMES = [
    "Aminah",
    "Siti",
    "Nur",
    "Rahmah",
    "Fatimah",
    "Halimah",
    "Maimunah",
    "Zainab",
    "Saleha",
    "Jamilah",
    "Ahmad",
    "Muhammad",
    "Abdul",
    "Rahmat",
    "Yusuf",
    "Ismail",
    "Hasan",
    "Husin",
    "Bahrudin",
    "Syahrani",
    "Gusti",
    "Iwan",
    "Budi",
    "Rudi",
    "Agus",
    "Dedi",
]
LAST_NAMES = [
    "Hidayat",
    "Rahman",
    "Saputra",
    "Wahyudi",
    "Hakim",
    "Fauzi",
    "Anwar",
    "Syarif",
    "Ramadhan",
    "Maulana",
    "Hasanah",
    "Lestari",
    "Marlina",
    "Yanti",
    "Wati",
    "Sari",
    "Noor",
    "Aini",
    "Rusdi",
    "Effendi",
    "Arsyad",
    "Bakhtiar",
]
STREETS = [
    "Sungai Andai",
    "Pramuka",
    "A. Yani",
    "Kayu Tangi",
    "Belitung",
    "Veteran",
    "Cempaka",
    "Sultan Adam",
    "Pangeran Antasari",
    "Gatot Subroto",
    "Trikora",
    "Banua Anyar",
]
DESCRIPTIONS = [
    "Dilaporkan warga: {name} membutuhkan asesmen lanjutan oleh pekerja sosial.",
    "{name} tinggal sendiri tanpa keluarga yang merawat, kondisi kesehatan menurun.",
    "Ketua RT melaporkan {name}; kebutuhan makan sehari-hari tidak tercukupi.",
    "Kunjungan PSM: {name} belum terdaftar di DTKS, perlu verifikasi dan pendampingan.",
]

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
    started = time.perf_counter()
    with psycopg.connect(conninfo) as conn:
        before = count_cases(conn)
        missing = max(0, target - before)
        history = _seed(conn, missing, random.Random(seed + before)) if missing else 0
    _analyze(conninfo)
    return SeedResult(
        before=before,
        added=missing,
        seconds=time.perf_counter() - started,
        history_added=history,
    )


def _sla_periods(conn: psycopg.Connection) -> dict[str, dict[str, timedelta]]:
    """The default SLA policy per urgency (`load_reference_data` loads it), by step column."""
    rows = conn.execute(
        "SELECT urgency, verify_within, assist_within, close_within FROM workflows_slapolicy "
        "WHERE category_id IS NULL"
    ).fetchall()
    periods = {
        urgency: {"verify_within": v, "assist_within": a, "close_within": c}
        for urgency, v, a, c in rows
    }
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
    started = time.perf_counter()
    with psycopg.connect(conninfo) as conn:
        before = count_cases(conn)
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


def _seed(
    conn: psycopg.Connection,
    count: int,
    rng: random.Random,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write `count` cases with their subjects and history; returns the history rows written."""
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

    pick_regency = _picker(rng, REGENCY_WEIGHTS)
    pick_category = _picker(rng, {c: CATEGORY_WEIGHTS.get(c, 2) for c in categories})
    pick_urgency = _picker(rng, URGENCY)
    pick_outcome = _picker(rng, OUTCOMES)
    sla = _sla_periods(conn)
    state_pickers = [(limit, _picker(rng, w)) for limit, w in STATE_BY_AGE]
    reporter_pickers = {k: _picker(rng, w) for k, w in REPORTERS.items()}

    now = datetime.now(UTC)
    span = YEARS_BACK * 365 * 86400
    # More recent cases than old ones; oldest first so reference numbers follow time.
    ages = sorted((span * rng.random() ** 1.4 for _ in range(count)), reverse=True)
    earlier: dict[str, list[uuid.UUID]] = defaultdict(list)  # for duplicates: recent cases
    history = 0
    for start in range(0, count, BATCH):
        chunk = ages[start : start + BATCH]
        cases = []
        for age in chunk:
            regency = pick_regency()
            created = now - timedelta(seconds=age)
            age_days = age / 86400
            state = next(pick() for limit, pick in state_pickers if age_days < limit)
            urgency = pick_urgency()
            reporter = reporter_pickers.get(regency, reporter_pickers["*"])()
            outcome = pick_outcome() if state == "closed" else ""
            steps = ["reject"] if outcome in ("rejected", "duplicate") else PATHS[state]
            staff = [users[name] for name in ASSIGNEES.get(regency, ASSIGNEES["*"])]
            assigned = rng.choice(staff) if "verify" in steps else None
            # Transition times: each step's usual delay, squeezed into the case's age if needed.
            gaps = [rng.uniform(*STEP_DAYS[step]) for step in steps]
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
            step = SLA_STEP.get(state)
            cases.append(
                {
                    "id": case_id,
                    "regency": regency,
                    "region": rng.choice(villages[regency]),
                    "created": created,
                    "state": state,
                    "urgency": urgency,
                    "category": pick_category(),
                    "reporter": users[reporter],
                    "assigned": assigned,
                    "outcome": outcome,
                    "referred_to": rng.choice(REFERRED_TO) if outcome == "referred" else "",
                    "duplicate_of": duplicate_of,
                    "changed": changed,
                    "due": changed + sla[urgency][step] if step else None,
                    "periods": sla[urgency],
                    "steps": list(zip(steps, times, strict=True)),
                    # verify/return/reject by whoever handles the regency; the rest by the assignee
                    "staff": assigned or rng.choice(staff),
                }
            )
        history += _write_batch(conn, cases, rng)
        conn.commit()
        if progress is not None:
            progress(min(start + BATCH, count), count)
    # The dashboard's tallies, recounted once rather than kept row by row as the services do.
    with conn.cursor() as cursor:
        rebuild(cursor, "postgresql")
    conn.commit()
    return history


def _escalation(entered: datetime, due: datetime | None, now: datetime) -> tuple:
    """(escalation_level, escalate_at) as if the escalation sweep had kept up (the rule of
    `workflows.deadlines.escalation_time`: 75% of the period, the deadline, one more period)."""
    if due is None:
        return 0, None
    period = due - entered
    for level, at in enumerate((entered + period * 0.75, due, due + period)):
        if at > now:
            return level, at
    return 3, None


def _write_batch(conn: psycopg.Connection, cases: list[dict], rng: random.Random) -> int:
    now = datetime.now(UTC)
    # Reference numbers: reserve a block per (regency, year) from the product's counter.
    groups = Counter((c["regency"], (c["created"] + WITA).year) for c in cases)
    next_number = {}
    for (regency, year), n in groups.items():
        ((last,),) = conn.execute(  # one row: the upsert always returns it
            "INSERT INTO casework_referencecounter (regency_id, year, last_number) "
            "VALUES (%s, %s, %s) ON CONFLICT (regency_id, year) DO UPDATE "
            "SET last_number = casework_referencecounter.last_number + EXCLUDED.last_number "
            "RETURNING last_number",
            (regency, year, n),
        ).fetchall()
        next_number[(regency, year)] = last - n + 1
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
        year = (case["created"] + WITA).year
        number = next_number[(case["regency"], year)]
        next_number[(case["regency"], year)] += 1
        located = rng.random() < 0.7
        rows.append(
            (
                case["id"],
                f"{case['regency'].replace('.', '')}-{year}-{number:06d}",
                case["state"],
                case["urgency"],
                f"Jl. {rng.choice(STREETS)} No. {rng.randrange(1, 200)}, "
                f"RT {rng.randrange(1, 30):02d}",
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
                *_escalation(case["changed"], case["due"], now),
            )
        )
        history += _history_rows(case, rng)
    with conn.cursor() as cur:
        with cur.copy(f"COPY casework_subject ({', '.join(SUBJECT_COLUMNS)}) FROM STDIN") as copy:
            for row in subjects:
                copy.write_row(row)
        with cur.copy(f"COPY casework_case ({', '.join(CASE_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        columns = ", ".join(HISTORY_COLUMNS)
        with cur.copy(f"COPY workflows_historyentry ({columns}) FROM STDIN") as copy:
            for row in history:
                copy.write_row(row)
    return len(history)


def _history_rows(case: dict, rng: random.Random) -> list[tuple]:
    """The case's `workflows_historyentry` rows, as `workflows.services._record` writes them."""
    rows = [(case["id"], "report", "", "reported", case["reporter"], case["created"], "", "{}")]
    state, entered = "reported", case["created"]
    for action, at in case["steps"]:
        if action == "verify":
            actor, payload = case["staff"], {"assignee": case["assigned"]}
        elif action == "reject":
            original = case["duplicate_of"]
            actor = case["staff"]
            payload = {"outcome": case["outcome"], "duplicate_of": original and str(original)}
        elif action == "assist":
            actor = case["assigned"]
            payload = {
                "kind": rng.choice(ASSISTANCE_KINDS),
                "delivered_at": (at + WITA).date().isoformat(),
            }
        elif action == "close":
            actor = case["assigned"]
            payload = {"outcome": case["outcome"], "referred_to": case["referred_to"]}
        else:  # return
            actor, payload = case["staff"], {}
        to_state = TO_STATE[action]
        if completed := COMPLETES.get((action, state)):
            # As `workflows.services` records it: the deadline in force and whether it was met.
            due = entered + case["periods"][f"{completed}_within"]
            payload["sla"] = {"step": completed, "due_at": due.isoformat(), "on_time": at <= due}
        entered = at
        rows.append(
            (case["id"], action, state, to_state, actor, at, NOTES[action], json.dumps(payload))
        )
        state = to_state
    return rows


def _nik(village: str, sex: str, birth: date, rng: random.Random) -> str:
    """A well-formed NIK of the case's kecamatan, matching the subject's sex and birth date."""
    day = birth.day + (40 if sex == "F" else 0)
    district = village[:8].replace(".", "")
    return (
        f"{district}{day:02d}{birth.month:02d}{birth.year % 100:02d}{rng.randrange(1, 10**4):04d}"
    )
