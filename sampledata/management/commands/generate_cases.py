"""`manage.py generate_cases --count N`: plausible cases with their histories, fast (COPY).

For trying the service at scale (a million cases in minutes) and for `make bench`. PostgreSQL
only; the demo accounts (`seed_demo`) report and handle them. See `sampledata/generator.py`.
"""

import sys
import time

import psycopg
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from psycopg.conninfo import make_conninfo

from sampledata import generator

BAR = 30


class Command(BaseCommand):
    help = "Add N plausible cases with their histories (PostgreSQL; needs seed_demo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True, help="how many cases to add")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (reproducible)")

    def handle(self, *args, count: int, seed: int, **options) -> None:
        if count < 1:
            raise CommandError("--count must be at least 1.")
        if connection.vendor != "postgresql":
            raise CommandError(
                "generate_cases writes with COPY: it needs PostgreSQL (DATABASE_URL)."
            )
        params = connection.get_connection_params()
        conninfo = make_conninfo(
            "", **{k: v for k, v in params.items() if isinstance(v, str | int) and v != ""}
        )
        started = time.monotonic()
        show = self.stdout.isatty() if hasattr(self.stdout, "isatty") else False

        def progress(done: int, total: int) -> None:
            filled = BAR * done // total
            rate = done / max(time.monotonic() - started, 1e-9)
            line = f"[{'#' * filled}{'-' * (BAR - filled)}] {done:,}/{total:,} cases, {rate:,.0f}/s"
            self.stdout.write(("\r" if show else "") + line, ending="" if show else "\n")
            if show:
                sys.stdout.flush()

        try:
            result = generator.add_cases(conninfo, count=count, seed=seed, progress=progress)
        except (RuntimeError, psycopg.Error) as error:
            raise CommandError(str(error)) from error
        if show:
            self.stdout.write("")
        self.stdout.write(
            f"{result.added:,} cases and {result.history_added:,} history rows added in "
            f"{result.seconds:.0f} s ({result.before + result.added:,} cases in all)."
        )
