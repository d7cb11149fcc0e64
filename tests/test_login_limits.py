"""Guessing passwords is slow everywhere (security audit, issue 11 items 1-4).

- Per client address: the login throttle counts `REMOTE_ADDR`; a client's own
  `X-Forwarded-For` changes nothing unless `TRUSTED_PROXY_COUNT` says proxies write it.
- Per account: after `LOGIN_FAILURE_LIMIT` wrong passwords the account refuses even the right
  one until `LOGIN_LOCKOUT_SECONDS` have passed (a 429 `account_locked` with `Retry-After`).
- The admin's login form is under the same limits, and shares the address's budget.
- The counts are in the cache every process shares (Redis) when there is one.
- A refresh token is redeemed once, even by ten requests at the same moment (PostgreSQL).
"""

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from tests.concurrency import run_concurrently
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
LOGIN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def rate(monkeypatch):
    def use(value: str) -> None:
        monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": value})

    return use


def login(api: APIClient, username: str, password: str, **headers: str):
    return api.post(LOGIN, {"username": username, "password": password}, format="json", **headers)


def test_a_forged_forwarded_for_does_not_reset_the_address_budget(api, bob, rate):
    rate("3/minute")
    codes = [
        login(api, "bob", f"guess{i}", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
        for i in range(4)
    ]
    assert codes == [401, 401, 401, 429]


def test_behind_a_trusted_proxy_the_address_it_appends_is_the_client(api, bob, rate, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    rate("3/minute")
    # The proxy appends the address it saw: what the client wrote before it is ignored.
    same_client = [
        login(api, "bob", "x", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.7").status_code
        for i in range(4)
    ]
    assert same_client == [401, 401, 401, 429]
    other_client = login(api, "bob", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert other_client.status_code == 200


def test_wrong_passwords_lock_the_account_until_the_window_passes(api, bob, dina, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_LOCKOUT_SECONDS = 600
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert [login(api, "bob", f"guess{i}").status_code for i in range(3)] == [401] * 3

        locked = login(api, "bob", PASSWORD)  # the right password, too late
        assert locked.status_code == 429
        body = locked.json()
        assert body["code"] == "account_locked"
        assert (
            body["message"]
            == "Terlalu banyak kata sandi salah untuk akun ini. Coba lagi dalam 10 menit."
        )
        assert int(locked["Retry-After"]) == 600
        assert login(api, "BOB ", PASSWORD).status_code == 429  # the same account, however typed
        assert login(api, "dina", PASSWORD).status_code == 200  # other accounts are not affected

        clock.shift(timedelta(seconds=601))
        assert login(api, "bob", PASSWORD).status_code == 200


def test_a_successful_login_clears_the_count(api, bob, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        assert login(api, "bob", "wrong").status_code == 401
        assert login(api, "bob", "wrong").status_code == 401
        assert login(api, "bob", PASSWORD).status_code == 200


def admin_login(client: Client, username: str, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_the_admin_login_locks_the_account_too(settings):
    make_user("kepala", role="admin", region=None, is_staff=True, is_superuser=True)
    settings.LOGIN_FAILURE_LIMIT = 10
    client = Client()
    for i in range(30):
        assert admin_login(client, "kepala", f"guess{i}").status_code == 200  # the form again

    page = admin_login(client, "kepala", PASSWORD)

    assert page.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Terlalu banyak kata sandi salah untuk akun ini" in page.content.decode()


def test_the_admin_login_shares_the_address_budget_of_the_api(api, bob, rate):
    make_user("kepala", role="admin", region=None, is_staff=True, is_superuser=True)
    rate("3/minute")
    client = Client()
    assert login(api, "bob", "guess").status_code == 401
    assert admin_login(client, "kepala", "guess").status_code == 200
    assert admin_login(client, "kepala", "guess").status_code == 200
    page = admin_login(client, "kepala", PASSWORD)
    assert "Terlalu banyak percobaan masuk dari alamat Anda" in page.content.decode()
    assert "_auth_user_id" not in client.session
    assert login(api, "bob", PASSWORD).status_code == 429


def test_with_a_redis_the_cache_is_shared_by_every_process():
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/5", "CACHE_URL": ""}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    code = "from django.conf import settings; print(settings.CACHES['default'])"
    shown = subprocess.run(  # noqa: S603 (our own settings, fixed arguments)
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    assert "RedisCache" in shown and "redis://127.0.0.1:6379/5" in shown
    env.pop("REDIS_URL")
    shown = subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    assert "LocMemCache" in shown


@pytest.mark.redis
def test_two_processes_count_one_address_together(api, bob, rate, settings):
    """Another process (its own connection to the same Redis) sees this one's logins."""
    from django.core.cache.backends.redis import RedisCache

    prefix = f"test-{uuid.uuid4().hex[:8]}"
    shared = {"BACKEND": "django.core.cache.backends.redis.RedisCache",
              "LOCATION": settings.REDIS_URL, "KEY_PREFIX": prefix}  # fmt: skip
    settings.CACHES = {"default": shared}
    rate("3/minute")
    try:
        assert [login(api, "bob", "guess").status_code for _ in range(3)] == [401] * 3
        other_process = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": prefix})
        assert len(other_process.get("throttle_auth_127.0.0.1")) == 3
        assert login(api, "bob", PASSWORD).status_code == 429
    finally:
        RedisCache(settings.REDIS_URL, {"KEY_PREFIX": prefix}).delete("throttle_auth_127.0.0.1")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_refreshes_of_one_token_at_once_give_one_new_pair(bob):
    refresh = login(APIClient(), "bob", PASSWORD).json()["refresh"]

    def redeem(_: int) -> int:
        client = APIClient()
        return client.post(
            "/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json"
        ).status_code

    codes = run_concurrently(10, redeem)

    assert sorted(codes) == [200] + [401] * 9
