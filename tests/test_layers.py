"""The apps depend one way (docs/architecture.md, "Apps and the direction of their dependencies"):

    common ← casework ← notifications ← workflows ← supervision, sampledata ← web

Each app may import only the apps below it; `config` wires them all together and nothing of
the product imports it. Read from the source (every import, module-level or not), so a shortcut
taken upward fails here before it becomes a cycle.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LAYER = {
    "common": 0,
    "casework": 1,
    "notifications": 2,
    "workflows": 3,
    "supervision": 4,
    "sampledata": 4,
    "web": 5,
}
APPS = [*LAYER, "config"]


def imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names} & set(APPS)
    return found


def edges() -> list[tuple[str, str, str]]:
    """(importing app, imported app, file) for every import of one of our apps by another."""
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            for other in imported_apps(path) - {app}:
                found.append((app, other, str(path.relative_to(ROOT))))
    return found


def test_every_app_of_ours_is_placed_in_a_layer() -> None:
    ours = {app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").exists()}
    assert ours | {"common"} == set(LAYER)


@pytest.mark.parametrize("app", APPS)
def test_imports_point_down_only(app: str) -> None:
    upward = [
        (source, target, path)
        for source, target, path in edges()
        if source == app
        and source != "config"
        and not LAYER.get(target, len(LAYER)) < LAYER[source]
    ]
    assert upward == []


def test_the_layers_are_all_used_and_the_reading_finds_imports() -> None:
    found = {(source, target) for source, target, _ in edges()}
    assert ("workflows", "casework") in found and ("workflows", "notifications") in found
    assert ("supervision", "workflows") in found and ("sampledata", "workflows") in found
    assert ("casework", "common") in found
