"""The workflow's vocabulary, in one place: its steps, the clock each state runs, and which of
the transitions declared on `Case` complete or first reach a step.

Everything here is either written once (the steps, the clock of each open state, the state that
marks a step reached) or derived from the declarations (`Case`'s `@transition`s, `CaseState`,
`Outcome`), so a new transition or state is counted everywhere at once: the deadlines, the SLA
record in the history, the dashboard's tallies and their SQL rebuild, the sample data.
`tests/workflows/test_vocabulary.py` fails if a list elsewhere disagrees with them.
"""

from typing import NamedTuple

from casework.models import Case, CaseState, Outcome

VERIFY, ASSIST, CLOSE = "verify", "assist", "close"
STEPS = (VERIFY, ASSIST, CLOSE)  # in the order a case goes through them (SlaPolicy's periods)

# The step whose clock runs while a case is in a state: a returned case's reporter answers
# within the verification period. A closed case runs no clock.
STEP_OF_STATE: dict[str, str] = {
    CaseState.REPORTED: VERIFY,
    CaseState.RETURNED: VERIFY,
    CaseState.VERIFIED: ASSIST,
    CaseState.ASSISTED: CLOSE,
}
# The state a case is in once it has reached a step ("hours to verify" ends when it is verified).
REACHED: dict[str, str] = {
    VERIFY: CaseState.VERIFIED,
    ASSIST: CaseState.ASSISTED,
    CLOSE: CaseState.CLOSED,
}

STATES: list[str] = list(CaseState.values)
OPEN_STATES: list[str] = [s for s in STATES if s != CaseState.CLOSED]
OUTCOMES: list[str] = list(Outcome.values)


class Move(NamedTuple):
    """One declared transition: the API action, a state it leaves, and the state it enters
    (None for an action that keeps the state)."""

    action: str
    source: str
    target: str | None


def declared_moves() -> list[Move]:
    """Every (action, source, target) declared on `Case`, in declaration order."""
    transitions = Case._meta.get_field("state").get_all_transitions(Case)
    declared = sorted(transitions, key=lambda t: t.method.__code__.co_firstlineno)
    return [
        Move(t.custom["action"], str(t.source), None if t.target is None else str(t.target))
        for t in declared
    ]


def _completes(moves: list[Move]) -> dict[tuple[str, str], str]:
    """A move completes the step whose clock its source runs when it enters a state that runs
    another clock or none: verify or reject end the verification step, assist the first
    assistance, close (from assisted) the closing. Returning, resubmitting, assigning and
    transferring keep the step running."""
    completes = {}
    for move in moves:
        step = STEP_OF_STATE.get(move.source)
        if step is not None and move.target is not None and STEP_OF_STATE.get(move.target) != step:
            completes[(move.action, move.source)] = step
    return completes


def _first_reach(moves: list[Move]) -> dict[str, list[tuple[str, str]]]:
    """The moves that may be the first time a case reached a step: from an open state into the
    step's state (a reopened case is verified again, but that is not its first verification)."""
    return {
        step: sorted(
            {(m.action, m.source) for m in moves if m.target == state and m.source in STEP_OF_STATE}
        )
        for step, state in REACHED.items()
    }


MOVES = declared_moves()
# The step a transition completes, by (action, from_state): its history row carries the SLA
# record (`payload.sla`) and the tallies count it.
COMPLETES: dict[tuple[str, str], str] = _completes(MOVES)
# step → the (action, from_state) of the history rows that may be its first reaching.
FIRST_REACH: dict[str, list[tuple[str, str]]] = _first_reach(MOVES)


def first_reached(action: str, from_state: str) -> str | None:
    """The step a history row may first reach (the dashboard's durations), or None."""
    for step, moves in FIRST_REACH.items():
        if (action, from_state) in moves:
            return step
    return None
