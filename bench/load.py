"""The load generator: closed-loop HTTP clients on keep-alive connections, standard library only.

Each client sends its next request as soon as the previous answer is in (a closed loop), so the
rate measured is what the server sustains at that concurrency. Every request is counted: an
unexpected status or a network error is an error, reported with a sample, never dropped.
Threads are enough: a client spends its time waiting on the socket, not in Python.
"""

import http.client
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

# (method, path, body, headers)
Request = tuple[str, str, bytes | None, dict[str, str]]
# (client number, request number) -> request; None when the client has no work left (a pool of
# cases used up): that client stops, and the run counts it in `exhausted`.
RequestMaker = Callable[[int, int], Request | None]

TIMEOUT = 30.0
MAX_ERRORS = 200  # past this the run stops: the server is broken, not slow
ERROR_SAMPLES = 5


@dataclass
class Run:
    """What one measurement saw; latencies in seconds."""

    name: str
    clients: int
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    # Clients that ran out of work before the deadline: the rate would then be understated.
    exhausted: int = 0

    @property
    def rate(self) -> float:
        """Successful requests per second of wall time."""
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile_ms(self, p: int) -> float:
        if not self.latencies:
            return float("nan")
        if len(self.latencies) == 1:
            return self.latencies[0] * 1000
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else float("nan")

    @property
    def p95_ms(self) -> float:
        return self.percentile_ms(95)


class _Shared:
    def __init__(self, run: Run) -> None:
        self.run = run
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def record(self, latency: float | None, status: int | None, error: str | None) -> None:
        with self.lock:
            if status is not None:
                self.run.statuses[status] += 1
            if error is None:
                self.run.ok += 1
                self.run.latencies.append(latency or 0.0)
                return
            self.run.errors += 1
            if len(self.run.error_samples) < ERROR_SAMPLES:
                self.run.error_samples.append(error)
            if self.run.errors >= MAX_ERRORS:
                self.stop.set()


def send(
    conn: http.client.HTTPConnection, request: Request
) -> tuple[int, bytes, http.client.HTTPResponse]:
    """One request on `conn` (reopened by http.client if the server closed it); whole body read."""
    method, path, body, headers = request
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    if response.will_close:
        conn.close()
    return response.status, data, response


def _client(
    number: int,
    host: str,
    port: int,
    shared: _Shared,
    make_request: RequestMaker,
    expect: int,
    deadline: float,
    limit: int,
) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    try:
        for sequence in range(limit):
            if shared.stop.is_set() or time.perf_counter() >= deadline:
                return
            request = make_request(number, sequence)
            if request is None:
                with shared.lock:
                    shared.run.exhausted += 1
                return
            started = time.perf_counter()
            try:
                status, body, _ = send(conn, request)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                shared.record(None, None, f"{request[0]} {request[1]}: {exc!r}")
                continue
            latency = time.perf_counter() - started
            if status == expect:
                shared.record(latency, status, None)
            else:
                sample = f"{request[0]} {request[1]} -> {status}: {body[:300]!r}"
                shared.record(None, status, sample)
    finally:
        conn.close()


def closed_loop(
    host: str,
    port: int,
    *,
    name: str,
    clients: int,
    duration: float,
    make_request: RequestMaker,
    expect: int,
    limit_per_client: int = 1_000_000,
) -> Run:
    """`clients` concurrent clients, each sending requests back to back for `duration` seconds."""
    run = Run(name=name, clients=clients)
    shared = _Shared(run)
    started = time.perf_counter()
    deadline = started + duration
    threads = [
        threading.Thread(
            target=_client,
            args=(n, host, port, shared, make_request, expect, deadline, limit_per_client),
            daemon=True,
        )
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        # A request in flight at the deadline may take up to TIMEOUT; never wait longer.
        thread.join(timeout=max(0.0, deadline - time.perf_counter()) + TIMEOUT + 5)
    run.seconds = time.perf_counter() - started
    if any(thread.is_alive() for thread in threads):
        shared.stop.set()
        run.errors += 1
        run.error_samples.append("a client did not finish in time")
    return run


Probe = Callable[[], str | None]  # one timed operation: an error description, or None if fine


class HttpProbe:
    """One request per call on a kept-alive connection; the status must be `expect`."""

    def __init__(self, host: str, port: int, make_request: RequestMaker, expect: int) -> None:
        self.conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
        self.make_request = make_request
        self.expect = expect
        self.sequence = 0

    def __call__(self) -> str | None:
        request = self.make_request(0, self.sequence)
        self.sequence += 1
        if request is None:
            return "no work left"
        try:
            status, body, _ = send(self.conn, request)
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            return f"{request[0]} {request[1]}: {exc!r}"
        if status != self.expect:
            return f"{request[0]} {request[1]} -> {status}: {body[:300]!r}"
        return None

    def close(self) -> None:
        self.conn.close()


def interleaved(
    probes: Mapping[str, Probe], *, count: int, time_limit: float, warmup: int = 10
) -> dict[str, Run]:
    """Run the probes in turn, one call each per round, `count` rounds after `warmup` rounds.

    Taking turns request by request means a background disturbance hits every probe alike, so
    the ratio between them stays meaningful on a shared machine.
    """
    runs = {name: Run(name=name, clients=1) for name in probes}
    started = time.perf_counter()
    for round_number in range(warmup + count):
        if time.perf_counter() - started > time_limit:
            break
        for name, probe in probes.items():
            t0 = time.perf_counter()
            error = probe()
            elapsed = time.perf_counter() - t0
            if round_number < warmup:
                continue
            run = runs[name]
            run.seconds += elapsed
            if error is None:
                run.ok += 1
                run.latencies.append(elapsed)
            else:
                run.errors += 1
                if len(run.error_samples) < ERROR_SAMPLES:
                    run.error_samples.append(error)
        if sum(r.errors for r in runs.values()) >= MAX_ERRORS:
            break
    return runs


def merge(name: str, parts: list[Run]) -> Run:
    """One run from several segments of the same measurement (rates over the summed time)."""
    merged = Run(name=name, clients=parts[0].clients)
    for part in parts:
        merged.ok += part.ok
        merged.errors += part.errors
        merged.seconds += part.seconds
        merged.latencies += part.latencies
        merged.statuses.update(part.statuses)
        merged.exhausted += part.exhausted
        merged.error_samples += part.error_samples[: ERROR_SAMPLES - len(merged.error_samples)]
    return merged
