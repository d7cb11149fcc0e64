"""Health and readiness probes, the OpenAPI schema and the offline Swagger UI."""

import pytest
from django.test import Client


def test_healthz_needs_no_token_or_database():
    response = Client().get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.django_db
def test_readyz_without_redis_reports_in_process_tasks(settings):
    settings.REDIS_URL = ""
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "in-process"}


@pytest.fixture
def broker(settings):
    """Point the readiness probe (and the Celery app it asks) at a broker URL for one test."""
    from config.celery import app

    original = app.conf.broker_url

    def use(url: str) -> None:
        settings.REDIS_URL = url
        app.conf.broker_url = url

    yield use
    app.conf.broker_url = original


@pytest.mark.django_db
def test_readyz_is_503_when_the_broker_is_unreachable(broker):
    broker("redis://127.0.0.1:1/0")
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "code": "not_ready",
        "checks": {"database": "ok", "broker": "unreachable"},
    }


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_with_the_real_redis(broker, settings):
    broker(settings.REDIS_URL)
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_openapi_schema_describes_the_case_endpoints():
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert {"/api/v1/cases/", "/api/v1/cases/{case_id}/", "/api/v1/me/"} <= set(schema["paths"])
    post = schema["paths"]["/api/v1/cases/"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in post["parameters"]]


@pytest.mark.django_db
def test_swagger_ui_is_served_without_internet():
    page = Client().get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "drf_spectacular_sidecar" in html
    assert "cdn" not in html.lower()


@pytest.mark.django_db
def test_an_unknown_url_is_json_404():
    response = Client().get("/no/such/page")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_an_oversized_json_body_is_413_and_nothing_is_parsed(as_user, alice, settings):
    from casework.models import Case

    settings.MAX_JSON_BODY_BYTES = 1024
    body = '{"description": "' + "x" * 2000 + '"}'
    response = as_user(alice).post("/api/v1/cases/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert Case.objects.count() == 0
