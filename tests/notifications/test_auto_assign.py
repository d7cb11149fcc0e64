"""Auto-assignment on verify (docs/notifications.md, "Who is told"): `"auto_assign": true`
hands the case to the on-duty officer of its category's division, in its kabupaten/kota, with
the fewest open cases; among equals, the one auto-assigned least recently (never first), then
the lowest id. Nobody on duty: the verifier keeps the case. `AUTO_ASSIGN_ON_VERIFY` makes it the
default.

Carol (supervisor of Kota Banjarmasin) verifies, so she is never a candidate herself. Time is
frozen and moved a minute between verifications, as it passes between real ones.
"""

from collections import Counter
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from casework.models import Case, CaseState, User
from notifications.models import OutboxMessage
from tests.concurrency import run_concurrently
from tests.factories import make_case, make_user
from workflows.models import HistoryEntry
from workflows.services import case_transition

WITA = ZoneInfo("Asia/Makassar")
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=WITA)
NOTE = "Dikunjungi: benar terlantar."


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def team(alice, bob, carol, tono):
    """Kota Banjarmasin's rehsos officers on duty, lowest id first: Bob, Budi, Citra; and those
    who must never be picked for a rehsos case there: Odi (rehsos, off duty), Ina (rehsos,
    inactive), Lina (linjamsos, on duty), Tono (rehsos, Tanah Bumbu)."""
    return SimpleNamespace(
        alice=alice,
        carol=carol,
        bob=bob,
        budi=make_user("budi", role="officer", region="63.71", division="rehsos"),
        citra=make_user("citra", role="officer", region="63.71.04", division="rehsos"),
        odi=make_user("odi", role="officer", region="63.71", division="rehsos", on_duty=False),
        ina=make_user("ina", role="officer", region="63.71", division="rehsos", is_active=False),
        lina=make_user("lina", role="officer", region="63.71", division="linjamsos"),
        tono=tono,
    )


def verify(actor: User, case: Case, **body: object):
    api = APIClient()
    api.force_authenticate(actor)
    return api.post(f"/api/v1/cases/{case.pk}/verify/", {"note": NOTE, **body}, format="json")


def assignee_of(case: Case) -> str | None:
    assigned = Case.objects.select_related("assigned_to").get(pk=case.pk).assigned_to
    return assigned.username if assigned else None


def auto_verify(team: SimpleNamespace, clock, category: str = "LUT") -> str | None:
    """Report a case, verify it with auto-assignment a minute later; the assignee's name."""
    case = make_case(team.alice, category=category)
    clock.shift(timedelta(minutes=1))
    response = verify(team.carol, case, auto_assign=True)
    assert response.status_code == 200, response.json()
    return assignee_of(case)


def give_open_cases(officer: User, count: int, carol: User, alice: User) -> None:
    """`count` verified cases assigned to `officer` by name (not an auto-assignment)."""
    for _ in range(count):
        case = make_case(alice)
        case_transition(
            case_id=str(case.pk), actor=carol, action="verify",
            data={"note": NOTE, "assignee": officer.pk},
        )  # fmt: skip


def close(case_id: str, carol: User) -> None:
    assistance = {"kind": "basic_needs", "description": "Sembako.",
                  "delivered_at": timezone.localdate()}  # fmt: skip
    case_transition(case_id=case_id, actor=carol, action="assist", data=assistance)
    case_transition(case_id=case_id, actor=carol, action="close",
                    data={"outcome": "resolved", "summary": "Selesai."})  # fmt: skip


# --- who is chosen -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_officer_with_the_fewest_open_cases_is_chosen(team, clock):
    give_open_cases(team.bob, 2, team.carol, team.alice)
    give_open_cases(team.budi, 1, team.carol, team.alice)
    give_open_cases(team.citra, 3, team.carol, team.alice)
    case = make_case(team.alice)

    response = verify(team.carol, case, auto_assign=True)

    assert response.status_code == 200, response.json()
    assert response.json()["assigned_to"]["username"] == "budi"
    assert response.json()["state"] == "verified"
    entry = HistoryEntry.objects.get(case=case, action="verify")
    assert entry.payload == {
        "assignee": team.budi.pk,
        "auto_assigned": True,
        "sla": {
            "step": "verify",
            "due_at": timezone.localtime(case.due_at).isoformat(),
            "on_time": True,
        },
    }
    assert User.objects.get(pk=team.budi.pk).last_assigned_at == T0
    # Told as with a named assignee: the officer of the assignment, the reporter of the verify.
    rows = OutboxMessage.objects.filter(case_id=case.pk).exclude(event="case_reported")
    assert sorted(rows.values_list("event", "recipient__username")) == [
        ("case_assigned", "budi"),
        ("case_verified", "alice"),
    ]


@pytest.mark.django_db
def test_closed_cases_do_not_count_as_open(team, clock):
    give_open_cases(team.budi, 1, team.carol, team.alice)
    give_open_cases(team.citra, 1, team.carol, team.alice)
    give_open_cases(team.bob, 3, team.carol, team.alice)
    for case_id in Case.objects.filter(assigned_to=team.bob).values_list("pk", flat=True):
        close(str(case_id), team.carol)

    assert auto_verify(team, clock) == "bob"


@pytest.mark.django_db
def test_among_equals_the_least_recently_auto_assigned_then_the_lowest_id(team, clock):
    User.objects.filter(pk=team.bob.pk).update(last_assigned_at=T0 - timedelta(hours=1))
    User.objects.filter(pk=team.budi.pk).update(last_assigned_at=T0 - timedelta(hours=3))
    User.objects.filter(pk=team.citra.pk).update(last_assigned_at=T0 - timedelta(hours=2))
    assert auto_verify(team, clock) == "budi"  # least recently

    # Citra never auto-assigned before: first, before Bob and Budi.
    User.objects.filter(pk=team.citra.pk).update(last_assigned_at=None)
    User.objects.filter(pk=team.budi.pk).update(last_assigned_at=None)
    close(str(Case.objects.get(assigned_to=team.budi).pk), team.carol)  # equal loads again
    assert team.budi.pk < team.citra.pk
    assert auto_verify(team, clock) == "budi"  # both never: the lower id
    assert auto_verify(team, clock) == "citra"


@pytest.mark.django_db
def test_equally_loaded_officers_take_turns(team, clock):
    """Each case is closed right after it is assigned, so the loads stay equal (none open):
    only the last auto-assignment decides, and the work goes round."""
    chosen = []
    for _ in range(7):
        chosen.append(auto_verify(team, clock))
        case = Case.objects.filter(state=CaseState.VERIFIED).get()
        close(str(case.pk), team.carol)

    assert chosen == ["bob", "budi", "citra", "bob", "budi", "citra", "bob"]


@pytest.mark.django_db
def test_cases_left_open_spread_evenly(team, clock):
    chosen = [auto_verify(team, clock) for _ in range(9)]

    assert chosen == ["bob", "budi", "citra"] * 3
    assert Counter(chosen) == {"bob": 3, "budi": 3, "citra": 3}


@pytest.mark.django_db
def test_off_duty_inactive_other_division_and_other_regency_officers_are_never_chosen(team, clock):
    give_open_cases(team.bob, 5, team.carol, team.alice)
    give_open_cases(team.budi, 5, team.carol, team.alice)
    give_open_cases(team.citra, 5, team.carol, team.alice)

    chosen = {auto_verify(team, clock) for _ in range(6)}

    assert chosen <= {"bob", "budi", "citra"}
    for idle in (team.odi, team.ina, team.lina, team.tono):
        assert not Case.objects.filter(assigned_to=idle).exists()
        assert User.objects.get(pk=idle.pk).last_assigned_at is None


@pytest.mark.django_db
def test_a_category_of_another_division_goes_to_that_divisions_officer(team, clock):
    assert auto_verify(team, clock, category="KTK") == "lina"  # Korban Tindak Kekerasan


# --- nobody on duty, refusals, the setting -------------------------------------------------


@pytest.mark.django_db
def test_nobody_on_duty_leaves_the_case_with_the_verifier(team, clock):
    User.objects.filter(division="rehsos").update(on_duty=False)
    case = make_case(team.alice)

    response = verify(team.carol, case, auto_assign=True)

    assert response.status_code == 200, response.json()
    assert assignee_of(case) == "carol"
    entry = HistoryEntry.objects.get(case=case, action="verify")
    assert entry.payload["assignee"] == team.carol.pk
    assert entry.payload["auto_assigned"] is False
    assert not User.objects.filter(last_assigned_at__isnull=False).exists()


@pytest.mark.django_db
def test_an_assignee_and_auto_assign_together_are_refused(team):
    case = make_case(team.alice)

    response = verify(team.carol, case, assignee=team.budi.pk, auto_assign=True)

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["auto_assign"]
    reloaded = Case.objects.get(pk=case.pk)
    assert (reloaded.state, reloaded.assigned_to_id) == ("reported", None)
    assert not HistoryEntry.objects.filter(case=case, action="verify").exists()
    assert not OutboxMessage.objects.filter(case_id=case.pk, event="case_assigned").exists()


@pytest.mark.django_db
def test_auto_assign_false_and_a_named_assignee_need_no_candidates(team, clock):
    named = make_case(team.alice)
    assert verify(team.carol, named, assignee=team.citra.pk).status_code == 200
    assert assignee_of(named) == "citra"
    kept = make_case(team.alice)
    assert verify(team.carol, kept, auto_assign=False).status_code == 200
    assert assignee_of(kept) == "carol"
    # Neither was an auto-assignment: nobody's turn moved.
    assert not User.objects.filter(last_assigned_at__isnull=False).exists()
    assert "auto_assigned" not in HistoryEntry.objects.get(case=kept, action="verify").payload


@pytest.mark.django_db
def test_by_default_verify_does_not_auto_assign(team):
    assert settings.AUTO_ASSIGN_ON_VERIFY is False
    case = make_case(team.alice)

    assert verify(team.carol, case).status_code == 200

    assert assignee_of(case) == "carol"


@pytest.mark.django_db
@override_settings(AUTO_ASSIGN_ON_VERIFY=True)
def test_with_the_setting_on_verify_auto_assigns_unless_told_otherwise(team, clock):
    default = make_case(team.alice)
    assert verify(team.carol, default).status_code == 200
    assert assignee_of(default) == "bob"

    named = make_case(team.alice)  # a named assignee wins over the setting, no 400
    assert verify(team.carol, named, assignee=team.citra.pk).status_code == 200
    assert assignee_of(named) == "citra"

    declined = make_case(team.alice)
    assert verify(team.carol, declined, auto_assign=False).status_code == 200
    assert assignee_of(declined) == "carol"


# --- reassignment (`assign` with `auto_assign`) --------------------------------------------


def assign(actor: User, case: Case, **body: object):
    api = APIClient()
    api.force_authenticate(actor)
    return api.post(f"/api/v1/cases/{case.pk}/assign/", body, format="json")


def verified_for(officer: User, team: SimpleNamespace) -> Case:
    case = make_case(team.alice)
    case_transition(case_id=str(case.pk), actor=team.carol, action="verify",
                    data={"note": NOTE, "assignee": officer.pk})  # fmt: skip
    return case


@pytest.mark.django_db
def test_reassigning_automatically_takes_the_case_off_its_assignee(team, clock):
    """Bob's one case is this one and Citra carries one too: among equals Bob (never
    auto-assigned, the lowest id) would win, yet the case goes to Citra: asking for someone
    automatically means someone other than who has it."""
    give_open_cases(team.budi, 2, team.carol, team.alice)
    give_open_cases(team.citra, 1, team.carol, team.alice)
    case = verified_for(team.bob, team)
    clock.shift(timedelta(minutes=1))

    response = assign(team.carol, case, auto_assign=True, note="Bob cuti.")

    assert response.status_code == 200, response.json()
    assert response.json()["assigned_to"]["username"] == "citra"
    entry = HistoryEntry.objects.get(case=case, action="assign")
    assert entry.payload == {"assignee": team.citra.pk, "previous": team.bob.pk,
                             "auto_assigned": True}  # fmt: skip
    told = OutboxMessage.objects.filter(case_id=case.pk, event="case_assigned")
    assert sorted(told.values_list("recipient__username", flat=True)) == [
        "bob",
        "citra",
    ]  # bob when the verification gave it to him, citra now


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"auto_assign": True, "assignee": "BUDI"}, "auto_assign", "conflict"),
        ({"note": "Siapa saja."}, "assignee", "required"),
        ({"auto_assign": False}, "assignee", "required"),
    ],
)
def test_an_assignment_names_one_officer_or_asks_for_one(team, body, field, code):
    case = verified_for(team.bob, team)
    if body.get("assignee") == "BUDI":
        body = {**body, "assignee": team.budi.pk}

    response = assign(team.carol, case, **body)

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, code)]
    assert Case.objects.get(pk=case.pk).assigned_to_id == team.bob.pk
    assert not HistoryEntry.objects.filter(case=case, action="assign").exists()


@pytest.mark.django_db
def test_with_nobody_else_on_duty_an_automatic_reassignment_is_refused(alice, bob, carol):
    case = make_case(alice)
    case_transition(case_id=str(case.pk), actor=carol, action="verify",
                    data={"note": NOTE, "assignee": bob.pk})  # fmt: skip

    response = assign(carol, case, auto_assign=True)

    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"]) == ("auto_assign", "nobody_on_duty")
    assert "bertugas" in error["message"]
    assert Case.objects.get(pk=case.pk).assigned_to_id == bob.pk


# --- concurrency ---------------------------------------------------------------------------

OFFICERS, CASES = 4, 24


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_auto_assignments_keep_the_loads_even(alice, carol):
    """Many verifications at once: each counts the others' results (the candidates' rows are
    locked in turn), so nobody gets a second case before everyone has one."""
    officers = [
        make_user(f"officer{i}", role="officer", region="63.71", division="rehsos")
        for i in range(OFFICERS)
    ]
    cases = [make_case(alice) for _ in range(CASES)]

    def verify_one(index: int) -> Case:
        try:
            return case_transition(
                case_id=str(cases[index].pk), actor=carol, action="verify",
                data={"note": NOTE, "auto_assign": True},
            )  # fmt: skip
        finally:
            connection.close()

    results = run_concurrently(CASES, verify_one)

    assert [r for r in results if not isinstance(r, Case)] == []
    loads = Counter(
        Case.objects.filter(state=CaseState.VERIFIED).values_list("assigned_to", flat=True)
    )
    assert set(loads) == {o.pk for o in officers}
    assert max(loads.values()) - min(loads.values()) <= 1
    assert sum(loads.values()) == CASES
    payloads = HistoryEntry.objects.filter(action="verify").values_list("payload", flat=True)
    assert all(p["auto_assigned"] is True for p in payloads)
