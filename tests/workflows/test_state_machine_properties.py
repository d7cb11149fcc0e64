"""Random walks through the case workflow, over the API, checking its invariants after each step.

A Hypothesis rule-based machine files two cases as a volunteer, then lets random actors (the
reporting volunteer, two officers and the supervisor of Kota Banjarmasin, an officer of
Kabupaten Tanah Bumbu, the provincial supervisor) try random workflow actions with valid bodies
(`POST /api/v1/cases/{id}/{action}/`) and edits (`PATCH /api/v1/cases/{id}/`). After every step:

- every answer is 200/400/403/404/409, never a 5xx;
- the state is one of WORKFLOW.md's five; a 200 moves it to the declared target (or keeps it);
- history rows = 1 (the report) + successful actions + successful edits; the last row's
  `to_state` is the case's state; a refused request writes nothing;
- a closed case has an outcome and no deadline; an open case has a deadline and no outcome;
- `available_transitions` is honest: an action it lists never answers 403/409 (with a valid
  body), one it does not list always does (409 from a wrong state or an unmet precondition, 403
  for a user the declared permission refuses), and a case the user cannot see answers 404.
"""

import itertools
import os
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from rest_framework.test import APIClient

from casework.models import Case, CaseState, Outcome
from tests.factories import case_payload, make_user
from workflows import diagram
from workflows.models import HistoryEntry

STATES = {s.value for s in CaseState}
ACTIONS = ["verify", "return", "resubmit", "reject", "assist", "close", "reopen", "assign",
           "transfer"]  # fmt: skip
# The next step along the main path, first offered first.
FORWARD = ["verify", "resubmit", "assist", "close", "reopen", "assign"]
ACTORS = ["volunteer", "officer", "officer2", "supervisor", "outsider", "province"]
ASSIGNEES = ["officer", "officer2", "supervisor", "outsider"]
REGIONS = ["63.10.01.1007", "63.71.04.1003", "63.71.01"]  # Tanah Bumbu, Banjarmasin x2
ALLOWED_STATUS = {200, 400, 403, 404, 409}
N_CASES = 2
TEXT = st.sampled_from(["Kunjungan lapangan.", "Data dilengkapi.", "Catatan petugas."])

_names = itertools.count()


def declared_transition(action: str, state: str) -> diagram.Edge | None:
    return next((e for e in diagram.edges() if e.action == action and e.source == state), None)


class CaseWorkflowMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # Each run rolls back to the test's clean database (a savepoint in the test transaction).
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        n = next(_names)
        self.users = {
            "volunteer": make_user(f"psm{n}", role="volunteer", region="63.71"),
            "officer": make_user(f"off{n}", role="officer", region="63.71", division="rehsos"),
            "officer2": make_user(f"offb{n}", role="officer", region="63.71", division="rehsos"),
            "supervisor": make_user(f"sup{n}", role="supervisor", region="63.71"),
            "outsider": make_user(f"tanbu{n}", role="officer", region="63.10", division="rehsos"),
            "province": make_user(f"prov{n}", role="supervisor", region="63"),
        }
        self.clients = {}
        for name, user in self.users.items():
            self.clients[name] = APIClient()
            self.clients[name].force_authenticate(user)
        self.case_ids: list[str] = []
        self.expected_history: dict[str, int] = {}
        for urgency in ("emergency", "normal")[:N_CASES]:
            response = self.clients["volunteer"].post(
                "/api/v1/cases/", case_payload(urgency=urgency), format="json"
            )
            assert response.status_code == 201, response.content
            case_id = response.json()["id"]
            self.case_ids.append(case_id)
            self.expected_history[case_id] = 1  # the report

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- bodies ---------------------------------------------------------------------------

    def body(self, action: str, case_id: str, data: st.DataObject) -> dict[str, Any]:
        draw = data.draw
        if action == "verify":
            body = {"note": draw(TEXT)}
            assignee = draw(st.sampled_from([None, *ASSIGNEES]))
            if assignee is not None:
                body["assignee"] = self.users[assignee].pk
            return body
        if action in ("return", "reopen"):
            return {"reason": draw(TEXT)}
        if action == "resubmit":
            body = {"note": draw(TEXT)}
            if draw(st.booleans()):
                body["changes"] = {"urgency": draw(st.sampled_from(["high", "low"]))}
            return body
        if action == "reject":
            outcome = draw(st.sampled_from([Outcome.REJECTED, Outcome.DUPLICATE]))
            body = {"outcome": str(outcome), "reason": draw(TEXT)}
            if outcome == Outcome.DUPLICATE:
                body["duplicate_of"] = next(c for c in self.case_ids if c != case_id)
            return body
        if action == "assist":
            return {
                "kind": draw(st.sampled_from(["basic_needs", "health", "shelter"])),
                "description": draw(TEXT),
                "delivered_at": (timezone.localdate() - timedelta(days=draw(st.integers(0, 3))))
                .isoformat(),
            }  # fmt: skip
        if action == "close":
            outcome = draw(st.sampled_from(["resolved", "referred", "deceased", "unreachable"]))
            body = {"outcome": outcome, "summary": draw(TEXT)}
            if outcome == "referred":
                body["referred_to"] = "UPTD PPA Provinsi"
            return body
        if action == "assign":
            return {"assignee": self.users[draw(st.sampled_from(ASSIGNEES))].pk}
        if action == "transfer":
            return {"region": draw(st.sampled_from(REGIONS)), "reason": draw(TEXT)}
        raise AssertionError(action)

    # --- steps ----------------------------------------------------------------------------

    def snapshot(self, case_id: str) -> tuple:
        case = Case.objects.get(pk=case_id)
        return (
            case.state, case.assigned_to_id, case.due_at, case.outcome, case.region_id,
            case.urgency, case.state_changed_at, HistoryEntry.objects.filter(case=case).count(),
        )  # fmt: skip

    def look(self, actor: str, case_id: str) -> dict | None:
        response = self.clients[actor].get(f"/api/v1/cases/{case_id}/")
        assert response.status_code in (200, 404), response.content
        return response.json() if response.status_code == 200 else None

    def perform(self, actor: str, action: str, case_id: str, data: st.DataObject) -> None:
        seen = self.look(actor, case_id)
        before = self.snapshot(case_id)
        body = self.body(action, case_id, data)
        response = self.clients[actor].post(
            f"/api/v1/cases/{case_id}/{action}/", body, format="json"
        )
        status = response.status_code
        assert status in ALLOWED_STATUS, (status, response.content)

        if seen is None:
            assert status == 404, (actor, action, status)
        else:
            state = seen["state"]
            if action in seen["available_transitions"]:
                assert status in (200, 400), (actor, action, state, status, response.content)
            else:
                assert status in (403, 409), (actor, action, state, status, response.content)
                assert status == self.expected_refusal(actor, action, case_id, state), (
                    actor, action, state, status, response.content,
                )  # fmt: skip

        if status == 200:
            self.expected_history[case_id] += 1
            declared = declared_transition(action, before[0])
            assert declared is not None
            after = Case.objects.get(pk=case_id)
            assert after.state == (declared.target or before[0])
            last = HistoryEntry.objects.filter(case_id=case_id).order_by("at", "id").last()
            assert (last.action, last.from_state, last.to_state, last.actor_id) == (
                action, before[0], after.state, self.users[actor].pk,
            )  # fmt: skip
        else:
            assert self.snapshot(case_id) == before, "a refused action wrote something"

    def expected_refusal(self, actor: str, action: str, case_id: str, state: str) -> int:
        """WORKFLOW.md: 409 not from this state; 403 a user who may not; 409 a precondition."""
        declared = declared_transition(action, state)
        if declared is None:
            return 409
        case = Case.objects.get(pk=case_id)
        if declared.permission is not None and not declared.permission(case, self.users[actor]):
            return 403
        return 409

    @rule(
        actor=st.sampled_from(ACTORS),
        action=st.sampled_from(ACTIONS),
        case=st.integers(0, N_CASES - 1),
        data=st.data(),
    )
    def try_any_action(self, actor: str, action: str, case: int, data: st.DataObject) -> None:
        self.perform(actor, action, self.case_ids[case], data)

    @rule(actor=st.sampled_from(ACTORS), case=st.integers(0, N_CASES - 1), data=st.data())
    def take_an_offered_action(self, actor: str, case: int, data: st.DataObject) -> None:
        """Walk deeper: one of the actions the API offers this user now."""
        seen = self.look(actor, self.case_ids[case])
        if seen is None or not seen["available_transitions"]:
            return
        action = data.draw(st.sampled_from(seen["available_transitions"]))
        self.perform(actor, action, self.case_ids[case], data)

    @rule(actor=st.sampled_from(ACTORS), case=st.integers(0, N_CASES - 1), data=st.data())
    def advance(self, actor: str, case: int, data: st.DataObject) -> None:
        """Walk towards `closed` (and back through `reopen`): the deep states need long paths."""
        seen = self.look(actor, self.case_ids[case])
        offered = [a for a in FORWARD if seen is not None and a in seen["available_transitions"]]
        if offered:
            self.perform(actor, offered[0], self.case_ids[case], data)

    @rule(
        actor=st.sampled_from(ACTORS),
        case=st.integers(0, N_CASES - 1),
        change=st.one_of(
            st.fixed_dictionaries({"urgency": st.sampled_from(["emergency", "high", "low"])}),
            st.fixed_dictionaries({"description": st.just("Keterangan diperbarui oleh petugas.")}),
            st.fixed_dictionaries({"address": st.just("Jl. Pramuka No. 3")}),
        ),
    )
    def edit(self, actor: str, case: int, change: dict) -> None:
        case_id = self.case_ids[case]
        seen = self.look(actor, case_id)
        before = self.snapshot(case_id)
        response = self.clients[actor].patch(f"/api/v1/cases/{case_id}/", change, format="json")
        status = response.status_code
        assert status in ALLOWED_STATUS, (status, response.content)
        if seen is None:
            assert status == 404
        if seen is not None and seen["state"] == CaseState.CLOSED:
            assert status == 409
        if status == 200:
            self.expected_history[case_id] += 1
            last = HistoryEntry.objects.filter(case_id=case_id).order_by("at", "id").last()
            assert last.action == "edit"
            assert last.payload == {"fields": sorted(change)}
            assert Case.objects.get(pk=case_id).state == before[0]
        else:
            assert self.snapshot(case_id) == before, "a refused edit wrote something"

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def cases_are_consistent(self) -> None:
        for case_id in self.case_ids:
            case = Case.objects.get(pk=case_id)
            history = list(HistoryEntry.objects.filter(case=case).order_by("at", "id"))
            assert case.state in STATES
            assert len(history) == self.expected_history[case_id]
            assert history[0].action == "report"
            assert history[-1].to_state == case.state
            if case.state == CaseState.CLOSED:
                assert case.outcome, "a closed case has an outcome"
                assert case.due_at is None, "a closed case has no deadline"
            else:
                assert case.due_at is not None, f"an open ({case.state}) case has a deadline"
                assert case.outcome == "", "an open case has no outcome"


@pytest.mark.django_db
def test_random_workflows_keep_the_invariants() -> None:
    run_state_machine_as_test(
        CaseWorkflowMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=15,
            deadline=None,
            database=None,
            derandomize=os.environ.get("CI") == "true",
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


@pytest.mark.django_db
def test_an_unmet_precondition_answers_409_not_403(alice, bob, dina) -> None:
    """The shortest walk the machine found to `verified` without an assignee: a supervisor who
    may assist must get 409 (the case is not ready), not 403 (not yours), and the action is not
    offered. (django_fsm.has_transition_perm also tests the conditions: checking the permission
    with it turned this 409 into a 403.)"""
    clients = {}
    for user in (alice, bob, dina):
        clients[user.username] = APIClient()
        clients[user.username].force_authenticate(user)
    created = clients["alice"].post("/api/v1/cases/", case_payload(), format="json")
    case_id = created.json()["id"]
    url = f"/api/v1/cases/{case_id}"
    assert (
        clients["bob"].post(f"{url}/verify/", {"note": "Benar."}, format="json").status_code == 200
    )
    moved = clients["bob"].post(
        f"{url}/transfer/", {"region": "63.10.01.1007", "reason": "Pindah."}, format="json"
    )
    assert moved.status_code == 200
    seen = clients["dina"].get(f"{url}/").json()
    assert (seen["state"], seen["assigned_to"]) == ("verified", None)
    assert "assist" not in seen["available_transitions"]

    response = clients["dina"].post(
        f"{url}/assist/",
        {
            "kind": "health",
            "description": "BPJS.",
            "delivered_at": timezone.localdate().isoformat(),
        },
        format="json",
    )
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "transition_conditions_not_met"
