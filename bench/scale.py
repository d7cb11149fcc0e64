"""Scale: what the dashboard, the filtered lists and the export cost as the case table grows.

For each size (default 10,000 and 1,000,000 cases, `--scale-sizes`) the section uses a database
of its own, `ppks_scale_<n>` on the server of `--database-url`, filled by
`sampledata.generator.seed_cases` to n cases (reused when it holds them already: seeding a
million takes minutes), served by gunicorn as in the other sections. It measures, one request
at a time, the requests taking turns round by round (a disturbance on a shared machine then
hits them all alike):

- the dashboard (`GET /api/v1/dashboard/`) of the province (supervisor_kalsel) and of one
  kabupaten/kota (supervisor_bjm, Kota Banjarmasin), and the same two as the web page people
  read (`/dasbor/`, signed in through `/masuk/`: the figures, charts, map and tables);
- three filtered list pages as the province's supervisor: overdue, a kecamatan, a category;
- the export of every case of the province (`GET /api/v1/cases/export/`), counted line by line
  as it streams: rows per second; and the peak memory (VmHWM) of the single gunicorn worker
  that served it, read after an empty export and again after the full one.

The largest size is set against the smallest: its targets (the dashboard's and the lists' p95
growth, the export's memory) are in `bench/targets.py`.

The section only reads, but the product logs who read personal data: each list page and the
export write access-log rows. Those are deleted when a size is done, so the databases stay as
seeded run after run.
"""

import argparse
import http.client
import os
import secrets
import shlex
import subprocess
import sys
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import psycopg

from bench import harness, load, machine, report
from bench.harness import HOST, ROOT
from bench.pages import session_cookie

if TYPE_CHECKING:
    from sampledata.generator import SeedResult

SIZES = (10_000, 1_000_000)
QUICK_SIZES = (2_000, 20_000)
MAX_SIZE = 10_000_000
DATABASE_PREFIX = "ppks_scale_"
PROVINCE, KABUPATEN = "supervisor_kalsel", "supervisor_bjm"
DASHBOARD_PATH = "/api/v1/dashboard/"
CASES_PATH = "/api/v1/cases/"
EXPORT_PATH = f"{CASES_PATH}export/"
# Matches no case: the worker then does everything an export does but stream rows.
EMPTY_EXPORT_PATH = f"{EXPORT_PATH}?created_after=2100-01-01T00:00:00Z"
# A sync worker is killed after this long on one request; a million-row export (its access-log
# INSERT, then the stream) needs more than the other sections' 60 s.
EXPORT_TIMEOUT = 1800
READ_CHUNK = 1 << 16

# Run in a child process: Django's settings are bound to one database per process, and the
# bench's own process may already be set up on `--database-url`'s.
PREPARE = (
    "import os; from bench.harness import prepare_django; "
    "prepare_django(os.environ['DATABASE_URL'], os.environ['BENCH_PASSWORD'])"
)


@dataclass(frozen=True)
class Plan:
    warm_up: int  # rounds before measuring (imports, connections, caches of each worker)
    requests: int  # measured rounds: each endpoint once per round
    time_limit: float  # seconds for the rounds of one size; fewer rounds past it


FULL = Plan(warm_up=5, requests=40, time_limit=1200.0)
QUICK = Plan(warm_up=3, requests=15, time_limit=120.0)


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    user: str
    path: str
    page: bool = False  # a web page: read with the session of `/masuk/`, not a bearer token


DASHBOARD_PAGE = "/dasbor/"
ENDPOINTS = [
    Endpoint(
        "dashboard-province",
        f"dashboard, province ({PROVINCE})",
        PROVINCE,
        DASHBOARD_PATH,
    ),
    Endpoint(
        "dashboard-kabupaten",
        f"dashboard, Kota Banjarmasin ({KABUPATEN})",
        KABUPATEN,
        DASHBOARD_PATH,
    ),
    Endpoint(
        "dashboard-page-province",
        f"dashboard page, province ({PROVINCE})",
        PROVINCE,
        DASHBOARD_PAGE,
        page=True,
    ),
    Endpoint(
        "dashboard-page-kabupaten",
        f"dashboard page, Kota Banjarmasin ({KABUPATEN})",
        KABUPATEN,
        DASHBOARD_PAGE,
        page=True,
    ),
    Endpoint(
        "list-overdue",
        "list, overdue",
        PROVINCE,
        f"{CASES_PATH}?page_size=50&overdue=true",
    ),
    Endpoint(
        "list-region",
        "list, kecamatan 63.71.04",
        PROVINCE,
        f"{CASES_PATH}?page_size=50&region=63.71.04",
    ),
    Endpoint(
        "list-category",
        "list, category FM",
        PROVINCE,
        f"{CASES_PATH}?page_size=50&category=FM",
    ),
]


@dataclass
class Export:
    """One export request as the client saw it; seconds from sending the request."""

    status: int = 0
    rows: int = 0
    size: int = 0  # bytes of the body
    seconds: float = 0.0
    first_byte: float = 0.0  # after authentication, the first chunk's read and its access log
    error: str | None = None

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass
class SizeResult:
    size: int
    database: str
    cases: int = 0
    seeded: "SeedResult | None" = None
    prepare_seconds: float = 0.0
    runs: dict[str, load.Run] = field(default_factory=dict)  # by Endpoint.key
    export: Export | None = None
    empty_kb: int | None = None  # worker VmHWM after the empty export
    full_kb: int | None = None  # and after the full one
    tallied: int | None = None  # cases the dashboard's tallies count, when they exist
    access_deleted: dict[str, int] = field(default_factory=dict)  # by kind
    quiet: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def memory_delta_mb(self) -> float | None:
        if self.empty_kb is None or self.full_kb is None:
            return None
        return (self.full_kb - self.empty_kb) / 1024


@dataclass
class Result:
    sizes: list[SizeResult]
    commands: list[list[str]]  # the servers'
    plan: Plan

    @property
    def runs(self) -> list[load.Run]:
        return [run for size in self.sizes for run in size.runs.values()]

    @property
    def failures(self) -> list[str]:
        return [f"{s.size:,} cases: {failure}" for s in self.sizes for failure in s.failures]


def parse_sizes(text: str) -> tuple[int, ...]:
    """`--scale-sizes`: comma-separated case counts, smallest first, duplicates dropped."""
    try:
        sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of case counts: {text!r}") from None
    if not sizes or not all(1 <= n <= MAX_SIZE for n in sizes):
        raise argparse.ArgumentTypeError(f"sizes must be 1..{MAX_SIZE:,}")
    return tuple(sizes)


def database_url(base_url: str, size: int) -> str:
    """The size's database, on the server (and with the options) of `--database-url`."""
    parts = urllib.parse.urlsplit(base_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{DATABASE_PREFIX}{size}"))


def measure(args: argparse.Namespace, password: str, *, sizes: tuple[int, ...]) -> Result:
    """Every size in turn, smallest first; servers stopped and access-log rows removed on
    return, whatever happened."""
    plan = QUICK if args.quick else FULL
    commands: list[list[str]] = []
    results = []
    for size in sizes:
        print(f"scale: {size:,} cases", flush=True)
        results.append(_measure_size(args, password, plan, size, commands))
    return Result(sizes=results, commands=commands, plan=plan)


def _measure_size(
    args: argparse.Namespace,
    password: str,
    plan: Plan,
    size: int,
    commands: list[list[str]],
) -> SizeResult:
    url = database_url(args.database_url, size)
    result = SizeResult(size=size, database=f"{DATABASE_PREFIX}{size}")
    _fill(args, password, url, result)
    if result.cases != size:
        # Someone added cases to the bench's database: the figures would belong to another size.
        result.failures.append(
            f"database {result.database} holds {result.cases:,} cases, not {size:,} "
            "(--scale-fresh re-seeds it)"
        )
        return result
    result.tallied = _tallied_cases(url)
    if result.tallied is not None and result.tallied != result.cases:
        print(
            f"  WARNING: the dashboard's tallies count {result.tallied:,} of {result.cases:,} "
            "cases (stale tallies in a reused database? --scale-fresh re-seeds it)",
            file=sys.stderr,
        )
    mark = _access_log_mark(url)
    queue = f"bench-scale-{secrets.token_hex(4)}"
    try:
        for part in (_measure_requests, _measure_export):
            try:
                part(args, password, plan, url, queue, result, commands)
            except (RuntimeError, OSError, psycopg.Error) as exc:
                # Reported with the figures (exit status 1); the other part may still measure.
                result.failures.append(f"{part.__name__.lstrip('_')}: {exc}")
                print(f"  FAILED: {exc}", file=sys.stderr, flush=True)
    finally:
        result.access_deleted = _access_log_remove(url, mark)
        print(
            "  access-log rows written by the section, deleted: "
            + (", ".join(f"{n:,} {kind}" for kind, n in result.access_deleted.items()) or "none"),
            flush=True,
        )
        harness.forget_queue(args.redis_url, queue)
    return result


def _fill(args: argparse.Namespace, password: str, url: str, result: SizeResult) -> None:
    """The size's database created if missing, prepared, and seeded up to the size."""
    harness.ensure_database(url, fresh=args.scale_fresh)
    started = time.perf_counter()
    _prepare(url, password)
    result.prepare_seconds = time.perf_counter() - started
    print(f"  migrate, reference data, demo accounts: {result.prepare_seconds:.1f} s", flush=True)
    result.seeded = harness.seed(url, result.size)
    result.cases = result.seeded.before + result.seeded.added
    print(
        f"  seeding: {result.seeded.added:,} added (and {result.seeded.history_added:,} history "
        f"rows) in {result.seeded.seconds:.1f} s; {result.cases:,} cases",
        flush=True,
    )


def _prepare(url: str, password: str) -> None:
    """Migrate, load the reference data and set the demo accounts' password, in a child."""
    env = {**os.environ, "DATABASE_URL": url, "BENCH_PASSWORD": password}
    done = subprocess.run(
        [sys.executable, "-c", PREPARE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        # A reused database may carry migrations since rewritten (InconsistentMigrationHistory).
        raise RuntimeError(
            f"preparing {harness.database_name(url)} failed "
            "(--scale-fresh drops and re-seeds it):\n"
            f"{done.stderr[-2000:]}"
        )


def _tallied_cases(url: str) -> int | None:
    """How many cases the dashboard's pre-aggregated counts hold (each case counts once, under
    its state), or None without that table. Seeded by COPY, the cases reach the tallies only
    through their rebuild: a mismatch means the dashboard would read other data."""
    try:
        with psycopg.connect(url) as conn:
            ((n,),) = conn.execute(
                "SELECT coalesce(sum(reported + returned + verified + assisted + closed), 0) "
                "FROM workflows_casetally"
            ).fetchall()  # one row
    except psycopg.Error:
        return None
    return int(n)


def _access_log_mark(url: str) -> int:
    with psycopg.connect(url) as conn:
        ((mark,),) = conn.execute("SELECT coalesce(max(id), 0) FROM casework_accesslog").fetchall()
    return int(mark)


def _access_log_remove(url: str, mark: int) -> dict[str, int]:
    """Delete the access-log rows written since `mark` (the database is the bench's own: only
    this section's requests wrote there), by kind; then VACUUM, so the next run starts on a
    table without a million dead rows to skip."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "WITH gone AS (DELETE FROM casework_accesslog WHERE id > %s RETURNING kind) "
            "SELECT kind, count(*) FROM gone GROUP BY kind ORDER BY kind",
            (mark,),
        ).fetchall()
        conn.execute("VACUUM ANALYZE casework_accesslog")
    return {kind: int(n) for kind, n in rows}


def _measure_requests(
    args: argparse.Namespace,
    password: str,
    plan: Plan,
    url: str,
    queue: str,
    result: SizeResult,
    commands: list[list[str]],
) -> None:
    """Dashboard and list latencies on a server with the bench's usual workers."""
    port = harness.free_port()
    log = harness.RESULTS_DIR / f"gunicorn-scale-{result.size}.log"
    server = harness.Server(port, url, log, args.redis_url, queue)
    commands.append(server.command)
    names = {t.key: f"{result.size:,} cases: GET {t.path} as {t.user}" for t in ENDPOINTS}
    with server:
        headers = {
            user: harness.read_headers(harness.token(port, user, password))
            for user in (PROVINCE, KABUPATEN)
        }
        pages = {
            user: {
                "Accept": "text/html",
                "Cookie": f"sessionid={session_cookie(port, user, password)}",
            }
            for user in (PROVINCE, KABUPATEN)
        }
        probes: dict[str, load.HttpProbe] = {}
        try:
            _open_probes(port, headers, pages, names, result, probes)
            result.quiet.append(machine.wait_for_quiet())
            print(f"  machine before the requests: {result.quiet[-1]}", flush=True)
            measured = load.interleaved(
                probes, count=plan.requests, time_limit=plan.time_limit, warmup=plan.warm_up
            )
        finally:
            for probe in probes.values():
                probe.close()
    for endpoint in ENDPOINTS:
        run = measured.get(names[endpoint.key])
        if run is None:
            continue
        result.runs[endpoint.key] = run
        if run.errors or len(run.latencies) < plan.requests:
            result.failures.append(
                f"{endpoint.label}: {run.ok} of {plan.requests} requests answered "
                f"{'; ' + run.error_samples[0] if run.error_samples else '(time limit)'}"
            )
        print(
            f"  {endpoint.label}: p50 {run.p50_ms:.1f} ms, p95 {run.p95_ms:.1f} ms",
            flush=True,
        )


def _open_probes(
    port: int,
    headers: dict[str, dict[str, str]],
    pages: dict[str, dict[str, str]],
    names: dict[str, str],
    result: SizeResult,
    probes: dict[str, load.HttpProbe],
) -> None:
    """A probe per endpoint into `probes`, by run name, after one request: a missing endpoint
    (404) is then reported as such, once, and the other endpoints are still measured."""
    for endpoint in ENDPOINTS:

        def make(client: int, sequence: int, endpoint: Endpoint = endpoint) -> load.Request | None:
            sent = (pages if endpoint.page else headers)[endpoint.user]
            return ("GET", endpoint.path, None, sent)

        probe = load.HttpProbe(HOST, port, make, 200)
        error = probe()
        if error is None:
            probes[names[endpoint.key]] = probe
            continue
        probe.close()
        failed = load.Run(name=names[endpoint.key], clients=1, errors=1)
        failed.error_samples.append(error)
        result.runs[endpoint.key] = failed
        result.failures.append(f"{endpoint.label}: {error}")
        print(f"  {endpoint.label}: FAILED {error}", file=sys.stderr, flush=True)


def _measure_export(
    args: argparse.Namespace,
    password: str,
    plan: Plan,
    url: str,
    queue: str,
    result: SizeResult,
    commands: list[list[str]],
) -> None:
    """The export's rate and memory on a fresh server with one worker: its VmHWM is then the
    export's, not that of a worker that happened to serve other requests in between."""
    port = harness.free_port()
    log = harness.RESULTS_DIR / f"gunicorn-scale-{result.size}-export.log"
    server = harness.Server(
        port, url, log, args.redis_url, queue, workers=1, timeout=EXPORT_TIMEOUT
    )
    commands.append(server.command)
    with server:
        access = harness.token(port, PROVINCE, password)
        assert server.process is not None  # started by `with`
        master = server.process.pid
        workers = machine.children(master)
        if len(workers) != 1:
            raise RuntimeError(f"expected one gunicorn worker under {master}, found {workers}")
        (worker,) = workers
        empty = stream_export(port, EMPTY_EXPORT_PATH, access)
        if empty.error or empty.rows:
            result.failures.append(f"empty export: {empty.error or f'{empty.rows} rows'}")
            return
        result.empty_kb = machine.peak_rss_kb(worker)
        result.quiet.append(machine.wait_for_quiet())
        print(f"  machine before the export: {result.quiet[-1]}", flush=True)
        full = stream_export(port, EXPORT_PATH, access)
        result.export = full
        if full.error:
            result.failures.append(f"export: {full.error}")
            return
        if machine.children(master) != [worker]:
            # A worker killed (timeout, memory) and replaced: its peak is lost with it.
            result.failures.append(f"export: the gunicorn worker was replaced; see {log}")
            return
        result.full_kb = machine.peak_rss_kb(worker)
    if full.rows != result.cases:
        result.failures.append(f"export: {full.rows:,} rows of {result.cases:,} cases")
    print(
        f"  export: {full.rows:,} rows in {full.seconds:.1f} s = {full.rate:,.0f} rows/s "
        f"(first byte {full.first_byte * 1000:.0f} ms); worker VmHWM "
        f"{result.empty_kb / 1024:.1f} MB after an empty export, "
        f"{result.full_kb / 1024:.1f} MB after the full one",
        flush=True,
    )


def stream_export(port: int, path: str, access: str, timeout: float = EXPORT_TIMEOUT) -> Export:
    """GET the export and count its lines as they arrive (the header line is not a row);
    the body is never held whole."""
    result = Export()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    started = time.perf_counter()
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {access}"})
        response = conn.getresponse()
        result.first_byte = time.perf_counter() - started
        result.status = response.status
        if response.status != 200:
            result.error = f"GET {path} -> {response.status}: {response.read(300)!r}"
            return result
        lines = 0
        while chunk := response.read(READ_CHUNK):
            lines += chunk.count(b"\n")
            result.size += len(chunk)
        result.seconds = time.perf_counter() - started
        result.rows = max(0, lines - 1)
    except (OSError, http.client.HTTPException) as exc:
        result.error = f"GET {path}: {exc!r}"
    finally:
        conn.close()
    return result


def section(result: Result) -> report.Section:
    sizes = " and ".join(f"{s.size:,}" for s in result.sizes)
    notes = [_size_note(size) for size in result.sizes]
    notes += [f"FAILED: {failure}" for failure in result.failures]
    return report.Section(
        key="scale",
        title=f"Scale (dashboard, lists, export at {sizes} cases)",
        intro=_intro(result.plan),
        runs={},
        show_rate=False,
        extra={
            "sizes": [_size_data(size) for size in result.sizes],
            "export_title": f"Export (`GET {EXPORT_PATH}` as {PROVINCE}: every case)",
        },
        notes=notes,
    )


def _size_data(size: SizeResult) -> dict[str, Any]:
    """A size's figures for the document; an endpoint that was never measured has no figures."""
    runs = []
    for endpoint in ENDPOINTS:
        run = size.runs.get(endpoint.key) or load.Run(name=endpoint.label, clients=1)
        runs.append(
            {
                **report.run_data(endpoint.key, run),
                "name": endpoint.label,
                "path": endpoint.path,
            }
        )
    return {
        "size": size.size,
        "database": size.database,
        "runs": runs,
        "export": asdict(size.export) if size.export else None,
        "worker_peak_kb": {"empty_export": size.empty_kb, "full_export": size.full_kb},
    }


def _size_note(size: SizeResult) -> str:
    seeded = size.seeded
    line = f"{size.size:,} cases: database `{size.database}`"
    if seeded is not None:
        line += (
            f", {seeded.added:,} cases seeded now ({seeded.history_added:,} history rows) "
            f"in {seeded.seconds:.1f} s"
            if seeded.added
            else ", reused (it held the cases already)"
        )
    if size.tallied is not None:
        line += f"; the dashboard's tallies count {size.tallied:,} cases"
    if size.access_deleted:
        line += "; access-log rows written and then deleted: " + ", ".join(
            f"{n:,} `{kind}`" for kind, n in size.access_deleted.items()
        )
    if size.quiet:
        line += "; machine before the requests / the export: " + " / ".join(size.quiet)
    return line + "."


def _intro(plan: Plan) -> str:
    return (
        "`make bench`, or `.venv/bin/python -m bench --only scale` for this section alone. "
        "A database per size, `ppks_scale_<n>` (cases generated by "
        "`sampledata.generator.seed_cases`, as for the other sections), served by gunicorn "
        "with the other sections' settings. Dashboard and lists: one request at a time, "
        f"the {len(ENDPOINTS)} requests taking turns, {plan.requests} rounds after "
        f"{plan.warm_up} warm-up rounds; the dashboard (the API, and the page `{DASHBOARD_PAGE}` "
        "with the session cookie of `/masuk/`) "
        f"as `{PROVINCE}` (the province) and as `{KABUPATEN}` "
        f"(Kota Banjarmasin, 63.71), the lists as `{PROVINCE}`, 50 cases a page (each page "
        "also writes its 50 access-log rows, as in production). Export: every case of the "
        "province, streamed and counted line by line, on a fresh gunicorn with one worker "
        "(timeout raised to "
        f"{EXPORT_TIMEOUT} s); the worker's peak resident memory (VmHWM, 1 MB = 1024 kB) "
        "is read after an export that matches no case "
        f"(`{EMPTY_EXPORT_PATH}`) and again after the full one. Rows/s counts from sending "
        "the request to the last byte, so it includes the access-log INSERTs (each chunk of "
        "the export is logged just before it is sent). The access-log rows the section "
        "wrote are deleted afterwards."
    )


def summary(result: Result) -> dict[str, Any]:
    """The figures for `latest.json`."""

    def figures(run: load.Run) -> dict[str, Any]:
        return {
            "ok": run.ok,
            "errors": run.errors,
            "p50_ms": run.p50_ms,
            "p95_ms": run.p95_ms,
            "error_samples": run.error_samples,
        }

    return {
        "plan": asdict(result.plan),
        "sizes": [
            {
                "size": s.size,
                "database": s.database,
                "cases": s.cases,
                "seeded": asdict(s.seeded) if s.seeded else None,
                "tallied": s.tallied,
                "runs": {key: figures(run) for key, run in s.runs.items()},
                "export": asdict(s.export) if s.export else None,
                "export_rows_per_s": s.export.rate if s.export else None,
                "worker_vmhwm_kb": {"empty_export": s.empty_kb, "full_export": s.full_kb},
                "access_log_deleted": s.access_deleted,
                "quiet": s.quiet,
                "failures": s.failures,
            }
            for s in result.sizes
        ],
        "servers": [shlex.join(command) for command in result.commands],
    }
