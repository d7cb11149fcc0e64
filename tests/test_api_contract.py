"""The API against its own schema, over HTTP, as an outside client meets it (issue 11, item 10).

Gunicorn serves the production settings on this test's database (its rows committed, so the
server's processes see them); Schemathesis reads the schema the server publishes and runs every
check in every phase (examples, coverage, fuzzing and the stateful phase, which follows the
schema's links: a case created, then acted on) as a volunteer and as an officer. The run must
end with no failure at all: no 5xx, no undocumented status or header, no body off its schema,
nothing the schema forbids accepted and nothing it allows refused but where `schemathesis.toml`
says why the schema cannot tell. CI replays a fixed seed; a local run explores new inputs.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from casework.models import User
from sampledata.demo import seed_demo_accounts

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "contract-run-password-1"
EXAMPLES = 25
CACHE_DB = 15  # the bench uses 14
ACCOUNTS = ["petugas_bjm", "relawan_bjm"]  # an officer, a volunteer of Kota Banjarmasin

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """Gunicorn as the image runs it (its limits too), on the test database."""
    seed_demo_accounts(password=PASSWORD)
    # The test settings hash with MD5 for speed; the production server reads only its own.
    User.objects.filter(username__in=ACCOUNTS).update(
        password=PBKDF2PasswordHasher().encode(PASSWORD, "contract-run-salt")
    )
    port = free_port()
    db = connection.settings_dict
    # The server's throttle and lockout counts in a Redis database of its own, empty at the
    # start: one run's fuzzed logins must not throttle the next run's sign-in.
    cache_url = urlunsplit(urlsplit(settings.REDIS_URL)._replace(path=f"/{CACHE_DB}"))
    redis.Redis.from_url(cache_url).flushdb()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_URL": cache_url,
        "SECRET_KEY": "contract-run-" + "k7Qz9vLp2xWm4Rt8" * 4,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "CONN_MAX_AGE": "0",  # the test's teardown drops the database: nothing may hold it
    }
    log = tmp_path / "gunicorn.log"
    process = subprocess.Popen(  # noqa: S603 (our own server, fixed arguments)
        [
            str(BIN / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--limit-request-line",
            "4094",
            "--limit-request-fields",
            "100",
            "--limit-request-field_size",
            "8190",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),  # a pipe nobody reads would fill and stop the server
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"gunicorn did not start: {log.read_text()}")
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def token_for(base: str, username: str) -> str:
    request = urllib.request.Request(  # noqa: S310 (our own server)
        f"{base}/api/v1/auth/token/",
        data=json.dumps({"username": username, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310
        return json.load(response)["access"]


@pytest.mark.parametrize("username", ACCOUNTS)
def test_the_api_keeps_to_its_schema_under_every_schemathesis_check(server, username):
    # CI replays one seed; a local run explores, and CONTRACT_SEED=<its seed> replays it.
    fixed = os.environ.get("CONTRACT_SEED") or (
        "20261202" if os.environ.get("CI") == "true" else ""
    )
    seed = ["--seed", fixed] if fixed else []
    run = subprocess.run(  # noqa: S603 (the contract tool, fixed arguments)
        [
            str(BIN / "st"),
            "--config-file",
            str(ROOT / "schemathesis.toml"),
            "run",
            f"{server}/api/schema/?format=json",
            # Every check is on by default; `--checks all` would also override the one operation
            # `schemathesis.toml` turns one off for (its multipart parts are all text).
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--header",
            f"Authorization: Bearer {token_for(server, username)}",
            "--max-examples",
            str(EXAMPLES),
            "--workers",
            "1",
            *seed,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    report = run.stdout[-20000:]
    assert run.returncode == 0, report
    assert "failures" not in report.split("SUMMARY")[-1].lower(), report
