"""The documents say what the code reads, and point only inside the repository (issue 11, item 23).

Every variable read from the environment (by the settings, `manage.py` and the WSGI and Celery
apps, `bin/serve`, the Makefile's variables from outside, `docker-compose.yml`) has a row in
docs/operations.md's "Configuration" tables, and every row names a variable that is read. The
README and docs/*.md reference no path outside the repository, and every file they name exists.
"""

import re
from pathlib import Path

from django.urls import Resolver404, resolve

ROOT = Path(__file__).resolve().parent.parent
OPERATIONS = ROOT / "docs" / "operations.md"
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
NAME = r"[A-Z][A-Z0-9_]*"


def settings_read() -> set[str]:
    """`env("X")`, `env.int("X", …)`, `env.db("X")`, … in config/settings/*.py."""
    names = set()
    for path in (ROOT / "config" / "settings").glob("*.py"):
        names |= set(re.findall(rf'\benv(?:\.\w+)?\(\s*"({NAME})"', path.read_text()))
    return names


def python_environ_read() -> set[str]:
    names = set()
    for path in [ROOT / "manage.py", *(ROOT / "config").glob("*.py")]:
        text = path.read_text()
        names |= set(re.findall(rf'os\.environ(?:\.get|\.setdefault)?\(\s*"({NAME})"', text))
        names |= set(re.findall(rf'os\.environ\[\s*"({NAME})"\s*\]', text))
    return names


def serve_read() -> set[str]:
    """`${X:-default}` and `${X:-}` in bin/serve: the variables it takes from the caller."""
    return set(re.findall(rf"\$\{{({NAME}):?-", (ROOT / "bin" / "serve").read_text()))


def makefile_read() -> set[str]:
    """`$(X)` in the Makefile that the Makefile does not define itself: set from outside."""
    text = (ROOT / "Makefile").read_text()
    used = set(re.findall(rf"\$\(({NAME})\)", text))
    defined = set(re.findall(rf"^({NAME})\s*:?=", text, flags=re.MULTILINE))
    return used - defined


def compose_read() -> set[str]:
    return set(
        re.findall(rf"\$\{{({NAME})(?::?-[^}}]*)?\}}", (ROOT / "docker-compose.yml").read_text())
    )


def read_from_the_environment() -> set[str]:
    return settings_read() | python_environ_read() | serve_read() | makefile_read() | compose_read()


def documented() -> set[str]:
    """The variables named in the first column of docs/operations.md's "Configuration" tables."""
    text = OPERATIONS.read_text()
    start = text.index("\n## Configuration\n")
    end = text.find("\n## ", start + 1)
    names = set()
    for line in text[start:end].splitlines():
        if line.startswith("| `"):
            first_column = line.split("|")[1]
            names |= set(re.findall(rf"`({NAME})`", first_column))
    return names


def test_the_scan_finds_what_the_code_reads():
    found = read_from_the_environment()
    assert {"SECRET_KEY", "DATABASE_URL", "MAX_ATTACHMENT_BYTES", "JWT_ACCESS_MINUTES"} <= found
    assert {"EMAIL_TIMEOUT", "SECURE_HSTS_PRELOAD"} <= settings_read()  # production's own
    assert {"PORT", "HOST", "TMPDIR"} <= serve_read()
    assert makefile_read() == {"PYTEST_ARGS", "BENCH_ARGS"}
    assert "DJANGO_SETTINGS_MODULE" in python_environ_read()
    assert "SEED_DEMO" in compose_read()


def test_every_setting_read_from_the_environment_is_documented():
    missing = read_from_the_environment() - documented()
    assert not missing, f"add to docs/operations.md, Configuration: {sorted(missing)}"


def test_every_documented_setting_is_read():
    stale = documented() - read_from_the_environment()
    assert not stale, f"documented in docs/operations.md but read nowhere: {sorted(stale)}"


def test_the_documents_point_only_inside_the_repository():
    for document in DOCUMENTS:
        text = document.read_text()
        name = document.relative_to(ROOT)
        assert "../" not in text, f"{name} points outside the repository"
        for target in re.findall(r"\]\(([^)#\s]+)[^)]*\)", text):  # Markdown links
            if not re.match(r"[a-z]+:", target):
                assert (document.parent / target).exists(), f"{name} links to missing {target}"
        for path in re.findall(r"`([\w./-]+\.(?:md|py|json|csv|toml|yml|lock|html))`", text):
            if path.startswith("/") and is_a_route(path):  # a URL of the app, e.g. its region list
                continue
            assert in_the_repository(path), f"{name} names `{path}`, which is not in the repository"


def is_a_route(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def in_the_repository(path: str) -> bool:
    """At the top, or in one of the top-level directories (the documents name an app's modules
    by their path inside the app, e.g. `management/commands/seed_demo.py` under sampledata)."""
    folders = [ROOT, *(folder for folder in ROOT.iterdir() if folder.is_dir())]
    return any((folder / path).exists() for folder in folders)
