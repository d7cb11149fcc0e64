"""Human case references: `6371-2026-000123` (kabupaten/kota, year in WITA, running number)."""

from datetime import datetime

from django.db import connection
from django.utils import timezone

from casework.models import ReferenceCounter


def allocate_reference(*, regency_code: str, at: datetime | None = None) -> str:
    """Take the next number for the regency and year; safe under concurrent requests.

    One upsert statement: on PostgreSQL the conflicting row is locked until the caller's
    transaction ends, so two requests can never be handed the same number, and a rolled-back
    request gives its number back rather than leaving a gap.
    """
    year = timezone.localtime(at or timezone.now()).year
    table = ReferenceCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (regency_id, year, last_number) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (regency_id, year) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [regency_code, year],
        )
        (number,) = cursor.fetchone()
    return f"{regency_code.replace('.', '')}-{year}-{number:06d}"
