"""The case workflow as the code declares it, rendered for docs/workflow.md.

Everything here is read from the django-fsm transitions declared on `Case` (source, target,
`permission=`, `conditions=`, `custom["action"]`) and from the action bodies in
`workflows.serializers.ACTION_INPUTS`. Only the human wording of the permission and condition
functions lives here: a new function without wording is an error, so the document cannot
silently fall behind the code. `python manage.py workflow_diagram` writes the result between
the markers of docs/workflow.md; `--check` (and tests/workflows/test_workflow_doc.py) fail when
the file is out of date.

Actions that keep the state (`target=None`: `assign`, `transfer`) are drawn as self-loops in
the diagram and have "(unchanged)" as their target in the table.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.utils import translation
from rest_framework import serializers

from casework.models import Case
from workflows.serializers import ACTION_INPUTS

START_MARKER = "<!-- generated:start -->"
END_MARKER = "<!-- generated:end -->"
UNCHANGED = "(unchanged)"

# Who may: the `permission=` functions of the transitions (by module and name), in words (see
# casework.access). Keyed by name, not imported: a function the model no longer uses is simply
# not shown.
PERMISSIONS: dict[str, str] = {
    "casework.guards.may_handle": (
        "an officer or supervisor of the case's kabupaten/kota, or a provincial supervisor"
    ),
    "casework.guards.may_report_or_handle": (
        "the reporter, or an officer or supervisor of the case's kabupaten/kota, "
        "or a provincial supervisor"
    ),
    "casework.guards.may_work_on": (
        "the assigned officer (while the case is in their kabupaten/kota), or a supervisor "
        "of the case's kabupaten/kota or the province"
    ),
    "casework.guards.may_supervise": "a supervisor of the case's kabupaten/kota or the province",
}

# What the case itself must satisfy: the `conditions=` functions of the transitions.
CONDITIONS: dict[str, str] = {
    "casework.guards.is_assigned": "the case has an assignee",
}


class UndocumentedRule(LookupError):
    """A permission or condition function that has no wording in this module yet."""


@dataclass(frozen=True)
class Edge:
    """One declared transition of one source state."""

    action: str
    method: str
    source: str
    target: str | None
    permission: Callable[..., bool] | None
    conditions: tuple[Callable[..., bool], ...]
    line: int


def states() -> list[str]:
    """The states in the order the field declares them."""
    return [str(value) for value, _label in Case._meta.get_field("state").choices or ()]


def initial_state() -> str:
    return str(Case._meta.get_field("state").default)


def edges() -> list[Edge]:
    """Every declared (source, target, action), in declaration order, then state order."""
    order = {state: index for index, state in enumerate(states())}
    found = [
        Edge(
            action=t.custom["action"],
            method=t.name,
            source=str(t.source),
            target=None if t.target is None else str(t.target),
            # ours are functions (see casework.models), never a Django permission's name
            permission=cast("Callable[..., bool] | None", t.permission),
            conditions=tuple(t.conditions or ()),
            line=t.method.__code__.co_firstlineno,
        )
        for t in Case._meta.get_field("state").get_all_transitions(Case)
    ]
    return sorted(found, key=lambda e: (e.line, order.get(e.source, len(order)), e.source))


def actions() -> list[str]:
    """The API action names, in declaration order."""
    return list(dict.fromkeys(edge.action for edge in edges()))


def transitions_by_action() -> dict[str, tuple[frozenset[str], str | None]]:
    """{action: (source states, target)}: target None for an action that keeps the state."""
    result: dict[str, tuple[set[str], set[str | None]]] = {}
    for edge in edges():
        sources, targets = result.setdefault(edge.action, (set(), set()))
        sources.add(edge.source)
        targets.add(edge.target)
    out = {}
    for action, (sources, targets) in result.items():
        if len(targets) != 1:
            raise ValueError(f"action {action!r} has several targets: {sorted(map(str, targets))}")
        out[action] = (frozenset(sources), next(iter(targets)))
    return out


def who_may(permission: Callable[..., bool] | None) -> str:
    if permission is None:
        return "anyone who can see the case"
    try:
        return PERMISSIONS[_qualified_name(permission)]
    except KeyError:
        raise UndocumentedRule(
            f"permission {_qualified_name(permission)} has no wording: add it to "
            "workflows.diagram.PERMISSIONS"
        ) from None


def condition_text(condition: Callable[..., bool]) -> str:
    try:
        return CONDITIONS[_qualified_name(condition)]
    except KeyError:
        raise UndocumentedRule(
            f"condition {_qualified_name(condition)} has no wording: add it to "
            "workflows.diagram.CONDITIONS"
        ) from None


def _qualified_name(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__qualname__}"


def input_fields(action: str) -> tuple[list[str], list[str]]:
    """(required, optional) fields of the action's body, described for the table."""
    serializer_class = ACTION_INPUTS.get(action)
    if serializer_class is None:
        raise UndocumentedRule(f"action {action!r} has no body in ACTION_INPUTS")
    required: list[str] = []
    optional: list[str] = []
    for name, field in serializer_class().fields.items():
        if field.read_only:
            continue
        (required if field.required else optional).append(_describe_field(name, field))
    return required, optional


def requires(action: str, conditions: tuple[Callable[..., bool], ...]) -> str:
    required, optional = input_fields(action)
    parts = []
    if required:
        parts.append("required: " + "; ".join(required))
    if optional:
        parts.append("optional: " + "; ".join(optional))
    if not parts:
        parts.append("no body")
    if conditions:
        parts.append("precondition: " + "; ".join(condition_text(c) for c in conditions))
    return "<br>".join(parts)


def _describe_field(name: str, field: serializers.Field) -> str:
    text = f"`{name}`"
    if isinstance(field, serializers.ChoiceField):
        text += " ∈ {" + ", ".join(f"`{value}`" for value in field.choices) + "}"
    if field.help_text:
        text += f" ({field.help_text})"
    return text


def mermaid() -> str:
    """A Mermaid stateDiagram-v2: one arrow per (source, target, action); self-loops for
    actions that keep the state."""
    lines = ["stateDiagram-v2"]
    lines += [f"    {state}" for state in states()]
    lines.append(f"    [*] --> {initial_state()}")
    seen = set()
    for edge in edges():
        target = edge.target or edge.source
        key = (edge.source, target, edge.action)
        if key in seen:
            continue
        seen.add(key)
        lines.append(f"    {edge.source} --> {target}: {edge.action}")
    return "\n".join(lines)


def table() -> str:
    """Markdown: action | from | to | who may | requires. One row per action (and per
    distinct target, rule and precondition, should an action ever have several)."""
    order = {state: index for index, state in enumerate(states())}
    rows: dict[tuple[Any, ...], list[str]] = {}
    for edge in edges():
        key = (edge.action, edge.target, edge.permission, edge.conditions)
        rows.setdefault(key, []).append(edge.source)
    lines = ["| action | from | to | who may | requires |", "| --- | --- | --- | --- | --- |"]
    for (action, target, permission, conditions), sources in rows.items():
        ordered = sorted(dict.fromkeys(sources), key=lambda s: order.get(s, len(order)))
        cells = [
            f"`{action}`",
            ", ".join(f"`{s}`" for s in ordered),
            f"`{target}`" if target else UNCHANGED,
            who_may(permission),
            requires(action, conditions),
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def generated() -> str:
    """The generated part of docs/workflow.md (without the markers). Always in English."""
    with translation.override("en"):
        return "\n".join(
            [
                "<!-- Generated from the transitions declared on casework.models.Case by "
                "`python manage.py workflow_diagram`. Do not edit between the markers. -->",
                "",
                "### State diagram",
                "",
                "Actions that keep the state (`target=None`) are drawn as self-loops.",
                "",
                "```mermaid",
                mermaid(),
                "```",
                "",
                "### Actions",
                "",
                "`POST /api/v1/cases/{id}/<action>/` with the body described under *requires*.",
                "",
                table(),
            ]
        )


class MarkersMissing(ValueError):
    pass


def extract_generated(document: str) -> str:
    """The text between the markers (without the newline after the start marker and the one
    before the end marker)."""
    start, end = _marker_positions(document)
    return document[start + len(START_MARKER) : end].strip("\n")


def replace_generated(document: str, content: str) -> str:
    """`document` with the text between the markers replaced; everything else kept as is."""
    start, end = _marker_positions(document)
    return f"{document[: start + len(START_MARKER)]}\n{content}\n{document[end:]}"


def _marker_positions(document: str) -> tuple[int, int]:
    start = document.find(START_MARKER)
    end = document.find(END_MARKER, start + 1 if start >= 0 else 0)
    if start < 0 or end < 0:
        raise MarkersMissing(f"expected {START_MARKER} ... {END_MARKER}")
    if document.count(START_MARKER) != 1 or document.count(END_MARKER) != 1:
        raise MarkersMissing("each marker must appear exactly once")
    return start, end
