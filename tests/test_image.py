"""The image builds (issue 11, item 12): no Docker engine runs here, so the Dockerfile's build
steps are run as the image runs them: its `COPY` sources exist, its `collectstatic` succeeds
with the image's environment (no secret, database or broker at build time), and it installs the
locked versions of every dependency."""

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def instructions(name: str) -> list[str]:
    """The Dockerfile's `name` instructions, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line[len(name) + 1 :] for line in joined.splitlines() if line.startswith(f"{name} ")]


def image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for line in instructions("ENV"):
        env.update(token.split("=", 1) for token in shlex.split(line))
    return env


def test_every_copied_path_is_in_the_repository():
    for line in instructions("COPY"):
        *sources, _target = shlex.split(line)
        for source in sources:
            assert (ROOT / source).exists(), source


def test_collectstatic_runs_with_the_images_build_environment(tmp_path):
    (step,) = [c for line in instructions("RUN") for c in line.split("&&") if "collectstatic" in c]
    words = shlex.split(step)
    assignments = dict(w.split("=", 1) for w in words[: words.index("python")])
    command = words[words.index("python") + 1 :]
    # The image's environment only: nothing of this machine's (no DATABASE_URL, no REDIS_URL).
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), **image_env(), **assignments}
    result = subprocess.run(  # noqa: S603 (the Dockerfile's own command)
        [sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (ROOT / "staticfiles" / "admin").is_dir()


def test_the_image_installs_locked_versions_of_every_dependency():
    lock = (ROOT / "requirements.lock").read_text().splitlines()
    pinned = {
        canonicalize_name(line.split("==")[0]): line.split("==")[1]
        for line in lock
        if line and not line.startswith("#")
    }
    assert all("==" in line for line in lock if line and not line.startswith("#"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for dependency in project["dependencies"]:
        requirement = Requirement(dependency)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{name} is not in requirements.lock: run `make lock`"
        assert requirement.specifier.contains(pinned[name]), f"{name} {pinned[name]}: `make lock`"
    assert "-r requirements.lock" in DOCKERFILE and "--no-deps ." in DOCKERFILE


def test_gunicorns_own_limits_are_explicit_and_documented():
    (command,) = instructions("CMD")
    limits = dict(re.findall(r'"--(limit-request-[a-z_]+)", "(\d+)"', command))
    assert limits == {
        "limit-request-line": "4094",
        "limit-request-fields": "100",
        "limit-request-field_size": "8190",
    }
    operations = " ".join((ROOT / "docs" / "operations.md").read_text().split())
    for said in ("over 4,094 bytes", "more than 100 header fields", "one over 8,190 bytes"):
        assert said in operations
