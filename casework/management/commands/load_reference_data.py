"""Load (idempotently) the regions of Kalimantan Selatan and the PPKS categories."""

from typing import Any

from django.core.management.base import BaseCommand

from casework.reference_data import load_categories, load_regions


class Command(BaseCommand):
    help = "Load the Kalimantan Selatan region codes and the 26 PPKS categories (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        regions = load_regions()
        categories = load_categories()
        self.stdout.write(
            self.style.SUCCESS(
                f"Reference data loaded: {regions} regions, {categories} categories."
            )
        )
