"""One delivery attempt (`notifications.delivery.attempt`), in-process: the in-app batch."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications import delivery
from notifications.models import (
    Channel,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    InboxItem,
    OutboxMessage,
    Preference,
)
from notifications.services import notify
from tests.factories import make_user

pytestmark = pytest.mark.django_db  # on-commit kicks never run: deliveries stay pending


@pytest.fixture
def officers(db):
    return [make_user(f"officer{n}", role="officer", region="63.71", division="rehsos",
                      phone=f"+62812345000{n}") for n in range(3)]  # fmt: skip


def pending(officers, event: str = "case_reported") -> list[Delivery]:
    context = {"category_names": {"id": "Lansia", "en": "Elderly"}, "district": "Kuin"}
    notify(event=event, recipients=officers, case_id=None, case_reference="6371-2026-000001",
           context=context)  # fmt: skip
    return list(Delivery.objects.filter(status=DeliveryStatus.PENDING).order_by("created_at"))


def test_a_worker_given_one_inbox_delivery_delivers_the_other_due_ones_too(officers):
    first, *others = pending(officers)

    assert delivery.attempt(first.pk) is None

    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
    assert InboxItem.objects.count() == 3
    assert DeliveryAttempt.objects.filter(succeeded=True).count() == 3
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}
    # Their own tasks come later and find nothing to do.
    for other in others:
        assert delivery.attempt(other.pk) is None
    assert InboxItem.objects.count() == 3
    assert DeliveryAttempt.objects.count() == 3


def test_the_batch_leaves_deliveries_not_yet_due_and_other_channels_alone(officers, settings):
    settings.NOTIFY_WEBHOOK_URL = "http://127.0.0.1:9/gateway"
    Preference.objects.create(user=officers[1], webhook=True)
    first, *others = pending(officers)
    later = next(d for d in others if d.channel == Channel.INBOX)
    Delivery.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )

    delivery.attempt(first.pk)

    still = set(Delivery.objects.filter(status=DeliveryStatus.PENDING).values_list("pk", "channel"))
    webhook = Delivery.objects.get(channel=Channel.WEBHOOK)
    assert still == {(later.pk, Channel.INBOX), (webhook.pk, Channel.WEBHOOK)}


def test_each_message_is_rendered_in_its_own_recipients_language(officers):
    Preference.objects.create(user=officers[2], language="en")
    first, *_ = pending(officers)

    delivery.attempt(first.pk)

    titles = dict(InboxItem.objects.values_list("recipient__username", "title"))
    assert titles["officer2"] == "New case 6371-2026-000001"
    assert titles["officer0"] == titles["officer1"] == "Kasus baru 6371-2026-000001"


def test_a_delivered_or_dead_delivery_is_not_sent_again(officers):
    first, second, _third = pending(officers)
    Delivery.objects.filter(pk=second.pk).update(status=DeliveryStatus.DEAD)

    delivery.attempt(first.pk)
    delivery.attempt(first.pk)

    assert Delivery.objects.get(pk=second.pk).status == DeliveryStatus.DEAD
    assert not InboxItem.objects.filter(message=second.message).exists()
    assert OutboxMessage.objects.count() == 3 and InboxItem.objects.count() == 2
