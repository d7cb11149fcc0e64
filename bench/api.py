"""The api section: case intake next to the minimal view, the case list next to its own SQL,
and the workflow transitions (`bench/transitions.py`), all on one gunicorn."""

import argparse
import json
import secrets
import shlex
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from bench import harness, load, machine, rawsql, report, transitions
from bench.harness import HOST, SERVER_WORKERS, case_body, json_headers

VOLUNTEER, OFFICER = "relawan_bjm", "petugas_bjm"
CASES_PATH = "/api/v1/cases/"
LIST_PATHS = {
    "first page": f"{CASES_PATH}?page_size=50",
    "filtered": f"{CASES_PATH}?page_size=50&state=reported&region=63.71.04",
}


@dataclass
class Result:
    sections: list[report.Section]
    runs: list[load.Run]
    quiet: list[str]  # before the creates, the lists, the transitions
    command: list[str]  # the server's


@dataclass
class _Lists:
    runs: dict[str, load.Run]  # by key: the page's label, then its two floors
    notes: list[str]


def measure(args: argparse.Namespace, password: str, started: datetime) -> Result:
    """Intake, lists and transitions against gunicorn; the server is stopped on return."""
    url = args.database_url
    port = harness.free_port(args.port)
    queue = f"bench-api-{secrets.token_hex(4)}"
    server = harness.Server(port, url, harness.RESULTS_DIR / "gunicorn.log", args.redis_url, queue)
    print(f"gunicorn: {shlex.join(server.command)}", flush=True)
    quiet: list[str] = []
    with server:
        quiet.append(_settle("creates"))
        creates = measure_creates(port, args, harness.token(port, VOLUNTEER, password))
        with psycopg.connect(url, autocommit=True) as conn:
            # The creates just added rows: plan the lists on current statistics, as autovacuum
            # would keep them, not on the seed's.
            conn.execute("ANALYZE casework_case")
        quiet.append(_settle("lists"))
        officer = harness.token(port, OFFICER, password)
        lists = measure_lists(port, args, officer, url)
        flow = transitions.measure(
            port,
            clients=args.clients,
            duration=args.duration,
            conninfo=url,
            officer_token=officer,
            volunteer_token=harness.token(port, VOLUNTEER, password),
            run_started=started,
        )
        quiet.append(flow.quiet)
    harness.forget_queue(args.redis_url, queue)
    from django.db import connections

    connections.close_all()
    return Result(
        sections=[
            _intake_section(args, creates),
            _list_section(args, lists),
            _transitions_section(args, flow),
        ],
        runs=creates + list(lists.runs.values()) + list(flow.runs.values()),
        quiet=quiet,
        command=server.command,
    )


def _settle(before: str) -> str:
    quiet = machine.wait_for_quiet()
    print(f"machine before {before}: {quiet}", flush=True)
    return quiet


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


def measure_lists(port: int, args: argparse.Namespace, access: str, conninfo: str) -> _Lists:
    """Each list page over HTTP next to its own SQL run directly, taking turns per request."""
    lists = _Lists({}, [])
    for label, path in LIST_PATHS.items():
        runs, note = _measure_list(port, args, access, conninfo, label, path)
        key = label.replace(" ", "-")
        lists.runs.update(zip((key, f"{key}-raw", f"{key}-all"), runs, strict=True))
        lists.notes.append(note)
    return lists


def _measure_list(
    port: int, args: argparse.Namespace, access: str, conninfo: str, label: str, path: str
) -> tuple[list[load.Run], str]:
    status, statements = rawsql.capture(path, access)
    page = [s for s in statements if s.is_page_query]
    if status != 200 or len(page) != 1:
        raise RuntimeError(f"capturing {path}: status {status}, {len(page)} page queries")
    if args.explain:
        print(f"\n-- {path}\n{page[0].sql}\n{rawsql.explain(conninfo, page[0])}\n")

    def make(client: int, sequence: int) -> Any:
        return ("GET", path, None, json_headers(access))

    names = (
        f"GET {path} ({label})",
        "  same page: raw SQL + json.dumps",
        f"  all {len(statements)} statements of the request + json.dumps",
    )
    probes: list[load.HttpProbe | rawsql.StatementProbe] = [
        load.HttpProbe(HOST, port, make, 200),
        rawsql.StatementProbe(conninfo, page),
        rawsql.StatementProbe(conninfo, statements),
    ]
    try:
        measured = load.interleaved(
            dict(zip(names, probes, strict=True)),
            count=args.list_requests,
            time_limit=max(60.0, args.duration * 8),
        )
    finally:
        for probe in probes:
            probe.close()
    api, raw, everything = (measured[name] for name in names)
    planning, execution = rawsql.plan_and_execution_ms(conninfo, page[0])
    note = (
        f"{label}: the request ran {len(statements)} statements: "
        + "; ".join(s.kind for s in statements)
        + f". PostgreSQL's own time for the page SELECT: planning {planning:.1f} ms, "
        f"execution {execution:.1f} ms (EXPLAIN ANALYZE, median of 5)."
    )
    print(f"  {api.name}: p50 {api.p50_ms:.1f} ms, p95 {api.p95_ms:.1f} ms", flush=True)
    return [api, raw, everything], note


def _intake_section(args: argparse.Namespace, creates: list[load.Run]) -> report.Section:
    api, minimal = creates
    return report.Section(
        key="intake",
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
        runs={"api": api, "minimal": minimal},
        show_rate=True,
    )


def _list_section(args: argparse.Namespace, lists: _Lists) -> report.Section:
    return report.Section(
        key="list",
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
        runs=lists.runs,
        show_rate=False,
        notes=lists.notes,
    )


def _transitions_section(args: argparse.Namespace, flow: transitions.Result) -> report.Section:
    return report.Section(
        key="transitions",
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
        notes=flow.notes,
    )
