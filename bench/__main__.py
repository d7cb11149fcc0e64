"""`python -m bench`: set up PostgreSQL, seed, serve with gunicorn, measure, report; then the
notification pipeline with a Celery worker on Redis; then the scale section (dashboard, lists and
export at 10,000 and 1,000,000 generated cases, a database each).

Exit status 0 when every measurement ran cleanly, whatever the figures; 1 when the bench itself
broke (server did not start, requests failed); 2 for bad arguments.
"""

import argparse
import json
import secrets
import shlex
import signal
import subprocess
import sys
import urllib.parse
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from bench import harness, load, notifications, rawsql, report, scale, transitions
from bench.harness import (
    FORBIDDEN_DATABASES,
    HOST,
    PORTS,
    RESULTS_DIR,
    ROOT,
    SERVER_WORKERS,
    SeedResult,
    case_body,
    free_port,
    json_headers,
    token,
)
from bench.machine import wait_for_quiet

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ppks_bench"
VOLUNTEER, OFFICER = "relawan_bjm", "petugas_bjm"
CASES_PATH = "/api/v1/cases/"
LIST_PATHS = {
    "first page": f"{CASES_PATH}?page_size=50",
    "filtered": f"{CASES_PATH}?page_size=50&state=reported&region=63.71.04",
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--cases", type=int, help="seed up to this many cases (default 100000)")
    parser.add_argument(
        "--clients", type=int, default=8, help="concurrent clients for creates and transitions"
    )
    parser.add_argument(
        "--duration", type=float, help="seconds per create and transition measurement (15)"
    )
    parser.add_argument("--list-requests", type=int, help="sequential list requests (200)")
    parser.add_argument("--port", type=int, help="gunicorn port (default: first free 8101-8199)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 2000 cases, 3 s; scale at 2000,20000"
    )
    parser.add_argument(
        "--fresh", action="store_true", help="drop and re-create the bench database first"
    )
    parser.add_argument("--explain", action="store_true", help="print the list query plans")
    parser.add_argument(
        "--docs",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="rewrite docs/benchmarks.md (default: yes, except with --quick or --only)",
    )
    parser.add_argument(
        "--only",
        choices=["api", "notifications", "scale"],
        help="measure only the API (intake, lists, transitions), only the notifications, or "
        "only the scale section (dashboard, lists, export at --scale-sizes)",
    )
    parser.add_argument(
        "--scale-sizes",
        type=scale.parse_sizes,
        help="case counts of the scale section, a database ppks_scale_<n> each "
        "(default 10000,1000000; with --quick 2000,20000)",
    )
    parser.add_argument(
        "--scale-fresh",
        action="store_true",
        help="drop and re-seed the scale section's databases first (a million cases: minutes)",
    )
    parser.add_argument(
        "--redis-url",
        default=harness.DEFAULT_REDIS_URL,
        help="the notifications' broker; only the bench's own queue keys are written and deleted",
    )
    args = parser.parse_args(argv)
    quick = args.quick
    args.cases = args.cases if args.cases is not None else (2_000 if quick else 100_000)
    args.duration = args.duration if args.duration is not None else (3.0 if quick else 15.0)
    args.list_requests = args.list_requests or (30 if quick else 200)
    args.docs = (not quick and not args.only) if args.docs is None else args.docs
    if args.scale_sizes is None:
        args.scale_sizes = scale.QUICK_SIZES if quick else scale.SIZES
    if args.docs and args.only:
        parser.error("--only measures part of the document: it cannot rewrite it (--no-docs)")
    database = urllib.parse.urlsplit(args.database_url).path.lstrip("/")
    if not database or database in FORBIDDEN_DATABASES:
        parser.error(f"refusing database {database!r}: use a database of the bench's own")
    if args.port is not None and args.port not in PORTS:
        parser.error("--port must be within 8101-8199")
    if not (1 <= args.clients <= 64 and 0 < args.duration <= 600 and args.cases >= 0):
        parser.error("--clients 1..64, --duration up to 600 s, --cases >= 0")
    return args


def measure_creates(port: int, args: argparse.Namespace, access: str) -> list[load.Run]:
    """The API's create and the minimal view, same body, same clients, in A-B-B-A segments.

    Alternating halves cancel a steady drift in background load (the machine may be shared);
    both are warmed up first (imports, connections, caches of each gunicorn worker).
    """
    from bench.urls import MINIMAL_PATH

    targets = [
        (f"POST {CASES_PATH} (full API)", CASES_PATH, json_headers(access)),
        (f"POST {MINIMAL_PATH} (minimal view)", MINIMAL_PATH, json_headers(None)),
    ]
    makers = []
    for _name, path, headers in targets:

        def make(client: int, sequence: int, path: str = path, headers: dict = headers) -> Any:
            return ("POST", path, json.dumps(case_body(client, sequence)).encode(), headers)

        makers.append(make)
    common = {"clients": args.clients, "expect": 201}
    warm_up = min(3.0, args.duration)
    for make in makers:
        load.closed_loop(HOST, port, name="warm-up", duration=warm_up, make_request=make, **common)
    segments: list[list[load.Run]] = [[], []]
    for index in (0, 1, 1, 0):
        segments[index].append(
            load.closed_loop(
                HOST,
                port,
                name=targets[index][0],
                duration=args.duration / 2,
                make_request=makers[index],
                **common,
            )
        )
    runs = [load.merge(target[0], parts) for target, parts in zip(targets, segments, strict=True)]
    for run in runs:
        print(f"  {run.name}: {run.ok} ok, {run.errors} errors, {run.rate:.1f}/s", flush=True)
    return runs


def measure_lists(
    port: int, args: argparse.Namespace, access: str, conninfo: str
) -> tuple[list[load.Run], list[report.Goal], list[str]]:
    """Each list page over HTTP next to its own SQL run directly, taking turns per request."""
    runs, goals, notes = [], [], []
    limit = max(60.0, args.duration * 8)
    for label, path in LIST_PATHS.items():
        status, statements = rawsql.capture(path, access)
        page = [s for s in statements if s.is_page_query]
        if status != 200 or len(page) != 1:
            raise RuntimeError(f"capturing {path}: status {status}, {len(page)} page queries")
        if args.explain:
            print(f"\n-- {path}\n{page[0].sql}\n{rawsql.explain(conninfo, page[0])}\n")

        def make(client: int, sequence: int, path: str = path) -> Any:
            return ("GET", path, None, json_headers(access))

        names = (
            f"GET {path} ({label})",
            "  same page: raw SQL + json.dumps",
            f"  all {len(statements)} statements of the request + json.dumps",
        )
        probes = [
            load.HttpProbe(HOST, port, make, 200),
            rawsql.StatementProbe(conninfo, page),
            rawsql.StatementProbe(conninfo, statements),
        ]
        try:
            measured = load.interleaved(
                dict(zip(names, probes, strict=True)), count=args.list_requests, time_limit=limit
            )
        finally:
            for probe in probes:
                probe.close()
        api, raw, everything = (measured[name] for name in names)
        runs += [api, raw, everything]
        ratio = api.p95_ms / raw.p95_ms if raw.latencies else float("nan")
        goals.append(
            report.Goal(
                f"{label}: p95 ≤ 3 x raw SQL + JSON",
                f"{api.p95_ms:.1f} ms vs {raw.p95_ms:.1f} ms = {ratio:.2f}x",
                ratio <= 3.0,
            )
        )
        planning, execution = rawsql.plan_and_execution_ms(conninfo, page[0])
        notes.append(
            f"{label}: the request ran {len(statements)} statements: "
            + "; ".join(s.kind for s in statements)
            + f". PostgreSQL's own time for the page SELECT: planning {planning:.1f} ms, "
            f"execution {execution:.1f} ms (EXPLAIN ANALYZE, median of 5)."
        )
        print(f"  {api.name}: p50 {api.p50_ms:.1f} ms, p95 {api.p95_ms:.1f} ms", flush=True)
    return runs, goals, notes


def _loadavg() -> str:
    """Other work on the machine skews the figures; the report says how busy it was."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


def code_version() -> str:
    """The commit measured, and any uncommitted changes: the figures belong to that code."""
    try:

        def git(*args: str) -> str:
            done = subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True
            )
            return done.stdout

        head = git("rev-parse", "--short", "HEAD").strip()
        changed = [
            line[3:]
            for line in git("status", "--porcelain", "--untracked-files=no").splitlines()
            if not line[3:].startswith(("bench/", "docs/benchmarks.md"))
        ]
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout?)"
    if not changed:
        return f"commit {head}"
    return f"commit {head} with uncommitted changes to {', '.join(changed)}"


@dataclass
class ApiResult:
    sections: list[report.Section]
    runs: list[load.Run]
    quiet: list[str]  # before the creates, the lists, the transitions
    command: list[str]  # the server's


def measure_api(args: argparse.Namespace, url: str, password: str, started: datetime) -> ApiResult:
    """Intake, lists and transitions against gunicorn; the server is stopped on return."""
    port = free_port(args.port)
    queue = f"bench-api-{secrets.token_hex(4)}"
    server = harness.Server(port, url, RESULTS_DIR / "gunicorn.log", args.redis_url, queue)
    print(f"gunicorn: {shlex.join(server.command)}", flush=True)
    quiet: list[str] = []
    with server:
        quiet.append(wait_for_quiet())
        print(f"machine before creates: {quiet[-1]}", flush=True)
        creates = measure_creates(port, args, token(port, VOLUNTEER, password))
        with psycopg.connect(url, autocommit=True) as conn:
            # The creates just added rows: plan the lists on current statistics, as autovacuum
            # would keep them, not on the seed's.
            conn.execute("ANALYZE casework_case")
        quiet.append(wait_for_quiet())
        print(f"machine before lists: {quiet[-1]}", flush=True)
        officer = token(port, OFFICER, password)
        list_runs, list_goals, list_notes = measure_lists(port, args, officer, url)
        flow = transitions.measure(
            port,
            clients=args.clients,
            duration=args.duration,
            conninfo=url,
            officer_token=officer,
            volunteer_token=token(port, VOLUNTEER, password),
            run_started=started,
        )
        quiet.append(flow.quiet)
    harness.forget_queue(args.redis_url, queue)
    from django.db import connections

    connections.close_all()

    api, minimal = creates
    ratio = api.rate / minimal.rate if minimal.rate else float("nan")
    sections = [
        report.Section(
            title=f"Case intake (POST {CASES_PATH})",
            intro=(
                f"{args.clients} concurrent closed-loop clients, {args.duration:.0f} s for each "
                "target after a warm-up, measured in alternating halves (API, minimal, minimal, "
                f"API); gunicorn with {SERVER_WORKERS} sync workers (which close the connection "
                "after each response). Body: "
                "`tests/factories.case_payload` with a new subject name per request. The minimal "
                "view (`bench/minimal.py`) writes the same rows in one transaction (subject, "
                "reference counter upsert, case, `report` history row, `case_reported` outbox "
                "rows) with no authentication, validation, SLA or recipient lookups, delivery "
                "rows, task publishing, or serialization."
            ),
            runs=creates,
            show_rate=True,
            goals=[
                report.Goal(
                    "create rate ≥ 0.5 x minimal view",
                    f"{api.rate:.1f} / {minimal.rate:.1f} req/s = {ratio:.3f}x",
                    ratio >= 0.5,
                )
            ],
        ),
        report.Section(
            title=f"Case list (GET {CASES_PATH})",
            intro=(
                f"As officer `{OFFICER}` (Kota Banjarmasin): {args.list_requests} requests per "
                "page, one at a time, after 10 warm-up rounds. Baseline: the same page's SELECT, "
                "captured from the endpoint, run with psycopg (client-side binding, as Django) "
                "and encoded with `json.dumps`; the HTTP request and the baseline take turns "
                "round by round. For information, the third line of each group runs every "
                "statement of the request (user lookup, page, access-log insert). The access log "
                "is part of the product: an officer's list writes one row per case shown, in one "
                "INSERT, committed before the response."
            ),
            runs=list_runs,
            show_rate=False,
            goals=list_goals,
            notes=list_notes,
        ),
        report.Section(
            title=f"Workflow transitions (POST {CASES_PATH}{{id}}/{{action}}/)",
            intro=(
                f"As officer `{OFFICER}` (Kota Banjarmasin), {args.clients} concurrent "
                f"closed-loop clients, {args.duration:.0f} s for each target after a warm-up, "
                "measured in alternating halves (verify, PATCH, assign, assign, PATCH, verify). "
                "Every request acts on a different case, and each client only on cases of its "
                "own, so no request waits on another's row lock. `verify` takes a `reported` "
                'case to `verified` (body `{"note": ...}`, the officer becomes the assignee): '
                "row lock, transition check, SLA deadline, case UPDATE, a history row and the "
                "outbox row for the reporter, in one transaction. The comparison is `PATCH "
                f"{CASES_PATH}{{id}}/` with a new `description` on other `reported` cases "
                "(`case_edit`: row lock, case and subject UPDATE, an `edit` history row). "
                "`assign` (for information) hands a verified or assisted case to another officer "
                "without changing its state. The cost of a request is the inverse of the rate "
                "the same clients sustain: PATCH rate / action rate is how many PATCHes one "
                "action costs."
            ),
            runs=flow.runs,
            show_rate=True,
            goals=flow.goals,
            notes=flow.notes,
        ),
    ]
    return ApiResult(
        sections=sections,
        runs=creates + list_runs + flow.runs,
        quiet=quiet,
        command=server.command,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` blocks still run
    RESULTS_DIR.mkdir(exist_ok=True)
    url = args.database_url
    started = datetime.now().astimezone()
    load_before = _loadavg()
    version = code_version()
    # Before the long part: a missing Redis is known at once (the API server publishes to it).
    harness.check_redis(args.redis_url)

    password = secrets.token_urlsafe(18)
    # The scale section seeds databases of its own: alone, it needs nothing of the bench's.
    seeded: SeedResult | None = None
    if args.only != "scale":
        seeded = harness.prepare_bench_database(url, password, fresh=args.fresh, cases=args.cases)

    sections: list[report.Section] = []
    all_runs: list[load.Run] = []
    commands: list[str] = []
    quiet: list[str] = []
    given = sys.argv[1:] if argv is None else argv
    commands.append("make bench" + (f' BENCH_ARGS="{shlex.join(given)}"' if given else ""))
    if args.only in (None, "api"):
        api = measure_api(args, url, password, started)
        sections += api.sections
        all_runs += api.runs
        commands.append(f"# server started by the bench:\n{shlex.join(api.command)}")
        quiet.append(
            f"other work on the machine just before the creates: {api.quiet[0]}, before the "
            f"lists: {api.quiet[1]}, before the transitions: {api.quiet[2]}"
        )
    notified = None
    if args.only in (None, "notifications"):
        print("notifications: Celery worker on Redis", flush=True)
        notified = notifications.measure(url, args.redis_url, quick=args.quick)
        sections.append(notifications.section(notified))
        all_runs += notified.runs
        commands.append(f"# worker started by the bench:\n{shlex.join(notified.command)}")
        quiet.append(f"before the notifications: {notified.quiet}")
    scaled = None
    if args.only in (None, "scale"):
        scaled = scale.measure(args, password, sizes=args.scale_sizes)
        sections.append(scale.section(scaled))
        all_runs += scaled.runs
        commands += ["# the scale section alone:", "python -m bench --only scale"]
        commands += [
            f"# server started by the scale section:\n{shlex.join(command)}"
            for command in scaled.commands[:2]  # the same for every size but the database
        ]

    setup = [f"Code: {version}"]
    if seeded is not None:
        setup.append(
            f"Cases in the database: {seeded.before + seeded.added:,} (seeded now: "
            f"{seeded.added:,} with {seeded.history_added:,} history rows, in "
            f"{seeded.seconds:.0f} s); database `{urllib.parse.urlsplit(url).path.lstrip('/')}`"
        )
    setup += [
        f"Broker of the API server: Redis ({harness.safe_url(args.redis_url)}); requests "
        "publish their notification tasks after the commit, to a queue no worker reads"
        + (
            f"; of the notifications section: Redis ({harness.safe_url(args.redis_url)})"
            if notified
            else ""
        ),
        "Client and server share the machine: the load generator's CPU counts against both "
        "sides alike.",
        f"Load average (1 min) at start / end: {load_before} / {_loadavg()}"
        + "".join(f"; {line}" for line in quiet),
    ]
    # Alone, the scale section never created `url`'s database: ask its first one instead.
    facts_url = url if seeded is not None else scale.database_url(url, args.scale_sizes[0])
    facts = report.machine_facts(facts_url, args.redis_url if notified else None)
    text = report.render(
        sections=sections,
        facts=facts,
        commands=commands,
        setup=setup,
        when=started,
    )
    print("\n" + text)
    # Warm-ups and top-ups of the transitions raised already if they failed.
    broken = [r for r in all_runs if r.errors or not r.ok or r.exhausted]
    results: dict[str, Any] = {
        "at": started.isoformat(),
        "args": vars(args),
        "runs": [{**asdict(r), "statuses": dict(r.statuses)} for r in all_runs],
    }
    if notified:
        results["notifications"] = notifications.summary(notified)
    if scaled:
        results["scale"] = scale.summary(scaled)
    (RESULTS_DIR / "latest.json").write_text(json.dumps(results, indent=1, default=str))
    # Every failure of the scale section: export, memory, row counts, and its failed requests.
    failures = scaled.failures if scaled else []
    for failure in failures:
        print(f"ERROR in the scale section: {failure}", file=sys.stderr)
    if broken or failures:
        # The scale section's failed runs are among its failures, printed above.
        scale_runs = {id(run) for run in scaled.runs} if scaled else set()
        for run in (r for r in broken if id(r) not in scale_runs):
            print(f"ERROR in {run.name}: {run.errors} errors; {run.error_samples}", file=sys.stderr)
            if run.exhausted:
                print(
                    f"  {run.exhausted} clients ran out of cases: the pool was too small",
                    file=sys.stderr,
                )
        print("not recording: the bench did not run cleanly", file=sys.stderr)
        return 1
    if args.docs:
        report.DOCS_PATH.write_text(text)
        print(f"written to {report.DOCS_PATH.relative_to(ROOT)}")
    return 0


def run() -> int:
    """`main`, with a broken bench reported in one line rather than a traceback."""
    try:
        return main()
    except (RuntimeError, OSError, psycopg.Error) as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(run())
