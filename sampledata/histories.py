"""A generated case's story, told with the workflow's own rules: the transitions its state and
outcome imply, walked on the graph `Case` declares; its history rows as `workflows.services`
writes them (with the SLA record of each step it completed); its deadline and escalation state
from `workflows.deadlines`.
"""

import json
import random
from collections import deque
from datetime import datetime, timedelta
from typing import Any, cast

from django.utils import timezone
from rest_framework.fields import ChoiceField

from casework.models import Case, CaseState
from sampledata.spread import ASSISTANCE_KINDS, NOTES
from workflows import deadlines
from workflows.serializers import ACTION_INPUTS
from workflows.steps import COMPLETES, MOVES, STATES, STEP_OF_STATE, Move

INITIAL = str(Case._meta.get_field("state").default)


def _shortest_walks() -> dict[str, list[Move]]:
    """The shortest walk from the initial state to each state, moving forward only (a generated
    case is never reopened) and through the moves in their declared order."""
    walks: dict[str, list[Move]] = {INITIAL: []}
    queue = deque([INITIAL])
    while queue:
        state = queue.popleft()
        for move in MOVES:
            if move.source == state and move.target is not None and move.target not in walks:
                walks[move.target] = [*walks[state], move]
                queue.append(move.target)
    return walks


def _closing_walks(walks: dict[str, list[Move]]) -> dict[str, list[Move]]:
    """outcome → the shortest walk ending with the move whose action records that outcome
    (reject: not a PPKS case or a duplicate; close: the others)."""
    closing: dict[str, list[Move]] = {}
    for move in MOVES:
        if move.target != CaseState.CLOSED or move.source not in walks:
            continue
        # Every action that closes a case asks for its outcome, a choice.
        outcome = cast(ChoiceField, ACTION_INPUTS[move.action]().fields["outcome"])
        for choice in outcome.choices:
            walk = [*walks[move.source], move]
            if choice not in closing or len(walk) < len(closing[choice]):
                closing[choice] = walk
    return closing


WALKS = _shortest_walks()
CLOSING = _closing_walks(WALKS)
if missing := set(STATES) - set(WALKS):
    raise RuntimeError(f"no declared walk reaches {', '.join(sorted(missing))}")


def walk(state: str, outcome: str) -> list[Move]:
    """The transitions a case now in `state` (closed with `outcome`) went through."""
    return CLOSING[outcome] if state == CaseState.CLOSED else WALKS[state]


def is_verified(moves: list[Move]) -> bool:
    """Whether the walk verified the case: it then has an assignee."""
    return any(move.target == CaseState.VERIFIED for move in moves)


def due_at(state: str, entered: datetime, periods: dict[str, timedelta]) -> datetime | None:
    """The deadline of the step the state runs, from the policy's periods by step."""
    step = STEP_OF_STATE.get(state)
    return entered + periods[step] if step else None


def escalation(entered: datetime, due: datetime | None, now: datetime) -> tuple:
    """(escalation_level, escalate_at) as if the escalation sweep had kept up."""
    return deadlines.escalation_state(entered_at=entered, due=due, now=now)


def history_rows(case: dict, rng: random.Random) -> list[tuple]:
    """The case's `workflows_historyentry` rows, as `workflows.services.record_history` writes
    them: the report, then each transition with its actor, time and non-personal payload."""
    rows = [(case["id"], "report", "", INITIAL, case["reporter"], case["created"], "", "{}")]
    entered = case["created"]
    for move, at in case["steps"]:
        actor, payload = _actor_and_payload(case, move.action, at, rng)
        if completed := COMPLETES.get((move.action, move.source)):
            due = due_at(move.source, entered, case["periods"])
            payload["sla"] = deadlines.sla_record(completed, due=due, at=at)
        target = move.target or move.source
        rows.append(
            (case["id"], move.action, move.source, target, actor, at, NOTES[move.action],
             json.dumps(payload))
        )  # fmt: skip
        entered = at
    return rows


def _actor_and_payload(
    case: dict, action: str, at: datetime, rng: random.Random
) -> tuple[int | None, dict[str, Any]]:
    """Who did it and what the history keeps of it: the regency's staff decide on the report,
    the assignee works on the case."""
    if action == "verify":
        return case["staff"], {"assignee": case["assigned"]}
    if action == "reject":
        original = case["duplicate_of"]
        return case["staff"], {
            "outcome": case["outcome"],
            "duplicate_of": original and str(original),
        }
    if action == "assist":
        kind = rng.choice(ASSISTANCE_KINDS)
        return case["assigned"], {"kind": kind, "delivered_at": timezone.localdate(at).isoformat()}
    if action == "close":
        return case["assigned"], {"outcome": case["outcome"], "referred_to": case["referred_to"]}
    return case["staff"], {}  # return
