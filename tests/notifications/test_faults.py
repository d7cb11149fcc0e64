"""Faults on the way out, with the real Redis and a real Celery worker (see `live.py`).

(a) The broker is unreachable when a transition commits: the transition succeeds, its deliveries
    wait for the relay sweep, which hands them over once the broker is back.
(b) The gateway answers 500 three times, then 200: delivered once, every attempt recorded.
(c) The gateway always fails: a dead letter after NOTIFY_MAX_ATTEMPTS; the admin's "retry"
    delivers it once the gateway is back.
(d) One delivery handed to two worker processes at once: one inbox row, one webhook call.
(e) A worker process killed in the middle of a send: the task is handed out again (acks late,
    reject on worker lost) and the delivery is made once, with the same idempotency key.
And what these turned up: an answer that is not HTTP, a redirect, and an unexpected error in a
send are each a recorded failed attempt, never a delivery and never a task that fails silently.

The broker outage is the test process's alone: it publishes through a proxy that the test closes;
the worker keeps its own connection to Redis.
"""

import os
import signal
import time

import pytest

from notifications import delivery, relay
from notifications.models import Channel, DeliveryStatus
from notifications.tasks import deliver
from tests.factories import make_case
from tests.notifications import live

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

BOB_PHONE = "+6281298765432"


def attempt_log(delivery) -> list[tuple[bool, str]]:
    return list(delivery.attempt_log.values_list("succeeded", "error"))


def the_webhook_delivery(worker: live.Worker, **status: str):
    """Bob's webhook delivery once it is delivered (or in `status`)."""
    filters = {"status": DeliveryStatus.DELIVERED, **status}
    [found] = live.wait_for(
        lambda: live.deliveries(channel=Channel.WEBHOOK, **filters),
        f"the webhook delivery to be {filters['status']}",
        worker=worker,
    )
    return found


@pytest.fixture
def reported(live_notifications, alice, bob):
    """Bob, told by inbox and webhook; call it to have Alice report a case he is told of."""
    live.told_by_webhook(bob, BOB_PHONE)
    return lambda: make_case(alice)


def test_a_transition_committed_while_the_broker_is_away_is_delivered_when_it_returns(
    live_notifications, reported, bob, carol, as_user
):
    worker, proxy = live_notifications.worker, live_notifications.proxy
    case = reported()
    live.wait_for(
        lambda: len(live.deliveries()) == 2 and live.all_delivered(),
        "the report's deliveries",
        worker=worker,
    )

    proxy.close()
    started = time.monotonic()
    response = as_user(carol).post(
        f"/api/v1/cases/{case.pk}/verify/", {"note": "Benar.", "assignee": bob.pk}, format="json"
    )
    took = time.monotonic() - started

    assert response.status_code == 200, response.content
    assert response.json()["state"] == "verified"
    assert took < 5, f"the request waited {took:.1f} s on a broker that is away"
    waiting = live.deliveries(message__event__in=["case_verified", "case_assigned"])
    assert sorted((d.message.event, d.message.recipient.username, d.channel) for d in waiting) == [
        ("case_assigned", "bob", Channel.INBOX),
        ("case_assigned", "bob", Channel.WEBHOOK),
        ("case_verified", "alice", Channel.INBOX),
    ]
    assert {(d.status, d.enqueued_at, d.attempts) for d in waiting} == {
        (DeliveryStatus.PENDING, None, 0)
    }, "left for the sweep"
    # A sweep while the broker is still away hands over nothing and keeps them for the next.
    assert relay.sweep() == 0
    ids = [d.pk for d in waiting]
    assert {d.enqueued_at for d in live.deliveries(pk__in=ids)} == {None}

    proxy.open()
    assert relay.sweep() == 3

    live.wait_for(lambda: live.all_delivered(pk__in=ids), "the swept deliveries", worker=worker)
    assert live.inbox() == [
        ("case_assigned", "bob"),
        ("case_reported", "bob"),
        ("case_verified", "alice"),
    ]
    assert [c.json["event"] for c in live_notifications.webhook.snapshot()] == [
        "case_reported",
        "case_assigned",
    ]


def test_a_gateway_failing_three_times_then_accepting_gets_it_once(live_notifications, reported):
    live_notifications.webhook.answer(500, 500, 500, then=200)

    reported()

    webhook = the_webhook_delivery(live_notifications.worker)
    assert (webhook.attempts, webhook.last_error) == (4, "")
    assert attempt_log(webhook) == [(False, "HTTP 500")] * 3 + [(True, "")]
    calls = live_notifications.webhook.snapshot()
    assert [c.key for c in calls] == [str(webhook.pk)] * 4, "the same idempotency key each time"
    assert all(c.signature_valid() for c in calls)
    live.wait_for(live.all_delivered, "the inbox delivery", worker=live_notifications.worker)
    assert live.inbox() == [("case_reported", "bob")]


def test_a_gateway_that_always_fails_leaves_a_dead_letter_the_admin_retry_delivers(
    live_notifications, reported, adam, client
):
    gateway, worker = live_notifications.webhook, live_notifications.worker
    gateway.answer(then=500)

    reported()

    dead = the_webhook_delivery(worker, status=DeliveryStatus.DEAD)
    assert (dead.attempts, dead.last_error) == (live.MAX_ATTEMPTS, "HTTP 500")
    assert attempt_log(dead) == [(False, "HTTP 500")] * live.MAX_ATTEMPTS
    assert len(gateway.snapshot()) == live.MAX_ATTEMPTS
    assert relay.sweep() == 0, "the sweep leaves dead letters to the admin"

    gateway.answer(then=200)
    client.force_login(adam)
    response = client.post(
        "/admin/notifications/delivery/", {"action": "retry", "_selected_action": [str(dead.pk)]}
    )
    assert response.status_code == 302, response.content

    delivered = the_webhook_delivery(worker)
    assert delivered.pk == dead.pk
    assert (delivered.attempts, delivered.last_error) == (1, "")  # a fresh set of attempts
    assert attempt_log(delivered) == [(False, "HTTP 500")] * live.MAX_ATTEMPTS + [(True, "")]
    assert [c.key for c in gateway.snapshot()] == [str(dead.pk)] * (live.MAX_ATTEMPTS + 1)
    assert live.inbox() == [("case_reported", "bob")]


def test_one_delivery_handed_to_two_workers_at_once_is_sent_once(live_notifications, reported):
    gateway, worker = live_notifications.webhook, live_notifications.worker
    gateway.hold_next()  # the first send stays in flight, its row locked

    reported()
    live.wait_for(gateway.held.is_set, "the first webhook call", worker=worker)
    [webhook] = live.deliveries(channel=Channel.WEBHOOK)
    # The same delivery twice more, to the other worker process, while the first sends it.
    twins = [deliver.apply_async((str(webhook.pk),)).id for _ in range(2)]
    live.wait_for(
        lambda: all(worker.finished(t) for t in twins), "the duplicate tasks", worker=worker
    )
    assert len(gateway.snapshot()) == 1, "a duplicate sent while the first was in flight"

    gateway.release()
    delivered = the_webhook_delivery(worker)
    assert (delivered.attempts, attempt_log(delivered)) == (1, [(True, "")])
    # Handed out again after it was delivered: nothing more is sent.
    late = deliver.apply_async((str(webhook.pk),)).id
    live.wait_for(lambda: worker.finished(late), "the late duplicate", worker=worker)
    assert [c.key for c in gateway.snapshot()] == [str(webhook.pk)]
    live.wait_for(live.all_delivered, "the inbox delivery", worker=worker)
    assert live.inbox() == [("case_reported", "bob")]


def test_a_worker_killed_mid_send_is_redelivered_and_delivered_once(live_notifications, reported):
    gateway, worker = live_notifications.webhook, live_notifications.worker
    gateway.hold_next()

    reported()
    live.wait_for(gateway.held.is_set, "the first webhook call", worker=worker)
    [first] = gateway.snapshot()
    sender = live.pid_with_client_port(worker.children(), first.client_port)
    assert sender is not None, f"no pool process holds the call\n{worker.log_tail()}"
    os.kill(sender, signal.SIGKILL)

    delivered = the_webhook_delivery(worker)
    # The killed attempt left nothing: its transaction died with its connection.
    assert (delivered.attempts, attempt_log(delivered)) == (1, [(True, "")])
    calls = gateway.snapshot()
    assert [c.key for c in calls] == [str(delivered.pk)] * 2, "sent again with the same key"
    assert f"pid:{sender} exited with 'signal 9 (SIGKILL)'" in worker.log(), worker.log_tail()
    live.wait_for(live.all_delivered, "the inbox delivery", worker=worker)
    assert live.inbox() == [("case_reported", "bob")]
    # The pool replaced the process, for the tests that follow.
    live.wait_for(lambda: len(worker.children()) == 2, "a new pool process", worker=worker)


def test_a_garbled_gateway_answer_is_a_failed_attempt_and_retried(live_notifications, reported):
    """An answer that is not HTTP (http.client's BadStatusLine) counts as a failed attempt:
    before, it escaped the channel, the task failed without recording anything, and the
    delivery waited for the sweep's republish, forever, never becoming a dead letter."""
    live_notifications.webhook.answer(live.WebhookServer.GARBAGE, then=200)

    reported()

    webhook = the_webhook_delivery(live_notifications.worker)
    assert webhook.attempts == 2
    assert attempt_log(webhook) == [(False, "BadStatusLine"), (True, "")]


def test_a_redirecting_gateway_is_a_dead_letter_not_a_delivery(live_notifications, reported):
    """A redirect is not followed: urllib would repeat the POST as a GET without its body and
    count the GET's 200 as delivered. A gateway URL that redirects is the operator's to fix."""
    gateway = live_notifications.webhook
    gateway.answer(then=302)

    reported()

    dead = the_webhook_delivery(live_notifications.worker, status=DeliveryStatus.DEAD)
    assert (dead.attempts, attempt_log(dead)) == (1, [(False, "HTTP 302")])
    assert gateway.gets == [], "the redirect was followed"


def test_an_unexpected_error_in_a_send_is_a_failed_attempt(live_notifications, reported, settings):
    """A bad setting (a webhook URL without a scheme: urllib's ValueError) or a bug is counted
    like any failure, so it ends as a dead letter the admin sees. Before, the task raised with
    nothing recorded and the sweep republished the delivery every few minutes, forever."""
    live_notifications.proxy.close()  # the kick hands nothing over: this process sends it
    reported()
    [webhook] = live.deliveries(channel=Channel.WEBHOOK, enqueued_at=None)
    settings.NOTIFY_WEBHOOK_URL = "gateway.invalid/notify"

    delay = delivery.attempt(webhook.pk)

    assert delay is not None and 0 < delay <= live.RETRY_BASE_DELAY
    [after] = live.deliveries(pk=webhook.pk)
    assert (after.status, after.attempts, after.last_error) == (
        DeliveryStatus.PENDING,
        1,
        "ValueError",
    )
    assert attempt_log(after) == [(False, "ValueError")]
    assert live_notifications.webhook.snapshot() == []
