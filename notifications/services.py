"""Writes of the notifications app: queue messages, mark them read, replay dead letters."""

import uuid
from collections.abc import Iterable
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import User
from common.errors import FieldError, NotFound, ValidationFailed
from notifications import relay
from notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    InboxItem,
    OutboxMessage,
    Preference,
)
from notifications.selectors import channels_for


def notify(
    *,
    event: str,
    recipients: Iterable[User],
    case_id: uuid.UUID | None,
    case_reference: str = "",
    context: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> list[OutboxMessage]:
    """Queue `event` for each recipient (once each), by each channel they chose.

    Effects, in the caller's transaction: the outbox rows and their delivery rows; after commit,
    the deliveries are handed to the broker (if it is down, the relay sweep hands them over
    later). With `dedupe_key`, a recipient who already has a message with that key (suffixed
    with their id) gets nothing: senders that may run twice use it.
    """
    unique = {user.pk: user for user in recipients}
    if not unique:
        return []
    now = timezone.now()
    messages = [
        OutboxMessage(
            event=event,
            recipient=user,
            case_id=case_id,
            case_reference=case_reference,
            context=context or {},
            dedupe_key=f"{dedupe_key}:{user.pk}" if dedupe_key else None,
            created_at=now,
        )
        for user in unique.values()
    ]
    # Part of the caller's transaction (no savepoint of its own); a transaction if there is none.
    with transaction.atomic(savepoint=False):
        if dedupe_key:
            OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)
            written = set(
                OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).values_list(
                    "pk", flat=True
                )
            )
            messages = [m for m in messages if m.pk in written]
        else:
            OutboxMessage.objects.bulk_create(messages)
        channels = channels_for(list(unique.values()))
        deliveries = Delivery.objects.bulk_create(
            [
                Delivery(
                    message=message,
                    channel=channel,
                    next_attempt_at=now,
                    enqueued_at=now,  # by the kick below; reset if that fails
                    created_at=now,
                )
                for message in messages
                for channel in channels[message.recipient_id]
            ]
        )
        if deliveries:
            inbox = [d.pk for d in deliveries if d.channel == Channel.INBOX]
            others = [d.pk for d in deliveries if d.channel != Channel.INBOX]
            transaction.on_commit(partial(relay.kick, inbox, others), robust=True)
    return messages


def inbox_mark_read(*, user: User, item_id: Any, at: datetime | None = None) -> InboxItem:
    """Mark one of the user's inbox items read (again: it keeps the first time)."""
    item = InboxItem.objects.filter(pk=item_id, recipient=user).first()
    if item is None:
        raise NotFound()
    if item.read_at is None:
        item.read_at = at or timezone.now()
        item.save(update_fields=["read_at"])
    return item


def inbox_mark_all_read(*, user: User, at: datetime | None = None) -> int:
    return InboxItem.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=at or timezone.now()
    )


def deliveries_retry(*, ids: Iterable[uuid.UUID]) -> int:
    """Give dead deliveries a fresh set of attempts and publish them again (the admin's action).

    Effects: the delivery rows back to pending (their attempt log kept); after commit, published.
    """
    now = timezone.now()
    with transaction.atomic():
        retried = list(
            Delivery.objects.select_for_update()
            .filter(pk__in=list(ids), status=DeliveryStatus.DEAD)
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=retried).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, enqueued_at=now
        )
        if retried:
            transaction.on_commit(partial(relay.publish, retried), robust=True)
    return len(retried)


def preference_update(*, user: User, changes: dict[str, Any]) -> Preference:
    """Change how the user is told. A channel needs somewhere to send to: an e-mail address or
    a phone number on the account (an administrator sets those)."""
    errors = []
    if changes.get("email") and not user.email:
        errors.append(("email", _("Your account has no e-mail address.")))
    if changes.get("webhook") and not settings.NOTIFY_WEBHOOK_URL:
        errors.append(("webhook", _("WhatsApp/SMS notifications are not set up on this server.")))
    elif changes.get("webhook") and not user.phone:
        errors.append(("webhook", _("Your account has no phone number.")))
    if errors:
        raise ValidationFailed(
            errors=[FieldError(field=f, code="unavailable", message=m) for f, m in errors]
        )
    preference = Preference.objects.filter(user=user).first() or Preference(user=user)
    for name, value in changes.items():
        setattr(preference, name, value)
    preference.save()
    return preference


PURGE_BATCH = 2000  # messages per transaction: the purge never holds many row locks for long


def delivered_purge(*, older_than: datetime) -> int:
    """Delete the notifications created before `older_than` whose every delivery went out,
    with their deliveries, attempts and inbox items (the rows cascade from the message).
    Pending and dead ones stay: the relay or the admin's retry still needs them. Returns how
    many messages went; running it again removes nothing more."""
    unfinished = Delivery.objects.filter(
        message=OuterRef("pk"), status__in=[DeliveryStatus.PENDING, DeliveryStatus.DEAD]
    )
    candidates = OutboxMessage.objects.filter(created_at__lt=older_than).exclude(Exists(unfinished))
    purged = 0
    while ids := list(candidates.values_list("pk", flat=True)[:PURGE_BATCH]):
        with transaction.atomic():
            OutboxMessage.objects.filter(pk__in=ids).delete()
        purged += len(ids)
    return purged
