"""The notification outbox and what became of it.

An `OutboxMessage` is one event for one recipient, written in the same transaction as the event;
it holds an event name, a case id/reference and a context of non-personal words (category,
kecamatan), never personal data. Each channel the recipient gets it by is a `Delivery`, written
in that same transaction: the unit the relay publishes, a worker sends, and idempotency is keyed
on. Every send is a `DeliveryAttempt`. The in-app channel's result is an `InboxItem`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.display import local_datetime


class Channel(models.TextChoices):
    INBOX = "inbox", _("In-app inbox")
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("WhatsApp/SMS gateway (webhook)")


class Language(models.TextChoices):
    INDONESIAN = "id", _("Indonesian")
    ENGLISH = "en", _("English")


class Event(models.TextChoices):
    """What a message is about, in words (the admin's columns and filters); each has its title
    and body in `notifications.templates`."""

    CASE_REPORTED = "case_reported", _("New case")
    CASE_RESUBMITTED = "case_resubmitted", _("Case resubmitted")
    CASE_VERIFIED = "case_verified", _("Case verified")
    CASE_ASSIGNED = "case_assigned", _("Case assigned")
    CASE_RETURNED = "case_returned", _("Case returned to the reporter")
    CASE_ASSISTED = "case_assisted", _("Case assisted")
    CASE_CLOSED = "case_closed", _("Case closed")
    CASE_REOPENED = "case_reopened", _("Case reopened")
    CASE_TRANSFERRED = "case_transferred", _("Case transferred")
    SLA_WARNING = "sla_warning", _("Deadline near")
    SLA_BREACHED = "sla_breached", _("Deadline missed")
    SLA_ESCALATED = "sla_escalated", _("Escalated to the province")
    DAILY_DIGEST = "daily_digest", _("Daily summary")


class Preference(models.Model):
    """How a user wants to be told; without a row, the in-app inbox in Bahasa Indonesia."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.INDONESIAN
    )
    email = models.BooleanField(_("by e-mail"), default=False)
    webhook = models.BooleanField(_("by WhatsApp/SMS"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return self.user.username


class OutboxMessage(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.CharField(_("event"), max_length=32, choices=Event.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient"),
    )
    case_id = models.UUIDField(_("case id"), null=True, blank=True)
    case_reference = models.CharField(_("case reference"), max_length=20, blank=True)
    # The template's words: category names, kecamatan, counts. Never personal data.
    context = models.JSONField(_("context"), default=dict, blank=True)
    # Set by senders that may run twice for one occasion (the daily digest): one row per key.
    dedupe_key = models.CharField(
        _("deduplication key"), max_length=100, null=True, blank=True, unique=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        indexes = [models.Index(fields=["case_id"], name="outbox_case")]

    def __str__(self) -> str:
        return _("%(event)s to %(recipient)s (%(reference)s)") % {
            "event": self.get_event_display(),
            "recipient": self.recipient.username,
            "reference": self.case_reference or "-",
        }


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    DEAD = "dead", _("Dead letter")


class Delivery(models.Model):
    """One message by one channel. Its id is the idempotency key the channel is given."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    message = models.ForeignKey(
        OutboxMessage,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("message"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Due for (another) attempt from then; a retry pushes it back by the backoff.
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # When it was last handed to the broker; the relay sweep re-publishes what was never handed
    # over (broker down) or handed over too long ago (a lost task).
    enqueued_at = models.DateTimeField(_("enqueued at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["message", "channel"], name="delivery_once_per_channel")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_pending",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["created_at"], name="delivery_dead", condition=models.Q(status="dead")
            ),
        ]

    def __str__(self) -> str:
        return _("%(message)s by %(channel)s: %(status)s") % {
            "message": self.message,
            "channel": self.get_channel_display(),
            "status": self.get_status_display(),
        }


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name=_("delivery")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    succeeded = models.BooleanField(_("succeeded"))
    # What went wrong, in words that carry no personal data (a status code, an error class).
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        outcome = _("succeeded") if self.succeeded else _("failed")
        return _("%(outcome)s, %(at)s") % {"outcome": outcome, "at": local_datetime(self.at)}


class InboxItem(models.Model):
    """A notification as the recipient reads it in the app: rendered in their language."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # One per message: a second delivery of the same message finds it and adds nothing.
    message = models.OneToOneField(OutboxMessage, on_delete=models.CASCADE, related_name="inbox")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    event = models.CharField(_("event"), max_length=32)
    case_id = models.UUIDField(_("case"), null=True, blank=True)
    case_reference = models.CharField(_("case reference"), max_length=20, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("inbox item")
        verbose_name_plural = _("inbox")
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="inbox_recipient"),
            models.Index(
                fields=["recipient", "-created_at"],
                name="inbox_unread",
                condition=models.Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} for {self.recipient_id}"
