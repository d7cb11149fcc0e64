"""The document: a run's figures as JSON (`docs/benchmarks.json`) and the Markdown rendered from
that JSON alone (`docs/benchmarks.md`), its verdicts computed by `bench/targets.py`.

Both are rewritten whole on every full run, so the figures, machine and commands always belong
together; `tests/test_benchmarks_doc.py` renders the committed JSON again and compares, so a hand
edit of the Markdown that contradicts the figures fails the tests.
"""

import json
import math
import os
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from bench import targets
from bench.load import Run

DOCS_PATH = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
FORMAT = 1  # of the JSON; bump when a reader of an older file would misread it


@dataclass
class Section:
    key: str  # what the targets name it by (`bench/targets.py`)
    title: str
    intro: str
    runs: dict[str, Run]  # by key, in the table's order
    show_rate: bool
    notes: list[str] = field(default_factory=list)
    # Figures other than request runs, already as JSON (the scale section's sizes).
    extra: dict[str, Any] = field(default_factory=dict)


def json_figure(value: float) -> float | None:
    """NaN (no latencies) is not JSON: null."""
    return None if math.isnan(value) else value


def run_data(key: str, run: Run) -> dict[str, Any]:
    """What the document keeps of a run: the figures its tables and targets read."""
    return {
        "key": key,
        "name": run.name,
        "clients": run.clients,
        "requests": run.ok,
        "errors": run.errors,
        "per_second": run.rate,
        "p50_ms": json_figure(run.p50_ms),
        "p95_ms": json_figure(run.p95_ms),
    }


def section_data(section: Section) -> dict[str, Any]:
    return {
        "key": section.key,
        "title": section.title,
        "intro": section.intro,
        "show_rate": section.show_rate,
        "runs": [run_data(key, run) for key, run in section.runs.items()],
        **section.extra,
        "notes": section.notes,
    }


def document(
    *,
    sections: list[Section],
    facts: dict[str, str],
    commands: list[str],
    code: str,
    setup: list[str],
    when: datetime,
) -> targets.Document:
    """The run as `docs/benchmarks.json` holds it."""
    return {
        "format": FORMAT,
        "started": when.astimezone(UTC).isoformat(timespec="seconds"),
        "code": code,
        "machine": facts,
        "commands": commands,
        "setup": setup,
        "sections": [section_data(s) for s in sections],
    }


def write(doc: targets.Document, path: Path) -> Path:
    """The Markdown at `path` and its JSON next to it; returns the JSON's path."""
    data_path = path.with_suffix(".json")
    data_path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    path.write_text(render(doc), encoding="utf-8")
    return data_path


# --- the Markdown ----------------------------------------------------------------------------


def _table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _runs_table(section: dict[str, Any]) -> str:
    rate = section["show_rate"]
    headers = ["Measurement", "Clients", "Requests", "Errors"]
    headers += ["Requests/s"] if rate else []
    headers += ["p50 ms", "p95 ms"]
    rows = []
    for run in section["runs"]:
        row = [run["name"], str(run["clients"]), str(run["requests"]), str(run["errors"])]
        row += [targets.figure_text(run["per_second"])] if rate else []
        row += [targets.figure_text(run["p50_ms"]), targets.figure_text(run["p95_ms"])]
        rows.append(row)
    return _table(headers, rows)


def _scale_ms(run: dict[str, Any], stat: str) -> str:
    value = run.get(stat)
    return "failed" if value is None else targets.figure_text(value)


def _size_table(size: dict[str, Any]) -> str:
    rows = [
        [
            run["name"],
            f"`GET {run['path']}`",
            str(run["requests"]),
            str(run["errors"]),
            _scale_ms(run, "p50_ms"),
            _scale_ms(run, "p95_ms"),
        ]
        for run in size["runs"]
    ]
    return f"### {size['size']:,} cases (database `{size['database']}`)\n\n" + _table(
        ["Measurement", "Request", "Requests", "Errors", "p50 ms", "p95 ms"], rows
    )


def _export_table(title: str, sizes: list[dict[str, Any]]) -> str:
    rows = []
    for size in sizes:
        e = size["export"]
        figures = (
            [
                f"{e['rows']:,}",
                f"{e['size'] / 1e6:.1f}",
                f"{e['seconds']:.2f}",
                f"{e['rows'] / e['seconds'] if e['seconds'] else 0:,.0f}",
                f"{e['first_byte'] * 1000:.0f}",
            ]
            if e is not None and not e["error"]
            else ["failed", "", "", "", ""]
        )
        peak = size["worker_peak_kb"]
        empty, full = peak["empty_export"], peak["full_export"]
        rows.append(
            [
                f"{size['size']:,}",
                *figures,
                f"{empty / 1024:.1f}" if empty else "",
                f"{full / 1024:.1f}" if full else "",
                f"{(full - empty) / 1024:+.1f}" if empty and full else "",
            ]
        )
    headers = [
        "Cases",
        "Rows",
        "MB sent",
        "Seconds",
        "Rows/s",
        "First byte ms",
        "Worker peak MB, empty export",
        "after the full export",
        "Difference MB",
    ]
    return f"### {title}\n\n" + _table(headers, rows)


def _measures_table(title: str, measures: list[dict[str, Any]]) -> str:
    rows = [
        [
            m["name"],
            str(m["runs"]),
            targets.measure_text(m["value"], m["unit"]),
            targets.measure_text(m["max"], m["unit"]),
        ]
        for m in measures
    ]
    return f"### {title}\n\n" + _table(["Measurement", "Runs", "Median", "Max"], rows)


def render_section(section: dict[str, Any]) -> str:
    """One `##` section: what it measures, its tables, its notes."""
    parts = [f"## {section['title']}", section["intro"]]
    if section["runs"]:
        parts.append(_runs_table(section))
    if measures := section.get("measures"):
        parts.append(_measures_table(section["measures_title"], measures))
    if sizes := section.get("sizes"):
        parts += [_size_table(size) for size in sizes]
        parts.append(_export_table(section["export_title"], sizes))
    if section["notes"]:
        parts.append("\n".join(f"- {note}" for note in section["notes"]))
    return "\n\n".join(p for p in parts if p)


def render_verdict(doc: targets.Document, when: str) -> str:
    """The targets against the figures: a count, what is not met, and the table."""
    found = targets.verdicts(doc)
    missed = [v for v in found if not v.met]
    parts = [
        "## Verdict",
        f"The run of {when} ({doc['code']}) against the targets of `bench/targets.py`: "
        f"**{len(found) - len(missed)} of {len(found)} met**" + (", not met:" if missed else "."),
    ]
    if missed:
        parts.append(
            "\n".join(
                f"- {v.area}: {v.goal} ({v.measured.rsplit(' = ', 1)[-1]})"
                if v.value is not None
                else f"- {v.area}: {v.goal} (not measured)"
                for v in missed
            )
        )
    parts.append(
        _table(
            ["Area", "Target", "Measured", "Verdict"],
            [[v.area, v.goal, v.measured, v.verdict] for v in found],
        )
    )
    return "\n\n".join(parts)


INTRO = """\
# Benchmarks

`make bench` measures the case API against PostgreSQL with generated cases, served by gunicorn
as in production (sync workers): case intake, the case list, workflow transitions, the
notification pipeline on Celery and Redis, the web app's budgets of UI.md (the report form's
first load and its time to usable on a slow connection, each page's server time against the API),
and how the dashboard, filtered lists and export behave as the case table grows. Each figure is
set against a floor (the same work without the framework around it, or the same request on a
smaller database, or a budget of UI.md), and each target of `bench/targets.py` is judged on those
figures. A slow figure does not fail the bench; a
measurement that could not be made does (the server did not start, requests failed).

Everything from the Verdict on is generated: a full run writes its figures to
`docs/benchmarks.json` and renders this file from them (`bench/report.py`), and
`tests/test_benchmarks_doc.py` fails when the two disagree. Edit the code, not this file, and run
the bench again.

- `make bench`: the full run; rewrites this file and `docs/benchmarks.json`. Needs PostgreSQL
  (`--database-url`, a database of the bench's own, created if missing) and Redis (`--redis-url`;
  the bench writes only the keys of its own queues, and deletes them afterwards). The scale
  section's largest database takes minutes to seed the first time and is reused after.
- `make bench BENCH_ARGS="--quick"`: a smoke run at small sizes, printed; with
  `--docs-path PATH` also rendered to PATH (and its JSON next to it) instead of here.
- `--only api`, `--only notifications`, `--only pages`, `--only scale`: one part, printed only.
  The pages section needs Chromium at `/usr/bin/chromium` (driven by Playwright).
  `.venv/bin/python -m bench --help` lists every option.

How it measures: `sampledata/generator.py` fills the databases with COPY (cases across the
province's regions and categories, each with the history its state implies). `bench/load.py`
runs closed-loop HTTP clients and counts every failed request as an error. Rates are compared in
alternating halves (A-B-B-A), so a drift in background load hits both sides; latencies take turns
request by request. The list's floor (`bench/rawsql.py`) runs the very statements the endpoint
ran, with psycopg and `json.dumps`. The transitions give each client cases of its own, so no
request waits on a row lock. The notifications compare the pipeline (event committed to inbox
item delivered) with a Celery task that does nothing (`bench/tasks.py`). The pages section
(`bench/pages.py`) runs `collectstatic` (WhiteNoise then serves the gzip files), opens `/lapor/`
in headless Chromium in fresh contexts signed in through `/masuk/`, sums what the browser
received (headers and compressed bodies) and counts requests to other hosts, times the form to
usable under Chromium's network emulation (CDP), first load and repeat load from the service
worker's shell, and times each page (session cookie) and the API calls reading the same data
(bearer token) in turns. The scale section (`bench/scale.py`) seeds a database per size and sets
the largest against the smallest. Each section below says how its figures were taken.
"""


def render(doc: targets.Document) -> str:
    """The whole Markdown document, from the JSON alone."""
    when = f"{datetime.fromisoformat(doc['started']).astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    parts = [INTRO.rstrip(), render_verdict(doc, when), f"## Latest run\n\n{when}"]
    parts.append("\n".join(f"- {k}: {v}" for k, v in doc["machine"].items()))
    parts.append("Commands:\n\n```sh\n" + "\n".join(doc["commands"]) + "\n```")
    parts.append("\n".join(f"- {line}" for line in [f"Code: {doc['code']}", *doc["setup"]]))
    parts += [render_section(s) for s in doc["sections"]]
    return "\n\n".join(parts) + "\n"


# --- the machine -----------------------------------------------------------------------------


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
