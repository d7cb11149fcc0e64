"""Parse and check the NIK (Nomor Induk Kependudukan), Indonesia's 16-digit population number.

Layout ``PPKKCC DDMMYY SSSS``: province, kabupaten/kota and kecamatan codes (Kemendagri), the
birth date with 40 added to the day for women, and a serial. The century is not encoded, so a
NIK only narrows the birth date down to at most two candidates (19YY and 20YY).

Hard errors (:class:`NikError`) reject input that cannot be a NIK at all; :func:`nik_findings`
returns non-blocking warnings for a NIK that is well formed but disagrees with what the
volunteer entered, because NIKs in the field are often mistyped or belong to a relative.
Pure functions: no models, no settings, so they can be used from forms, serializers and imports.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

NIK_LENGTH = 16
FEMALE_DAY_OFFSET = 40

# Province codes currently issued by Kemendagri (including the Papua provinces created 2022).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "16", "17", "18", "19", "21",
        "31", "32", "33", "34", "35", "36", "51", "52", "53",
        "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76",
        "81", "82", "91", "92", "93", "94", "95", "96",
    }
)  # fmt: skip

# Kalimantan Selatan keeps WITA (UTC+8, no daylight saving); "today" is the caseworker's today.
WITA = timezone(timedelta(hours=8), "WITA")

_SEPARATORS = re.compile(r"[\s.\-]+")
_ASCII_DIGITS = re.compile(r"[0-9]*")


@dataclass(frozen=True)
class Finding:
    """A non-blocking warning about a case's data, kept on the case record for review."""

    code: str
    field: str
    message: str | Promise  # a lazy translation string: str() it to render in the active language


class NikError(ValueError):
    """The value cannot be a NIK; the input is rejected."""

    def __init__(self, code: str, message: str | Promise) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ParsedNik:
    """The parts of a well-formed NIK."""

    nik: str
    district_code: str
    regency_code: str
    province_code: str
    sex: str
    birth_day: int
    birth_month: int
    birth_yy: int
    possible_birth_dates: tuple[date, ...]
    serial: str


def normalize_nik(value: str) -> str:
    """Drop the spaces, dots and dashes people type to group the digits; nothing else."""
    return _SEPARATORS.sub("", value)


def parse_nik(value: str, *, today: date | None = None) -> ParsedNik:
    """Split a NIK into its parts, raising :class:`NikError` if it cannot be a real NIK.

    ``today`` bounds the birth-date candidates (nobody is born in the future); it defaults to
    today in Kalimantan Selatan.
    """
    nik = normalize_nik(value)
    if not _ASCII_DIGITS.fullmatch(nik):
        raise NikError("nik_not_digits", _("A NIK may only contain digits."))
    if len(nik) != NIK_LENGTH:
        raise NikError("nik_length", _("A NIK has exactly 16 digits."))
    province, regency, district = nik[0:2], nik[2:4], nik[4:6]
    if province not in PROVINCE_CODES:
        raise NikError("nik_unknown_province", _("The NIK does not start with a province code."))
    if regency == "00" or district == "00":
        raise NikError("nik_invalid_region", _("The NIK's region code is not valid."))
    raw_day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex, day = _sex_and_day(raw_day)
    candidates = _birth_date_candidates(day, month, yy, today or _today_in_kalsel())
    if not candidates:
        raise _invalid_date()
    serial = nik[12:16]
    if serial == "0000":
        raise NikError("nik_zero_serial", _("The NIK's serial number cannot be 0000."))
    return ParsedNik(
        nik=nik,
        district_code=f"{province}.{regency}.{district}",
        regency_code=f"{province}.{regency}",
        province_code=province,
        sex=sex,
        birth_day=day,
        birth_month=month,
        birth_yy=yy,
        possible_birth_dates=candidates,
        serial=serial,
    )


def _today_in_kalsel() -> date:
    return datetime.now(WITA).date()


def _sex_and_day(raw_day: int) -> tuple[str, int]:
    """Women's NIKs carry the birth day plus 40, so the day field also encodes sex."""
    if 1 <= raw_day <= 31:
        return "M", raw_day
    if 1 + FEMALE_DAY_OFFSET <= raw_day <= 31 + FEMALE_DAY_OFFSET:
        return "F", raw_day - FEMALE_DAY_OFFSET
    raise _invalid_date()


def _invalid_date() -> NikError:
    return NikError("nik_invalid_date", _("The NIK does not contain a valid birth date."))


def _birth_date_candidates(day: int, month: int, yy: int, today: date) -> tuple[date, ...]:
    """The real, non-future dates among 19YY and 20YY, oldest first."""
    candidates = []
    for century in (1900, 2000):
        try:
            candidate = date(century + yy, month, day)
        except ValueError:
            continue
        if candidate <= today:
            candidates.append(candidate)
    return tuple(candidates)


def nik_findings(
    parsed: ParsedNik,
    *,
    sex: str | None,
    birth_date: date | None,
    known_region_codes: Collection[str] | None,
) -> list[Finding]:
    """Warn where a valid NIK disagrees with the region list or with the entered sex/birth date.

    Region checks only apply inside a province we hold the region list for; elsewhere we cannot
    tell a new code from a typo. An empty ``sex`` or a ``None`` value means "not entered".
    """
    findings = _region_findings(parsed, known_region_codes)
    if sex and sex != parsed.sex:
        findings.append(
            Finding(
                code="nik_sex_mismatch",
                field="subject.sex",
                message=_("The sex entered differs from the sex encoded in the NIK."),
            )
        )
    if birth_date is not None and birth_date not in parsed.possible_birth_dates:
        findings.append(
            Finding(
                code="nik_birth_date_mismatch",
                field="subject.birth_date",
                message=_("The birth date entered differs from the birth date in the NIK."),
            )
        )
    return findings


def _region_findings(
    parsed: ParsedNik, known_region_codes: Collection[str] | None
) -> list[Finding]:
    if not known_region_codes or parsed.province_code not in known_region_codes:
        return []
    if parsed.regency_code not in known_region_codes:
        message = _("The NIK's kabupaten/kota code is not a known region.")
        return [Finding(code="nik_unknown_regency", field="subject.nik", message=message)]
    if parsed.district_code not in known_region_codes:
        message = _("The NIK's kecamatan code is not a known region.")
        return [Finding(code="nik_unknown_district", field="subject.nik", message=message)]
    return []


def mask_nik(value: str) -> str:
    """Hide a NIK from roles that may not see it, leaving enough to tell two records apart.

    Keeps the first 4 and last 2 characters; a value too short for that is starred entirely.
    """
    keep_start, keep_end = 4, 2
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    hidden = len(value) - keep_start - keep_end
    return value[:keep_start] + "*" * hidden + value[-keep_end:]
