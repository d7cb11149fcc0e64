"""What one run of the bench keeps of its sections, in their order: the report's sections, the
commands that reproduce them, the machine's state; at the end the report itself (printed; the
raw figures in `bench/results/latest.json`; for full runs, or with `--docs-path`, the document:
docs/benchmarks.md and the figures it is rendered from, docs/benchmarks.json) and the exit
status."""

import argparse
import json
import shlex
import subprocess
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import api, harness, load, notifications, pages, report, scale, targets
from bench.harness import ROOT

if TYPE_CHECKING:
    from sampledata.generator import SeedResult


def _loadavg() -> str:
    """Other work on the machine skews the figures; the report says how busy it was."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "unknown"


def shown(command: list[str]) -> str:
    """A command as the document shows it: paths inside the checkout relative to it, so the
    document says nothing of where this checkout happens to live."""
    return shlex.join(command).replace(f"{ROOT}/", "")


def code_version() -> str:
    """The commit measured, and any uncommitted changes: the figures belong to that code."""
    try:

        def git(*args: str) -> str:
            done = subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True
            )
            return done.stdout

        head = git("rev-parse", "--short", "HEAD").strip()
        changed = [
            line[3:]
            for line in git("status", "--porcelain", "--untracked-files=no").splitlines()
            if not line[3:].startswith(("bench/", "docs/benchmarks."))
        ]
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout?)"
    if not changed:
        return f"commit {head}"
    return f"commit {head} with uncommitted changes to {', '.join(changed)}"


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


class Record:
    def __init__(self, args: argparse.Namespace, given: list[str]) -> None:
        """`given`: the command line's arguments, as the first of the commands reported."""
        self.args = args
        self.started = datetime.now().astimezone()
        self.load_before = _loadavg()
        self.version = code_version()
        self.seeded: SeedResult | None = None  # the bench database's, when it was prepared
        self.sections: list[report.Section] = []
        self.runs: list[load.Run] = []
        self.commands = ["make bench" + (f' BENCH_ARGS="{shlex.join(given)}"' if given else "")]
        self.quiet: list[str] = []
        self.notified: notifications.Result | None = None
        self.scaled: scale.Result | None = None

    def add_api(self, result: api.Result) -> None:
        self.sections += result.sections
        self.runs += result.runs
        self.commands.append(f"# server started by the bench:\n{shown(result.command)}")
        self.quiet.append(
            f"other work on the machine just before the creates: {result.quiet[0]}, before the "
            f"lists: {result.quiet[1]}, before the transitions: {result.quiet[2]}"
        )

    def add_notifications(self, result: notifications.Result) -> None:
        self.notified = result
        self.sections.append(notifications.section(result))
        self.runs += result.runs.values()
        self.commands.append(f"# worker started by the bench:\n{shown(result.command)}")
        self.quiet.append(f"before the notifications: {result.quiet}")

    def add_pages(self, result: pages.Result) -> None:
        self.sections.append(pages.section(self.args, result))
        self.runs += result.runs.values()
        self.commands += ["# the pages section alone:", "python -m bench --only pages"]
        self.commands.append(f"# server started by the pages section:\n{shown(result.command)}")

    def add_scale(self, result: scale.Result) -> None:
        self.scaled = result
        self.sections.append(scale.section(result))
        self.runs += result.runs
        self.commands += ["# the scale section alone:", "python -m bench --only scale"]
        self.commands += [
            f"# server started by the scale section:\n{shown(command)}"
            for command in result.commands[:2]  # the same for every size but the database
        ]

    def finish(self) -> int:
        """Print the report and keep the figures; write the document if asked to and the bench
        ran cleanly. The exit status: 0, or 1 when it did not."""
        doc = self.document()
        print("\n" + report.render(doc))
        self._write_results()
        if self._failed():
            print("not recording: the bench did not run cleanly", file=sys.stderr)
            return 1
        if self.args.docs:
            path: Path = self.args.docs_path
            data = report.write(doc, path)
            print(f"written to {_relative(path)} and {_relative(data)}")
        return 0

    def document(self) -> targets.Document:
        args = self.args
        facts_url = args.database_url
        if self.seeded is None:
            # Alone, the scale section never created that database: ask its first one instead.
            facts_url = scale.database_url(args.database_url, args.scale_sizes[0])
        facts = report.machine_facts(facts_url, args.redis_url if self.notified else None)
        return report.document(
            sections=self.sections,
            facts=facts,
            commands=self.commands,
            code=self.version,
            setup=self._setup(),
            when=self.started,
        )

    def _setup(self) -> list[str]:
        setup = []
        if (seeded := self.seeded) is not None:
            setup.append(
                f"Cases in the database: {seeded.before + seeded.added:,} (seeded now: "
                f"{seeded.added:,} with {seeded.history_added:,} history rows, in "
                f"{seeded.seconds:.0f} s); database "
                f"`{harness.database_name(self.args.database_url)}`"
            )
        redis = harness.safe_url(self.args.redis_url)
        setup += [
            f"Broker of the API server: Redis ({redis}); requests publish their notification "
            "tasks after the commit, to a queue no worker reads"
            + (f"; of the notifications section: Redis ({redis})" if self.notified else ""),
            "Client and server share the machine: the load generator's CPU counts against both "
            "sides alike.",
            f"Load average (1 min) at start / end: {self.load_before} / {_loadavg()}"
            + "".join(f"; {line}" for line in self.quiet),
        ]
        return setup

    def _write_results(self) -> None:
        results: dict[str, Any] = {
            "at": self.started.isoformat(),
            "args": vars(self.args),
            "runs": [{**asdict(r), "statuses": dict(r.statuses)} for r in self.runs],
        }
        if self.notified:
            results["notifications"] = notifications.summary(self.notified)
        if self.scaled:
            results["scale"] = scale.summary(self.scaled)
        path = harness.RESULTS_DIR / "latest.json"
        path.write_text(json.dumps(results, indent=1, default=str))

    def _failed(self) -> bool:
        """Say what broke, if anything did."""
        # Warm-ups and top-ups of the transitions raised already if they failed.
        broken = [r for r in self.runs if r.errors or not r.ok or r.exhausted]
        # Every failure of the scale section: export, memory, row counts, and its failed requests.
        failures = self.scaled.failures if self.scaled else []
        for failure in failures:
            print(f"ERROR in the scale section: {failure}", file=sys.stderr)
        # The scale section's failed runs are among its failures, printed above.
        scale_runs = {id(run) for run in self.scaled.runs} if self.scaled else set()
        for run in (r for r in broken if id(r) not in scale_runs):
            print(f"ERROR in {run.name}: {run.errors} errors; {run.error_samples}", file=sys.stderr)
            if run.exhausted:
                print(
                    f"  {run.exhausted} clients ran out of cases: the pool was too small",
                    file=sys.stderr,
                )
        return bool(broken or failures)
