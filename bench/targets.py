"""The performance targets, in one place: what each promises, its threshold, and which recorded
figure it is judged on. The verdicts of `docs/benchmarks.md` are computed here from the figures
of `docs/benchmarks.json` (`verdicts`), so the document cannot say "met" of a figure that is not.

A target reads the figures of one section of the document (its `key`): the runs' figures by run
key, for the scale section its sizes, and for the pages section its browser measures. A section
the run did not measure has no verdicts.
"""

from dataclasses import dataclass
from typing import Any

Document = dict[str, Any]  # what `docs/benchmarks.json` holds (`bench/report.py` writes it)
STAT_UNITS = {"per_second": "per s", "p95_ms": "ms"}


@dataclass(frozen=True)
class Ratio:
    """One run's figure over another's, in the same section."""

    numerator: str  # run key
    denominator: str
    stat: str  # a key of STAT_UNITS


@dataclass(frozen=True)
class Growth:
    """A scale run's p95 at the largest size over its p95 at the smallest."""

    run: str


@dataclass(frozen=True)
class ExportMemory:
    """At each size: the export worker's peak memory after the full export less after an export
    that matches no case, in MB (what streaming every case added)."""


@dataclass(frozen=True)
class Budget:
    """A browser measure of the section (its median over the runs) against a fixed budget."""

    measure: str  # the measure's key


Figure = Ratio | Growth | ExportMemory | Budget


@dataclass(frozen=True)
class Target:
    section: str
    # The promise as the verdict states it: `{threshold}`; for Growth `{name}` (the run's),
    # `{large}` and `{small}` (the sizes); for ExportMemory `{size}`.
    goal: str
    threshold: float
    at_most: bool  # the figure must stay at or below the threshold (else at or above it)
    figure: Figure


_DASHBOARD, _LIST = 5.0, 2.0
_DASHBOARD_PAGE = 1.5  # issue 13: the page at 1,000,000 cases within 1.5x its 10,000 figure
_PAGES = {  # UI.md, "Budgets": each page's server time against its API calls'
    "home-officer": "work queue (an officer's home)",
    "home-volunteer": "home of a volunteer",
    "report": "report form",
    "case": "case page",
    "inbox": "notifications",
    "dashboard": "dashboard",
}  # p95 growth from the smallest size to the largest (issue 5)

TARGETS = [
    Target(
        "intake",
        "create rate ≥ {threshold:g} x minimal view",
        0.5,
        False,
        Ratio("api", "minimal", "per_second"),
    ),
    Target(
        "list",
        "first page: p95 ≤ {threshold:g} x raw SQL + JSON",
        3.0,
        True,
        Ratio("first-page", "first-page-raw", "p95_ms"),
    ),
    Target(
        "list",
        "filtered: p95 ≤ {threshold:g} x raw SQL + JSON",
        3.0,
        True,
        Ratio("filtered", "filtered-raw", "p95_ms"),
    ),
    # The cost of a request is the inverse of the rate the same clients sustain.
    Target(
        "transitions",
        "verify (state transition): cost ≤ {threshold:g} x PATCH (PATCH rate / action rate)",
        2.0,
        True,
        Ratio("patch", "verify", "per_second"),
    ),
    Target(
        "transitions",
        "assign (same state): cost ≤ {threshold:g} x PATCH (PATCH rate / action rate)",
        2.0,
        True,
        Ratio("patch", "assign", "per_second"),
    ),
    Target(
        "notifications",
        "pipeline from commit: events/s ≥ {threshold:g} x no-op tasks/s",
        0.5,
        False,
        Ratio("drain", "noop", "per_second"),
    ),
    Target(
        "notifications",
        "pipeline with its producer on the same cores: events/s ≥ {threshold:g} x no-op tasks/s",
        0.5,
        False,
        Ratio("pipeline", "noop", "per_second"),
    ),
    *(
        Target(
            "scale",
            "{name}: p95 at {large} ≤ {threshold:g}x at {small}",
            threshold,
            True,
            Growth(run),
        )
        for run, threshold in (
            ("dashboard-province", _DASHBOARD),
            ("dashboard-kabupaten", _DASHBOARD),
            ("dashboard-page-province", _DASHBOARD_PAGE),
            ("dashboard-page-kabupaten", _DASHBOARD_PAGE),
            ("list-overdue", _LIST),
            ("list-region", _LIST),
            ("list-category", _LIST),
        )
    ),
    Target(
        "scale",
        "export at {size}: peak memory ≤ empty export + {threshold:g} MB",
        50.0,
        True,
        ExportMemory(),
    ),
    # UI.md, "Budgets".
    Target(
        "pages",
        "/lapor/ first load: ≤ {threshold:g} KB over the wire",
        150.0,
        True,
        Budget("first-load-kb"),
    ),
    Target(
        "pages",
        "/lapor/ first load: requests to other hosts ≤ {threshold:g}",
        0.0,
        True,
        Budget("elsewhere"),
    ),
    Target(
        "pages",
        "/lapor/ usable at 400 kbit/s, 400 ms, first load: median ≤ {threshold:g} s",
        5.0,
        True,
        Budget("usable-first"),
    ),
    Target(
        "pages",
        "/lapor/ usable at 400 kbit/s, 400 ms, repeat load: median ≤ {threshold:g} s",
        1.0,
        True,
        Budget("usable-repeat"),
    ),
    Target(
        "pages",
        "/dasbor/ of the province: its map ≤ {threshold:g} KB",
        100.0,
        True,
        Budget("province-map-kb"),
    ),
    *(
        Target(
            "pages",
            f"{name}: page p95 ≤ {{threshold:g}} x its API calls",
            2.0,
            True,
            Ratio(key, f"{key}-api", "p95_ms"),
        )
        for key, name in _PAGES.items()
    ),
]


@dataclass(frozen=True)
class Verdict:
    target: Target
    area: str  # the section's title, short
    goal: str
    measured: str  # the figures judged, as the document's tables show them
    value: float | None  # None: not measured
    size: int | None = None  # ExportMemory: the size this row is about

    @property
    def met(self) -> bool:
        if self.value is None or self.value != self.value:  # not measured, or NaN
            return False
        threshold = self.target.threshold
        return self.value <= threshold if self.target.at_most else self.value >= threshold

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "**not measured**"
        return "met" if self.met else "**not met**"


def verdicts(document: Document) -> list[Verdict]:
    """Each target of a section the document holds, judged on its figures, in TARGETS order."""
    sections = {s["key"]: s for s in document["sections"]}
    found: list[Verdict] = []
    for target in TARGETS:
        section = sections.get(target.section)
        if section is not None:
            found += _judge(target, section)
    return found


def figure_text(value: float | None) -> str:
    """A figure as the tables print it."""
    return "n/a" if value is None or value != value else f"{value:.1f}"


def measure_text(value: float | None, unit: str) -> str:
    """A browser measure as the pages section's table prints it: its unit after it."""
    if value is None or value != value:
        return "n/a"
    if unit == "requests":
        return f"{value:.0f} {unit}"
    return f"{value:.2f} {unit}" if unit == "s" else f"{value:.1f} {unit}"


def ratio_text(value: float, threshold: float) -> str:
    """Two decimals, more when those would print the threshold itself: 0.4996 is not 0.50."""
    digits = 2
    while f"{value:.{digits}f}" == f"{threshold:.{digits}f}" and value != threshold and digits < 6:
        digits += 1
    return f"{value:.{digits}f}x"


def area(section: dict[str, Any]) -> str:
    return str(section["title"]).split(" (")[0]


def _judge(target: Target, section: dict[str, Any]) -> list[Verdict]:
    figure = target.figure
    if isinstance(figure, Ratio):
        runs = {run["key"]: run for run in section["runs"]}
        a = runs.get(figure.numerator, {}).get(figure.stat)
        b = runs.get(figure.denominator, {}).get(figure.stat)
        goal = target.goal.format(threshold=target.threshold)
        return [_ratio(target, section, goal, a, b, STAT_UNITS[figure.stat])]
    if isinstance(figure, Budget):
        return [_budget(target, section, figure)]
    sizes = section.get("sizes", [])
    if isinstance(figure, Growth):
        if len(sizes) < 2:
            return []  # one size: nothing to compare it with
        small, large = sizes[0], sizes[-1]
        big_run, small_run = _scale_run(large, figure.run), _scale_run(small, figure.run)
        goal = target.goal.format(
            threshold=target.threshold,
            name=(big_run or small_run or {}).get("name", figure.run),
            large=f"{large['size']:,}",
            small=f"{small['size']:,}",
        )
        a = big_run.get("p95_ms") if big_run else None
        b = small_run.get("p95_ms") if small_run else None
        return [_ratio(target, section, goal, a, b, "ms")]
    found = []
    for size in sizes:
        goal = target.goal.format(threshold=target.threshold, size=f"{size['size']:,}")
        peak = size.get("worker_peak_kb") or {}
        empty, full = peak.get("empty_export"), peak.get("full_export")
        if empty is None or full is None:
            found.append(Verdict(target, area(section), goal, "not measured", None, size["size"]))
            continue
        delta = (full - empty) / 1024
        measured = f"{full / 1024:.1f} - {empty / 1024:.1f} MB = {delta:+.1f} MB"
        found.append(Verdict(target, area(section), goal, measured, delta, size["size"]))
    return found


def _budget(target: Target, section: dict[str, Any], figure: Budget) -> Verdict:
    goal = target.goal.format(threshold=target.threshold)
    found = next((m for m in section.get("measures", []) if m["key"] == figure.measure), None)
    value = None if found is None else found["value"]
    if found is None or value is None or value != value:
        return Verdict(target, area(section), goal, "not measured", None)
    return Verdict(target, area(section), goal, measure_text(value, found["unit"]), value)


def _scale_run(size: dict[str, Any], key: str) -> dict[str, Any] | None:
    return next((run for run in size["runs"] if run["key"] == key), None)


def _ratio(
    target: Target,
    section: dict[str, Any],
    goal: str,
    a: float | None,
    b: float | None,
    unit: str,
) -> Verdict:
    if a is None or b is None or not b or a != a or b != b:
        return Verdict(target, area(section), goal, "not measured", None)
    value = a / b
    measured = f"{figure_text(a)} / {figure_text(b)} {unit} = {ratio_text(value, target.threshold)}"
    return Verdict(target, area(section), goal, measured, value)
