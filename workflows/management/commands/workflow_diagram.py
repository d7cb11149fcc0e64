"""Write (or, with --check, verify) the generated part of docs/workflow.md."""

import difflib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from workflows import diagram

DEFAULT_PATH = Path(settings.BASE_DIR) / "docs" / "workflow.md"


class Command(BaseCommand):
    help = (
        "Regenerate the state diagram and action table of docs/workflow.md from the transitions "
        "declared on the Case model, between the <!-- generated:start/end --> markers; the "
        "hand-written text around them is kept. With --check, change nothing and exit non-zero "
        "(printing the diff) if the file is out of date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Do not write; exit 1 and print the diff if the file is out of date.",
        )
        parser.add_argument(
            "--path",
            type=Path,
            default=DEFAULT_PATH,
            help="The Markdown file (default: %(default)s).",
        )

    def handle(self, *args: Any, check: bool, path: Path, **options: Any) -> None:
        current = path.read_text(encoding="utf-8") if path.exists() else None
        content = diagram.generated()
        if current is None:
            expected = (
                f"# Case workflow\n\n{diagram.START_MARKER}\n{content}\n{diagram.END_MARKER}\n"
            )
        else:
            try:
                expected = diagram.replace_generated(current, content)
            except diagram.MarkersMissing as exc:
                if check:
                    raise CommandError(f"{path}: {exc}", returncode=1) from exc
                expected = (
                    f"{current.rstrip()}\n\n{diagram.START_MARKER}\n{content}\n"
                    f"{diagram.END_MARKER}\n"
                )
        if current == expected:
            self.stdout.write(f"{path} is up to date.")
            return
        if check:
            diff = difflib.unified_diff(
                (current or "").splitlines(keepends=True),
                expected.splitlines(keepends=True),
                fromfile=f"{path} (on disk)",
                tofile=f"{path} (from the code)",
            )
            self.stdout.write("".join(diff))
            raise CommandError(
                f"{path} is out of date: run `python manage.py workflow_diagram`.", returncode=1
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(expected, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}."))
