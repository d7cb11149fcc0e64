"""Deadline escalation and the beat schedule (WORKFLOW.md "Deadlines (SLA) and escalation",
docs/workflow.md "Escalation").

For each step of a case, once each: at 75% of the step's period a warning (`sla_warning`) to
the assignee, or the division's duty officers if unassigned; at the deadline the breach
(`sla_breached`) to them and the kabupaten/kota's supervisors; one more period later, still in
the step, `sla_escalated` to the provincial supervisors. Each is a history row without an actor.
A new state or a transfer starts a new step; an urgency edit re-times what is still to come;
a closed case is never escalated; a case first swept when already overdue gets the breach, not
a stale warning. Beat runs the relay sweep, this sweep every minute and the digest at 07:00 WITA
(the digest itself: tests/supervision/test_digest.py).

The clock is frozen at WITA instants and moved; the sweep runs as beat runs it (the task), at
each instant of interest and a second before it.
"""

import copy
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from casework.models import Case, User
from notifications.models import OutboxMessage
from tests.concurrency import run_concurrently
from tests.factories import make_case, make_user
from workflows.escalation import escalate_due_cases
from workflows.models import HistoryEntry
from workflows.services import case_transition
from workflows.tasks import escalate_deadlines

pytestmark = pytest.mark.django_db

WITA = ZoneInfo("Asia/Makassar")
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=WITA)
TICK = timedelta(seconds=1)

# WORKFLOW.md's table (the product's numbers, not the code's DEFAULT_SLA).
VERIFY = {
    "emergency": timedelta(minutes=45),
    "high": timedelta(hours=24),
    "normal": timedelta(days=3),
    "low": timedelta(days=7),
}
ASSIST = {
    "emergency": timedelta(hours=24),
    "high": timedelta(days=3),
    "normal": timedelta(days=14),
    "low": timedelta(days=30),
}
SLA_EVENTS = ("sla_warning", "sla_breached", "sla_escalated")


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(alice, vera, bob, tono, carol, dina):
    """The cast, plus Budi (second rehsos officer on duty in Banjarmasin), Sari (supervisor of
    Tanah Bumbu), Odi (rehsos, off duty) and Lina (linjamsos): LUT cases in Banjarmasin go to
    Bob and Budi; Carol supervises them there, Dina at the province."""
    return SimpleNamespace(
        alice=alice, vera=vera, bob=bob, tono=tono, carol=carol, dina=dina,
        budi=make_user("budi", role="officer", region="63.71", division="rehsos"),
        sari=make_user("sari", role="supervisor", region="63.10"),
        odi=make_user("odi", role="officer", region="63.71", division="rehsos", on_duty=False),
        lina=make_user("lina", role="officer", region="63.71", division="linjamsos"),
    )  # fmt: skip


def sweep(clock: time_machine.Traveller, at: datetime) -> int:
    """Beat's task at `at`: how many escalations it sent."""
    clock.move_to(at)
    return escalate_deadlines()


def quiet_until(clock: time_machine.Traveller, at: datetime) -> None:
    """Nothing is due a second before `at`."""
    assert sweep(clock, at - TICK) == 0


def sent(case: Case) -> list[tuple[str, str]]:
    """The SLA messages about the case: (event, recipient), sorted."""
    rows = OutboxMessage.objects.filter(case_id=case.pk, event__in=SLA_EVENTS)
    return sorted(rows.values_list("event", "recipient__username"))


def sla_history(case: Case) -> list[tuple]:
    """(action, from, to, actor, at, step, due_at) of the case's SLA history rows, in order."""
    rows = HistoryEntry.objects.filter(case=case, action__in=SLA_EVENTS).order_by("at", "id")
    return [
        (r.action, r.from_state, r.to_state, r.actor_id, r.at, r.payload["step"],
         datetime.fromisoformat(r.payload["due_at"]))
        for r in rows
    ]  # fmt: skip


def act(actor: User, case: Case, action: str, **data: object) -> None:
    case_transition(case_id=str(case.pk), actor=actor, action=action, data=data)


def api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def reload(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


# --- the three levels of a step ------------------------------------------------------------


@pytest.mark.parametrize("urgency", list(VERIFY))
def test_the_verify_step_warns_breaches_and_escalates_each_once(urgency, clock, people):
    period = VERIFY[urgency]
    case = make_case(people.alice, urgency=urgency)
    warn, due, province = T0 + period * 0.75, T0 + period, T0 + period * 2

    quiet_until(clock, warn)
    assert sweep(clock, warn) == 1
    assert sweep(clock, warn) == 0  # the same instant again
    assert sent(case) == [("sla_warning", "bob"), ("sla_warning", "budi")]

    quiet_until(clock, due)
    assert sweep(clock, due) == 1
    assert sweep(clock, due + TICK) == 0
    breached = [(e, u) for e, u in sent(case) if e == "sla_breached"]
    assert breached == [
        ("sla_breached", "bob"),
        ("sla_breached", "budi"),
        ("sla_breached", "carol"),
    ]

    quiet_until(clock, province)
    assert sweep(clock, province) == 1
    assert [(e, u) for e, u in sent(case) if e == "sla_escalated"] == [("sla_escalated", "dina")]

    assert sweep(clock, province + period * 10) == 0  # nothing more, ever, for this step
    assert len(sent(case)) == 6
    assert sla_history(case) == [
        ("sla_warning", "reported", "reported", None, warn, "verify", due),
        ("sla_breached", "reported", "reported", None, due, "verify", due),
        ("sla_escalated", "reported", "reported", None, province, "verify", due),
    ]
    assert reload(case).escalate_at is None


def test_a_sweep_every_minute_sends_each_level_once(clock, people):
    case = make_case(people.alice, urgency="emergency")  # 45 minutes

    total = sum(sweep(clock, T0 + timedelta(minutes=m)) for m in range(0, 181))

    assert total == 3
    assert [row[0] for row in sla_history(case)] == list(SLA_EVENTS)
    assert OutboxMessage.objects.filter(case_id=case.pk, event__in=SLA_EVENTS).count() == 6


def test_an_assigned_case_warns_its_assignee_only(clock, people):
    case = make_case(people.alice, urgency="high")
    act(people.carol, case, "verify", note="Benar.", assignee=people.budi.pk)
    period = ASSIST["high"]

    sweep(clock, T0 + period * 0.75)
    assert sent(case) == [("sla_warning", "budi")]
    sweep(clock, T0 + period)
    assert sent(case)[:2] == [("sla_breached", "budi"), ("sla_breached", "carol")]
    sweep(clock, T0 + period * 2)
    assert ("sla_escalated", "dina") in sent(case)
    assert [row[5] for row in sla_history(case)] == ["assist"] * 3
    assert not OutboxMessage.objects.filter(
        recipient__username__in=["bob", "odi", "lina", "tono", "sari"], event__in=SLA_EVENTS
    ).exists()


@pytest.mark.parametrize("change", [{"is_active": False}, {"region_id": "63.10"}])
def test_an_assignee_who_left_is_replaced_by_the_duty_officers(change, clock, people):
    """Deactivated, or moved to Tanah Bumbu (the case is out of their sight): a warning to
    them would be read by nobody."""
    case = make_case(people.alice, urgency="high")
    act(people.carol, case, "verify", note="Benar.", assignee=people.budi.pk)
    User.objects.filter(pk=people.budi.pk).update(**change)

    sweep(clock, T0 + ASSIST["high"] * 0.75)

    assert sent(case) == [("sla_warning", "bob")]


def test_escalations_are_in_the_case_history_through_the_api(clock, people):
    case = make_case(people.alice, urgency="emergency")
    sweep(clock, T0 + timedelta(hours=3))

    response = api(people.carol).get(f"/api/v1/cases/{case.pk}/history/")

    assert response.status_code == 200
    rows = [r for r in response.json() if r["action"].startswith("sla_")]
    assert [(r["action"], r["actor"], r["from_state"], r["to_state"]) for r in rows] == [
        ("sla_breached", None, "reported", "reported"),
        ("sla_escalated", None, "reported", "reported"),
    ]
    # The reporter sees the history of her case too (no 500 on an entry without an actor).
    assert api(people.alice).get(f"/api/v1/cases/{case.pk}/history/").status_code == 200


# --- a case that moved on ------------------------------------------------------------------


def test_a_case_verified_before_its_warning_runs_the_new_steps_clock(clock, people):
    case = make_case(people.alice, urgency="normal")
    verified_at = T0 + timedelta(days=1)
    clock.move_to(verified_at)
    act(people.bob, case, "verify", note="Benar.")  # Bob keeps it

    for old in (T0 + VERIFY["normal"] * 0.75, T0 + VERIFY["normal"], T0 + VERIFY["normal"] * 2):
        assert sweep(clock, old) == 0
    warn = verified_at + ASSIST["normal"] * 0.75
    quiet_until(clock, warn)
    assert sweep(clock, warn) == 1

    assert sent(case) == [("sla_warning", "bob")]
    assert sla_history(case) == [
        ("sla_warning", "verified", "verified", None, warn, "assist",
         verified_at + ASSIST["normal"]),
    ]  # fmt: skip


def test_a_new_state_after_a_warning_starts_with_nothing_sent(clock, people):
    case = make_case(people.alice, urgency="emergency")
    assert sweep(clock, T0 + timedelta(minutes=34)) == 1  # the verify step's warning
    returned_at = T0 + timedelta(minutes=40)
    clock.move_to(returned_at)
    act(people.bob, case, "return", reason="Alamat kurang jelas.")

    assert sweep(clock, T0 + VERIFY["emergency"]) == 0  # the old deadline means nothing now
    warn = returned_at + VERIFY["emergency"] * 0.75
    quiet_until(clock, warn)
    assert sweep(clock, warn) == 1
    assert [(r[0], r[1]) for r in sla_history(case)] == [
        ("sla_warning", "reported"),
        ("sla_warning", "returned"),
    ]


@pytest.mark.parametrize("when", ["before the warning", "after the breach"])
def test_a_closed_case_is_never_escalated(when, clock, people):
    case = make_case(people.alice, urgency="emergency")
    if when == "after the breach":
        assert sweep(clock, T0 + timedelta(minutes=50)) == 1  # the breach (no late warning)
    clock.move_to(T0 + timedelta(minutes=55))
    act(people.bob, case, "reject", outcome="rejected", reason="Bukan PPKS.")
    before = sent(case)

    for later in (timedelta(minutes=90), timedelta(days=1), timedelta(days=400)):
        assert sweep(clock, T0 + later) == 0
    assert sent(case) == before
    assert reload(case).escalate_at is None


def test_a_case_first_swept_when_overdue_gets_the_breach_not_a_stale_warning(clock, people):
    """The sweep was down past the deadline (not past the provincial escalation)."""
    case = make_case(people.alice, urgency="normal")

    assert sweep(clock, T0 + VERIFY["normal"] + timedelta(hours=5)) == 1

    assert {e for e, _u in sent(case)} == {"sla_breached"}
    assert sweep(clock, T0 + VERIFY["normal"] * 2) == 1
    assert [row[0] for row in sla_history(case)] == ["sla_breached", "sla_escalated"]


def test_a_case_first_swept_after_both_deadlines_gets_both_escalations(clock, people):
    case = make_case(people.alice, urgency="normal")

    assert sweep(clock, T0 + timedelta(days=30)) == 2

    assert [row[0] for row in sla_history(case)] == ["sla_breached", "sla_escalated"]
    assert ("sla_escalated", "dina") in sent(case)


def test_a_shorter_urgency_re_times_the_pending_escalations(clock, people):
    case = make_case(people.alice, urgency="normal")
    assert sweep(clock, T0 + timedelta(minutes=50)) == 0
    clock.move_to(T0 + timedelta(hours=1))

    response = api(people.bob).patch(f"/api/v1/cases/{case.pk}/", {"urgency": "emergency"},
                                     format="json")  # fmt: skip

    assert response.status_code == 200, response.json()
    assert reload(case).due_at == T0 + VERIFY["emergency"]  # already past
    assert sweep(clock, T0 + timedelta(hours=1)) == 1  # the breach now, no late warning
    assert {e for e, _u in sent(case)} == {"sla_breached"}
    quiet_until(clock, T0 + VERIFY["emergency"] * 2)
    assert sweep(clock, T0 + VERIFY["emergency"] * 2) == 1


def test_a_longer_urgency_after_the_warning_moves_the_breach_and_warns_no_more(clock, people):
    case = make_case(people.alice, urgency="emergency")
    assert sweep(clock, T0 + timedelta(minutes=34)) == 1
    clock.move_to(T0 + timedelta(minutes=40))
    response = api(people.carol).patch(f"/api/v1/cases/{case.pk}/", {"urgency": "high"},
                                       format="json")  # fmt: skip
    assert response.status_code == 200, response.json()

    assert sweep(clock, T0 + VERIFY["emergency"]) == 0  # the old deadline
    assert sweep(clock, T0 + VERIFY["high"] * 0.75) == 0  # warned already in this step
    quiet_until(clock, T0 + VERIFY["high"])
    assert sweep(clock, T0 + VERIFY["high"]) == 1
    assert [(row[0], row[6]) for row in sla_history(case)] == [
        ("sla_warning", T0 + VERIFY["emergency"]),
        ("sla_breached", T0 + VERIFY["high"]),
    ]


def test_a_transfer_starts_a_new_step_with_the_new_dinsos(clock, people):
    case = make_case(people.alice, urgency="normal")
    act(people.bob, case, "verify", note="Benar.")  # Bob's, the assist clock from T0
    period = ASSIST["normal"]
    assert sweep(clock, T0 + period * 0.75) == 1  # to Bob
    moved_at = T0 + timedelta(days=11)
    clock.move_to(moved_at)
    act(people.bob, case, "transfer", region="63.10.01", reason="Pindah ke Batulicin.")

    assert sweep(clock, T0 + period) == 0  # the old step's deadline
    sweep(clock, moved_at + period * 0.75)
    sweep(clock, moved_at + period)
    sweep(clock, moved_at + period * 2)

    assert sent(case) == [
        ("sla_breached", "sari"),
        ("sla_breached", "tono"),
        ("sla_escalated", "dina"),
        ("sla_warning", "bob"),  # the old step's, before the transfer
        ("sla_warning", "tono"),  # unassigned now: Tanah Bumbu's duty officer
    ]
    assert [(row[0], row[4]) for row in sla_history(case)] == [
        ("sla_warning", T0 + period * 0.75),
        ("sla_warning", moved_at + period * 0.75),
        ("sla_breached", moved_at + period),
        ("sla_escalated", moved_at + period * 2),
    ]


def test_nobody_on_duty_sends_the_warning_to_the_regency_supervisors(clock, people):
    User.objects.filter(division="rehsos").update(on_duty=False)
    case = make_case(people.alice, urgency="emergency")

    sweep(clock, T0 + timedelta(minutes=34))
    sweep(clock, T0 + timedelta(minutes=45))

    assert sent(case) == [("sla_breached", "carol"), ("sla_warning", "carol")]  # once each


def test_a_regency_without_supervisors_has_its_breach_overseen_by_the_province(clock, people):
    """Kota Banjarbaru has an officer on duty and no supervisor of its own."""
    make_user("bbr", role="officer", region="63.72", division="rehsos")
    case = make_case(people.alice, region="63.72.02", urgency="emergency", location=None)

    sweep(clock, T0 + timedelta(minutes=34))
    sweep(clock, T0 + timedelta(minutes=45))
    sweep(clock, T0 + timedelta(minutes=90))

    assert sent(case) == [
        ("sla_breached", "bbr"),
        ("sla_breached", "dina"),
        ("sla_escalated", "dina"),
        ("sla_warning", "bbr"),
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_overlapping_sweeps_send_each_escalation_once(alice, bob, carol, dina):
    with time_machine.travel(T0, tick=False):
        cases = [make_case(alice, urgency="emergency") for _ in range(12)]
    now = T0 + timedelta(minutes=50)  # every case: the breach

    def one_sweep(index: int) -> int:
        try:
            return escalate_due_cases(now=now)
        finally:
            connection.close()

    results = run_concurrently(6, one_sweep)

    assert sum(results) == len(cases), results
    for case in cases:
        assert HistoryEntry.objects.filter(case=case, action="sla_breached").count() == 1
        assert sorted(
            OutboxMessage.objects.filter(case_id=case.pk).exclude(event="case_reported")
            .values_list("event", "recipient__username")
        ) == [("sla_breached", "bob"), ("sla_breached", "carol")]  # fmt: skip


# --- the beat schedule ---------------------------------------------------------------------


def test_beat_runs_the_relay_the_sweep_and_the_digest() -> None:
    from config.celery import app

    schedule = app.conf.beat_schedule
    assert schedule["relay-outbox"]["task"] == "notifications.relay_outbox"
    assert schedule["relay-outbox"]["schedule"] == timedelta(seconds=settings.NOTIFY_SWEEP_SECONDS)
    assert schedule["escalate-deadlines"]["task"] == "workflows.escalate_deadlines"
    assert schedule["escalate-deadlines"]["schedule"] == timedelta(minutes=1)
    assert schedule["daily-digest"]["task"] == "workflows.send_daily_digest"
    assert schedule["fold-day-tallies"]["task"] == "workflows.fold_day_tallies"
    assert app.conf.timezone == "Asia/Makassar"
    app.loader.import_default_modules()
    for entry in ("relay-outbox", "escalate-deadlines", "daily-digest", "fold-day-tallies"):
        assert schedule[entry]["task"] in app.tasks


def test_the_digest_is_due_at_seven_wita() -> None:
    from config.celery import app

    digest = copy.copy(app.conf.beat_schedule["daily-digest"]["schedule"])
    assert isinstance(digest, crontab)
    digest.app = app
    yesterday = datetime(2026, 11, 20, 7, 0, tzinfo=WITA)
    # 06:59 WITA is 22:59 UTC: long after 07:00 UTC, so a UTC crontab would be due already.
    with time_machine.travel(datetime(2026, 11, 21, 6, 59, tzinfo=WITA), tick=False):
        assert digest.is_due(yesterday).is_due is False
    with time_machine.travel(datetime(2026, 11, 21, 7, 0, 1, tzinfo=WITA), tick=False):
        assert digest.is_due(yesterday).is_due is True
