"""The image and the installed package carry every app: a new app missing from the Dockerfile or
from pyproject's package list would import fine here (the checkout is on the path) and fail only
in a deployment."""

import re
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def our_packages() -> set[str]:
    """The project's own top-level packages: every local app, the settings and the plumbing."""
    apps = {app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").exists()}
    return apps | {"config", "common"}


def test_the_image_copies_every_package() -> None:
    copied = set(re.findall(r"^COPY (\w+) \./\1$", (ROOT / "Dockerfile").read_text(), re.M))
    assert our_packages() <= copied


def test_the_installed_package_includes_every_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    included = project["tool"]["setuptools"]["packages"]["find"]["include"]
    assert {f"{name}*" for name in our_packages()} <= set(included)


def test_the_installed_package_carries_the_reference_data() -> None:
    """The region codes, categories and boundaries are read from `casework/data/` at run time:
    every file there must match a package-data pattern, or an installed copy would lack it."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = project["tool"]["setuptools"]["package-data"]["casework"]
    shipped = {path for pattern in patterns for path in (ROOT / "casework").glob(pattern)}
    data = {path for path in (ROOT / "casework" / "data").rglob("*") if path.is_file()}
    assert data and data <= shipped
    assert {path.name for path in data} >= {
        "kalsel_regions.csv",
        "kalsel_kabupaten_kota.geojson",
        "kalsel_kecamatan.geojson",
        "kalsel_desa_kelurahan.geojson",
    }
