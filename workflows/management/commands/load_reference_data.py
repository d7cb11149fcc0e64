"""Load (idempotently) the regions, the PPKS categories and the default SLA policy."""

from typing import Any

from django.core.management.base import BaseCommand

from casework.reference_data import load_categories, load_regions
from workflows.models import SlaPolicy
from workflows.sla import load_default_sla


class Command(BaseCommand):
    help = (
        "Load the Kalimantan Selatan region codes, the 26 PPKS categories and the default SLA "
        "policy (idempotent: an admin's edits to divisions and SLA periods are kept)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        regions = load_regions()
        categories = load_categories()
        load_default_sla()
        self.stdout.write(
            self.style.SUCCESS(
                f"Reference data loaded: {regions} regions, {categories} categories, "
                f"{SlaPolicy.objects.count()} SLA policies."
            )
        )
