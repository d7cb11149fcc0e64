"""SLA deadlines (WORKFLOW.md "Deadlines"): each state's clock starts when the case enters it.

Time is frozen with time-machine at fixed WITA instants and moved forward between actions, so
every expected `due_at` is an exact value: the instant the state was entered plus WORKFLOW.md's
period for the urgency (copied below: the product's table, not the code's DEFAULT_SLA).
"""

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from casework.models import Case, Category, User
from tests.factories import make_case
from workflows.models import SlaPolicy
from workflows.services import case_edit, case_transition
from workflows.sla import load_default_sla

pytestmark = pytest.mark.django_db

WITA = ZoneInfo("Asia/Makassar")
T0 = datetime(2026, 11, 20, 9, 30, tzinfo=WITA)

# WORKFLOW.md: urgency -> (verify within, first assistance within, close within)
WORKFLOW_MD_SLA = {
    "emergency": (timedelta(minutes=45), timedelta(hours=24), timedelta(days=14)),
    "high": (timedelta(hours=24), timedelta(days=3), timedelta(days=30)),
    "normal": (timedelta(days=3), timedelta(days=14), timedelta(days=60)),
    "low": (timedelta(days=7), timedelta(days=30), timedelta(days=90)),
}
URGENCIES = list(WORKFLOW_MD_SLA)
VERIFY, ASSIST, CLOSE = 0, 1, 2


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture(params=["built-in defaults", "loaded policy rows"])
def policy_source(request: pytest.FixtureRequest) -> str:
    """The defaults apply whether or not `load_reference_data` has created the policy rows."""
    if request.param == "loaded policy rows":
        assert load_default_sla() == len(WORKFLOW_MD_SLA)
    return request.param


def report(reporter: User, *, urgency: str, category: str = "LUT") -> Case:
    return make_case(reporter, urgency=urgency, category=category)


def act(case: Case, actor: User, action: str, **data: object) -> None:
    """Perform the action and reload `case` in place."""
    case_transition(case_id=str(case.pk), actor=actor, action=action, data=data)
    case.refresh_from_db()


def assistance() -> dict:
    return {"kind": "basic_needs", "description": "Sembako.", "delivered_at": timezone.localdate()}


def due(case: Case) -> datetime | None:
    case.refresh_from_db()
    return case.due_at


@pytest.mark.parametrize("urgency", URGENCIES)
def test_each_step_starts_its_clock_when_the_state_is_entered(
    urgency, policy_source, clock, alice, bob, carol
) -> None:
    verify, assist, close = WORKFLOW_MD_SLA[urgency]

    case = report(alice, urgency=urgency)
    assert due(case) == T0 + verify

    t1 = T0 + timedelta(minutes=20)
    clock.move_to(t1)
    act(case, bob, "verify", note="Kunjungan lapangan: benar terlantar.")
    assert due(case) == t1 + assist

    t2 = t1 + timedelta(hours=5, seconds=7)
    clock.move_to(t2)
    act(case, bob, "assist", **assistance())
    assert due(case) == t2 + close

    t3 = t2 + timedelta(days=2)
    clock.move_to(t3)
    act(case, bob, "close", outcome="resolved", summary="Tertangani.", referred_to="")
    assert due(case) is None
    assert case.is_overdue is False

    t4 = t3 + timedelta(days=400)  # long after every old deadline
    clock.move_to(t4)
    act(case, carol, "reopen", reason="Kondisi memburuk lagi.")
    assert case.state == "verified"
    assert due(case) == t4 + assist


@pytest.mark.parametrize("urgency", URGENCIES)
def test_return_and_resubmit_restart_the_verify_clock(
    urgency, policy_source, clock, alice, bob
) -> None:
    verify = WORKFLOW_MD_SLA[urgency][VERIFY]
    case = report(alice, urgency=urgency)

    t1 = T0 + timedelta(minutes=30)
    clock.move_to(t1)
    act(case, bob, "return", reason="Alamat kurang lengkap.")
    assert case.state == "returned"
    assert due(case) == t1 + verify

    t2 = t1 + timedelta(days=1, minutes=3)
    clock.move_to(t2)
    act(case, alice, "resubmit", note="Alamat dilengkapi.")
    assert case.state == "reported"
    assert due(case) == t2 + verify

    t3 = t2 + timedelta(hours=1)
    clock.move_to(t3)
    act(case, bob, "reject", outcome="rejected", reason="Bukan PPKS.", duplicate_of=None)
    assert due(case) is None


def test_resubmit_with_a_new_urgency_uses_it_for_the_verify_clock(clock, alice, bob) -> None:
    case = report(alice, urgency="low")
    clock.move_to(T0 + timedelta(hours=1))
    act(case, bob, "return", reason="Cek urgensi.")
    t2 = T0 + timedelta(hours=2)
    clock.move_to(t2)
    act(case, alice, "resubmit", note="Darurat.", changes={"urgency": "emergency"})
    assert due(case) == t2 + WORKFLOW_MD_SLA["emergency"][VERIFY]


def test_editing_the_urgency_re_times_the_current_step_from_its_start(clock, alice, bob) -> None:
    case = report(alice, urgency="normal")
    t1 = T0 + timedelta(minutes=10)
    clock.move_to(t1)
    act(case, bob, "verify", note="Benar.")
    clock.move_to(t1 + timedelta(hours=3))
    case_edit(case_id=str(case.pk), actor=bob, changes={"urgency": "emergency"})
    assert due(case) == t1 + WORKFLOW_MD_SLA["emergency"][ASSIST]


def test_transfer_restarts_the_current_step(clock, alice, bob) -> None:
    case = report(alice, urgency="high")
    t1 = T0 + timedelta(hours=6)
    clock.move_to(t1)
    act(case, bob, "transfer", region="63.10.01.1007", reason="Tinggal di Batulicin.")
    assert due(case) == t1 + WORKFLOW_MD_SLA["high"][VERIFY]


def test_an_admin_edited_default_policy_changes_the_deadlines(clock, alice, bob) -> None:
    load_default_sla()
    SlaPolicy.objects.filter(urgency="normal", category__isnull=True).update(
        verify_within=timedelta(hours=5),
        assist_within=timedelta(days=2),
        close_within=timedelta(days=9),
    )
    case = report(alice, urgency="normal")
    assert due(case) == T0 + timedelta(hours=5)
    t1 = T0 + timedelta(hours=1)
    clock.move_to(t1)
    act(case, bob, "verify", note="Benar.")
    assert due(case) == t1 + timedelta(days=2)
    t2 = t1 + timedelta(hours=1)
    clock.move_to(t2)
    act(case, bob, "assist", **assistance())
    assert due(case) == t2 + timedelta(days=9)

    # the other urgencies keep WORKFLOW.md's defaults
    other = report(alice, urgency="high")
    assert due(other) == t2 + WORKFLOW_MD_SLA["high"][VERIFY]


def test_a_category_policy_overrides_the_default_for_that_category_only(clock, alice, bob) -> None:
    load_default_sla()
    SlaPolicy.objects.create(
        urgency="normal",
        category=Category.objects.get(code="LUT"),
        verify_within=timedelta(hours=2),
        assist_within=timedelta(hours=30),
        close_within=timedelta(days=20),
    )
    elderly = report(alice, urgency="normal", category="LUT")
    child = report(alice, urgency="normal", category="AT")
    elderly_high = report(alice, urgency="high", category="LUT")

    assert due(elderly) == T0 + timedelta(hours=2)
    assert due(child) == T0 + WORKFLOW_MD_SLA["normal"][VERIFY]
    assert due(elderly_high) == T0 + WORKFLOW_MD_SLA["high"][VERIFY]

    t1 = T0 + timedelta(minutes=15)
    clock.move_to(t1)
    act(elderly, bob, "verify", note="Benar.")
    act(child, bob, "verify", note="Benar.")
    assert due(elderly) == t1 + timedelta(hours=30)
    assert due(child) == t1 + WORKFLOW_MD_SLA["normal"][ASSIST]


def test_a_category_policy_without_a_default_row_still_applies(clock, alice) -> None:
    SlaPolicy.objects.create(
        urgency="low",
        category=Category.objects.get(code="LUT"),
        verify_within=timedelta(hours=1),
        assist_within=timedelta(hours=2),
        close_within=timedelta(hours=3),
    )
    assert due(report(alice, urgency="low", category="LUT")) == T0 + timedelta(hours=1)
    assert due(report(alice, urgency="low", category="AT")) == T0 + timedelta(days=7)


# --- overdue: the payload flag and the list filter flip exactly at due_at -------------------


def client(user: User) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def listed_ids(api: APIClient, **params: str) -> set[str]:
    response = api.get("/api/v1/cases/", params)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def overdue_seen(api: APIClient, case: Case) -> tuple[bool, bool, bool]:
    """(payload `overdue`, listed by ?overdue=true, listed by ?overdue=false)."""
    detail = api.get(f"/api/v1/cases/{case.pk}/")
    assert detail.status_code == 200, detail.content
    case_id = str(case.pk)
    return (
        detail.json()["overdue"],
        case_id in listed_ids(api, overdue="true"),
        case_id in listed_ids(api, overdue="false"),
    )


@pytest.mark.parametrize("state", ["reported", "returned", "verified", "assisted"])
@pytest.mark.parametrize("urgency", ["emergency", "low"])
def test_overdue_flips_when_the_clock_passes_due_at(
    state, urgency, clock, alice, bob, carol
) -> None:
    case = report(alice, urgency=urgency)
    clock.move_to(T0 + timedelta(minutes=5))
    if state == "returned":
        act(case, bob, "return", reason="Kurang lengkap.")
    if state in ("verified", "assisted"):
        act(case, bob, "verify", note="Benar.")
    if state == "assisted":
        act(case, bob, "assist", **assistance())
    deadline = due(case)
    assert case.state == state
    assert deadline is not None

    for who in (client(bob), client(carol)):
        clock.move_to(deadline - timedelta(seconds=1))
        assert overdue_seen(who, case) == (False, False, True)
        clock.move_to(deadline + timedelta(seconds=1))
        assert overdue_seen(who, case) == (True, True, False)
        # at the very instant, the payload and the filter agree
        clock.move_to(deadline)
        flag, listed, not_listed = overdue_seen(who, case)
        assert flag == listed != not_listed

    # the reporter sees the same flag on her own case
    clock.move_to(deadline + timedelta(seconds=1))
    assert overdue_seen(client(alice), case) == (True, True, False)


def test_a_closed_case_is_never_overdue(clock, alice, bob) -> None:
    case = report(alice, urgency="emergency")
    clock.move_to(T0 + timedelta(minutes=1))
    act(case, bob, "reject", outcome="rejected", reason="Bukan PPKS.", duplicate_of=None)
    clock.move_to(T0 + timedelta(days=365))
    assert due(case) is None
    assert overdue_seen(client(bob), case) == (False, False, True)
