"""`Idempotency-Key`: a retried submission from a flaky connection never creates a second case."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from casework.models import Case, IdempotencyRecord, Subject
from casework.tasks import purge_idempotency_records
from tests.concurrency import run_concurrently
from tests.factories import case_payload

pytestmark = pytest.mark.django_db


def post(client, body, key="retry-1"):
    return client.post("/api/v1/cases/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_retry_with_same_key_returns_the_first_response_and_creates_nothing(as_user, alice):
    client = as_user(alice)
    first = post(client, case_payload())
    again = post(client, case_payload())
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert first["Idempotent-Replayed"] == "false"
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1
    assert Subject.objects.count() == 1


def test_same_key_with_a_different_body_is_422_and_creates_nothing(as_user, alice):
    client = as_user(alice)
    post(client, case_payload())
    response = post(client, case_payload(urgency="low"))
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Case.objects.count() == 1


def test_the_same_key_from_another_user_is_a_separate_request(as_user, alice, bob):
    post(as_user(alice), case_payload())
    response = post(as_user(bob), case_payload())
    assert response.status_code == 201
    assert Case.objects.count() == 2


def test_a_rejected_request_is_not_remembered_so_the_corrected_retry_goes_through(as_user, alice):
    client = as_user(alice)
    bad = post(client, case_payload(category="NOPE"))
    assert bad.status_code == 400
    assert IdempotencyRecord.objects.count() == 0
    good = post(client, case_payload())
    assert good.status_code == 201
    assert Case.objects.count() == 1


def test_without_a_key_each_request_creates_a_case(as_user, alice):
    client = as_user(alice)
    client.post("/api/v1/cases/", case_payload(), format="json")
    client.post("/api/v1/cases/", case_payload(), format="json")
    assert Case.objects.count() == 2


@pytest.mark.parametrize("key", ["", "   ", "k" * 256])
def test_an_empty_or_oversize_key_is_400_naming_the_header(as_user, alice, key):
    response = post(as_user(alice), case_payload(), key=key)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert response.json()["errors"][0]["code"] == "invalid_idempotency_key"
    assert Case.objects.count() == 0


def test_a_255_character_key_is_accepted(as_user, alice):
    assert post(as_user(alice), case_payload(), key="k" * 255).status_code == 201


def test_key_order_of_json_fields_does_not_matter(as_user, alice):
    client = as_user(alice)
    body = case_payload()
    post(client, body)
    reordered = dict(reversed(list(body.items())))
    assert post(client, reordered).status_code == 201
    assert Case.objects.count() == 1


def test_old_keys_are_purged_and_recent_ones_kept(as_user, alice, settings):
    client = as_user(alice)
    post(client, case_payload(), key="old")
    post(
        client, case_payload(description="Anak jalanan di Pasar Lama, tidur di emperan."), key="new"
    )
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - settings.IDEMPOTENCY_KEY_TTL - timedelta(minutes=1)
    )
    assert purge_idempotency_records() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_create_exactly_one_case(alice):
    body = case_payload()

    def submit(_: int):
        client = APIClient()
        client.force_authenticate(alice)
        response = post(client, body, key="same-key-from-a-flaky-phone")
        return response.status_code, response.json()

    results = run_concurrently(8, submit)
    assert [status for status, _ in results] == [201] * 8
    assert len({body["id"] for _, body in results}) == 1
    assert Case.objects.count() == 1
    assert Subject.objects.count() == 1


def test_the_stored_key_keeps_no_personal_data(as_user, alice):
    created = post(as_user(alice), case_payload()).json()
    record = IdempotencyRecord.objects.get()
    stored = " ".join(str(v) for v in vars(record).values())
    assert "6371045505480001" not in stored
    assert "+6281234567890" not in stored
    assert record.resource_id == created["id"]


def test_a_replay_after_a_correction_is_the_same_case_as_it_is_now(as_user, alice):
    client = as_user(alice)
    first = post(client, case_payload()).json()
    client.patch(f"/api/v1/cases/{first['id']}/", {"address": "Jl. Baru No. 1"}, format="json")
    again = post(client, case_payload())
    assert again.status_code == 201
    assert (again.json()["id"], again.json()["reference"]) == (first["id"], first["reference"])
    assert again.json()["address"] == "Jl. Baru No. 1"
    assert Case.objects.count() == 1
