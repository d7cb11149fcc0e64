"""Liveness and readiness probes (no authentication, JSON)."""

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from config.celery import app as celery_app


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """503 unless the database and the broker answer; says which one did not."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    ready = all(value in ("ok", "in-process") for value in checks.values())
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    if not ready:
        body["code"] = "not_ready"
    return JsonResponse(body, status=200 if ready else 503)


def _database_ok() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception:  # any failure means not ready; the probe must answer, not raise
        return "unreachable"


def _broker_ok() -> str:
    if not settings.REDIS_URL:
        return "in-process"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception:
        return "unreachable"
