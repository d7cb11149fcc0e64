"""The floor of the notifications measurement: a Celery task that does nothing but say it ran.

Loaded into the bench's worker with `--include bench.tasks`; never part of the product. The task
appends "<published> <ran>" (epoch seconds) to a Redis list: the publisher's clock reading,
passed as the argument, and the worker's when the task body started. That one RPUSH is the
whole body, the least a task can do and still be counted.
"""

import time
from functools import cache

import redis
from celery import shared_task
from django.conf import settings


@cache
def _redis() -> redis.Redis:
    """One connection per worker process (created after the fork, at the first task)."""
    return redis.Redis.from_url(settings.REDIS_URL)


@shared_task(name="bench.noop")
def noop(key: str, published: float) -> None:
    _redis().rpush(key, f"{published!r} {time.time()!r}")
