"""Times and periods in words, in the reader's language: the admin's titles and columns."""

from datetime import datetime, timedelta

from django.utils import formats, timezone
from django.utils.timesince import TIME_STRINGS


def local_datetime(value: datetime) -> str:
    """`2 Des. 2026 08.24` in WITA: a record's title names the time its reader's clock shows."""
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def period(value: timedelta) -> str:
    """`3 hari, 12 jam` / `45 menit`: Django's own words for days, hours and minutes (its
    catalogue has them in both languages), instead of `3 days, 12:00:00` in English."""
    minutes = int(value.total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        TIME_STRINGS[unit] % {"num": amount}
        for unit, amount in (("day", days), ("hour", hours), ("minute", minutes))
        if amount
    ]
    return ", ".join(parts) or TIME_STRINGS["minute"] % {"num": 0}
