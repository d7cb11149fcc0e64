"""The results as Markdown: printed, and (for full runs) written to docs/benchmarks.md.

The document is regenerated whole on every run so the figures, machine and commands always
belong together. Each measured area is a section with its own tables and goals; later work adds
a `Section` (notifications, dashboard) instead of editing the document by hand.
"""

import math
import os
import platform
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psycopg

from bench.load import Run

DOCS_PATH = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
# Hand-written reading of the figures, kept across runs (the rest of the document is generated).
NOTES_PATH = Path(__file__).resolve().parent / "NOTES.md"
PLANNED = ["Workflow transitions"]


@dataclass(frozen=True)
class Goal:
    text: str
    measured: str
    met: bool

    @property
    def verdict(self) -> str:
        return "met" if self.met else "**not met**"


@dataclass
class Table:
    """A table of figures other than request runs (the scale section's sizes, its exports),
    under a `###` heading of its own."""

    caption: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    title: str
    intro: str
    runs: list[Run]
    show_rate: bool
    goals: list[Goal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)  # after the runs, before the goals
    # A `###` heading for the goals when tables precede them (else they would read as part of
    # the last table's heading).
    goals_caption: str = ""


def _ms(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.1f}"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def render_section(section: Section) -> str:
    """One `##` section: what it measures, the runs, other tables, the goals with verdicts,
    notes."""
    headers = ["Measurement", "Clients", "Requests", "Errors"]
    headers += ["Requests/s"] if section.show_rate else []
    headers += ["p50 ms", "p95 ms"]
    rows = []
    for run in section.runs:
        row = [run.name, str(run.clients), str(run.ok), str(run.errors)]
        row += [f"{run.rate:.1f}"] if section.show_rate else []
        row += [_ms(run.p50_ms), _ms(run.p95_ms)]
        rows.append(row)
    parts = [f"## {section.title}", section.intro]
    if section.runs:
        parts.append(_table(headers, rows))
    for table in section.tables:
        parts += [f"### {table.caption}", _table(table.headers, table.rows)]
    if section.goals:
        if section.goals_caption:
            parts.append(f"### {section.goals_caption}")
        parts.append(
            _table(
                ["Goal", "Measured", "Verdict"],
                [[g.text, g.measured, g.verdict] for g in section.goals],
            )
        )
    if section.notes:
        parts.append("\n".join(f"- {note}" for note in section.notes))
    return "\n\n".join(p for p in parts if p)


def machine_facts(conninfo: str, redis_url: str | None = None) -> dict[str, str]:
    """What the figures depend on: CPU, memory, PostgreSQL, Python and framework versions (and
    Celery's and Redis's, given the Redis the notifications used)."""
    import django
    import gunicorn
    import rest_framework

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
        memory = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        memory = "unknown"
    with psycopg.connect(conninfo) as conn:
        ((pg_version,),) = conn.execute("SHOW server_version").fetchall()
        ((shared_buffers,),) = conn.execute("SHOW shared_buffers").fetchall()
        ((sync_commit,),) = conn.execute("SHOW synchronous_commit").fetchall()
    facts = {
        "CPU": f"{cpu}, {os.cpu_count()} cores",
        "Memory": memory,
        "OS": f"{platform.system()} {platform.release()}",
        "PostgreSQL": (
            f"{pg_version} (shared_buffers {shared_buffers}, synchronous_commit {sync_commit})"
        ),
        "Python": platform.python_version(),
        "Django / DRF / gunicorn": (
            f"{django.get_version()} / {rest_framework.VERSION} / {gunicorn.__version__}"
        ),
    }
    if redis_url:
        from importlib import metadata

        import redis

        server = redis.Redis.from_url(redis_url, socket_timeout=10).info("server")
        versions = [metadata.version("celery"), metadata.version("kombu"), server["redis_version"]]
        facts["Celery / kombu / Redis"] = " / ".join(versions)
    return facts


INTRO = """\
# Benchmarks

`make bench` measures the case API against PostgreSQL with a realistically seeded case table,
served by gunicorn exactly as in production (sync workers), and compares each endpoint with a
floor: what the same work costs without the framework around it. A benchmark reports; it does
not fail the build for a slow figure, only when it could not measure (server did not start,
requests failed).

- `make bench`: the full run (100,000 seeded cases, 8 clients, 15 s per measurement, then the
  notification pipeline, about a minute more, then the scale section at 10,000 and 1,000,000
  cases: seeding the million takes minutes the first time, its databases are reused after).
  It rewrites this file. Needs Redis for the notifications (`--redis-url`, default
  `redis://127.0.0.1:6379/14`: the bench writes only keys named after a queue of its own, and
  deletes them afterwards).
- `make bench BENCH_ARGS="--quick"`: a smoke run (2,000 cases, 3 s; scale at 2,000 and 20,000
  cases); prints, does not write here.
- `.venv/bin/python -m bench --only scale`: the scale section alone (printed, not written
  here); `--scale-sizes 10000,1000000` (the default) chooses the sizes, `--scale-fresh` drops
  and re-seeds their databases `ppks_scale_<n>` (on the server of `--database-url`).
- Options: `--database-url` (default `postgres://postgres@127.0.0.1:5432/ppks_bench`; the
  database is created if missing and reused: cases are only added up to `--cases`), `--cases`,
  `--clients` (creates and transitions), `--duration` (per create and transition target),
  `--list-requests`, `--port`, `--fresh` (drop and re-create the bench database first, so it
  holds exactly the seeded cases), `--explain` (print the list's query plans), `--no-docs`,
  `--only api`, `--only notifications` or `--only scale` (one part, printed, not written
  here), `--redis-url`.
  Run `.venv/bin/python -m bench --help`.

How it works: `sampledata/generator.py` (also `manage.py generate_cases`) fills the tables
with COPY (cases spread over the 13
kabupaten/kota by population, the 26 categories, three years, states by age, subjects with
NIKs, the demo accounts as reporters and assignees, references taken from the product's
counter; each case with the history rows of the transitions its state implies, its
`state_changed_at` and its current SLA deadline). `bench/load.py` runs closed-loop HTTP clients
(each sends its next request when the previous answer is in); every failed request is counted
as an error, never dropped. The list baseline (`bench/rawsql.py`) executes the very statements
the endpoint ran, captured from one in-process request, with psycopg and then `json.dumps` of
the rows. The transitions (`bench/transitions.py`) give each client cases of its own, drawn
from the database (topped up through the API when short), so no request waits on a row lock.
The notifications (`bench/notifications.py`) start a Celery worker and a producer process with
the product's Celery settings on a Redis queue of the bench's own, and compare the pipeline
(event committed to inbox item delivered) with a task that does nothing (`bench/tasks.py`).
The scale section (`bench/scale.py`) seeds a database per size with the same generator and
measures, one request at a time, what should not grow with the number of cases: the
dashboard, filtered list pages, and the export's memory (VmHWM of a single gunicorn worker).
"""


def render(
    *,
    sections: list[Section],
    facts: dict[str, str],
    commands: list[str],
    setup: list[str],
    when: datetime,
) -> str:
    """The whole document."""
    parts = [INTRO.rstrip(), f"## Latest run\n\n{when:%Y-%m-%d %H:%M %Z}"]
    parts.append("\n".join(f"- {k}: {v}" for k, v in facts.items()))
    parts.append("Commands:\n\n```sh\n" + "\n".join(commands) + "\n```")
    parts.append("\n".join(f"- {line}" for line in setup))
    parts += [render_section(s) for s in sections]
    done = {s.title.split(" (")[0] for s in sections}
    parts += [f"## {title}\n\nNot measured yet." for title in PLANNED if title not in done]
    if NOTES_PATH.exists():
        parts.append(NOTES_PATH.read_text(encoding="utf-8").strip())
    return "\n\n".join(parts) + "\n"
