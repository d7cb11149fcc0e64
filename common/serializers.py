"""What every API's serializers share: strict input, and fields that take only their own type.

Input serializers are strict: a field they do not know, or one that is read-only, is a 400 that
names it (a typo from a field app must not be dropped silently), and every problem is reported
at once.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

# What Python's str.strip() trims, as a regular-expression class: text fields (DRF's) are trimmed
# before they are checked, so a schema says what a blank is in these terms.
SPACE_CLASS = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


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
    """A JSON string and nothing else: DRF's CharField would turn 63.71 into "63.71". Its
    length is that of the string as sent (as the schema's `maxLength` counts it), not of what
    is left once the surrounding whitespace is trimmed."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


def invalid_choice_message(value: object, choices: Iterable[object]) -> str:
    """An invalid choice names the valid ones: in bodies and in query strings alike."""
    return _("“%(input)s” is not a valid choice; use one of: %(choices)s.") % {
        "input": value,
        "choices": ", ".join(str(choice) for choice in choices),
    }


class ChoiceField(serializers.ChoiceField):
    """DRF's ChoiceField whose refusal lists what it takes."""

    def to_internal_value(self, data: Any) -> Any:
        if data == "" and self.allow_blank:
            return ""
        try:
            return self.choice_strings_to_values[str(data)]
        except KeyError:
            raise serializers.ValidationError(
                invalid_choice_message(data, self.choice_strings_to_values), code="invalid_choice"
            ) from None


class StrictBooleanField(serializers.BooleanField):
    """JSON's true or false and nothing else: DRF's BooleanField would take "yes", "on", 1."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class LocalDateField(serializers.DateField):
    """A date, or an ISO datetime taken as its day in WITA: every other `*_at` field takes a
    datetime, so a client sending one here is not refused."""

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str) and "T" in value:
            moment = TimestampField().to_internal_value(value)
            return timezone.localdate(moment)
        return super().to_internal_value(value)


class NumberField(serializers.FloatField):
    """A number (or a numeric string from a form-based app), never a boolean: true is not 1.0."""

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("invalid")
        return super().to_internal_value(data)


# The UTC offsets RFC 3339 writes (up to ±23:59), as the schema's `date-time` promises: one rule
# for every time the API reads, in bodies and in query strings. Each is converted (to WITA or
# UTC) in Python before it reaches PostgreSQL, which itself takes only ±15:59.
MIN_OFFSET, MAX_OFFSET = -timedelta(hours=23, minutes=59), timedelta(hours=23, minutes=59)


def valid_offset(moment: datetime) -> bool:
    offset = moment.utcoffset()
    return offset is None or MIN_OFFSET <= offset <= MAX_OFFSET


class TimestampField(serializers.DateTimeField):
    """A datetime that cannot overflow (year 1 in WITA has no UTC equivalent), at an offset
    RFC 3339 can write."""

    def to_internal_value(self, value: Any) -> Any:
        try:
            # The offset as written: the parent converts the value to WITA.
            written = parse_datetime(value) if isinstance(value, str) else None
            parsed = super().to_internal_value(value)
        except (OverflowError, ValueError):
            written = parsed = None
        if parsed is None or (written is not None and not valid_offset(written)):
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss][+HH:MM]")
        return parsed
