"""docs/workflow.md shows what the code declares, and the code declares WORKFLOW.md's machine.

WORKFLOW.md is the product's contract: its transition table is copied below by hand, so a
change to a declared transition fails here until the product document (and this copy) agree,
and a change that is not regenerated into docs/workflow.md fails too.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from casework.models import CaseState
from workflows import diagram
from workflows.serializers import ACTION_INPUTS
from workflows.urls import urlpatterns

DOC = Path(settings.BASE_DIR) / "docs" / "workflow.md"

# WORKFLOW.md, "Transitions": action -> (from states, to state); None: the state is kept.
WORKFLOW_MD = {
    "verify": ({"reported"}, "verified"),
    "return": ({"reported"}, "returned"),
    "resubmit": ({"returned"}, "reported"),
    "reject": ({"reported", "returned"}, "closed"),
    "assist": ({"verified"}, "assisted"),
    "close": ({"assisted"}, "closed"),
    "reopen": ({"closed"}, "verified"),
    "assign": ({"verified", "assisted"}, None),
    "transfer": ({"reported", "returned", "verified"}, None),
}
# WORKFLOW.md, "requires": the fields without which the action is a 400.
WORKFLOW_MD_REQUIRED = {
    "verify": {"note"},
    "return": {"reason"},
    "resubmit": set(),
    "reject": {"outcome", "reason"},
    "assist": {"kind", "description", "delivered_at"},
    "close": {"outcome", "summary"},
    "reopen": {"reason"},
    # WORKFLOW.md's `assignee`, or `auto_assign` instead (issue 13): the service refuses neither.
    "assign": set(),
    "transfer": {"region", "reason"},
}
WORKFLOW_MD_STATES = ["reported", "returned", "verified", "assisted", "closed"]


def test_generated_part_of_docs_matches_the_code() -> None:
    on_disk = diagram.extract_generated(DOC.read_text(encoding="utf-8"))
    assert on_disk == diagram.generated(), (
        "docs/workflow.md is out of date: run `python manage.py workflow_diagram`"
    )


def test_check_command_passes_on_the_committed_doc() -> None:
    call_command("workflow_diagram", "--check", path=DOC)


def test_declared_actions_are_exactly_workflow_md() -> None:
    declared = diagram.transitions_by_action()
    assert set(declared) == set(WORKFLOW_MD)
    for action, (sources, target) in WORKFLOW_MD.items():
        assert declared[action] == (frozenset(sources), target), action


def test_states_are_exactly_workflow_md() -> None:
    assert diagram.states() == WORKFLOW_MD_STATES
    assert [s.value for s in CaseState] == WORKFLOW_MD_STATES
    assert diagram.initial_state() == "reported"


def test_every_action_has_a_route_and_a_body_with_workflow_md_required_fields() -> None:
    assert set(ACTION_INPUTS) == set(WORKFLOW_MD)
    routes = {p.name for p in urlpatterns}
    assert {f"case-{a}" for a in WORKFLOW_MD} <= routes
    for action, expected in WORKFLOW_MD_REQUIRED.items():
        fields = ACTION_INPUTS[action]().fields
        required = {name for name, field in fields.items() if field.required}
        assert required == expected, action


def test_every_permission_and_condition_has_wording() -> None:
    text = diagram.table()  # raises UndocumentedRule for a rule without wording
    for edge in diagram.edges():
        assert diagram.who_may(edge.permission) in text


def test_an_undocumented_permission_is_an_error() -> None:
    with pytest.raises(diagram.UndocumentedRule):
        diagram.who_may(lambda case, user: True)


def test_diagram_has_one_arrow_per_declared_edge_and_self_loops() -> None:
    arrows = [
        line.strip()
        for line in diagram.mermaid().splitlines()
        if "-->" in line and "[*]" not in line
    ]
    expected = {
        f"{source} --> {target or source}: {action}"
        for action, (sources, target) in WORKFLOW_MD.items()
        for source in sources
    }
    assert sorted(arrows) == sorted(expected)
    assert "[*] --> reported" in diagram.mermaid()


def test_command_keeps_hand_written_text_and_check_fails_when_stale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "workflow.md"
    before, after = "# Title\n\nHand-written intro.\n\n", "\n## After\n\nMore text.\n"
    path.write_text(
        f"{before}{diagram.START_MARKER}\nstale table\n{diagram.END_MARKER}{after}", "utf-8"
    )

    with pytest.raises(CommandError) as failure:
        call_command("workflow_diagram", "--check", path=path)
    assert failure.value.returncode == 1
    out = capsys.readouterr().out
    assert "-stale table" in out
    assert "+| `verify` | `reported` | `verified` |" in out
    assert "stale table" in path.read_text("utf-8")  # --check writes nothing

    call_command("workflow_diagram", path=path)
    written = path.read_text("utf-8")
    assert written.startswith(before + diagram.START_MARKER)
    assert written.endswith(diagram.END_MARKER + after)
    assert diagram.extract_generated(written) == diagram.generated()
    call_command("workflow_diagram", "--check", path=path)  # now up to date


def test_check_fails_without_markers(tmp_path: Path) -> None:
    path = tmp_path / "workflow.md"
    path.write_text("# No markers\n", "utf-8")
    with pytest.raises(CommandError):
        call_command("workflow_diagram", "--check", path=path)
