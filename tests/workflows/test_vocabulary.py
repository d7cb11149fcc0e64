"""One vocabulary: every list of states, outcomes, steps and actions agrees with the declarations.

`workflows.steps` derives what it can from `Case`'s transitions, `CaseState` and `Outcome`;
the lists that must be written out (models' columns, the dashboard's documented fields, the
per-action tables) are held to it here, so a new state, outcome, step or action cannot
silently drop out of the deadlines, the tallies, the dashboard or the sample data.
"""

import re
import sqlite3
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import models

from casework.models import CaseState, Outcome, Urgency
from supervision.serializers import DashboardOutput
from workflows import diagram, escalation, services, steps, tally_sql
from workflows.admin_forms import TRANSITION_FORMS
from workflows.models import DEFAULT_SLA, CaseTally, HistoryAction, SlaPolicy
from workflows.serializers import ACTION_INPUTS

# WORKFLOW.md, "Deadlines": the verification step ends with a decision (verify, or reject from
# reported or returned), first assistance with an assist, closing with a close.
WORKFLOW_MD_COMPLETES = {
    ("verify", "reported"): "verify",
    ("reject", "reported"): "verify",
    ("reject", "returned"): "verify",
    ("assist", "verified"): "assist",
    ("close", "assisted"): "close",
}
ACTIONS = {move.action for move in steps.MOVES}


def test_the_derived_steps_are_workflow_md_s() -> None:
    assert steps.COMPLETES == WORKFLOW_MD_COMPLETES
    assert steps.FIRST_REACH == {
        "verify": [("verify", "reported")],
        "assist": [("assist", "verified")],
        "close": [("close", "assisted"), ("reject", "reported"), ("reject", "returned")],
    }
    assert steps.first_reached("verify", "reported") == "verify"
    assert steps.first_reached("reopen", "closed") is None  # verified again, not for the first time
    assert steps.first_reached("assign", "verified") is None


def test_every_open_state_runs_a_clock_and_every_step_ends() -> None:
    assert list(CaseState.values) == steps.STATES
    assert list(Outcome.values) == steps.OUTCOMES
    assert set(steps.STEP_OF_STATE) == set(steps.OPEN_STATES) == set(CaseState.values) - {"closed"}
    assert set(steps.STEP_OF_STATE.values()) == set(steps.STEPS) == set(steps.REACHED)
    assert set(steps.COMPLETES.values()) == set(steps.STEPS)
    assert all(steps.FIRST_REACH[step] for step in steps.STEPS)


def test_the_moves_are_the_declared_transitions() -> None:
    declared = [(e.action, e.source, e.target) for e in diagram.edges()]
    assert sorted(steps.MOVES) == sorted(declared)
    assert diagram.states() == steps.STATES


def test_every_action_has_its_input_service_and_admin_form() -> None:
    assert set(ACTION_INPUTS) == ACTIONS
    assert set(services.ACTIONS) == ACTIONS
    methods = {e.method for e in diagram.edges()}
    assert set(TRANSITION_FORMS) == methods


def test_every_action_the_history_records_is_named_in_words() -> None:
    # The transitions, the other writes on a case, and the deadline escalations: the admin's
    # history and transition buttons show `HistoryAction`'s labels, never the code.
    writes = {"report", "edit", "note", "attachment", "assistance"}
    assert set(HistoryAction.values) == ACTIONS | writes | set(escalation.EVENT.values())
    recorded = set()
    for module in ("services", "records", "escalation"):
        source = (Path(settings.BASE_DIR) / "workflows" / f"{module}.py").read_text()
        recorded |= set(re.findall(r'record_history\(\s*case,\s*action="(\w+)"', source))
    assert recorded == writes  # the grep finds every literal action written


def test_sla_policy_has_a_period_per_step() -> None:
    periods = {f.name for f in SlaPolicy._meta.get_fields() if isinstance(f, models.DurationField)}
    assert periods == {f"{step}_within" for step in steps.STEPS}
    assert set(DEFAULT_SLA) == set(Urgency.values)
    for defaults in DEFAULT_SLA.values():
        assert len(defaults) == len(steps.STEPS)
        assert all(period > timedelta(0) for period in defaults)


def test_the_case_tally_counts_every_state_outcome_and_step() -> None:
    keys = {"id", "area", "category", "urgency"}
    columns = [f.name for f in CaseTally._meta.get_fields() if f.name not in keys]
    assert sorted(columns) == sorted(tally_sql.COUNTERS)
    assert set(tally_sql.ACTIONS) == {a for a, _ in steps.COMPLETES} | {
        a for moves in steps.FIRST_REACH.values() for a, _ in moves
    }


def test_the_dashboard_documents_every_state_outcome_and_step() -> None:
    fields = DashboardOutput().fields
    assert list(fields["by_state"].fields) == steps.STATES
    assert list(fields["closure_outcomes"].fields) == steps.OUTCOMES
    assert list(fields["sla_compliance"].fields) == list(steps.STEPS)
    for name in ("median_hours", "p90_hours"):
        assert list(fields[name].fields) == [f"to_{s}" for s in steps.STEPS]


def test_the_sql_rules_match_the_python_ones() -> None:
    """The rebuild's conditions select exactly the rows the live tallies count."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE h (action TEXT, from_state TEXT)")
    rows = {(m.action, m.source) for m in steps.MOVES} | {("edit", "verified"), ("note", "")}
    db.executemany("INSERT INTO h VALUES (?, ?)", sorted(rows))
    for step, condition in tally_sql.FIRST_REACHED.items():
        matched = set(db.execute(f"SELECT action, from_state FROM h WHERE {condition}"))  # noqa: S608
        assert matched == {row for row in rows if steps.first_reached(*row) == step}
    for step in steps.STEPS:
        done = [move for move, completed in steps.COMPLETES.items() if completed == step]
        condition = tally_sql._any_of(done)
        matched = set(db.execute(f"SELECT action, from_state FROM h WHERE {condition}"))  # noqa: S608
        assert matched == {row for row in rows if steps.COMPLETES.get(row) == step}
