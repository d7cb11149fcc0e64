"""Writes of the notifications app."""

import uuid
from collections.abc import Iterable

from casework.models import User
from notifications.models import OutboxMessage


def notify(
    *, event: str, recipients: Iterable[User], case_id: uuid.UUID, case_reference: str
) -> list[OutboxMessage]:
    """Queue `event` for each recipient (once each) as outbox rows, in the caller's transaction.

    Effects: one INSERT. Delivery happens after commit, from these rows.
    """
    unique = {user.pk: user for user in recipients}
    return OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                event=event, recipient=user, case_id=case_id, case_reference=case_reference
            )
            for user in unique.values()
        ]
    )
