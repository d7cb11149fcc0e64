"""Generated stories are told with the workflow's rules: walks of the declared transitions, the
real deadline and escalation functions, and a spread whose keys are the product's codes."""

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from casework.models import AssistanceKind, CaseState, Outcome, Region, RegionLevel, Urgency
from sampledata import histories, spread
from workflows import deadlines
from workflows.models import DEFAULT_SLA
from workflows.serializers import ACTION_INPUTS
from workflows.steps import MOVES, STATES, STEPS

EVERY_STORY = [(state, "") for state in STATES if state != CaseState.CLOSED] + [
    (CaseState.CLOSED, outcome) for outcome in Outcome.values
]


@pytest.mark.parametrize(("state", "outcome"), EVERY_STORY)
def test_every_story_is_a_walk_of_declared_transitions(state, outcome):
    walk = histories.walk(state, outcome)
    at = histories.INITIAL
    for move in walk:
        assert move in MOVES
        assert move.source == at
        at = move.target or move.source
    assert at == state
    if outcome:  # the closing action is the one that records this outcome
        assert outcome in ACTION_INPUTS[walk[-1].action]().fields["outcome"].choices


def test_the_walks_are_the_shortest_forward_ones():
    actions = {
        s: [m.action for m in histories.walk(s, "")] for s, outcome in EVERY_STORY if not outcome
    }
    assert actions == {
        "reported": [],
        "returned": ["return"],
        "verified": ["verify"],
        "assisted": ["verify", "assist"],
    }
    assert [m.action for m in histories.walk("closed", "rejected")] == ["reject"]
    assert [m.action for m in histories.walk("closed", "resolved")] == ["verify", "assist", "close"]
    assert histories.is_verified(histories.walk("closed", "resolved"))
    assert not histories.is_verified(histories.walk("closed", "duplicate"))


def test_the_history_carries_the_sla_record_as_the_services_write_it():
    t0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    periods = dict(zip(STEPS, DEFAULT_SLA[Urgency.NORMAL], strict=True))  # 3 days to verify
    walk = histories.walk("assisted", "")
    case = {
        "id": "c1", "reporter": 1, "staff": 2, "assigned": 3, "created": t0, "outcome": "",
        "referred_to": "", "duplicate_of": None, "periods": periods,
        "steps": list(zip(walk, [t0 + timedelta(days=4), t0 + timedelta(days=5)], strict=True)),
    }  # fmt: skip
    rows = histories.history_rows(case, random.Random(1))
    assert [(r[1], r[2], r[3], r[4]) for r in rows] == [
        ("report", "", "reported", 1),
        ("verify", "reported", "verified", 2),
        ("assist", "verified", "assisted", 3),
    ]
    verify_sla = deadlines.sla_record("verify", due=t0 + timedelta(days=3), at=case["steps"][0][1])
    assert '"sla": ' in rows[1][7] and verify_sla["on_time"] is False
    assert json.loads(rows[1][7])["sla"] == verify_sla
    assert json.loads(rows[2][7])["sla"]["on_time"] is True  # 1 day of 14 to assist


def test_escalation_state_is_what_the_sweep_would_have_sent():
    entered = datetime(2026, 11, 1, tzinfo=UTC)
    due = entered + timedelta(days=4)
    state = deadlines.escalation_state
    assert state(entered_at=entered, due=due, now=entered) == (0, entered + timedelta(days=3))
    assert state(entered_at=entered, due=due, now=entered + timedelta(days=3)) == (1, due)
    assert state(entered_at=entered, due=due, now=due) == (2, due + timedelta(days=4))
    assert state(entered_at=entered, due=due, now=due + timedelta(days=9)) == (3, None)
    assert state(entered_at=entered, due=None, now=due) == (0, None)


def test_the_spread_speaks_the_products_codes():
    assert [state for state in spread.STATE_BY_AGE[0][1]] == STATES
    assert all(list(weights) == STATES for _limit, weights in spread.STATE_BY_AGE)
    assert set(spread.OUTCOMES) == set(Outcome.values)
    assert set(spread.URGENCY) == set(Urgency.values)
    assert set(spread.ASSISTANCE_KINDS) <= set(AssistanceKind.values)
    walked = {m.action for state, outcome in EVERY_STORY for m in histories.walk(state, outcome)}
    assert walked <= set(spread.STEP_DAYS)
    assert walked | {"report"} <= set(spread.NOTES)


@pytest.mark.django_db
def test_the_spread_covers_every_kabupaten_kota():
    regencies = Region.objects.filter(level=RegionLevel.REGENCY).values_list("code", flat=True)
    assert set(spread.REGENCY_WEIGHTS) == set(regencies)
