"""What every API's serializers share: strict input, and fields that take only their own type.

Input serializers are strict: a field they do not know, or one that is read-only, is a 400 that
names it (a typo from a field app must not be dropped silently), and every problem is reported
at once.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail


class StrictSerializer(serializers.Serializer):
    read_only_names: frozenset[str] = frozenset()
    # A field's own reason why it cannot be set (else the generic "cannot be changed here").
    read_only_messages: Mapping[str, Promise] = {}

    def to_internal_value(self, data: Any) -> Any:
        errors: dict[str, Any] = self._unexpected_fields(data) if isinstance(data, Mapping) else {}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            # Report every problem at once: a field app should not fix them one round-trip each.
            if isinstance(exc.detail, dict):
                errors = {**exc.detail, **errors}
            elif not errors:
                raise
        if errors:
            raise serializers.ValidationError(errors)
        return value

    def _unexpected_fields(self, data: Mapping) -> dict[str, list[ErrorDetail]]:
        errors = {}
        for name in sorted(str(key) for key in set(data) - set(self.fields)):
            if name in self.read_only_names:
                message = self.read_only_messages.get(name, _("This field cannot be changed here."))
                code = "read_only"
            else:
                message, code = _("Unknown field."), "unknown_field"
            errors[name] = [ErrorDetail(str(message), code=code)]
        return errors


class TextField(serializers.CharField):
    """A JSON string and nothing else: DRF's CharField would turn 63.71 into "63.71"."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class NumberField(serializers.FloatField):
    """A number (or a numeric string from a form-based app), never a boolean: true is not 1.0."""

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("invalid")
        return super().to_internal_value(data)


class TimestampField(serializers.DateTimeField):
    """A datetime that cannot overflow: year 1 in WITA has no UTC equivalent."""

    def to_internal_value(self, value: Any) -> Any:
        try:
            return super().to_internal_value(value)
        except (OverflowError, ValueError):
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss][+HH:MM]")
