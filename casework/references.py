"""Human case references: `6371-2026-000123` (kabupaten/kota, year in WITA, running number)."""

from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from casework.models import ReferenceCounter

_TABLE = ReferenceCounter._meta.db_table
# Take `count` numbers at once; the row is locked until the caller's transaction ends.
_RESERVE = (
    f"INSERT INTO {_TABLE} (regency_id, year, last_number) VALUES (%s, %s, %s) "  # noqa: S608
    f"ON CONFLICT (regency_id, year) DO UPDATE "
    f"SET last_number = {_TABLE}.last_number + EXCLUDED.last_number RETURNING last_number"
)


def reference_year(at: datetime) -> int:
    """The year a reference counts in: the local (WITA) year of the report."""
    return timezone.localtime(at).year


def format_reference(*, regency_code: str, year: int, number: int) -> str:
    return f"{regency_code.replace('.', '')}-{year}-{number:06d}"


def reserve_numbers(cursor: Any, *, regency_code: str, year: int, count: int) -> int:
    """The first of `count` consecutive numbers of the regency's year, on any DB-API cursor
    (the sample-data generator takes a block on its own connection)."""
    cursor.execute(_RESERVE, [regency_code, year, count])
    (last,) = cursor.fetchone()
    return last - count + 1


def allocate_reference(*, regency_code: str, at: datetime | None = None) -> str:
    """Take the next number for the regency and year; safe under concurrent requests.

    One upsert statement: on PostgreSQL the conflicting row is locked until the caller's
    transaction ends, so two requests can never be handed the same number, and a rolled-back
    request gives its number back rather than leaving a gap.
    """
    year = reference_year(at or timezone.now())
    with connection.cursor() as cursor:
        number = reserve_numbers(cursor, regency_code=regency_code, year=year, count=1)
    return format_reference(regency_code=regency_code, year=year, number=number)
