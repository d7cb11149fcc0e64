"""The notification pipeline next to a no-op Celery task, on the same Redis and the same worker.

The bench process starts a Celery worker (prefork, 2 processes, a queue of its own on the Redis
of `--redis-url`) and a producer process (`python -m bench.notifications`, this module run as a
script) with the same settings (`bench.celery_settings`: the bench's, not eager, no remote
control). The producer measures, in alternating phases:

- the floor, `bench.noop` (`bench/tasks.py`): `apply_async` as a web process would; the task
  appends its start time to a Redis list. Round trip: publish to start of the task.
- an event is what `workflows.services.case_report` does for its notices, on a seeded
  `reported` case outside Kota Banjarmasin (where the routing gives exactly one recipient): in
  one transaction `workflows.notices.tell(case, "case_reported",
  responsibility.duty_officers(case), actor=reporter)` writes the outbox and delivery rows; after
  the commit `notifications.relay.publish` (the kick) hands the delivery to Redis; the worker's
  `notifications.deliver` locks it, renders, writes the inbox item and marks it delivered. The
  case row itself is not written: filing a case is the intake benchmark's subject.
- the pipeline from commit: events committed beforehand (not timed), then their kicks one after
  the other; what happens from the commit on, measured as the no-op is.
- the pipeline with its producer: each event committed and kicked in turn; the producer's
  transactions compete with the worker for the cores. Latency: commit (the after-commit
  callback) to the delivery's `delivered_at`.

Bursts (N sent as fast as one thread can; rate = N / (last done - first sent)) measure
throughput; steady phases at a fixed rate well below both capacities measure the latency an
event sees when the queue is empty. Producer, worker, PostgreSQL and Redis share the machine's
cores, as in a small deployment; the CPU each used is reported per task.
"""

import argparse
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from bench import harness, load, machine, report

WORKERS = 2
EVENT = "case_reported"
BANJARMASIN = "63.71"  # two duty officers there: one event, two deliveries; left out
SETTINGS = "bench.celery_settings"
WAIT_LIMIT = 180.0  # seconds for one phase's work to be done before the bench is broken
QUIET_LIMIT = 30.0  # seconds to wait for a quiet machine before each measured phase
CPU_PARTS = ("worker", "producer", "postgres", "redis")
KINDS = {  # kind: its name in the table
    "noop": "no-op task",
    "drain": "pipeline from commit",  # events committed beforehand, then only the kicks
    "pipeline": "pipeline with its producer",  # each event committed, then kicked
}


@dataclass(frozen=True)
class Plan:
    warm_up: int  # of each kind, before anything is measured
    noop_burst: int  # per half
    pipeline_burst: int  # per half, for each of the two pipeline measurements
    steady: int  # per half, of the no-op and the pipeline
    rate: float  # of the steady phases, per second
    profile: int  # deliveries attempted in-process for the statement list and timings


FULL = Plan(warm_up=200, noop_burst=2000, pipeline_burst=500, steady=120, rate=20.0, profile=100)
QUICK = Plan(warm_up=50, noop_burst=300, pipeline_burst=150, steady=40, rate=20.0, profile=20)


@dataclass
class Phase:
    """What the producer saw of one phase; times are epoch seconds (one clock: one machine)."""

    kind: str  # one of KINDS
    mode: str  # "burst", "steady" or "warm-up"
    sent: int = 0
    starts: list[float] = field(default_factory=list)  # publish (no-op, drain) or commit
    dones: list[float] = field(default_factory=list)  # task start or delivered_at, same order
    missing: int = 0  # sent, never done within WAIT_LIMIT
    produce_seconds: float = 0.0  # wall time in the producer's sending loop (pauses excluded)
    in_transaction: list[float] = field(default_factory=list)  # pipeline: start to commit
    publishing: list[float] = field(default_factory=list)  # each publish call
    # CPU seconds of CPU_PARTS and "machine"; "sessions": database connections opened
    cpu: dict[str, float] = field(default_factory=dict)
    window: float = 0.0  # wall seconds the CPU figures cover
    quiet: str = ""  # the machine before the phase

    @property
    def latencies(self) -> list[float]:
        return [d - s for s, d in zip(self.starts, self.dones, strict=True)]

    @property
    def seconds(self) -> float:
        return max(self.dones) - min(self.starts) if self.dones else 0.0


Bursts = dict[str, list[Phase]]  # the burst phases, by kind


@dataclass
class Result:
    runs: dict[str, load.Run]  # by key: KINDS (the bursts), then noop-steady, pipeline-steady
    notes: list[str]
    quiet: str
    command: list[str]
    raw: dict[str, Any]
    plan: Plan


# --- the bench process's side: worker and producer process -----------------------------------


def measure(conninfo: str, redis_url: str, *, quick: bool) -> Result:
    """The section's runs and notes. Raises RuntimeError if the bench itself broke."""
    harness.check_redis(redis_url)
    plan = QUICK if quick else FULL
    queue = f"bench-notify-{secrets.token_hex(4)}"
    env = harness.service_env(SETTINGS, conninfo, redis_url, queue)
    out_path = harness.RESULTS_DIR / "notifications.json"
    out_path.unlink(missing_ok=True)
    _set_aside_pending(conninfo)
    worker = harness.Worker(env, queue, harness.RESULTS_DIR / "celery.log", processes=WORKERS)
    print(f"celery worker on queue {queue} of {harness.safe_url(redis_url)}", flush=True)
    try:
        with worker:
            quiet = machine.wait_for_quiet()
            print(f"machine before notifications: {quiet}", flush=True)
            _produce(worker, env, plan, queue, out_path)
    finally:
        harness.forget_queue(redis_url, queue)
    raw = json.loads(out_path.read_text())
    return _result(raw, plan, quiet, worker.command, redis_url)


def _set_aside_pending(conninfo: str) -> None:
    """The API part's deliveries went to a queue no worker reads: still pending, they would be
    due work for this section's worker (which takes due in-app deliveries in batches, oldest
    first) and be counted against the events measured here."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        stale = conn.execute(
            "UPDATE notifications_delivery SET status = 'dead', last_error = 'bench: not measured' "
            "WHERE status = 'pending'"
        ).rowcount
    print(f"{stale} pending deliveries of earlier parts set aside (dead)", flush=True)


def _produce(
    worker: harness.Worker, env: dict[str, str], plan: Plan, queue: str, out_path: Path
) -> None:
    """The producer process, run to its end while the worker lives; its figures to `out_path`."""
    assert worker.process is not None
    producer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.notifications",
            "--plan",
            json.dumps(asdict(plan)),
            "--queue",
            queue,
            "--worker-pid",
            str(worker.process.pid),
            "--out",
            str(out_path),
        ],
        cwd=harness.ROOT,
        env=env,
    )
    try:
        while producer.poll() is None:
            if not worker.alive():
                raise RuntimeError(f"the celery worker exited; see {worker.log_path}")
            time.sleep(0.5)
    finally:
        if producer.poll() is None:
            producer.terminate()
            producer.wait(timeout=30)
    if producer.returncode != 0:
        raise RuntimeError(f"the notifications producer failed ({producer.returncode})")


def _phases(raw: dict[str, Any], kind: str, mode: str) -> list[Phase]:
    return [Phase(**p) for p in raw["phases"] if p["kind"] == kind and p["mode"] == mode]


def _run(name: str, phases: list[Phase]) -> load.Run:
    run = load.Run(name=name, clients=WORKERS)
    for phase in phases:
        run.ok += len(phase.dones)
        run.errors += phase.missing
        run.seconds += phase.seconds
        run.latencies += phase.latencies
    if run.errors:
        run.error_samples.append(f"{run.errors} sent and not done within {WAIT_LIMIT:.0f} s")
    return run


def _cpu_ms(phases: list[Phase]) -> dict[str, float]:
    """CPU milliseconds per task done, by party; "other" is the machine's rest."""
    done = sum(len(p.dones) for p in phases) or 1
    per_task = {
        part: 1000 * sum(p.cpu.get(part, 0.0) for p in phases) / done
        for part in (*CPU_PARTS, "machine")
    }
    per_task["other"] = per_task["machine"] - sum(per_task[part] for part in CPU_PARTS)
    window = sum(p.window for p in phases) or 1
    per_task["busy"] = sum(p.cpu.get("machine", 0.0) for p in phases) / window
    per_task["sessions"] = sum(p.cpu.get("sessions", 0.0) for p in phases) / done
    return per_task


def _mean_ms(values: list[float]) -> float:
    return 1000 * statistics.fmean(values) if values else float("nan")


def _result(
    raw: dict[str, Any], plan: Plan, quiet: str, command: list[str], redis_url: str
) -> Result:
    bursts = {kind: _phases(raw, kind, "burst") for kind in KINDS}
    runs = _runs(raw, plan, bursts)
    notes = [
        _order_note(plan, runs, bursts),
        _cpu_note(bursts),
        _producer_note(bursts),
        _profile_note(raw["profile"]),
        _rows_note(raw, redis_url),
    ]
    keys = [*KINDS, "noop-steady", "pipeline-steady"]
    return Result(
        runs=dict(zip(keys, runs, strict=True)),
        notes=notes,
        quiet=quiet,
        command=command,
        raw=raw,
        plan=plan,
    )


def _runs(raw: dict[str, Any], plan: Plan, bursts: Bursts) -> list[load.Run]:
    """The bursts of each kind, then the steady phases of the no-op and the pipeline."""
    steady = {kind: _phases(raw, kind, "steady") for kind in ("noop", "pipeline")}
    sizes = {"noop": plan.noop_burst, "pipeline": plan.pipeline_burst, "drain": plan.pipeline_burst}
    units = {"noop": "tasks", "pipeline": "events", "drain": "deliveries"}
    runs = [
        _run(f"{KINDS[kind]}: burst of {sizes[kind]:,} {units[kind]}", bursts[kind])
        for kind in KINDS
    ]
    runs += [
        _run(f"{KINDS[kind]}: steady {plan.rate:.0f} {units[kind]}/s", steady[kind])
        for kind in steady
    ]
    return runs


def _limit(kind: str, run: load.Run, phases: list[Phase]) -> str:
    """What bounded a burst's rate: the worker side when the queue grew, else the producer."""
    sent = sum(p.sent for p in phases) / max(1e-9, sum(p.produce_seconds for p in phases))
    bound = (
        "the queue grew: the worker side's rate" if sent > 1.2 * run.rate else
        "**the producer's rate**, not the pipeline's"
    )  # fmt: skip
    return f"{KINDS[kind]} sent at {sent:.0f}/s, done at {run.rate:.0f}/s ({bound})"


def _order_note(plan: Plan, runs: list[load.Run], bursts: Bursts) -> str:
    return (
        "Order: bursts no-op, from commit, with producer, with producer, from commit, no-op; "
        "then the steady phases no-op, pipeline, pipeline, no-op; each rate is over the summed "
        f"time of its halves, from the first sent to the last done. Warm-up: {plan.warm_up} of "
        "each kind first. In the bursts: "
        + "; ".join(
            _limit(kind, run, bursts[kind]) for kind, run in zip(KINDS, runs[:3], strict=True)
        )
        + ". Where the queue grew, the burst latencies are mostly the wait in the queue."
    )


def _cpu_note(bursts: Bursts) -> str:
    def cpu_text(kind: str) -> str:
        ms = _cpu_ms(bursts[kind])
        return (
            f"{KINDS[kind]}: worker {ms['worker']:.1f}, producer {ms['producer']:.1f}, "
            f"PostgreSQL {ms['postgres']:.1f}, Redis {ms['redis']:.1f}, other {ms['other']:.1f} "
            f"({ms['busy'] / (os.cpu_count() or 1):.0%} of the machine busy; "
            f"{ms['sessions']:.2f} database connections opened per task)"
        )

    return (
        "CPU ms per task in the bursts (from /proc; PostgreSQL and Redis: the whole servers, "
        "connections opened and closed during the burst included; other: the rest of the "
        "machine; connections: `pg_stat_database.sessions` of the bench database): "
        + "; ".join(cpu_text(kind) for kind in KINDS)
        + "."
    )


def _producer_note(bursts: Bursts) -> str:
    in_transaction = _mean_ms([t for p in bursts["pipeline"] for t in p.in_transaction])
    publishing = _mean_ms([t for p in bursts["pipeline"] for t in p.publishing])
    noop_publishing = _mean_ms([t for p in bursts["noop"] for t in p.publishing])
    return (
        f"Producer, per event: {in_transaction:.2f} ms from the transaction's start to its "
        "commit (the duty-officer lookup, the outbox and delivery INSERTs), then "
        f"{publishing:.2f} ms in `relay.publish` (one delivery); a no-op's `apply_async` took "
        f"{noop_publishing:.2f} ms."
    )


def _profile_note(profile: dict[str, Any]) -> str:
    return (
        f"One delivery in the worker (`notifications.delivery.attempt`, run in-process "
        f"{profile['count']} times after the measurement, nothing else running in this "
        f"process): {profile['attempt_ms']:.2f} ms mean, {len(profile['attempt'])} statements "
        "and the transaction's BEGIN/COMMIT: "
        + "; ".join(profile["attempt"])
        + ". The event's transaction ran "
        f"{len(profile['event'])}: " + "; ".join(profile["event"]) + "."
    )


def _rows_note(raw: dict[str, Any], redis_url: str) -> str:
    checks = raw["checks"]
    quiet_states = sorted({p["quiet"] for p in raw["phases"] if p["mode"] != "warm-up"})
    return (
        f"Rows: {checks['deliveries']:,} deliveries written for {checks['events']:,} events, "
        f"{checks['delivered']:,} delivered, {checks['inbox']:,} inbox items, "
        f"{checks['attempts']:,} attempts logged, {checks['other_channels']} by another channel "
        f"than the inbox. Broker: Redis at {harness.safe_url(redis_url)}, queue "
        f"`{raw['queue']}` (its keys deleted afterwards). The machine before each measured phase: "
        + ", ".join(quiet_states)
        + "."
    )


def summary(result: Result) -> dict[str, Any]:
    """The figures for `latest.json`: rates, ratio, latencies, CPU per task, row checks."""

    def figures(run: load.Run) -> dict[str, Any]:
        return {
            "name": run.name,
            "per_second": run.rate,
            "done": run.ok,
            "missing": run.errors,
            "p50_ms": run.p50_ms,
            "p95_ms": run.p95_ms,
        }

    noop, drain, pipe, noop_steady, pipe_steady = result.runs.values()
    return {
        "noop_burst": figures(noop),
        "pipeline_from_commit_burst": figures(drain),
        "pipeline_with_producer_burst": figures(pipe),
        "noop_steady": figures(noop_steady),
        "pipeline_steady": figures(pipe_steady),
        "ratio_from_commit": drain.rate / noop.rate if noop.rate else None,
        "ratio_with_producer": pipe.rate / noop.rate if noop.rate else None,
        "cpu_ms_per_task": {kind: _cpu_ms(_phases(result.raw, kind, "burst")) for kind in KINDS},
        "profile": {k: v for k, v in result.raw["profile"].items() if k != "ids"},
        "checks": result.raw["checks"],
        "plan": result.raw["plan"],
    }


def section(result: Result) -> report.Section:
    plan = result.plan
    return report.Section(
        key="notifications",
        title="Notifications (commit to inbox, Celery on Redis)",
        intro=(
            f"A Celery worker (prefork, {WORKERS} processes; the product's Celery settings: "
            "`acks_late`, prefetch 1) on a Redis queue of its own, and one producer process "
            "(one thread), both against the bench database, on the same cores as PostgreSQL and "
            "Redis (`bench/notifications.py`). An event: in one transaction, "
            f"`tell(case, {EVENT!r}, duty_officers(case), actor=reporter)` as `case_report` "
            "does, on seeded reported cases outside Kota Banjarmasin (one recipient, inbox "
            "only: one delivery, one task per event); after the commit the relay's kick "
            "publishes `notifications.deliver`; the worker locks the delivery, renders it, "
            "writes the inbox item, the attempt and the delivered status in one transaction. "
            "**No-op**: `bench.noop` (`bench/tasks.py`), published the same way, whose body "
            "only appends its start time to a Redis list. **Pipeline from commit**: the events "
            "committed beforehand (not timed), then their kicks one after the other: what the "
            "pipeline does from the commit on, as the no-op is measured. **Pipeline with its "
            "producer**: each event committed and kicked in turn, the producer's transactions "
            "competing for the same two cores. Bursts "
            f"({plan.noop_burst:,} no-op tasks, {plan.pipeline_burst:,} events; twice each, "
            "alternating) measure throughput: all done over the time from the first sent to "
            f"the last done. Steady phases at {plan.rate:.0f}/s measure the latency of an idle "
            "pipeline: commit to `delivered_at` (no-op: publish to the task's start). In the "
            "table, Clients is the worker processes and Requests the tasks done."
        ),
        runs=result.runs,
        show_rate=True,
        notes=result.notes,
    )


# --- the producer process (`python -m bench.notifications`) ----------------------------------


class _Producer:
    """Sends no-op tasks and events, waits until each phase's work is done, accounts for CPU."""

    def __init__(self, queue: str, conninfo: str, redis_url: str, worker_pid: int) -> None:
        from bench.tasks import noop
        from workflows import responsibility

        self.queue, self.worker_pid = queue, worker_pid
        self.noop = noop
        self.redis = harness.redis_client(redis_url)
        self.db = psycopg.connect(conninfo, autocommit=True)  # the waiting, outside Django's
        self.postmaster = self._postmaster()
        self.responsibility = responsibility
        self.serial = 0
        self.published: list[tuple[list[str], float, float]] = []
        self.hold = False  # record, do not publish (the pipeline from commit, the profile)
        self.publish = self._record_publishes()
        self.events = self._events()

    def _postmaster(self) -> int:
        """The server's main process, the parent of every backend (0 if it runs elsewhere)."""
        ((backend,),) = self.db.execute("SELECT pg_backend_pid()").fetchall()
        try:
            stat = Path(f"/proc/{backend}/stat").read_text()
            return int(stat.rsplit(")", 1)[1].split()[1])
        except OSError:
            return 0

    def _record_publishes(self) -> Callable[..., int]:
        """Every publish of the relay is recorded in `published` (ids, after-commit time, end of
        the publish) and then done as usual; `notify` looks `relay.publish` up when it registers
        the after-commit callback, so this sees each kick. Returns the relay's own publish."""
        from notifications import relay

        publish = relay.publish

        def recording(ids: Any, **kwargs: Any) -> int:
            started = time.time()
            done = len(ids) if self.hold else publish(ids, **kwargs)
            self.published.append(([str(i) for i in ids], started, time.time()))
            return done

        relay.publish = recording
        return publish

    def _events(self) -> list[tuple[Any, Any]]:
        """(case, reporter) of seeded reported cases whose event has exactly one recipient."""
        from casework.models import Case, User

        reporters = {u.pk: u for u in User.objects.all()}
        cases = list(
            Case.objects.filter(state="reported")
            .exclude(regency_id=BANJARMASIN)
            .select_related("category")
            .only("id", "reference", "category", "region_id", "regency_id", "reported_by_id")
            .order_by("id")[:2000]
        )
        # The routing's own answer decides: exactly one recipient, not the reporter.
        events = []
        for case in cases:
            actor = reporters[case.reported_by_id]
            recipients = [u for u in self.responsibility.duty_officers(case) if u.pk != actor.pk]
            if len(recipients) == 1:
                events.append((case, actor))
        if not events:
            raise RuntimeError("no reported case outside Kota Banjarmasin with one recipient")
        return events

    def event(self, number: int, phase: Phase) -> str:
        """Commit one event (its kick publishes, unless held); returns its delivery's id."""
        from django.db import transaction

        from workflows.notices import tell

        case, actor = self.events[number % len(self.events)]
        before = len(self.published)
        started = time.time()
        with transaction.atomic():
            tell(case, EVENT, self.responsibility.duty_officers(case), actor=actor)
        if len(self.published) != before + 1:
            raise RuntimeError(f"an event on case {case.pk} published nothing")
        ids, committed, published = self.published[-1]
        if len(ids) != 1:
            raise RuntimeError(f"an event gave {len(ids)} deliveries, not one: {ids}")
        phase.in_transaction.append(committed - started)
        phase.publishing.append(published - committed)
        phase.starts.append(committed)
        return ids[0]

    def _cpu(self) -> dict[str, float]:
        redis_cpu = self.redis.info("cpu")
        ((sessions,),) = self.db.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
        ).fetchall()  # one row
        return {
            "sessions": float(sessions),  # database connections opened so far
            "worker": machine.tree_cpu(self.worker_pid),
            "producer": time.process_time(),
            "postgres": machine.tree_cpu(self.postmaster) if self.postmaster else 0.0,
            "redis": redis_cpu["used_cpu_sys"] + redis_cpu["used_cpu_user"],
            "machine": machine.busy_seconds(),
            "wall": time.monotonic(),
        }

    @contextmanager
    def _measured(self, phase: Phase) -> Iterator[None]:
        before = self._cpu()
        yield
        after = self._cpu()
        phase.window = after.pop("wall") - before.pop("wall")
        # A backend that closed during the phase takes its CPU with it: never below zero.
        phase.cpu = {k: max(0.0, after[k] - before[k]) for k in after}

    def run(self, kind: str, mode: str, count: int, rate: float | None = None) -> Phase:
        phase = Phase(kind=kind, mode=mode)
        if mode != "warm-up":
            phase.quiet = machine.wait_for_quiet(limit=QUIET_LIMIT)
        self.serial += 1
        key = f"{self.queue}:noop:{self.serial}"
        held = self._commit_held(count, mode) if kind == "drain" else []
        ids: list[str] = []
        with self._measured(phase):
            began = time.monotonic()
            paused = 0.0
            for number in range(count):
                if rate:
                    wait = began + number / rate - time.monotonic()
                    if wait > 0:
                        time.sleep(wait)
                        paused += wait
                if kind == "noop":
                    started = time.time()
                    self.noop.apply_async((key, started))
                    phase.publishing.append(time.time() - started)
                elif kind == "drain":
                    started = time.time()
                    self.publish([held[number]])
                    phase.publishing.append(time.time() - started)
                    phase.starts.append(started)
                    ids.append(held[number])
                else:
                    ids.append(self.event(number + self.serial * 7919, phase))
                phase.sent += 1
            phase.produce_seconds = time.monotonic() - began - paused
            if kind == "noop":
                self._wait_noop(phase, key)
            else:
                self._wait_deliveries(phase, ids)
        return phase

    def _commit_held(self, count: int, mode: str) -> list[str]:
        """The drain's events: committed now, untimed, their kicks held for the measured part;
        their deliveries' ids."""
        self.hold = True
        try:
            scratch = Phase(kind="drain", mode=mode)
            return [self.event(n + self.serial * 7919, scratch) for n in range(count)]
        finally:
            self.hold = False

    def _wait_noop(self, phase: Phase, key: str) -> None:
        deadline = time.monotonic() + WAIT_LIMIT
        while self.redis.llen(key) < phase.sent and time.monotonic() < deadline:
            time.sleep(0.05)
        entries = [e.split() for e in (v.decode() for v in self.redis.lrange(key, 0, -1))]
        self.redis.delete(key)
        phase.starts = [float(published) for published, _ in entries]
        phase.dones = [float(ran) for _, ran in entries]
        phase.missing = phase.sent - len(entries)

    def _wait_deliveries(self, phase: Phase, ids: list[str]) -> None:
        deadline = time.monotonic() + WAIT_LIMIT
        query = (
            "SELECT count(*) FROM notifications_delivery "
            "WHERE id = ANY(%s::uuid[]) AND status = 'pending'"
        )

        def pending() -> int:
            ((n,),) = self.db.execute(query, (ids,)).fetchall()  # one row
            return n

        while pending() and time.monotonic() < deadline:
            time.sleep(0.1)
        done: dict[str, float] = dict(
            self.db.execute(
                "SELECT id::text, extract(epoch FROM delivered_at)::float8 "
                "FROM notifications_delivery WHERE id = ANY(%s::uuid[]) AND status = 'delivered'",
                (ids,),
            ).fetchall()
        )
        starts = phase.starts
        phase.starts, phase.dones = [], []
        for delivery_id, start in zip(ids, starts, strict=True):
            if delivery_id in done:
                phase.starts.append(start)
                phase.dones.append(done[delivery_id])
        phase.missing = len(ids) - len(done)

    def profile(self, count: int) -> dict[str, Any]:
        """Statements and in-process time of an event and of a delivery attempt, unpublished."""
        from django.db import connection

        from bench import rawsql
        from notifications.delivery import attempt

        def capture(statements: list[str]) -> Any:
            def wrapper(execute, sql, params, many, context):
                statements.append(rawsql.Statement(sql, params).kind)
                return execute(sql, params, many, context)

            return connection.execute_wrapper(wrapper)

        self.hold = True
        try:
            event: list[str] = []
            scratch = Phase(kind="pipeline", mode="profile")
            with capture(event):
                ids = [self.event(0, scratch)]
            ids += [self.event(number, scratch) for number in range(1, count + 1)]
        finally:
            self.hold = False
        statements: list[str] = []
        with capture(statements):
            attempt(ids[0])
        started = time.perf_counter()
        for delivery_id in ids[1:]:
            attempt(delivery_id)
        seconds = time.perf_counter() - started
        return {
            "count": count,
            "attempt_ms": 1000 * seconds / count,
            "attempt": statements,
            "event": event,
            "ids": ids,
        }


def _checks(db: Any, ids: list[str]) -> dict[str, int]:
    (deliveries, delivered, inbox, attempts, other) = db.execute(
        """
        SELECT count(DISTINCT d.id), count(DISTINCT d.id) FILTER (WHERE d.status = 'delivered'),
               count(DISTINCT i.id), count(DISTINCT a.id) FILTER (WHERE a.succeeded),
               count(DISTINCT d.id) FILTER (WHERE d.channel <> 'inbox')
        FROM notifications_delivery d
        LEFT JOIN notifications_inboxitem i ON i.message_id = d.message_id
        LEFT JOIN notifications_deliveryattempt a ON a.delivery_id = d.id
        WHERE d.message_id IN (
            SELECT message_id FROM notifications_delivery WHERE id = ANY(%s::uuid[])
        )
        """,
        (ids,),
    ).fetchone()
    return {
        "events": len(ids),
        "deliveries": deliveries,
        "delivered": delivered,
        "inbox": inbox,
        "attempts": attempts,
        "other_channels": other,
    }


def produce(argv: list[str] | None = None) -> None:
    """The producer process: warm-up, the phases, the profile; the figures to `--out` as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.notifications")
    parser.add_argument("--plan", required=True, help="a Plan, as JSON")
    parser.add_argument("--queue", required=True)
    parser.add_argument("--worker-pid", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    plan = Plan(**json.loads(args.plan))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    import django

    django.setup()
    from django.conf import settings

    from config.celery import app

    if app.conf.task_always_eager or args.queue != settings.CELERY_TASK_DEFAULT_QUEUE:
        raise SystemExit("the producer must publish to the bench's queue, not run tasks eagerly")
    producer = _Producer(
        args.queue, os.environ["DATABASE_URL"], settings.REDIS_URL, args.worker_pid
    )
    phases = _run_schedule(producer, plan)
    measured = [ids[0] for ids, _, _ in producer.published]
    profile = producer.profile(plan.profile)
    checks = _checks(producer.db, measured)
    args.out.write_text(
        json.dumps(
            {
                "queue": args.queue,
                "plan": asdict(plan),
                "phases": [asdict(p) for p in phases],
                "profile": profile,
                "checks": checks,
            }
        )
    )


def _run_schedule(producer: _Producer, plan: Plan) -> list[Phase]:
    """The warm-up, then the measured phases in their order, each printed as it ends."""
    # The worker starts while this process sets up; the warm-up waits for it (WAIT_LIMIT).
    for kind in ("noop", "pipeline"):
        warm = producer.run(kind, "warm-up", plan.warm_up)
        if warm.missing:
            raise SystemExit(f"warm-up: {warm.missing} of {plan.warm_up} {kind} never done")
    phases: list[Phase] = []
    sizes = {"noop": plan.noop_burst, "pipeline": plan.pipeline_burst, "drain": plan.pipeline_burst}
    schedule = [(kind, "burst") for kind in ("noop", "drain", "pipeline", "pipeline", "drain")]
    schedule += [("noop", "burst")]
    schedule += [(kind, "steady") for kind in ("noop", "pipeline", "pipeline", "noop")]
    for kind, mode in schedule:
        count, rate = (sizes[kind], None) if mode == "burst" else (plan.steady, plan.rate)
        phase = producer.run(kind, mode, count, rate)
        phases.append(phase)
        done = len(phase.dones) / phase.seconds if phase.seconds else 0.0
        print(
            f"  {KINDS[kind]}, {mode}: {len(phase.dones)} done, {phase.missing} missing, "
            f"{done:.1f}/s (sent at {phase.sent / max(1e-9, phase.produce_seconds):.0f}/s), "
            f"p50 {1000 * statistics.median(phase.latencies or [0]):.1f} ms; {phase.quiet}",
            flush=True,
        )
    return phases


if __name__ == "__main__":
    produce()
