"""The reference data shipped in `casework/data/` (see its README for sources and licence).

Loaded by upsert keyed on codes, so reloading a newer release renames (and re-explains) without
duplicating, and an admin's later edits to a category's division are kept (`division` is only set
on insert).
"""

import csv
from pathlib import Path

from django.db import transaction

from casework import reference_cache
from casework.models import Category, Region, RegionLevel

DATA_DIR = Path(__file__).resolve().parent / "data"
LEVEL_ORDER = [RegionLevel.PROVINCE, RegionLevel.REGENCY, RegionLevel.DISTRICT, RegionLevel.VILLAGE]


def reference_rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def load_regions() -> int:
    rows = reference_rows("kalsel_regions.csv")
    # Parents before children: the foreign key to the parent must already resolve.
    for level in LEVEL_ORDER:
        Region.objects.bulk_create(
            [
                Region(
                    code=r["code"], name=r["name"], level=level, parent_id=r["parent_code"] or None
                )
                for r in rows
                if r["level"] == level
            ],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["name", "level", "parent"],
            batch_size=500,
        )
    reference_cache.clear()
    return len(rows)


@transaction.atomic
def load_categories() -> int:
    rows = reference_rows("ppks_categories.csv")
    existing = set(Category.objects.values_list("code", flat=True))
    for row in rows:
        fields = {
            "name": row["name_id"],
            "name_en": row["name_en"],
            "description": row["description_id"],
            "description_en": row["description_en"],
            "sensitive_data": row["sensitive_data"],
            "sort_order": int(row["no"]),
        }
        if row["code"] in existing:
            Category.objects.filter(code=row["code"]).update(**fields)
        else:
            Category.objects.create(code=row["code"], division=row["default_division"], **fields)
    reference_cache.clear()
    return len(rows)
