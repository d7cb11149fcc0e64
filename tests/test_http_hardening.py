"""What every API answer is, whatever the request (security audit, issue 11 items 5-8):
never cached, JSON whatever `Accept` says, a 413 for any oversized body, and a replayed intake
logged like any other full view of a case."""

import json

import pytest
from django.test import Client

from casework.models import AccessKind, AccessLog
from tests.factories import case_payload, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(alice):
    return make_case(alice)


def test_no_answer_that_may_carry_personal_data_is_stored_by_a_cache(as_user, bob, case):
    client = as_user(bob)
    paths = [
        "/api/v1/cases/",
        f"/api/v1/cases/{case.pk}/",
        f"/api/v1/cases/{case.pk}/history/",
        f"/api/v1/cases/{case.pk}/notes/",
        f"/api/v1/cases/{case.pk}/attachments/",
        f"/api/v1/cases/{case.pk}/assistance/",
        "/api/v1/cases/export/",
        "/api/v1/dashboard/",
        "/api/v1/notifications/",
        "/api/v1/me/",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
    refused = Client().get("/api/v1/cases/")  # an error answer too
    assert refused.status_code == 401 and "no-store" in refused["Cache-Control"]


def test_the_api_answers_json_to_a_client_asking_for_html(as_user, bob, case):
    client = as_user(bob)
    for response in (
        client.get("/api/v1/cases/", HTTP_ACCEPT="text/html"),
        client.get(f"/api/v1/cases/{case.pk}/", HTTP_ACCEPT="text/html"),
        Client().get("/api/v1/cases/", HTTP_ACCEPT="text/html"),  # the 401
        client.post(
            "/api/v1/cases/", "{", content_type="application/json", HTTP_ACCEPT="text/html"
        ),
    ):
        assert response["Content-Type"] == "application/json", response.status_code
        assert json.loads(response.content)  # a body in the one shape, never a browsable page


@pytest.mark.parametrize("size", [300 * 1024, 3 * 1024 * 1024])
def test_every_oversized_body_is_a_413_in_the_error_shape(as_user, alice, size):
    body = json.dumps({**case_payload(), "description": "x" * size})
    response = as_user(alice).post("/api/v1/cases/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert response.json()["message"] == "Isi permintaan terlalu besar."


def test_a_replayed_intake_shown_to_an_officer_is_in_the_access_log(as_user, bob):
    client = as_user(bob)
    body = case_payload(region="63.71.04.1003")

    first = client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-77")
    views_before = AccessLog.objects.filter(user=bob, kind=AccessKind.VIEW).count()
    replay = client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-77")

    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["subject"]["nik"] == body["subject"]["nik"]  # shown in full...
    logged = AccessLog.objects.filter(user=bob, kind=AccessKind.VIEW)
    assert logged.count() == views_before + 1  # ...and logged
    assert str(logged.latest("at").case_id) == first.json()["id"]


def test_a_body_without_its_length_is_a_411_not_missing_fields(as_user, alice):
    """Under WSGI a chunked body reads as empty: the client is told so, not that every field
    is missing."""
    body = json.dumps(case_payload())
    response = as_user(alice).post(
        "/api/v1/cases/", body, content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked", CONTENT_LENGTH="",
    )  # fmt: skip
    assert response.status_code == 411
    assert response.json()["code"] == "length_required"
    assert "Content-Length" in response.json()["message"]


def test_djangos_own_body_limit_answers_413_in_the_error_shape(rf):
    """Should anything read a body past DATA_UPLOAD_MAX_MEMORY_SIZE before the parser does."""
    from django.core.exceptions import RequestDataTooBig

    from common.error_responses import api_exception_handler, json_bad_request

    api = api_exception_handler(RequestDataTooBig(), {})
    assert api is not None and api.status_code == 413
    assert api.data["code"] == "request_too_large"
    page = json_bad_request(rf.get("/"), RequestDataTooBig())
    assert page.status_code == 413 and json.loads(page.content)["code"] == "request_too_large"
