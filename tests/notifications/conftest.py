"""Fixtures of the live notification tests (test_end_to_end.py, test_faults.py).

One worker, one webhook receiver and one broker proxy per test session, started on first use:
the worker's settings (`tests/notifications/live.py`) fit every test, and each test scripts the
receiver. Everything is stopped, and our Redis keys deleted, at the end of the session.
"""

import os
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.db import connection

from config.celery import app
from tests.notifications import live


@pytest.fixture(scope="session")
def webhook_server() -> Iterator[live.WebhookServer]:
    server = live.WebhookServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def broker_proxy() -> Iterator[live.TcpProxy]:
    proxy = live.TcpProxy(live.redis_address(django_settings.REDIS_URL))
    proxy.open()
    yield proxy
    proxy.close()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, webhook_server, tmp_path_factory) -> Iterator[live.Worker]:
    queue = live.unique_queue()
    worker = live.Worker(
        queue=queue,
        # The database pytest-django created (test_<name>), which this process uses too.
        database_url=live.database_url_for(
            os.environ["DATABASE_URL"], connection.settings_dict["NAME"]
        ),
        redis_url=django_settings.REDIS_URL,
        webhook_url=webhook_server.url,
        log_path=tmp_path_factory.mktemp("celery") / "worker.log",
    )
    try:
        worker.start()
        yield worker
    finally:
        worker.stop()
        live.delete_queue_keys(django_settings.REDIS_URL, queue)


@pytest.fixture
def live_notifications(celery_worker, webhook_server, broker_proxy, settings):
    """This process publishes to the worker's queue through the proxy, for real (not eagerly),
    with the worker's notification settings; the receiver starts each test answering 200."""
    settings.NOTIFY_WEBHOOK_URL = webhook_server.url
    settings.NOTIFY_WEBHOOK_SECRET = live.WEBHOOK_SECRET
    settings.NOTIFY_MAX_ATTEMPTS = live.MAX_ATTEMPTS
    settings.NOTIFY_RETRY_BASE_DELAY = live.RETRY_BASE_DELAY
    settings.NOTIFY_RETRY_MAX_DELAY = live.RETRY_MAX_DELAY
    saved = (app.conf.task_always_eager, app.conf.task_default_queue, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = celery_worker.queue
    broker_proxy.open()
    live.use_broker(app, broker_proxy.url_for(settings.REDIS_URL))
    webhook_server.reset()
    yield SimpleNamespace(worker=celery_worker, webhook=webhook_server, proxy=broker_proxy, app=app)
    webhook_server.release()  # a held request must not keep the worker's row lock
    broker_proxy.open()
    app.conf.task_always_eager, app.conf.task_default_queue, broker_url = saved
    live.use_broker(app, broker_url)
