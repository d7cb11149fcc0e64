"""The notification outbox: rows written in the same transaction as the event they announce.

Delivery (channels, retries, dead letters) builds on these rows; a row knows its recipient, an
event name and a case id/reference, nothing more: never personal data.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    DEAD = "dead", _("Dead letter")


class OutboxMessage(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.CharField(_("event"), max_length=32)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    case_id = models.UUIDField(_("case"))
    case_reference = models.CharField(_("case reference"), max_length=20)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_pending",
                condition=models.Q(status="pending"),
            ),
            models.Index(fields=["case_id"], name="outbox_case"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.recipient_id} ({self.case_reference})"
