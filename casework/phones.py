"""Normalise Indonesian phone numbers to E.164 so one person's number matches however it was typed.

Volunteers write "0812-3456-7890", "62812...", "+62 812 ..." or "(0511) 3252 111"; storing the
E.164 form makes duplicates findable and lets notifications dial the number unchanged.
Only Indonesian numbers are stored: the service reaches people in Kalimantan Selatan.
Pure functions: no models, no settings.
"""

from __future__ import annotations

import phonenumbers
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

REGION = "ID"
COUNTRY_PREFIX = "+62"
_VISIBLE_TAIL = 3


class PhoneError(ValueError):
    """The value is not a phone number we can store; the input is rejected."""

    def __init__(self, code: str, message: str | Promise) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def normalize_phone(value: str) -> str:
    """Return the E.164 form ("+6281234567890") of an Indonesian number, or raise PhoneError."""
    try:
        number = phonenumbers.parse(value, REGION)
    except phonenumbers.NumberParseException:
        raise _invalid() from None
    if not phonenumbers.is_valid_number(number):
        raise _invalid()
    if phonenumbers.region_code_for_number(number) != REGION:
        raise PhoneError("phone_not_indonesian", _("Only Indonesian phone numbers can be stored."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _invalid() -> PhoneError:
    return PhoneError("phone_invalid", _("This is not a valid phone number."))


def mask_phone(value: str) -> str:
    """Hide a stored number from roles that may not see it, keeping "+62" and the last 3 digits.

    The masked value keeps the original length, so the number's kind (mobile or landline) shows.
    """
    keep_start = len(COUNTRY_PREFIX)
    if len(value) <= keep_start + _VISIBLE_TAIL:
        return "*" * len(value)
    hidden = len(value) - keep_start - _VISIBLE_TAIL
    return value[:keep_start] + "*" * hidden + value[-_VISIBLE_TAIL:]
