"""Admin: the outbox and deliveries read-only, dead letters with a "retry" action; preferences."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from common.readonly_admin import ReadOnlyAdmin, ReadOnlyInline
from notifications import services
from notifications.models import (
    Delivery,
    DeliveryAttempt,
    OutboxMessage,
    Preference,
)


class DeliveryInline(ReadOnlyInline):
    model = Delivery
    fields = ("channel", "status", "attempts", "next_attempt_at", "delivered_at", "last_error")
    show_change_link = True


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "event", "recipient", "case_reference")
    list_filter = ("event",)
    search_fields = ("case_reference", "recipient__username")
    list_select_related = ("recipient",)
    inlines = (DeliveryInline,)


class AttemptInline(ReadOnlyInline):
    model = DeliveryAttempt
    fields = ("at", "succeeded", "error")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """Filter on "Dead letter" to see what could not be delivered; "retry" sends it again."""

    list_display = (
        "created_at", "event", "recipient", "case_reference", "channel", "status", "attempts",
        "last_error",
    )  # fmt: skip
    list_filter = ("status", "channel", "message__event")
    search_fields = ("message__case_reference", "message__recipient__username")
    list_select_related = ("message__recipient",)
    inlines = (AttemptInline,)
    actions = ("retry",)

    @admin.display(description=_("event"))
    def event(self, obj: Delivery) -> str:
        return obj.message.get_event_display()

    @admin.display(description=_("recipient"))
    def recipient(self, obj: Delivery) -> str:
        return str(obj.message.recipient)

    @admin.display(description=_("case reference"))
    def case_reference(self, obj: Delivery) -> str:
        return obj.message.case_reference

    @admin.action(description=_("Retry the selected dead letters"))
    def retry(self, request, queryset) -> None:
        chosen = list(queryset.values_list("pk", flat=True))
        retried = services.deliveries_retry(ids=chosen)
        skipped = len(chosen) - retried
        self.message_user(
            request, _("%(n)d dead letters sent again.") % {"n": retried}, messages.SUCCESS
        )
        if skipped:
            self.message_user(
                request,
                _("%(n)d were not dead letters and were left as they are.") % {"n": skipped},
                messages.WARNING,
            )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("message__recipient")


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "language", "email", "webhook")
    list_filter = ("language", "email", "webhook")
    search_fields = ("user__username",)
    raw_id_fields = ("user",)
