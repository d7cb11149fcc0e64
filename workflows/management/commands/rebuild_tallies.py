"""`manage.py rebuild_tallies`: recount the dashboard's tallies from the cases and history.

The services keep the tallies exact as cases change; this is for after a bulk load that went
around them (a restore, rows written by hand). It reports the rows it wrote. It locks the
tallies while it counts (reports and transitions wait): run it in a quiet hour.
"""

from django.core.management.base import BaseCommand
from django.db.models import Sum

from casework.models import Case
from workflows import tallies
from workflows.models import CaseTally, DayTally, DurationTally
from workflows.steps import STATES


class Command(BaseCommand):
    help = "Recount the dashboard's tallies from the cases and their history."

    def handle(self, *args, **options) -> None:
        tallies.rebuild_here()
        counted = sum(n or 0 for n in CaseTally.objects.aggregate(*map(Sum, STATES)).values())
        self.stdout.write(
            f"Tallies rebuilt: {CaseTally.objects.count():,} case rows, "
            f"{DurationTally.objects.count():,} duration rows, {DayTally.objects.count():,} "
            f"day rows; {counted:,} of {Case.objects.count():,} cases counted."
        )
