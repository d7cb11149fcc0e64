"""Shapes of the notifications API (API.md § Notifications)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from common.serializers import ChoiceField, StrictBooleanField, StrictSerializer
from notifications.models import InboxItem, Language, Preference


class InboxItemOutput(serializers.ModelSerializer):
    case = serializers.UUIDField(source="case_id", allow_null=True)

    class Meta:
        model = InboxItem
        fields = ["id", "event", "case", "case_reference", "title", "body", "created_at", "read_at"]
        read_only_fields = fields


class PreferenceOutput(serializers.ModelSerializer):
    class Meta:
        model = Preference
        fields = ["language", "email", "webhook"]
        read_only_fields = fields


class PreferenceInput(StrictSerializer):
    language = ChoiceField(choices=Language.choices, required=False, label=_("Language"))
    email = StrictBooleanField(
        required=False,
        label=_("E-mail"),
        help_text=_("Also by e-mail (to the address on your account)."),
    )
    webhook = StrictBooleanField(
        required=False,
        label=_("WhatsApp/SMS"),
        help_text=_("Also by WhatsApp/SMS (to the phone on your account)."),
    )
