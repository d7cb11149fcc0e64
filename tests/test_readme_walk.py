"""The README's walk of one case works as written (issue 11, item 23).

Its shell blocks, run in order by bash against a live server with the demo accounts, exit 0 and
print what the README shows under each: every line of its output blocks, in order, where `…`
stands for anything and a case reference's year is the year the walk runs in.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from sampledata.demo import seed_demo_accounts

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Walk one case through"


def walk_blocks(readme: str) -> list[tuple[str, str]]:
    """The fenced blocks of the walk's section, in order: (language, text)."""
    start = readme.index(SECTION)
    end = readme.find("\n## ", start + len(SECTION))
    section = readme[start : end if end != -1 else len(readme)]
    return re.findall(r"^```(\w+)\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)


def walk_script(readme: str) -> str:
    return "".join(text for language, text in walk_blocks(readme) if language == "sh")


def shown_output(readme: str) -> list[str]:
    return [
        line
        for language, text in walk_blocks(readme)
        if language == "text"
        for line in text.splitlines()
    ]


def line_pattern(line: str) -> re.Pattern[str]:
    pattern = ".*".join(re.escape(part) for part in line.split("…"))
    # 6371-2026-000001: a reference's year is the current one.
    pattern = re.sub(r"(\d{4})\\-\d{4}\\-(\d{6})", r"\1\\-\\d{4}\\-\2", pattern)
    return re.compile(pattern)


def missing_lines(expected: list[str], printed: list[str]) -> list[str]:
    """The expected lines not printed in that order (each matched by a later line than the
    one before it)."""
    missing, position = [], 0
    for line in expected:
        pattern = line_pattern(line)
        found = next(
            (i for i in range(position, len(printed)) if pattern.fullmatch(printed[i])), None
        )
        if found is None:
            missing.append(line)
        else:
            position = found + 1
    return missing


def test_the_walk_has_commands_and_their_output():
    readme = (ROOT / "README.md").read_text()
    languages = [language for language, _ in walk_blocks(readme)]
    assert languages.count("sh") >= 9 and languages.count("text") >= 9
    assert "BASE=${BASE:-http://127.0.0.1:8000}" in walk_script(readme)
    assert line_pattern("6371-2026-000001 closed").fullmatch("6371-2031-000001 closed")
    assert not line_pattern("6371-2026-000001 closed").fullmatch("6371-2031-000002 closed")
    assert missing_lines(["a …", "c"], ["a b", "x", "c"]) == []
    assert missing_lines(["c", "a …"], ["a b", "c"]) == ["a …"]


@pytest.mark.skipif(shutil.which("curl") is None, reason="the walk needs curl")
@pytest.mark.django_db(transaction=True)  # the live server reads through its own connection
def test_the_readme_walk_runs_as_written(live_server, tmp_path):
    seed_demo_accounts(password=settings.DEMO_PASSWORD)
    readme = (ROOT / "README.md").read_text()

    result = subprocess.run(  # noqa: S603 (bash runs the README's own blocks)
        ["bash", "-euo", "pipefail", "-c", walk_script(readme)],  # noqa: S607
        cwd=tmp_path,
        env={**os.environ, "BASE": live_server.url, "DEMO_PASSWORD": settings.DEMO_PASSWORD},
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    printed = [line.lstrip("\ufeff") for line in result.stdout.splitlines()]  # the CSV's BOM
    assert missing_lines(shown_output(readme), printed) == [], result.stdout
    assert (tmp_path / "cases.xlsx").read_bytes().startswith(b"PK")  # a workbook is a zip
