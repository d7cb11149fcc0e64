"""What the sections of the bench stand on: their databases, the server (gunicorn) and worker
(Celery) processes they start, and the HTTP and Redis helpers they share.

A module of its own so that the sections import it: `bench/__main__.py` is the program
(`python -m bench` runs it as `__main__`), and importing that from a section would load it
twice.
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import psycopg
from psycopg import sql

from bench import load, machine

if TYPE_CHECKING:
    from sampledata.generator import SeedResult

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"  # git-ignored: raw figures and the server log
# Databases other people and tools use: the bench must never seed or load-test them.
FORBIDDEN_DATABASES = {"ppks", "test_ppks", "test", "postgres", "template0", "template1"}
HOST = "127.0.0.1"
PORTS = range(8101, 8200)
SERVER_WORKERS = 2  # gunicorn's sync workers
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
NAMES = [
    "Aminah",
    "Rusdi",
    "Halimah",
    "Bahrudin",
    "Saleha",
    "Syahrani",
    "Jamilah",
    "Gusti",
    "Maimunah",
    "Iwan",
]


# --- databases -------------------------------------------------------------------------------


def database_name(url: str) -> str:
    return urllib.parse.urlsplit(url).path.lstrip("/")


def ensure_database(url: str, *, fresh: bool) -> None:
    """Create the database if it does not exist (connecting to `postgres` to do it).

    `fresh` drops it first: each run's creates add cases, so a re-used database slowly grows
    past the seeded count. The name was checked against other people's databases already.
    """
    parts = urllib.parse.urlsplit(url)
    name = database_name(url)
    if name in FORBIDDEN_DATABASES:
        raise RuntimeError(f"refusing database {name!r}")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if fresh:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            print(f"dropped database {name}")
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def prepare_django(url: str, password: str) -> None:
    """Migrate, load the reference data and (re)set the demo accounts with a throw-away password."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DATABASE_URL"] = url
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    # One argument: a password may begin with "-" (token_urlsafe), which argparse would take
    # for an option.
    call_command("seed_demo", f"--password={password}", verbosity=0)


def seed(url: str, target: int) -> "SeedResult":
    """Generated cases up to `target`: the one place the bench names the generator.

    The generator tells each case's story from the workflow's declarations, so Django is set up
    first; with `--only scale` this process has not done it (the sizes migrate in a child)."""
    import django
    from django.apps import apps

    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
        os.environ.setdefault("DATABASE_URL", url)  # the settings insist on PostgreSQL
        django.setup()
    from sampledata.generator import seed_cases

    return seed_cases(url, target=target)


def prepare_bench_database(url: str, password: str, *, fresh: bool, cases: int) -> "SeedResult":
    """The database of the api and notifications sections, set up in this process (Django's
    settings are then bound to it) and seeded up to `cases`."""
    print(f"database {url}: migrate, reference data, demo accounts", flush=True)
    ensure_database(url, fresh=fresh)
    prepare_django(url, password)
    print(f"seeding up to {cases} cases", flush=True)
    seeded = seed(url, cases)
    total = seeded.before + seeded.added
    print(
        f"  {seeded.added} added (and {seeded.history_added} history rows) in "
        f"{seeded.seconds:.1f} s; {total} cases",
        flush=True,
    )
    return seeded


# --- the processes the bench starts ----------------------------------------------------------


def free_port(wanted: int | None = None) -> int:
    """`wanted` if nothing listens there, else the first free port of the bench's range.

    A busy port must not be used: the clients would measure whatever answers on it.
    """
    for port in [wanted] if wanted else PORTS:
        with socket.socket() as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"port {wanted} is busy" if wanted else "no free port in 8101-8199")


def service_env(settings: str, url: str, redis_url: str, queue: str) -> dict[str, str]:
    """The environment of a process that publishes (or runs) the product's tasks on `queue`,
    not eagerly: as in production."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_QUEUE": queue,
    }


class ProcessGroup:
    """A child in a process group of its own, so that its workers go down with it; its output
    to `log_path`. Started on entry, always stopped on exit."""

    grace = 15.0  # seconds after SIGTERM (a warm shutdown) before the group is killed

    def __init__(self, command: list[str], env: dict[str, str], log_path: Path) -> None:
        self.command = command
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Self:
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_ready(self) -> None:
        """Return when the process serves; raise if it will not. Here: at once."""

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        machine.stop_group(self.process, grace=self.grace)


class Server(ProcessGroup):
    """gunicorn with the production WSGI app and the bench settings."""

    def __init__(
        self,
        port: int,
        url: str,
        log_path: Path,
        redis_url: str,
        queue: str,
        *,
        workers: int = SERVER_WORKERS,
        timeout: int = 60,
    ) -> None:
        """`workers` and `timeout` (seconds a sync worker may spend on one request before the
        master kills it) are the scale section's: one worker to read its memory, and time for
        a million-row export."""
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"{HOST}:{port}",
            "--timeout",
            str(timeout),
            "--graceful-timeout",
            "5",
            "--no-control-socket",
            "--log-level",
            "warning",
        ]
        # As in production: the requests publish their notification tasks to Redis after the
        # commit. No worker consumes this queue; its keys are deleted afterwards.
        super().__init__(command, service_env("bench.settings", url, redis_url, queue), log_path)
        self.port = port

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"gunicorn exited early; see {self.log_path}")
            try:
                status, _ = request(self.port, "GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz in {timeout:.0f} s")


class Worker(ProcessGroup):
    """`celery worker` (prefork, `processes` in its pool) on `queue` alone."""

    grace = 20.0  # a warm shutdown finishes the tasks that run

    def __init__(self, env: dict[str, str], queue: str, log_path: Path, *, processes: int) -> None:
        command = [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "config",
            "worker",
            "-P",
            "prefork",
            "-c",
            str(processes),
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--include",
            "bench.tasks",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ]
        super().__init__(command, env, log_path)


# --- HTTP ------------------------------------------------------------------------------------


def request(
    port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """One request on a fresh connection; the JSON answer decoded when there is one."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {"Accept": "application/json", "Content-Type": "application/json"}
        status, data, _ = load.send(
            conn, (method, path, payload, {**all_headers, **(headers or {})})
        )
    finally:
        conn.close()
    try:
        return status, json.loads(data) if data else None
    except ValueError:
        return status, data[:300]


def token(port: int, username: str, password: str) -> str:
    status, body = request(
        port, "POST", "/api/v1/auth/token/", {"username": username, "password": password}
    )
    if status != 200:
        raise RuntimeError(f"token for {username}: {status} {body!r}")
    return body["access"]


def json_headers(access: str | None) -> dict[str, str]:
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if access:
        headers["Authorization"] = f"Bearer {access}"
    return headers


def read_headers(access: str) -> dict[str, str]:
    """For GET requests: no body, so no Content-Type."""
    return {"Accept": "application/json", "Authorization": f"Bearer {access}"}


def case_body(client: int, sequence: int) -> dict[str, Any]:
    """The create body of `tests/factories.case_payload`, with a different subject each time."""
    return {
        "category": "LUT",
        "urgency": "high",
        "region": "63.71.04.1003",
        "address": "Jl. Sungai Andai No. 12, RT 05",
        "location": {"lat": -3.286, "lon": 114.5689},
        "description": "Lansia tinggal sendiri, tidak ada yang merawat, kekurangan makanan.",
        "observed_at": "2026-11-20T09:30:00+08:00",
        "subject": {
            "name": f"Nenek {NAMES[sequence % len(NAMES)]} {client}-{sequence}",
            "nik": "6371045505480001",
            "sex": "F",
            "birth_date": "1948-05-15",
            "phone": "0812-3456-7890",
        },
    }


# --- Redis -----------------------------------------------------------------------------------


def safe_url(url: str) -> str:
    """The URL without a password, if it had one."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def redis_client(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_timeout=10)


def check_redis(url: str) -> None:
    """Raise RuntimeError (the bench cannot measure) when nothing answers at `url`."""
    import redis

    try:
        redis_client(url).ping()
    except redis.RedisError as exc:
        raise RuntimeError(
            f"no Redis at {safe_url(url)} ({exc}); the notifications section needs one "
            "(--redis-url, or --only api to leave the section out)"
        ) from None


def delete_queue_keys(url: str, queue: str) -> int:
    """The queue's keys (the queue, kombu's bindings of it) and the no-op's lists, all named
    after the queue; nothing else."""
    client = redis_client(url)
    keys = set()
    for pattern in (f"{queue}*", f"_kombu.binding*.{queue}"):
        keys.update(client.scan_iter(match=pattern, count=1000))
    return client.delete(*keys) if keys else 0


def forget_queue(url: str, queue: str) -> None:
    """`delete_queue_keys`, after the figures: a failure is said, and does not hide them (nor
    what went wrong before)."""
    try:
        delete_queue_keys(url, queue)
    except Exception as exc:
        print(f"could not delete the Redis keys of {queue}: {exc}", file=sys.stderr)
