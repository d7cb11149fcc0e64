"""End to end: the API, the outbox, the real Redis, a real Celery worker, a gateway.

A case is filed and moved through the API; the worker (a subprocess on a queue of its own, see
`live.py`) delivers what the outbox holds: the inbox rows, read back through the inbox API, and
signed webhook POSTs to a receiver this test starts, which carry no personal data of the subject.
Each notification arrives once.
"""

import json

import pytest
from django.utils import timezone

from casework.models import Case
from notifications.models import Channel, Delivery
from tests.factories import case_payload
from tests.notifications import live

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

BOB_PHONE = "+6281298765432"
ALICE_PHONE = "+6285251112222"
# The subject's data as the field app sends it; none of it may reach a gateway.
SUBJECT = {
    "name": "Nenek Aminah Binti Saleh",
    "nik": "6371045505480001",
    "sex": "F",
    "birth_date": "1948-05-15",
    "phone": "0813-5555-0101",
}
ADDRESS = "Jl. Sungai Andai No. 12, RT 05"
DESCRIPTION = "Lansia tinggal sendiri di rumah panggung, kekurangan makanan sejak Oktober."
PERSONAL = [
    SUBJECT["name"], "Aminah", SUBJECT["nik"], SUBJECT["phone"], "081355550101",
    "6281355550101", "1948-05-15", ADDRESS, "Sungai Andai", DESCRIPTION, "rumah panggung",
]  # fmt: skip


def file_case(client) -> Case:
    body = case_payload(subject=SUBJECT, address=ADDRESS, description=DESCRIPTION)
    response = client.post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201, response.content
    return Case.objects.get(pk=response.json()["id"])


def assert_no_personal_data(call: live.WebhookCall) -> None:
    text = call.body.decode()
    # \u escapes would hide a match: compare the decoded values too.
    decoded = json.dumps(call.json, ensure_ascii=False)
    for value in PERSONAL:
        assert value not in text and value not in decoded, f"{value!r} sent to the gateway"


def test_a_case_filed_through_the_api_reaches_the_duty_officer_by_inbox_and_gateway(
    live_notifications, alice, bob, as_user
):
    live.told_by_webhook(bob, BOB_PHONE)

    case = file_case(as_user(alice))

    sent = live.wait_for(
        lambda: (
            live.all_delivered(message__case_id=case.pk)
            if len(live.deliveries(message__case_id=case.pk)) == 2
            else None
        ),
        "bob's inbox and webhook deliveries",
        worker=live_notifications.worker,
    )
    assert {(d.message.recipient.username, d.channel) for d in sent} == {
        ("bob", Channel.INBOX),
        ("bob", Channel.WEBHOOK),
    }
    # The inbox, as bob reads it.
    unread = as_user(bob).get("/api/v1/notifications/?unread=true").json()["results"]
    assert [(n["event"], n["case"], n["case_reference"]) for n in unread] == [
        ("case_reported", str(case.pk), case.reference)
    ]
    # The gateway: one signed POST, keyed by the delivery, to bob's number, nothing personal.
    webhook = Delivery.objects.get(message__case_id=case.pk, channel=Channel.WEBHOOK)
    [call] = live_notifications.webhook.snapshot()
    assert call.signature_valid(), call.headers
    assert not call.signature_valid("another-secret")
    assert call.key == str(webhook.pk)
    assert call.header("Content-Type") == "application/json"
    payload = call.json
    assert (payload["id"], payload["event"], payload["to"], payload["case_reference"]) == (
        str(webhook.pk),
        "case_reported",
        BOB_PHONE,
        case.reference,
    )
    assert case.reference in payload["title"]
    assert_no_personal_data(call)
    # Reading it clears it from the unread list.
    read = as_user(bob).post(f"/api/v1/notifications/{unread[0]['id']}/read/")
    assert read.status_code == 200, read.content
    assert as_user(bob).get("/api/v1/notifications/?unread=true").json()["results"] == []


def test_the_whole_lifecycle_tells_everyone_concerned_once(
    live_notifications, alice, bob, carol, as_user
):
    """report (alice) → verify, assigning bob (carol) → assist (bob) → close (carol)."""
    live.told_by_webhook(bob, BOB_PHONE)
    live.told_by_webhook(alice, ALICE_PHONE)

    case = file_case(as_user(alice))
    url = f"/api/v1/cases/{case.pk}"
    steps = [
        (carol, "verify", {"note": "Sudah dicek di lapangan.", "assignee": bob.pk}),
        (bob, "assist", {
            "kind": "basic_needs",
            "description": "Paket sembako.",
            "delivered_at": timezone.localdate().isoformat(),
        }),
        (carol, "close", {"outcome": "resolved", "summary": "Dirawat keluarga."}),
    ]  # fmt: skip
    for actor, action, body in steps:
        response = as_user(actor).post(f"{url}/{action}/", body, format="json")
        assert response.status_code == 200, (action, response.content)
    assert Case.objects.get(pk=case.pk).state == "closed"

    expected = sorted(
        [
            ("case_reported", "bob"),
            ("case_verified", "alice"),
            ("case_assigned", "bob"),
            ("case_assisted", "alice"),
            ("case_closed", "alice"),
        ]
    )
    # Every recipient has the webhook too: two deliveries per notification.
    live.wait_for(
        lambda: len(live.deliveries()) == 2 * len(expected) and live.all_delivered(),
        "every delivery of the lifecycle delivered",
        worker=live_notifications.worker,
    )
    assert live.inbox() == expected
    calls = live_notifications.webhook.snapshot()
    phones = {BOB_PHONE: "bob", ALICE_PHONE: "alice"}
    assert sorted((c.json["event"], phones[c.json["to"]]) for c in calls) == expected
    keys = [c.key for c in calls]
    assert sorted(keys) == sorted(str(d.pk) for d in live.deliveries(channel=Channel.WEBHOOK)), (
        "one call per webhook delivery, keyed by it"
    )
    for call in calls:
        assert call.signature_valid(), call.headers
        assert call.json["case_reference"] == case.reference
        assert_no_personal_data(call)
    assert all(d.attempts == 1 for d in live.deliveries())
