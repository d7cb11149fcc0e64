"""The admin's view of deliveries: dead letters are found, inspected and sent again."""

import pytest
from django.test import Client
from django.utils import timezone

from notifications.models import Delivery, DeliveryAttempt, DeliveryStatus, InboxItem
from tests.factories import make_case

pytestmark = pytest.mark.django_db(transaction=True)  # deliveries run on commit (eagerly)


@pytest.fixture
def admin_client_of(adam) -> Client:
    client = Client()
    client.force_login(adam)
    return client


def kill(delivery: Delivery) -> None:
    """What four failed attempts leave behind."""
    InboxItem.objects.filter(message=delivery.message).delete()
    DeliveryAttempt.objects.filter(delivery=delivery).delete()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.DEAD, attempts=4, last_error="HTTP 500", delivered_at=None
    )
    for _ in range(4):
        DeliveryAttempt.objects.create(delivery=delivery, at=timezone.now(), succeeded=False,
                                       error="HTTP 500")  # fmt: skip


def test_dead_letters_are_listed_apart_and_shown_with_their_attempts(admin_client_of, alice, bob):
    make_case(alice, name="Nenek Aminah")
    dead = Delivery.objects.get()
    kill(dead)

    listing = admin_client_of.get("/admin/notifications/delivery/?status__exact=dead")
    page = admin_client_of.get(f"/admin/notifications/delivery/{dead.pk}/change/")

    assert listing.status_code == 200 and "case_reported" in listing.content.decode()
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count("HTTP 500") >= 4  # each attempt, and the last error
    assert "Nenek Aminah" not in body  # the admin never shows the subject


def test_the_retry_action_sends_a_dead_letter_again(admin_client_of, alice, bob):
    make_case(alice)
    dead = Delivery.objects.get()
    kill(dead)

    response = admin_client_of.post(
        "/admin/notifications/delivery/",
        {"action": "retry", "_selected_action": [str(dead.pk)]},
    )

    assert response.status_code == 302
    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.DELIVERED
    assert dead.attempts == 1  # a fresh set of attempts; the old ones stay in the log
    assert list(dead.attempt_log.values_list("succeeded", flat=True)) == [False] * 4 + [True]
    assert InboxItem.objects.filter(recipient=bob).count() == 1


def test_the_retry_action_leaves_delivered_ones_alone(admin_client_of, alice, bob):
    make_case(alice)
    delivered = Delivery.objects.get()
    assert delivered.status == DeliveryStatus.DELIVERED

    admin_client_of.post(
        "/admin/notifications/delivery/",
        {"action": "retry", "_selected_action": [str(delivered.pk)]},
    )

    delivered.refresh_from_db()
    assert (delivered.status, delivered.attempts) == (DeliveryStatus.DELIVERED, 1)
    assert InboxItem.objects.filter(recipient=bob).count() == 1


def test_the_outbox_and_deliveries_cannot_be_edited_in_the_admin(admin_client_of, alice, bob):
    make_case(alice)
    delivery = Delivery.objects.get()

    page = admin_client_of.get(f"/admin/notifications/delivery/{delivery.pk}/change/")
    added = admin_client_of.get("/admin/notifications/outboxmessage/add/")

    assert 'name="status"' not in page.content.decode()
    assert added.status_code == 403
