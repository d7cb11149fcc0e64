"""Shared fixtures: reference data, the named actors of every permission test, API clients.

Tests marked `postgres` need PostgreSQL (row locks, real concurrency) and `redis` a real Redis:
on a machine without them they skip with the reason; in CI (CI=true) they fail instead, because
CI must never pass by skipping what it exists to check.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from casework import reference_cache
from casework.models import Region
from casework.reference_data import load_categories, load_regions
from tests.factories import make_user

IN_CI = os.environ.get("CI") == "true"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's; Playwright's own download cannot work here


def _require(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason}: CI must provide it (see .ci/run)", pytrace=False)
    pytest.skip(reason)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _require("needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/ppks")
    if item.get_closest_marker("redis") and not settings.REDIS_URL:
        _require("needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0")
    if item.get_closest_marker("browser") and not CHROMIUM.exists():
        _require(f"needs Chromium at {CHROMIUM}: apt-get install chromium")


@pytest.fixture(autouse=True)
def reference_data(request: pytest.FixtureRequest) -> None:
    """Regions and categories in every database test (reloaded after a transactional flush).

    The process's reference cache starts empty in each test, so a test that edits a category
    sees its edit.
    """
    reference_cache.clear()
    if "django_db_setup" not in request.fixturenames:
        return
    if not Region.objects.exists():
        load_regions()
        load_categories()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_regions()
        load_categories()


@pytest.fixture
def alice(db):
    """Alice, PSM volunteer in Kota Banjarmasin."""
    return make_user("alice", role="volunteer", region="63.71")


@pytest.fixture
def vera(db):
    """Vera, PSM volunteer in Kabupaten Tanah Bumbu."""
    return make_user("vera", role="volunteer", region="63.10")


@pytest.fixture
def bob(db):
    """Bob, rehsos officer at Dinsos Kota Banjarmasin."""
    return make_user("bob", role="officer", region="63.71", division="rehsos")


@pytest.fixture
def tono(db):
    """Tono, rehsos officer at Dinsos Kabupaten Tanah Bumbu."""
    return make_user("tono", role="officer", region="63.10", division="rehsos")


@pytest.fixture
def carol(db):
    """Carol, supervisor (Kabid) of Kota Banjarmasin."""
    return make_user("carol", role="supervisor", region="63.71")


@pytest.fixture
def dina(db):
    """Dina, provincial supervisor (Dinsos Provinsi Kalimantan Selatan)."""
    return make_user("dina", role="supervisor", region="63")


@pytest.fixture
def adam(db):
    """Adam, system administrator."""
    return make_user("adam", role="admin", region=None, is_superuser=True, is_staff=True)


@pytest.fixture
def api():
    """An API client; `api.force_authenticate(user)` to act as someone."""
    return APIClient()


@pytest.fixture
def as_user(api):
    def login(user):
        api.force_authenticate(user)
        return api

    return login
