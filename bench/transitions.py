"""Workflow transitions next to a plain case edit, each client on cases of its own.

`POST /cases/{id}/verify/` (a state transition), `PATCH /cases/{id}/` (an edit, which also writes
a history row) and, for information, `POST /cases/{id}/assign/` (an action that keeps the state),
as officer `petugas_bjm` on cases of Kota Banjarmasin. Every request acts on a different case
and each client owns its cases, so no request waits on another's row lock: the figures are the
cost of the work, not of contention. Cases are drawn from the database (the seed's and those the
intake measurement just filed); if the warm-up shows the pool would run short, more are filed
(and, for assign, verified) through the API first. A client that still runs out stops early and
the run is reported as broken, never as a slower rate.
"""

import json
import math
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import psycopg

from bench import load, machine, rawsql
from bench.harness import HOST, case_body, json_headers

REGENCY = "63.71"  # Kota Banjarmasin
OFFICER, OTHER_OFFICER, SUPERVISOR = "petugas_bjm", "petugas_bjm_2", "supervisor_bjm"
CASES_PATH = "/api/v1/cases/"
MARGIN = 2.0  # a pool holds twice what the warm-up rate would use in the measurement
TOP_UP_LIMIT = 30_000  # cases filed through the API at most, per kind of top-up
TOP_UP_SECONDS = 180.0
CAPTURES = 2  # in-process requests per target; the statements of the last one are reported
Rows = list[tuple[str, int | None, datetime]]  # (id, assignee, created_at) of cases


@dataclass(frozen=True)
class Item:
    case_id: str
    assignee: int | None = None  # for assign: who the case goes to


class Pool:
    """The cases of one target, dealt to the clients: each client takes only from its own queue."""

    def __init__(self, clients: int) -> None:
        self.queues: list[deque[Item]] = [deque() for _ in range(clients)]
        self.taken = 0

    def add(self, items: list[Item]) -> None:
        for index, item in enumerate(items):
            self.queues[index % len(self.queues)].append(item)

    def rebalance(self) -> None:
        items = [item for queue in self.queues for item in queue]
        for queue in self.queues:
            queue.clear()
        self.add(items)

    def take(self, client: int) -> Item | None:
        queue = self.queues[client]
        if not queue:
            return None
        self.taken += 1
        return queue.popleft()

    def take_any(self) -> Item:
        queue = max(self.queues, key=len)
        if not queue:
            raise RuntimeError("no case left for the statement capture")
        self.taken += 1
        return queue.popleft()

    @property
    def remaining(self) -> int:
        return sum(len(queue) for queue in self.queues)


@dataclass
class Target:
    label: str
    name: str
    method: str
    action: str  # its history row's action
    path: Callable[[Item], str]
    body: Callable[[Item, int, int], dict[str, Any]]
    pool: Pool
    ok: int = 0  # successful requests of every kind (capture, warm-up, measured)
    statements: list[rawsql.Statement] = field(default_factory=list)

    def maker(self, headers: dict[str, str]) -> load.RequestMaker:
        def make(client: int, sequence: int) -> load.Request | None:
            item = self.pool.take(client)
            if item is None:
                return None
            body = json.dumps(self.body(item, client, sequence)).encode()
            return (self.method, self.path(item), body, headers)

        return make


@dataclass
class Result:
    runs: dict[str, load.Run]  # by key: verify, patch, assign
    notes: list[str]
    quiet: str
    side_runs: list[load.Run]  # warm-ups and top-ups: checked for errors, not reported


def _targets(clients: int, users: dict[str, int]) -> list[Target]:
    def action_path(action: str) -> Callable[[Item], str]:
        return lambda item: f"{CASES_PATH}{item.case_id}/{action}/"

    return [
        Target(
            label="verify",
            name=f"POST {CASES_PATH}{{id}}/verify/ (transition)",
            method="POST",
            action="verify",
            path=action_path("verify"),
            body=lambda item, c, n: {"note": f"Asesmen lapangan {c}-{n}: kondisi sesuai laporan."},
            pool=Pool(clients),
        ),
        Target(
            label="PATCH",
            name=f"PATCH {CASES_PATH}{{id}}/ (edit)",
            method="PATCH",
            action="edit",
            path=lambda item: f"{CASES_PATH}{item.case_id}/",
            body=lambda item, c, n: {
                "description": f"Kunjungan ulang {c}-{n}: lansia tinggal sendiri, perlu bantuan."
            },
            pool=Pool(clients),
        ),
        Target(
            label="assign",
            name=f"POST {CASES_PATH}{{id}}/assign/ (same-state action)",
            method="POST",
            action="assign",
            path=action_path("assign"),
            body=lambda item, c, n: {"assignee": item.assignee, "note": f"Alih tugas {c}-{n}."},
            pool=Pool(clients),
        ),
    ]


def _assign_item(case_id: str, assigned_to: int | None, users: dict[str, int]) -> Item:
    """To someone other than the current assignee and the actor: one outbox row every time."""
    to = users[SUPERVISOR] if assigned_to == users[OTHER_OFFICER] else users[OTHER_OFFICER]
    return Item(case_id, to)


def _db_now(conninfo: str) -> datetime:
    with psycopg.connect(conninfo) as conn:
        ((now,),) = conn.execute("SELECT now()").fetchall()
    return now


def _cases(
    conninfo: str, states: list[str], *, since: datetime | None = None, ids: list[str] | None = None
) -> Rows:
    """(id, assignee, created_at) of the regency's cases in `states`, in id (random) order."""
    query = (
        "SELECT id::text, assigned_to_id, created_at FROM casework_case "
        "WHERE regency_id = %s AND state = ANY(%s)"
    )
    params: list[Any] = [REGENCY, states]
    if since is not None:
        query += " AND created_at >= %s"
        params.append(since)
    if ids is not None:
        query += " AND id = ANY(%s::uuid[])"
        params.append(ids)
    with psycopg.connect(conninfo) as conn:
        return conn.execute(query + " ORDER BY id", params).fetchall()


def _check(run: load.Run, what: str) -> load.Run:
    if run.errors:
        raise RuntimeError(f"{what}: {run.errors} errors; {run.error_samples}")
    return run


def _users(conninfo: str) -> tuple[dict[str, int], int]:
    """The ids of the section's users, and the history rows before it."""
    with psycopg.connect(conninfo) as conn:
        users: dict[str, int] = dict(
            conn.execute(
                "SELECT username, id FROM casework_user WHERE username = ANY(%s)",
                ([OFFICER, OTHER_OFFICER, SUPERVISOR],),
            ).fetchall()
        )
        ((history_before,),) = conn.execute(
            "SELECT count(*) FROM workflows_historyentry"
        ).fetchall()
    return users, history_before


def _filer(access: str) -> load.RequestMaker:
    """Files a case as the intake's volunteer; subjects named apart from the intake's own."""
    headers = json_headers(access)

    def file_case(client: int, sequence: int) -> load.Request:
        body = case_body(100 + client, sequence)
        return ("POST", CASES_PATH, json.dumps(body).encode(), headers)

    return file_case


class _Flow:
    """One pass of the section, step by step; keeps the counts the notes are made of."""

    def __init__(
        self,
        port: int,
        *,
        clients: int,
        duration: float,
        conninfo: str,
        officer_token: str,
        volunteer_token: str,
        users: dict[str, int],
    ) -> None:
        self.port, self.clients, self.duration, self.conninfo = port, clients, duration, conninfo
        self.officer_token = officer_token
        self.headers = json_headers(officer_token)
        self.create = _filer(volunteer_token)
        self.users = users
        self.targets = _targets(clients, users)
        self.side_runs: list[load.Run] = []
        self.created: Counter[str] = Counter()  # cases filed by top-ups, by what they were for

    def loop(
        self, name: str, make: load.RequestMaker, duration: float, expect: int, **kw: Any
    ) -> load.Run:
        run = load.closed_loop(
            HOST,
            self.port,
            name=name,
            clients=self.clients,
            duration=duration,
            make_request=make,
            expect=expect,
            **kw,
        )
        self.side_runs.append(run)
        return _check(run, name)

    def file_cases(self, count: int, purpose: str) -> Rows:
        """`count` new reported cases through the API (as the intake's volunteer)."""
        since = _db_now(self.conninfo)
        per_client = math.ceil(count / self.clients)
        run = self.loop(
            f"top-up: file {count} cases", self.create, TOP_UP_SECONDS, 201,
            limit_per_client=per_client,
        )  # fmt: skip
        self.created[purpose] += run.ok
        return _cases(self.conninfo, ["reported"], since=since)

    def fill_pools(self) -> tuple[Rows, Rows]:
        """Reported cases dealt alternately to verify and PATCH, verified or assisted ones to
        assign; both lists returned for the notes."""
        verify, patch, assign = self.targets
        reported = _cases(self.conninfo, ["reported"])
        handled = _cases(self.conninfo, ["verified", "assisted"])
        for index, (case_id, _assignee, _created) in enumerate(reported):
            (verify if index % 2 == 0 else patch).pool.add([Item(case_id)])
        assign.pool.add([_assign_item(case_id, to, self.users) for case_id, to, _ in handled])
        self.rebalance()
        return reported, handled

    def rebalance(self) -> dict[str, int]:
        """Each client's share evened out; the pool sizes, by target."""
        for target in self.targets:
            target.pool.rebalance()
        return {target.label: target.pool.remaining for target in self.targets}

    def capture(self) -> None:
        """What each request runs, captured in-process (the first request warms this process)."""
        for target in self.targets:
            for _ in range(CAPTURES):
                item = target.pool.take_any()
                status, statements = rawsql.capture(
                    target.path(item),
                    self.officer_token,
                    method=target.method,
                    body=target.body(item, 99, target.ok),
                )
                if status != 200:
                    raise RuntimeError(
                        f"capturing {target.label} on {item.case_id}: status {status}"
                    )
                target.ok += 1
                target.statements = statements

    def warm_up(self) -> dict[str, int]:
        """Each target warmed up; returns the cases each needs for the measurement, by label:
        MARGIN times what the warm-up's rate would use, and two per client."""
        rates, needs = {}, {}
        for target in self.targets:
            run = self.loop(
                f"warm-up {target.label}", target.maker(self.headers), min(3.0, self.duration), 200
            )
            target.ok += run.ok
            rates[target.label] = run.rate
            # A pool used up in the warm-up gave a rate from a few cold requests: more margin.
            margin = MARGIN * (1.5 if run.exhausted else 1.0)
            needs[target.label] = math.ceil(run.rate * self.duration * margin) + self.clients * 2
        print("  warm-up: " + ", ".join(f"{k} {v:.1f}/s" for k, v in rates.items()), flush=True)
        return needs

    def top_up(self, needs: dict[str, int]) -> None:
        """Pools short of `needs` get new cases through the API (for assign, verified too)."""
        verify, patch, assign = self.targets

        def shortfall(target: Target) -> int:
            return min(max(0, needs[target.label] - target.pool.remaining), TOP_UP_LIMIT)

        for target in (verify, patch):
            if missing := shortfall(target):
                print(f"  top-up for {target.label}: filing {missing} cases", flush=True)
                new = self.file_cases(missing, target.label)
                target.pool.add([Item(case_id) for case_id, _, _ in new])
        if missing := shortfall(assign):
            print(f"  top-up for assign: filing and verifying {missing} cases", flush=True)
            new = self.file_cases(missing, "assign")
            to_verify = Pool(self.clients)
            to_verify.add([Item(case_id) for case_id, _, _ in new])
            helper = replace(verify, pool=to_verify, ok=0, statements=[])
            run = self.loop("top-up: verify", helper.maker(self.headers), TOP_UP_SECONDS, 200)
            verify.ok += run.ok
            done = _cases(self.conninfo, ["verified"], ids=[case_id for case_id, _, _ in new])
            assign.pool.add([_assign_item(case_id, to, self.users) for case_id, to, _ in done])

    def measure(self) -> list[load.Run]:
        """The targets in alternating halves, merged into a run each."""
        segments: dict[str, list[load.Run]] = {target.label: [] for target in self.targets}
        order = [0, 1, 2, 2, 1, 0]  # each target's halves sit symmetrically around the middle
        for index in order:
            target = self.targets[index]
            run = load.closed_loop(
                HOST,
                self.port,
                name=target.name,
                clients=self.clients,
                duration=self.duration / 2,
                make_request=target.maker(self.headers),
                expect=200,
            )
            segments[target.label].append(run)
        runs = [load.merge(target.name, segments[target.label]) for target in self.targets]
        for target, run in zip(self.targets, runs, strict=True):
            target.ok += run.ok
            print(
                f"  {run.name}: {run.ok} ok, {run.errors} errors, {run.rate:.1f}/s, "
                f"p50 {run.p50_ms:.1f} ms, p95 {run.p95_ms:.1f} ms"
                + (f", {run.exhausted} clients ran out of cases" if run.exhausted else ""),
                flush=True,
            )
        return runs


def measure(
    port: int,
    *,
    clients: int,
    duration: float,
    conninfo: str,
    officer_token: str,
    volunteer_token: str,
    run_started: datetime,
) -> Result:
    """The section's runs and notes. Raises RuntimeError if the bench itself broke.

    `volunteer_token` files the cases of the top-ups; `run_started` tells the cases the intake
    measurement filed from the others."""
    users, history_before = _users(conninfo)
    started = _db_now(conninfo)
    flow = _Flow(
        port,
        clients=clients,
        duration=duration,
        conninfo=conninfo,
        officer_token=officer_token,
        volunteer_token=volunteer_token,
        users=users,
    )
    reported, handled = flow.fill_pools()
    flow.capture()
    flow.top_up(flow.warm_up())
    pool_sizes = flow.rebalance()
    quiet = machine.wait_for_quiet()
    print(f"machine before transitions: {quiet}", flush=True)
    runs = flow.measure()
    notes = [
        _pools_note(flow, runs, run_started, reported, handled, pool_sizes),
        *_statement_notes(flow.targets),
        _rows_note(flow.targets, conninfo, started, history_before),
    ]
    return Result(
        runs={t.label.lower(): run for t, run in zip(flow.targets, runs, strict=True)},
        notes=notes,
        quiet=quiet,
        side_runs=flow.side_runs,
    )


def _pools_note(
    flow: _Flow,
    runs: list[load.Run],
    run_started: datetime,
    reported: Rows,
    handled: Rows,
    pool_sizes: dict[str, int],
) -> str:
    def origin(rows: Rows) -> str:
        this_run = sum(1 for _, _, at in rows if at >= run_started)
        return (
            f"{len(rows) - this_run:,} seeded (or left by earlier runs) and {this_run:,} filed "
            "by this run's intake measurement"
        )

    used = ", ".join(
        f"{t.label} {t.pool.taken:,} (measured {r.ok:,})"
        for t, r in zip(flow.targets, runs, strict=True)
    )
    created = flow.created
    top_up = (
        "; before measuring, the pools were topped up through the API: "
        + ", ".join(f"{n:,} cases filed for {what}" for what, n in created.items())
        + (" (and verified)" if "assign" in created else "")
        if created
        else "; no top-up was needed"
    )
    return (
        f"Cases available in Kota Banjarmasin at the start: {len(reported):,} reported "
        f"({origin(reported)}), dealt alternately to verify and PATCH; {len(handled):,} verified "
        f"or assisted (seeded) for assign{top_up}. Pool sizes when the measurement "
        f"started (at least {MARGIN:.0f}x the warm-up rate times the duration): "
        + ", ".join(f"{k} {v:,}" for k, v in pool_sizes.items())
        + f". Cases used, each once (captures and warm-ups included): {used}."
    )


def _statement_notes(targets: list[Target]) -> list[str]:
    notes = []
    for target in targets:
        kinds = [s.kind for s in target.statements]
        notes.append(
            f"{target.label} ran {len(kinds)} statements (captured in-process): "
            + "; ".join(kinds)
            + "."
        )
    return notes


def _rows_note(targets: list[Target], conninfo: str, started: datetime, history_before: int) -> str:
    """The rows the section wrote, checked against the answers: one history row each."""
    with psycopg.connect(conninfo) as conn:
        history: dict[str, int] = dict(
            conn.execute(
                "SELECT action, count(*) FROM workflows_historyentry WHERE at >= %s "
                "GROUP BY action",
                (started,),
            ).fetchall()
        )
        outbox: dict[str, int] = dict(
            conn.execute(
                "SELECT event, count(*) FROM notifications_outboxmessage WHERE created_at >= %s "
                "GROUP BY event ORDER BY event",
                (started,),
            ).fetchall()
        )
        ((history_total,),) = conn.execute("SELECT count(*) FROM workflows_historyentry").fetchall()
    mismatched = [
        f"{t.action}: {history.get(t.action, 0)} rows for {t.ok} answers"
        for t in targets
        if history.get(t.action, 0) != t.ok
    ]
    return (
        "Rows written during the section: history "
        + ", ".join(f"{action} {n:,}" for action, n in sorted(history.items()))
        + "; outbox "
        + (", ".join(f"{event} {n:,}" for event, n in outbox.items()) or "none")
        + f". History table: {history_before:,} rows before, {history_total:,} after. "
        + (
            "Every successful request wrote exactly one history row."
            if not mismatched
            else "**History rows do not match the successful requests**: " + "; ".join(mismatched)
        )
    )
