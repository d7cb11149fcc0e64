"""The moving parts of the live notification tests: a real Celery worker, a webhook receiver, a
broker that can be switched off.

- `Worker`: `celery -A config worker` as a subprocess (prefork, two children) on a queue of its
  own, against the test database and the real Redis; its log goes to a file whose tail every
  timeout quotes, so a failure says what the worker did.
- `WebhookServer`: the gateway the webhook channel posts to, scriptable per test (answer 500
  first, hold a request open) and recording every call.
- `TcpProxy`: stands between the test process and Redis; closing it is a broker outage for the
  test process only (the worker keeps its own, direct connection).

The fixtures wiring these into tests live in `tests/notifications/conftest.py`.
"""

import contextlib
import ctypes
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
from celery import Celery
from kombu import pools

from casework.models import User
from notifications.models import Delivery, DeliveryStatus, InboxItem, Preference

ROOT = Path(__file__).resolve().parents[2]

# The worker's notification settings; one set serves every test, so one worker does too.
# Four attempts: "500 three times, then 200" is delivered on the last one, "always 500" is dead.
MAX_ATTEMPTS = 4
RETRY_BASE_DELAY = 0.2
RETRY_MAX_DELAY = 1.0
WEBHOOK_SECRET = "live-test-secret"
# Long enough that a request the test holds open is never given up by the worker first.
WEBHOOK_TIMEOUT = 20.0
# How long a test waits for an outcome before failing with the worker's log.
WAIT = 20.0


# --- waiting ---------------------------------------------------------------------------------


def wait_for(
    condition: Callable[[], Any],
    what: str,
    *,
    worker: "Worker | None" = None,
    timeout: float = WAIT,
    interval: float = 0.05,
) -> Any:
    """Poll `condition` until it returns something truthy (returned); fail after `timeout`
    seconds, quoting the worker's log."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            log = worker.log_tail() if worker else "(no worker)"
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{log}")
        time.sleep(interval)


# --- the worker ------------------------------------------------------------------------------


class Worker:
    """`celery -A config worker -P prefork -c 2` on `queue`, against `database_url`."""

    def __init__(self, *, queue: str, database_url: str, redis_url: str, webhook_url: str,
                 log_path: Path) -> None:  # fmt: skip
        self.queue = queue
        self.hostname = f"{queue}@%h"
        self.log_path = log_path
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "CELERY_QUEUE": queue,
            "NOTIFY_WEBHOOK_URL": webhook_url,
            "NOTIFY_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "NOTIFY_WEBHOOK_TIMEOUT": str(WEBHOOK_TIMEOUT),
            "NOTIFY_MAX_ATTEMPTS": str(MAX_ATTEMPTS),
            "NOTIFY_RETRY_BASE_DELAY": str(RETRY_BASE_DELAY),
            "NOTIFY_RETRY_MAX_DELAY": str(RETRY_MAX_DELAY),
            "PYTHONUNBUFFERED": "1",
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> None:
        celery = Path(sys.executable).with_name("celery")
        command = [
            str(celery), "-A", "config", "worker", "-P", "prefork", "-c", "2",
            "-Q", self.queue, "-n", self.hostname, "--without-heartbeat", "--without-gossip",
            "--without-mingle", "-l", "info",
        ]  # fmt: skip
        with self.log_path.open("wb") as log:
            # A session of its own: teardown can end the worker and its children together.
            self.process = subprocess.Popen(  # noqa: S603 (our own command line)
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=_stop_with_parent(),
            )  # fmt: skip
        wait_for(self._ready, "the worker to start", worker=self, timeout=timeout)

    def _ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(
                f"the worker exited ({self.process.returncode})\n{self.log_tail()}"
            )
        return " ready." in self.log()

    def stop(self) -> None:
        """Warm shutdown (running tasks finish, held ones go back to the queue), then force."""
        if self.process is None:
            return
        pgid = self.process.pid  # the session leader: its pid is the group's id
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):  # children the main process left behind
            os.killpg(pgid, signal.SIGKILL)
        self.process.wait(timeout=5)

    def children(self) -> list[int]:
        """The pids of the prefork pool's processes."""
        assert self.process is not None
        return child_pids(self.process.pid)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        tail = "\n".join(self.log().splitlines()[-lines:])
        return f"--- worker log ({self.log_path}), last {lines} lines ---\n{tail}"

    def finished(self, task_id: str) -> bool:
        """Whether the worker logged the end of task `task_id` (succeeded or failed)."""
        return any(
            f"[{task_id}] succeeded" in line or f"[{task_id}] raised" in line
            for line in self.log().splitlines()
        )


def _stop_with_parent() -> Callable[[], None] | None:
    """On Linux, have the worker sent SIGTERM (a warm shutdown) if pytest dies without its
    teardown (killed by a CI timeout): no worker is left behind polling a dropped database."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # looked up before the fork, only called after
    pr_set_pdeathsig = 1

    def set_death_signal() -> None:
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)

    return set_death_signal


def child_pids(pid: int) -> list[int]:
    """The live children of `pid`, from /proc (no psutil)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after its closing paren.
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def pid_with_client_port(pids: list[int], port: int) -> int | None:
    """Which of `pids` owns the local TCP socket 127.0.0.1:`port` (an HTTP client's end)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        if local_port == port:
            inodes.add(fields[9])
    for pid in pids:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                return pid
    return None


def database_url_for(base_url: str, name: str) -> str:
    """`base_url` (DATABASE_URL) naming database `name` instead: the test database."""
    parts = urlsplit(base_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def unique_queue() -> str:
    return f"ppks-live-{uuid.uuid4().hex[:12]}"


def delete_queue_keys(redis_url: str, token: str) -> None:
    """Remove what Celery/kombu left in Redis for our queue and worker, and nothing else:
    the keys naming `token` (the queue, its priority lists, its binding) and our members of
    the shared pidbox binding sets. Never FLUSHDB: the server is shared."""
    client = redis.Redis.from_url(redis_url)
    try:
        for key in client.scan_iter(match=f"*{token}*", count=500):
            client.delete(key)
        for key in client.scan_iter(match="_kombu.binding.*pidbox*", count=500):
            if client.type(key) != b"set":
                continue
            ours = [m for m in client.sscan_iter(key) if token.encode() in m]
            if ours:
                client.srem(key, *ours)
    finally:
        client.close()


def use_broker(app: Celery, url: str) -> None:
    """Make the test process publish to `url` from now on: close the app's pooled connections
    and producers, which are bound to the old address, and forget them, so that Celery 5.7
    builds new ones for `url` on the next publish.

    kombu keeps one pool per broker URL in process-wide registries (`kombu.pools`) and would
    hand a closed pool back the next time that URL is used: ours are removed from them too.
    """
    ours = [pool for pool in (app._pool, app.amqp._producer_pool) if pool is not None]
    for pool in ours:
        pool.force_close_all()
    for group in (pools.connections, pools.producers):
        for key, pool in list(group.items()):
            if any(pool is mine for mine in ours):
                dict.__delitem__(group, key)  # the stored key is already the hashed one
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


# --- the webhook receiver ----------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookCall:
    headers: dict[str, str]  # names in lower case: HTTP's are case-insensitive (urllib sends
    body: bytes  # "Idempotency-key")
    client_port: int

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def key(self) -> str:
        return self.header("Idempotency-Key")

    def signature_valid(self, secret: str = WEBHOOK_SECRET) -> bool:
        """The receiver's check: HMAC-SHA256 of "<timestamp>.<body>" with the shared secret."""
        timestamp = self.header("X-PPKS-Timestamp")
        expected = hmac.new(
            secret.encode(), timestamp.encode() + b"." + self.body, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(self.header("X-PPKS-Signature"), f"sha256={expected}")


class WebhookServer:
    """A local gateway: records every POST and answers as the test scripted it.

    `answer(500, 500, then=200)`: the next calls get 500, 500, then 200 from then on; a 3xx
    redirects to this server's /elsewhere (GETs there are recorded in `gets` and get a 200);
    `GARBAGE` answers a line that is no HTTP status line.
    `hold_next()`: the next call waits, unanswered, until `release()` (or the teardown).
    """

    GARBAGE = 0

    def __init__(self) -> None:
        self.calls: list[WebhookCall] = []
        self.gets: list[str] = []
        self._lock = threading.Lock()
        self._statuses: deque[int] = deque()
        self._then = 200
        self._holds = 0
        self.held = threading.Event()  # a held call arrived
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/notify"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        self.release()
        with self._lock:
            self.calls = []
            self.gets = []
            self._statuses.clear()
            self._then = 200
            self._holds = 0
            self.held = threading.Event()
            self._release = threading.Event()

    def answer(self, *statuses: int, then: int = 200) -> None:
        with self._lock:
            self._statuses = deque(statuses)
            self._then = then

    def hold_next(self) -> None:
        with self._lock:
            self._holds += 1

    def release(self) -> None:
        self._release.set()

    def snapshot(self) -> list[WebhookCall]:
        with self._lock:
            return list(self.calls)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                call = WebhookCall(
                    {name.lower(): value for name, value in self.headers.items()},
                    body,
                    self.client_address[1],
                )
                with server._lock:
                    server.calls.append(call)
                    status = server._statuses.popleft() if server._statuses else server._then
                    hold, release = server._holds > 0, server._release
                    if hold:
                        server._holds -= 1
                        server.held.set()
                if hold:
                    release.wait(timeout=60)
                try:
                    if status == WebhookServer.GARBAGE:
                        self.wfile.write(b"garbage\r\n\r\n")
                        return
                    self.send_response(status)
                    if 300 <= status < 400:
                        self.send_header("Location", "/elsewhere")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:  # the sender is gone (killed mid-request): nobody to answer
                    pass

            def do_GET(self) -> None:
                with server._lock:
                    server.gets.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

        return Handler


# --- a broker that can go away ------------------------------------------------------------------


class TcpProxy:
    """Forwards 127.0.0.1:<port> to `target`. `close()` refuses new connections and cuts the
    open ones (the broker is unreachable); `open()` listens on the same port again."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()

    def url_for(self, redis_url: str) -> str:
        parts = urlsplit(redis_url)
        netloc = parts.netloc.rsplit("@", 1)
        hostport = f"127.0.0.1:{self.port}"
        return urlunsplit(
            parts._replace(netloc=f"{netloc[0]}@{hostport}" if len(netloc) == 2 else hostport)
        )

    @property
    def is_open(self) -> bool:
        return self._listener is not None

    def open(self) -> None:
        if self._listener is not None:
            return
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def close(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            _shut(listener)  # wakes the accept() blocked on it
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            _shut(sock)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # closed
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _shut(client)
                continue
            with self._lock:
                if self._listener is not listener:  # closed meanwhile
                    _shut(client)
                    _shut(upstream)
                    return
                self._sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            _shut(sock)
            with self._lock:
                self._sockets.discard(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # not connected (any more)
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def redis_address(redis_url: str) -> tuple[str, int]:
    parts = urlsplit(redis_url)
    return parts.hostname or "127.0.0.1", parts.port or 6379


# --- the product's side ---------------------------------------------------------------------------


def told_by_webhook(user: User, phone: str) -> User:
    """Give `user` a phone and the WhatsApp/SMS channel (the webhook)."""
    user.phone = phone
    user.save(update_fields=["phone"])
    Preference.objects.update_or_create(user=user, defaults={"webhook": True})
    return user


def deliveries(**filters: Any) -> list[Delivery]:
    return list(Delivery.objects.filter(**filters).select_related("message__recipient"))


def all_delivered(**filters: Any) -> list[Delivery] | None:
    """The deliveries matching `filters` if there are some and every one is delivered."""
    found = deliveries(**filters)
    if found and all(d.status == DeliveryStatus.DELIVERED for d in found):
        return found
    return None


def inbox() -> list[tuple[str, str]]:
    """(event, recipient's username) of every inbox item, sorted."""
    return sorted(InboxItem.objects.values_list("event", "recipient__username"))
