"""Create (idempotently) the demo accounts of API.md."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sampledata.demo import seed_demo_accounts


class Command(BaseCommand):
    help = "Create or update the demo accounts (volunteers, officers, supervisors, admin)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            default=None,
            help="Password for every demo account (default: DEMO_PASSWORD from the environment).",
        )

    def handle(self, *args: Any, password: str | None = None, **options: Any) -> None:
        password = password or settings.DEMO_PASSWORD
        if not password:
            raise CommandError("Give --password or set DEMO_PASSWORD.")
        users = seed_demo_accounts(password=password)
        self.stdout.write(self.style.SUCCESS(f"Demo accounts ready: {', '.join(users)}."))
