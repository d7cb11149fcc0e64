"""The workflow actions through the API: what each one writes, and what each refusal does not.

For every action of WORKFLOW.md (verify, return, resubmit, reject, assist, close, reopen, assign,
transfer): the success (state, fields, deadline of the new step, available transitions, one
history row, outbox rows), then the refusals in the documented order — 404 out of reach, 400 body
shape, 409 wrong state, 403 not permitted, 400 data references — each of which writes nothing.

Cases are filed through `workflows.services.case_report` (history row and deadline included) and
moved with the API actions themselves. Success tests freeze the clock so deadlines are exact.
"""

import uuid
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Max
from django.utils import timezone
from rest_framework.test import APIClient

from casework.models import AccessLog, Assistance, Case, Subject, User
from notifications.models import OutboxMessage
from tests.concurrency import run_concurrently
from tests.factories import make_case, make_user
from workflows.models import HistoryEntry

pytestmark = pytest.mark.django_db

WITA = ZoneInfo("Asia/Makassar")
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=WITA)  # when the test cases are reported

# WORKFLOW.md's default policy, per urgency: verify / first assistance / close within.
VERIFY_NORMAL, ASSIST_NORMAL, CLOSE_NORMAL = (
    timedelta(days=3),
    timedelta(days=14),
    timedelta(days=60),
)
VERIFY_EMERGENCY = timedelta(minutes=45)
ASSIST_HIGH = timedelta(days=3)

NIK, PHONE = "6371045505480001", "+6281234567890"
NIK_MASKED, PHONE_MASKED = "6371**********01", "+62********890"

ACTIONS = [
    "verify",
    "return",
    "resubmit",
    "reject",
    "assist",
    "close",
    "reopen",
    "assign",
    "transfer",
]
# The state from which each action is allowed (for tests of the refusals that come after it).
FROM_STATE = {
    "verify": "reported",
    "return": "reported",
    "resubmit": "returned",
    "reject": "reported",
    "assist": "verified",
    "close": "assisted",
    "reopen": "closed",
    "assign": "verified",
    "transfer": "verified",
}


# --- people, cases, requests ---------------------------------------------------------------


@pytest.fixture
def people(alice, vera, bob, tono, carol, dina, adam):
    """The conftest cast plus a second Banjarmasin officer, an inactive one, Tanbu's supervisor.

    Duty officers (rehsos, the division of LUT): Bob and Budi in 63.71, Tono in 63.10.
    """
    return SimpleNamespace(
        alice=alice,
        vera=vera,
        bob=bob,
        tono=tono,
        carol=carol,
        dina=dina,
        adam=adam,
        budi=make_user("budi", role="officer", region="63.71", division="rehsos"),
        ika=make_user("ika", role="officer", region="63.71", division="rehsos", is_active=False),
        sari=make_user("sari", role="supervisor", region="63.10"),
    )


@pytest.fixture
def clock():
    """A frozen clock at T0; `clock.shift(timedelta)` moves it."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def report_case(
    reporter: User,
    *,
    region: str = "63.71.04.1003",
    category: str = "LUT",
    urgency: str = "normal",
    name: str = "Nenek Aminah",
    description: str = "Lansia tinggal sendiri, tidak ada yang merawat.",
) -> Case:
    return make_case(
        reporter, region=region, category=category, urgency=urgency, name=name,
        description=description, nik=NIK, phone=PHONE, birth_date=None,
    )  # fmt: skip


def client(user: User) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def act(user: User, case: Case, action: str, body: dict | None = None):
    return client(user).post(f"/api/v1/cases/{case.pk}/{action}/", body or {}, format="json")


def get_case(user: User, case: Case):
    return client(user).get(f"/api/v1/cases/{case.pk}/")


def history_via_api(user: User, case: Case) -> list[dict]:
    response = client(user).get(f"/api/v1/cases/{case.pk}/history/")
    assert response.status_code == 200
    return response.json()


def reload(case: Case) -> Case:
    # Not refresh_from_db(): the protected FSM field is skipped by it and would stay stale.
    return Case.objects.get(pk=case.pk)


def valid_body(action: str, p: SimpleNamespace) -> dict:
    return {
        "verify": {"note": "Kunjungan lapangan: lansia tinggal sendiri, perlu sembako."},
        "return": {"reason": "Alamat belum lengkap: RT/RW tidak disebut."},
        "resubmit": {"note": "Alamat sudah dilengkapi."},
        "reject": {"outcome": "rejected", "reason": "Bukan PPKS: keluarga merawat."},
        "assist": {
            "kind": "basic_needs",
            "description": "Paket sembako dan popok dewasa.",
            "delivered_at": timezone.localdate().isoformat(),
            "provider": "Dinsos Kota Banjarmasin",
        },
        "close": {"outcome": "resolved", "summary": "Sudah dirawat keluarga, bantuan rutin."},
        "reopen": {"reason": "Kondisi kembali memburuk."},
        "assign": {"assignee": p.budi.pk, "note": "Budi menangani wilayah ini."},
        "transfer": {"region": "63.10.01", "reason": "Ternyata tinggal di Batu Licin."},
    }[action]


ROUTES = {
    "reported": [],
    "returned": ["return"],
    "verified": ["verify"],
    "assisted": ["verify", "assist"],
    "closed": ["verify", "assist", "close"],
}


def advance(case: Case, state: str, p: SimpleNamespace) -> Case:
    """Move a case to `state` through the API, as Bob (who verifies it to himself)."""
    for action in ROUTES[state]:
        response = act(p.bob, case, action, valid_body(action, p))
        assert response.status_code == 200, response.json()
    case = reload(case)
    assert case.state == state
    return case


def case_in(state: str, p: SimpleNamespace, **kw) -> Case:
    return advance(report_case(p.alice, **kw), state, p)


def sla_record(step: str, due: datetime, *, on_time: bool = True) -> dict:
    """What a step-completing transition records of its deadline (the dashboard counts it)."""
    return {"step": step, "due_at": iso(due), "on_time": on_time}  # in WITA, like every time


def iso(value: datetime) -> str:
    return timezone.localtime(value).isoformat()


def user_ref(user: User) -> dict:
    return {"id": user.pk, "username": user.username, "full_name": user.full_name}


class Effects:
    """Rows a request adds: history and outbox rows that did not exist when it was made."""

    def __init__(self) -> None:
        self.history_ids = set(HistoryEntry.objects.values_list("pk", flat=True))
        self.outbox_ids = set(OutboxMessage.objects.values_list("pk", flat=True))

    def history(self) -> list[HistoryEntry]:
        rows = HistoryEntry.objects.exclude(pk__in=self.history_ids).select_related("actor")
        return list(rows.order_by("at", "id"))

    def only_history(self) -> dict:
        rows = self.history()
        assert len(rows) == 1, [(r.action, r.case_id) for r in rows]
        row = rows[0]
        return {
            "case": row.case_id,
            "action": row.action,
            "from_state": row.from_state,
            "to_state": row.to_state,
            "actor": row.actor.username,
            "at": row.at,
            "reason": row.reason,
            "payload": row.payload,
        }

    def outbox(self) -> list[tuple[str, str, uuid.UUID, str]]:
        rows = OutboxMessage.objects.exclude(pk__in=self.outbox_ids).select_related("recipient")
        return sorted((m.event, m.recipient.username, m.case_id, m.case_reference) for m in rows)


def everything() -> dict:
    """Every row an action could write, to show that a refusal wrote none of them."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Case, Subject, HistoryEntry, OutboxMessage, Assistance, AccessLog, User)
    }


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"code", "message"}
    assert body["code"] == code
    assert body["message"]


def field_errors(response) -> set[tuple[str, str]]:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    return {(e["field"], e["code"]) for e in body["errors"]}


def assert_last_in_history_api(user: User, case: Case, history: dict, actor: User) -> None:
    assert history_via_api(user, case)[-1] == {
        "action": history["action"],
        "from_state": history["from_state"],
        "to_state": history["to_state"],
        "actor": {"id": actor.pk, "username": actor.username},
        "at": iso(history["at"]),
        "reason": history["reason"],
        "payload": history["payload"],
    }


# --- verify --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor_name", "assignee_name", "notified"),
    [
        # Bob verifies to himself (the default): he is not told he was assigned.
        ("bob", None, [("case_verified", "alice")]),
        ("bob", "bob", [("case_verified", "alice")]),
        ("bob", "budi", [("case_assigned", "budi"), ("case_verified", "alice")]),
        ("carol", "bob", [("case_assigned", "bob"), ("case_verified", "alice")]),
        ("carol", None, [("case_verified", "alice")]),
        ("dina", "budi", [("case_assigned", "budi"), ("case_verified", "alice")]),
    ],
)
def test_verify_assigns_starts_the_assistance_clock_records_and_notifies(
    people, clock, actor_name, assignee_name, notified
):
    actor = getattr(people, actor_name)
    assignee = getattr(people, assignee_name or actor_name)
    case = report_case(people.alice)
    clock.shift(timedelta(hours=2))
    t1 = timezone.now()
    effects = Effects()
    body = valid_body("verify", people)
    if assignee_name:
        body["assignee"] = assignee.pk
    due = reload(case).due_at

    response = act(actor, case, "verify", body)

    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["state"] == "verified"
    assert data["assigned_to"] == user_ref(assignee)
    assert data["due_at"] == iso(t1 + ASSIST_NORMAL)
    assert data["outcome"] == ""
    expected_actions = ["assign", "assist", "transfer"]
    if actor.role == "officer" and assignee != actor:
        expected_actions = ["assign", "transfer"]  # only the assignee (or a supervisor) assists
    assert data["available_transitions"] == expected_actions
    case = reload(case)
    assert (case.state, case.assigned_to_id) == ("verified", assignee.pk)
    assert (case.state_changed_at, case.due_at) == (t1, t1 + ASSIST_NORMAL)
    history = effects.only_history()
    assert history == {
        "case": case.pk,
        "action": "verify",
        "from_state": "reported",
        "to_state": "verified",
        "actor": actor.username,
        "at": t1,
        "reason": body["note"],
        "payload": {"assignee": assignee.pk, "sla": sla_record("verify", due)},
    }
    assert_last_in_history_api(actor, case, history, actor)
    assert effects.outbox() == [(e, who, case.pk, case.reference) for e, who in notified]


def test_an_officer_verifying_his_own_report_is_not_notified(people):
    case = report_case(people.bob)  # filed on behalf of a caller
    effects = Effects()
    response = act(people.bob, case, "verify", valid_body("verify", people))
    assert response.status_code == 200
    assert effects.outbox() == []
    assert effects.only_history()["actor"] == "bob"


# --- return --------------------------------------------------------------------------------


def test_return_sends_the_case_back_to_the_reporter_with_the_verification_clock(people, clock):
    case = report_case(people.alice)
    clock.shift(timedelta(hours=5))
    t1 = timezone.now()
    effects = Effects()

    response = act(people.bob, case, "return", valid_body("return", people))

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["state"], data["assigned_to"], data["outcome"]) == ("returned", None, "")
    assert data["due_at"] == iso(t1 + VERIFY_NORMAL)  # the reporter answers within that period
    assert data["available_transitions"] == ["reject", "resubmit", "transfer"]
    assert get_case(people.alice, case).json()["available_transitions"] == ["resubmit"]
    case = reload(case)
    assert (case.state_changed_at, case.due_at) == (t1, t1 + VERIFY_NORMAL)
    history = effects.only_history()
    assert history == {
        "case": case.pk,
        "action": "return",
        "from_state": "reported",
        "to_state": "returned",
        "actor": "bob",
        "at": t1,
        "reason": "Alamat belum lengkap: RT/RW tidak disebut.",
        "payload": {},
    }
    assert_last_in_history_api(people.alice, case, history, people.bob)
    assert effects.outbox() == [("case_returned", "alice", case.pk, case.reference)]


# --- resubmit ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor_name", "notified"),
    [
        ("alice", ["bob", "budi"]),  # the duty officers of the Dinsos
        ("bob", ["budi"]),  # an officer resubmitting on the reporter's behalf is not told
    ],
)
def test_resubmit_puts_the_case_back_in_the_queue_and_tells_the_duty_officers(
    people, clock, actor_name, notified
):
    actor = getattr(people, actor_name)
    case = case_in("returned", people)
    clock.shift(timedelta(days=1))
    t2 = timezone.now()
    effects = Effects()

    response = act(actor, case, "resubmit", {"note": "Alamat sudah dilengkapi."})

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["state"], data["assigned_to"]) == ("reported", None)
    assert data["due_at"] == iso(t2 + VERIFY_NORMAL)
    expected = [] if actor_name == "alice" else ["reject", "return", "transfer", "verify"]
    assert data["available_transitions"] == expected
    case = reload(case)
    assert (case.state_changed_at, case.due_at) == (t2, t2 + VERIFY_NORMAL)
    history = effects.only_history()
    assert history == {
        "case": case.pk,
        "action": "resubmit",
        "from_state": "returned",
        "to_state": "reported",
        "actor": actor_name,
        "at": t2,
        "reason": "Alamat sudah dilengkapi.",
        "payload": {"fields": []},
    }
    assert_last_in_history_api(actor, case, history, actor)
    assert effects.outbox() == [("case_resubmitted", u, case.pk, case.reference) for u in notified]


def test_resubmit_with_changes_applies_them_and_times_verification_by_the_new_urgency(
    people, clock
):
    case = case_in("returned", people)
    clock.shift(timedelta(hours=3))
    t2 = timezone.now()
    effects = Effects()
    body = {
        "note": "Deskripsi diperbaiki; keadaan darurat.",
        "changes": {
            "description": "Lansia sakit keras, sendirian, tidak makan dua hari.",
            "urgency": "emergency",
        },
    }

    response = act(people.alice, case, "resubmit", body)

    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["state"] == "reported"
    assert data["description"] == "Lansia sakit keras, sendirian, tidak makan dua hari."
    assert data["urgency"] == "emergency"
    assert data["due_at"] == iso(t2 + VERIFY_EMERGENCY)
    case = reload(case)
    assert (case.urgency, case.description) == ("emergency", body["changes"]["description"])
    assert case.due_at == t2 + VERIFY_EMERGENCY
    # One history row for the whole action: it names the changed fields, never their values.
    history = effects.only_history()
    assert (history["action"], history["payload"]) == (
        "resubmit",
        {"fields": ["description", "urgency"]},
    )


def test_resubmit_answers_with_the_corrected_subject(people):
    case = case_in("returned", people)
    body = {"changes": {"subject": {"phone": "0813 1111 2222", "name": "Aminah binti Usman"}}}
    response = act(people.alice, case, "resubmit", body)
    assert response.status_code == 200, response.json()
    subject = response.json()["subject"]
    assert (subject["name"], subject["phone"], subject["nik"]) == (
        "Aminah binti Usman",
        "+6281311112222",
        NIK,
    )
    assert Subject.objects.get(cases=case.pk).phone == "+6281311112222"


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"region": "63.10.01"}, ("changes.region", "region_outside_regency")),
        ({"category": "PD"}, ("changes.category", "not_editable")),
    ],
)
def test_resubmit_changes_refused_by_the_service_name_the_path_in_the_body(people, changes, error):
    case = case_in("returned", people)
    before = everything()
    response = act(people.alice, case, "resubmit", {"changes": changes})
    assert everything() == before
    assert field_errors(response) == {error}


def test_resubmit_changes_refused_by_the_service_write_nothing(people):
    case = case_in("returned", people)
    before = everything()
    response = act(people.alice, case, "resubmit", {"changes": {"region": "63.10.01"}})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "region_outside_regency"
    assert everything() == before


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"state": "closed"}, ("changes.state", "read_only")),
        ({"urgency": "sangat"}, ("changes.urgency", "invalid_choice")),
        ({"subject": {"nik": "123"}}, ("changes.subject.nik", "nik_length")),
        ({"warna": "merah"}, ("changes.warna", "unknown_field")),
    ],
)
def test_resubmit_changes_of_a_bad_shape_are_400_naming_the_path(people, changes, error):
    case = case_in("returned", people)
    before = everything()
    response = act(people.alice, case, "resubmit", {"changes": changes})
    assert field_errors(response) == {error}
    assert everything() == before


# --- reject --------------------------------------------------------------------------------


@pytest.mark.parametrize("from_state", ["reported", "returned"])
@pytest.mark.parametrize("outcome", ["rejected", "duplicate"])
def test_reject_closes_with_the_outcome_and_tells_the_reporter(people, clock, from_state, outcome):
    original = report_case(people.vera, region="63.71.01")  # an earlier report of the same person
    case = case_in(from_state, people)
    clock.shift(timedelta(hours=1))
    t1 = timezone.now()
    effects = Effects()
    body = {"outcome": outcome, "reason": "Sudah dilaporkan sebelumnya."}
    if outcome == "duplicate":
        body["duplicate_of"] = str(original.pk)
    due = reload(case).due_at

    response = act(people.bob, case, "reject", body)

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["state"], data["outcome"], data["due_at"]) == ("closed", outcome, None)
    assert data["overdue"] is False
    assert data["available_transitions"] == []
    assert get_case(people.carol, case).json()["available_transitions"] == ["reopen"]
    case = reload(case)
    duplicate_of = original.pk if outcome == "duplicate" else None
    assert (case.state, case.outcome, case.duplicate_of_id) == ("closed", outcome, duplicate_of)
    assert (case.state_changed_at, case.due_at, case.referred_to) == (t1, None, "")
    history = effects.only_history()
    assert history == {
        "case": case.pk,
        "action": "reject",
        "from_state": from_state,
        "to_state": "closed",
        "actor": "bob",
        "at": t1,
        "reason": "Sudah dilaporkan sebelumnya.",
        "payload": {
            "outcome": outcome,
            "duplicate_of": str(original.pk) if outcome == "duplicate" else None,
            "sla": sla_record("verify", due),
        },
    }
    assert_last_in_history_api(people.bob, case, history, people.bob)
    assert effects.outbox() == [("case_closed", "alice", case.pk, case.reference)]
    assert reload(original).state == "reported"  # the original is untouched


# --- assist --------------------------------------------------------------------------------


@pytest.mark.parametrize("actor_name", ["bob", "carol"])  # the assignee, or a supervisor
def test_assist_records_the_assistance_and_starts_the_closing_clock(people, clock, actor_name):
    actor = getattr(people, actor_name)
    case = case_in("verified", people)
    clock.shift(timedelta(days=2))
    t2 = timezone.now()
    effects = Effects()
    body = {
        "kind": "health",
        "description": "Didaftarkan BPJS-KIS dan diantar ke puskesmas.",
        "delivered_at": (t2 - timedelta(days=1)).date().isoformat(),
        "provider": "Puskesmas Sungai Andai",
    }
    due = reload(case).due_at

    response = act(actor, case, "assist", body)

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["state"], data["assigned_to"]) == ("assisted", user_ref(people.bob))
    assert data["due_at"] == iso(t2 + CLOSE_NORMAL)
    assert data["available_transitions"] == ["assign", "close"]
    case = reload(case)
    assert (case.state_changed_at, case.due_at) == (t2, t2 + CLOSE_NORMAL)
    assert list(
        Assistance.objects.filter(case=case).values(
            "kind", "description", "delivered_at", "provider", "recorded_by"
        )
    ) == [
        {
            "kind": "health",
            "description": body["description"],
            "delivered_at": (t2 - timedelta(days=1)).date(),
            "provider": "Puskesmas Sungai Andai",
            "recorded_by": actor.pk,
        }
    ]
    history = effects.only_history()
    assert history == {
        "case": case.pk,
        "action": "assist",
        "from_state": "verified",
        "to_state": "assisted",
        "actor": actor_name,
        "at": t2,
        "reason": "",  # the description stays on the assistance record
        "payload": {
            "kind": "health",
            "delivered_at": body["delivered_at"],
            "sla": sla_record("assist", due),
        },
    }
    assert_last_in_history_api(actor, case, history, actor)
    assert effects.outbox() == [("case_assisted", "alice", case.pk, case.reference)]


# --- close ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "referred_to"),
    [
        ("resolved", ""),
        ("referred", "UPTD PPA Provinsi Kalimantan Selatan"),
        ("deceased", ""),
        ("unreachable", ""),
    ],
)
def test_close_records_the_outcome_clears_the_deadline_and_tells_the_reporter(
    people, clock, outcome, referred_to
):
    case = case_in("assisted", people)
    clock.shift(timedelta(days=10))
    t3 = timezone.now()
    effects = Effects()
    body = {"outcome": outcome, "summary": "Penanganan selesai."}
    if referred_to:
        body["referred_to"] = referred_to
    due = reload(case).due_at

    response = act(people.bob, case, "close", body)

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["state"], data["outcome"], data["due_at"]) == ("closed", outcome, None)
    assert data["assigned_to"] == user_ref(people.bob)  # kept on record
    assert data["available_transitions"] == []
    assert get_case(people.carol, case).json()["available_transitions"] == ["reopen"]
    case = reload(case)
    assert (case.state, case.outcome, case.referred_to) == ("closed", outcome, referred_to)
    assert (case.state_changed_at, case.due_at) == (t3, None)
    history = effects.only_history()
    assert history == {
        "case": case.pk,
        "action": "close",
        "from_state": "assisted",
        "to_state": "closed",
        "actor": "bob",
        "at": t3,
        "reason": "Penanganan selesai.",
        "payload": {
            "outcome": outcome,
            "referred_to": referred_to,
            "sla": sla_record("close", due),
        },
    }
    assert_last_in_history_api(people.bob, case, history, people.bob)
    assert effects.outbox() == [("case_closed", "alice", case.pk, case.reference)]


# --- reopen --------------------------------------------------------------------------------


@pytest.mark.parametrize("actor_name", ["carol", "dina"])  # regency or provincial supervisor
def test_reopen_returns_the_case_to_its_assignee_with_a_new_assistance_clock(
    people, clock, actor_name
):
    actor = getattr(people, actor_name)
    case = report_case(people.alice)
    body = valid_body("close", people) | {"outcome": "referred", "referred_to": "RSUD Ulin"}
    for action, payload in [("verify", None), ("assist", None), ("close", body)]:
        assert (
            act(people.bob, case, action, payload or valid_body(action, people)).status_code == 200
        )
    clock.shift(timedelta(days=20))
    t4 = timezone.now()
    effects = Effects()

    response = act(actor, case, "reopen", {"reason": "Keluarga tidak sanggup merawat."})

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["state"], data["outcome"]) == ("verified", "")
    assert data["assigned_to"] == user_ref(people.bob)
    assert data["due_at"] == iso(t4 + ASSIST_NORMAL)
    assert data["available_transitions"] == ["assign", "assist", "transfer"]
    case = reload(case)
    assert (case.outcome, case.referred_to, case.duplicate_of_id) == ("", "", None)
    assert (case.state_changed_at, case.due_at) == (t4, t4 + ASSIST_NORMAL)
    history = effects.only_history()
    assert history == {
        "case": case.pk,
        "action": "reopen",
        "from_state": "closed",
        "to_state": "verified",
        "actor": actor_name,
        "at": t4,
        "reason": "Keluarga tidak sanggup merawat.",
        "payload": {},
    }
    assert_last_in_history_api(actor, case, history, actor)
    assert effects.outbox() == [("case_reopened", "bob", case.pk, case.reference)]


def test_a_supervisor_reopening_her_own_assignment_is_not_notified(people):
    case = report_case(people.alice)
    assert act(people.carol, case, "verify", valid_body("verify", people)).status_code == 200
    for action in ("assist", "close"):
        assert act(people.carol, case, action, valid_body(action, people)).status_code == 200
    effects = Effects()
    assert act(people.carol, case, "reopen", valid_body("reopen", people)).status_code == 200
    assert effects.outbox() == []


def test_a_plain_rejection_naming_a_duplicate_target_is_400(people):
    original = report_case(people.vera, region="63.71.01")
    case = report_case(people.alice)
    effects = Effects()
    body = {"outcome": "rejected", "reason": "Bukan PPKS.", "duplicate_of": str(original.pk)}
    response = act(people.bob, case, "reject", body)
    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("duplicate_of", "invalid")
    ]
    assert reload(case).state == "reported"
    assert effects.outbox() == []


def test_a_provincial_supervisor_cannot_be_made_the_assignee(people):
    case = report_case(people.alice)
    response = act(people.bob, case, "verify", {"note": "Dikunjungi.", "assignee": people.dina.pk})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_assignee"
    assert reload(case).state == "reported"


@pytest.mark.parametrize("outcome", ["rejected", "duplicate"])
def test_reopening_a_case_rejected_before_assignment_assigns_the_supervisor(people, outcome):
    original = report_case(people.vera, region="63.71.01")
    case = report_case(people.alice)
    body = {"outcome": outcome, "reason": "Ganda."}
    if outcome == "duplicate":
        body["duplicate_of"] = str(original.pk)
    assert act(people.bob, case, "reject", body).status_code == 200
    effects = Effects()

    response = act(people.carol, case, "reopen", {"reason": "Ternyata bukan laporan ganda."})

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["state"], data["outcome"]) == ("verified", "")
    assert data["assigned_to"] == user_ref(people.carol)
    assert data["available_transitions"] == ["assign", "assist", "transfer"]
    case = reload(case)
    assert (case.assigned_to_id, case.duplicate_of_id, case.outcome) == (people.carol.pk, None, "")
    assert case.due_at == case.state_changed_at + ASSIST_NORMAL
    history = effects.only_history()
    assert (history["action"], history["from_state"], history["to_state"]) == (
        "reopen",
        "closed",
        "verified",
    )
    assert effects.outbox() == []  # the new assignee is the supervisor who reopened it


# --- assign --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "actor_name", "actions_after", "budi_actions"),
    [
        # Bob hands his case to Budi: he may no longer assist it himself.
        ("verified", "bob", ["assign", "transfer"], ["assign", "assist", "transfer"]),
        ("verified", "carol", ["assign", "assist", "transfer"], ["assign", "assist", "transfer"]),
        ("assisted", "bob", ["assign"], ["assign", "close"]),
        ("assisted", "carol", ["assign", "close"], ["assign", "close"]),
    ],
)
def test_assign_changes_the_assignee_and_keeps_the_state_and_its_deadline(
    people, clock, state, actor_name, actions_after, budi_actions
):
    actor = getattr(people, actor_name)
    case = case_in(state, people)
    entered, due = case.state_changed_at, case.due_at
    clock.shift(timedelta(days=1))
    t2 = timezone.now()
    effects = Effects()

    response = act(actor, case, "assign", {"assignee": people.budi.pk, "note": "Beban kerja."})

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["state"], data["assigned_to"]) == (state, user_ref(people.budi))
    assert data["due_at"] == iso(due)  # the step's clock keeps running
    assert data["available_transitions"] == actions_after
    assert get_case(people.budi, case).json()["available_transitions"] == budi_actions
    case = reload(case)
    assert (case.state, case.assigned_to_id) == (state, people.budi.pk)
    assert (case.state_changed_at, case.due_at) == (entered, due)
    history = effects.only_history()
    assert history == {
        "case": case.pk,
        "action": "assign",
        "from_state": state,
        "to_state": state,
        "actor": actor_name,
        "at": t2,
        "reason": "Beban kerja.",
        "payload": {"assignee": people.budi.pk, "previous": people.bob.pk},
    }
    assert_last_in_history_api(actor, case, history, actor)
    assert effects.outbox() == [("case_assigned", "budi", case.pk, case.reference)]


# --- transfer ------------------------------------------------------------------------------


def test_transfer_moves_the_case_to_the_other_dinsos(people, clock):
    case = case_in("verified", people)
    clock.shift(timedelta(hours=6))
    t2 = timezone.now()
    effects = Effects()

    response = act(people.bob, case, "transfer", valid_body("transfer", people))

    # The answer shows the case as Bob may now see it: personal data masked, nothing to do.
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["state"] == "verified"
    assert data["region"] == {"code": "63.10.01", "name": "Batu Licin"}
    assert data["assigned_to"] is None
    assert data["due_at"] == iso(t2 + ASSIST_NORMAL)  # routed again: the clock restarts
    assert data["available_transitions"] == []
    assert (data["subject"]["nik"], data["subject"]["phone"]) == (NIK_MASKED, PHONE_MASKED)
    case = reload(case)
    assert (case.region_id, case.regency_id, case.assigned_to_id) == ("63.10.01", "63.10", None)
    assert (case.state, case.state_changed_at, case.due_at) == ("verified", t2, t2 + ASSIST_NORMAL)
    # The old Dinsos no longer sees it: detail, history and list.
    assert_error(get_case(people.bob, case), 404, "not_found")
    assert_error(client(people.bob).get(f"/api/v1/cases/{case.pk}/history/"), 404, "not_found")
    listed = client(people.bob).get("/api/v1/cases/").json()["results"]
    assert str(case.pk) not in {c["id"] for c in listed}
    assert_error(get_case(people.budi, case), 404, "not_found")
    # The new one does, in full, and must assign it before anyone assists.
    seen = get_case(people.tono, case).json()
    assert (seen["subject"]["nik"], seen["subject"]["phone"]) == (NIK, PHONE)
    assert seen["available_transitions"] == ["assign", "transfer"]
    listed = client(people.tono).get("/api/v1/cases/").json()["results"]
    assert str(case.pk) in {c["id"] for c in listed}
    assert get_case(people.alice, case).status_code == 200  # the reporter still follows it
    history = effects.only_history()
    assert history == {
        "case": case.pk,
        "action": "transfer",
        "from_state": "verified",
        "to_state": "verified",
        "actor": "bob",
        "at": t2,
        "reason": "Ternyata tinggal di Batu Licin.",
        "payload": {"from_region": "63.71.04.1003", "to_region": "63.10.01"},
    }
    assert_last_in_history_api(people.tono, case, history, people.bob)
    # The new Dinsos's duty officers; its supervisor only when it has none.
    assert effects.outbox() == [("case_transferred", "tono", case.pk, case.reference)]


@pytest.mark.parametrize(
    ("state", "period"), [("reported", VERIFY_NORMAL), ("returned", VERIFY_NORMAL)]
)
def test_transfer_before_verification_keeps_the_state_and_restarts_its_clock(
    people, clock, state, period
):
    case = case_in(state, people)
    clock.shift(timedelta(hours=1))
    t1 = timezone.now()
    effects = Effects()
    response = act(people.carol, case, "transfer", {"region": "63.10", "reason": "Salah wilayah."})
    assert response.status_code == 200, response.json()
    assert (response.json()["state"], response.json()["due_at"]) == (state, iso(t1 + period))
    assert response.json()["available_transitions"] == []
    case = reload(case)
    assert (case.region_id, case.regency_id, case.due_at) == ("63.10", "63.10", t1 + period)
    assert effects.only_history()["payload"] == {
        "from_region": "63.71.04.1003",
        "to_region": "63.10",
    }
    assert effects.outbox() == [("case_transferred", "tono", case.pk, case.reference)]


@pytest.mark.parametrize(
    ("staff", "notified"),
    [
        # Banjarbaru: a linjamsos officer (not LUT's division) and a supervisor -> the supervisor.
        ([("ani", "officer", "linjamsos"), ("rudi", "supervisor", "")], ["rudi"]),
        # Nobody at all in Banjarbaru -> the provincial supervisors.
        ([], ["dina"]),
        # An inactive rehsos officer does not count.
        ([("eko", "officer", "rehsos")], ["dina"]),
    ],
)
def test_transfer_notifies_the_new_dinsos_with_the_routing_fallbacks(people, staff, notified):
    for username, role, division in staff:
        make_user(
            username, role=role, region="63.72", division=division, is_active=username != "eko"
        )
    case = report_case(people.alice)
    effects = Effects()
    response = act(people.bob, case, "transfer", {"region": "63.72", "reason": "Salah wilayah."})
    assert response.status_code == 200, response.json()
    assert effects.outbox() == [("case_transferred", u, case.pk, case.reference) for u in notified]


def test_the_masked_answer_to_a_transfer_is_not_logged_as_a_read_of_personal_data(people):
    case = case_in("verified", people)
    logged = AccessLog.objects.count()
    response = act(people.bob, case, "transfer", valid_body("transfer", people))
    assert response.json()["subject"]["nik"] == NIK_MASKED
    assert AccessLog.objects.count() == logged


def test_a_transferred_case_cannot_be_assisted_until_the_new_dinsos_assigns_it(people):
    case = case_in("verified", people)
    assert act(people.bob, case, "transfer", valid_body("transfer", people)).status_code == 200
    before = everything()
    response = act(people.sari, case, "assist", valid_body("assist", people))
    assert_error(response, 409, "transition_conditions_not_met")
    assert everything() == before
    assert act(people.tono, case, "assign", {"assignee": people.tono.pk}).status_code == 200
    assert act(people.tono, case, "assist", valid_body("assist", people)).status_code == 200


# --- PATCH re-times the current step -------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "urgency", "period"),
    [
        ("reported", "emergency", VERIFY_EMERGENCY),
        ("verified", "high", ASSIST_HIGH),
        ("assisted", "low", timedelta(days=90)),
    ],
)
def test_officer_changing_urgency_retimes_the_current_step_and_records_an_edit(
    people, clock, state, urgency, period
):
    case = case_in(state, people)
    entered = case.state_changed_at
    clock.shift(timedelta(hours=4))
    t2 = timezone.now()
    effects = Effects()

    response = client(people.bob).patch(
        f"/api/v1/cases/{case.pk}/", {"urgency": urgency}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["urgency"], response.json()["due_at"]) == (
        urgency,
        iso(entered + period),
    )
    case = reload(case)
    assert (case.state, case.state_changed_at, case.due_at) == (state, entered, entered + period)
    history = effects.only_history()
    assert history == {
        "case": case.pk,
        "action": "edit",
        "from_state": state,
        "to_state": state,
        "actor": "bob",
        "at": t2,
        "reason": "",
        "payload": {"fields": ["urgency"]},
    }
    assert effects.outbox() == []


# --- 409: not from this state --------------------------------------------------------------

WRONG_STATES = [
    (action, state)
    for action, states in {
        "verify": ["returned", "verified", "assisted", "closed"],
        "return": ["returned", "verified", "assisted", "closed"],
        "resubmit": ["reported", "verified", "assisted", "closed"],
        "reject": ["verified", "assisted", "closed"],
        "assist": ["reported", "returned", "assisted", "closed"],
        "close": ["reported", "returned", "verified", "closed"],
        "reopen": ["reported", "returned", "verified", "assisted"],
        "assign": ["reported", "returned", "closed"],
        "transfer": ["assisted", "closed"],
    }.items()
    for state in states
]


@pytest.mark.parametrize(("action", "state"), WRONG_STATES)
def test_an_action_from_the_wrong_state_is_409_and_writes_nothing(people, action, state):
    case = case_in(state, people)
    before = everything()
    # Carol, the supervisor, may do everything: only the state stands in the way.
    response = act(people.carol, case, action, valid_body(action, people))
    assert_error(response, 409, "invalid_transition")
    assert everything() == before
    assert action not in get_case(people.carol, case).json()["available_transitions"]


def test_the_state_is_checked_before_the_data_references(people):
    case = case_in("verified", people)
    before = everything()
    response = act(people.carol, case, "verify", {"note": "Lagi.", "assignee": people.alice.pk})
    assert_error(response, 409, "invalid_transition")
    assert everything() == before


# --- 403: not this user's to do ------------------------------------------------------------

WRONG_ROLES = [
    ("verify", "alice"),  # the reporting volunteer
    ("return", "alice"),
    ("reject", "alice"),
    ("assist", "alice"),
    ("assist", "budi"),  # an officer of the Dinsos who is not the assignee
    ("close", "alice"),
    ("close", "budi"),
    ("reopen", "alice"),
    ("reopen", "bob"),  # only supervisors reopen, not even the assignee
    ("reopen", "budi"),
    ("assign", "alice"),
    ("transfer", "alice"),
]


@pytest.mark.parametrize(("action", "actor_name"), WRONG_ROLES)
def test_a_role_that_may_not_act_gets_403_and_writes_nothing(people, action, actor_name):
    actor = getattr(people, actor_name)
    case = case_in(FROM_STATE[action], people)
    before = everything()
    response = act(actor, case, action, valid_body(action, people))
    assert_error(response, 403, "permission_denied")
    assert everything() == before
    assert action not in get_case(actor, case).json()["available_transitions"]


@pytest.mark.parametrize("action", ["verify", "return", "reject", "transfer"])
def test_an_officer_of_another_regency_who_reported_the_case_may_not_handle_it(people, action):
    case = report_case(people.tono)  # Tono (Tanbu) filed a report found in Banjarmasin
    before = everything()
    response = act(people.tono, case, action, valid_body(action, people))
    assert_error(response, 403, "permission_denied")
    assert everything() == before
    assert get_case(people.tono, case).json()["available_transitions"] == []


def test_the_role_is_checked_before_the_data_references(people):
    case = case_in("verified", people)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    before = everything()
    body = valid_body("assist", people) | {"delivered_at": tomorrow}
    assert_error(act(people.budi, case, "assist", body), 403, "permission_denied")
    assert everything() == before


# --- 404: out of reach ---------------------------------------------------------------------

OUTSIDERS = ["tono", "sari", "vera", "adam"]  # officer/supervisor of Tanbu, other volunteer, admin


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("action", ACTIONS)
def test_a_case_out_of_reach_is_404_and_nothing_is_written(people, action, outsider):
    case = case_in(FROM_STATE[action], people)
    before = everything()
    response = act(getattr(people, outsider), case, action, valid_body(action, people))
    assert_error(response, 404, "not_found")
    assert everything() == before


@pytest.mark.parametrize("action", ACTIONS)
def test_out_of_reach_is_404_even_with_a_bad_body(people, action):
    case = case_in(FROM_STATE[action], people)
    before = everything()
    response = act(people.tono, case, action, {"unknown": 1})
    assert_error(response, 404, "not_found")
    assert everything() == before


@pytest.mark.parametrize("action", ACTIONS)
def test_a_case_that_does_not_exist_is_404(people, action):
    response = client(people.carol).post(
        f"/api/v1/cases/{uuid.uuid4()}/{action}/", valid_body(action, people), format="json"
    )
    assert_error(response, 404, "not_found")


def test_an_unknown_action_is_a_json_404(people):
    case = report_case(people.alice)
    before = everything()
    response = act(people.bob, case, "explode", {"note": "Boom."})
    assert_error(response, 404, "not_found")
    assert everything() == before


def test_an_action_is_post_only(people):
    case = report_case(people.alice)
    response = client(people.bob).get(f"/api/v1/cases/{case.pk}/verify/")
    assert_error(response, 405, "method_not_allowed")
    assert reload(case).state == "reported"


# --- 400: the body's shape (checked before state and role) ---------------------------------

REQUIRED = [
    ("verify", {}, {("note", "required")}),
    ("verify", {"note": "   "}, {("note", "blank")}),
    ("return", {}, {("reason", "required")}),
    ("return", {"reason": ""}, {("reason", "blank")}),
    ("reject", {"outcome": "rejected"}, {("reason", "required")}),
    ("reject", {"reason": "Bukan PPKS."}, {("outcome", "required")}),
    ("reject", {"outcome": "resolved", "reason": "x"}, {("outcome", "invalid_choice")}),
    (
        "assist",
        {},
        {("kind", "required"), ("description", "required"), ("delivered_at", "required")},
    ),
    ("assist", {"kind": "basic_needs", "description": "Sembako."}, {("delivered_at", "required")}),
    (
        "assist",
        {"kind": "sembako", "description": "x", "delivered_at": "2026-11-01"},
        {("kind", "invalid_choice")},
    ),
    (
        "assist",
        {"kind": "other", "description": "x", "delivered_at": "kemarin"},
        {("delivered_at", "invalid")},
    ),
    ("close", {}, {("outcome", "required"), ("summary", "required")}),
    ("close", {"outcome": "resolved"}, {("summary", "required")}),
    ("close", {"outcome": "rejected", "summary": "x"}, {("outcome", "invalid_choice")}),
    ("reopen", {}, {("reason", "required")}),
    ("assign", {}, {("assignee", "required")}),
    ("assign", {"assignee": None}, {("assignee", "required")}),
    ("assign", {"assignee": "budi"}, {("assignee", "invalid")}),
    ("transfer", {"reason": "Pindah."}, {("region", "required")}),
    ("transfer", {"region": "63.10.01"}, {("reason", "required")}),
    ("transfer", {"region": 63.10, "reason": "Pindah."}, {("region", "invalid")}),
    ("resubmit", {"note": "x", "state": "reported"}, {("state", "unknown_field")}),
    ("verify", {"note": "x", "assigned_to": 1}, {("assigned_to", "unknown_field")}),
]


@pytest.mark.parametrize(
    ("action", "body", "errors"),
    REQUIRED,
    ids=[f"{a}-{'+'.join(sorted(f for f, _c in e))}-{i}" for i, (a, _b, e) in enumerate(REQUIRED)],
)
def test_a_missing_or_malformed_field_is_400_naming_it_and_nothing_is_written(
    people, action, body, errors
):
    case = case_in(FROM_STATE[action], people)
    before = everything()
    response = act(people.carol, case, action, body)
    assert field_errors(response) == errors
    assert everything() == before


def test_the_body_shape_is_checked_before_the_role(people):
    case = report_case(people.alice)
    before = everything()
    assert field_errors(act(people.alice, case, "verify", {})) == {("note", "required")}
    assert everything() == before


# --- 400: data references (checked last) ---------------------------------------------------

ASSIGNEES = {
    "volunteer": lambda p: p.alice.pk,
    "officer of another regency": lambda p: p.tono.pk,
    "supervisor of another regency": lambda p: p.sari.pk,
    "inactive officer": lambda p: p.ika.pk,
    "administrator": lambda p: p.adam.pk,
    "nonexistent user": lambda p: User.objects.aggregate(top=Max("pk"))["top"] + 1000,
    "negative id": lambda p: -1,
    "id beyond bigint": lambda p: 2**63,
}


@pytest.mark.parametrize("who", list(ASSIGNEES))
@pytest.mark.parametrize(("action", "actor_name"), [("verify", "bob"), ("assign", "carol")])
def test_an_assignee_who_cannot_handle_the_case_is_400_invalid_assignee(
    people, action, actor_name, who
):
    case = case_in(FROM_STATE[action], people)
    before = everything()
    body = valid_body(action, people) | {"assignee": ASSIGNEES[who](people)}
    response = act(getattr(people, actor_name), case, action, body)
    assert field_errors(response) == {("assignee", "invalid_assignee")}
    assert everything() == before


def test_reject_as_duplicate_needs_the_original(people):
    case = report_case(people.alice)
    before = everything()
    for body in (
        {"outcome": "duplicate", "reason": "Ganda."},
        {"outcome": "duplicate", "reason": "Ganda.", "duplicate_of": None},
    ):
        response = act(people.bob, case, "reject", body)
        assert field_errors(response) == {("duplicate_of", "required")}
    assert everything() == before


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ("out of reach", "does_not_exist"),  # a Tanah Bumbu case Bob cannot see
        ("nonexistent", "does_not_exist"),
        ("itself", "invalid"),
    ],
)
def test_reject_as_duplicate_of_a_case_one_cannot_name_is_400(people, target, code):
    case = report_case(people.alice)
    elsewhere = report_case(people.vera, region="63.10.01")
    duplicate_of = {
        "out of reach": elsewhere.pk,
        "nonexistent": uuid.uuid4(),
        "itself": case.pk,
    }[target]
    before = everything()
    body = {"outcome": "duplicate", "reason": "Ganda.", "duplicate_of": str(duplicate_of)}
    response = act(people.bob, case, "reject", body)
    assert field_errors(response) == {("duplicate_of", code)}
    assert everything() == before


def test_reject_as_duplicate_of_a_case_closed_as_duplicate_of_this_one_is_400(people):
    first = report_case(people.alice)
    second = report_case(people.alice)
    body = {"outcome": "duplicate", "reason": "Ganda.", "duplicate_of": str(second.pk)}
    assert act(people.bob, first, "reject", body).status_code == 200
    before = everything()
    body = {"outcome": "duplicate", "reason": "Ganda.", "duplicate_of": str(first.pk)}
    response = act(people.bob, second, "reject", body)
    assert response.status_code == 400
    assert {field for field, _code in field_errors(response)} == {"duplicate_of"}
    assert everything() == before


@pytest.mark.parametrize("referred_to", [None, "", "   "])
def test_close_as_referred_needs_where_to(people, referred_to):
    case = case_in("assisted", people)
    before = everything()
    body = {"outcome": "referred", "summary": "Dirujuk."}
    if referred_to is not None:
        body["referred_to"] = referred_to
    response = act(people.bob, case, "close", body)
    assert field_errors(response) == {("referred_to", "required")}
    assert everything() == before


def test_assistance_cannot_be_delivered_in_the_future(people):
    case = case_in("verified", people)
    before = everything()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    body = valid_body("assist", people) | {"delivered_at": tomorrow}
    response = act(people.bob, case, "assist", body)
    assert field_errors(response) == {("delivered_at", "future")}
    assert everything() == before


@pytest.mark.parametrize(
    ("region", "code"),
    [
        ("63.71.01", "same_regency"),  # a district of the same kota
        ("63.71", "same_regency"),
        ("63.71.04.1003", "same_regency"),  # where it already is
        ("63.99.99", "unknown_region"),
        ("63", "unknown_region"),  # the province itself: not a place to file a case
        ("64.71", "unknown_region"),  # outside Kalimantan Selatan
        ("", "blank"),
    ],
)
def test_transfer_needs_a_region_in_another_regency(people, region, code):
    case = case_in("verified", people)
    before = everything()
    response = act(people.bob, case, "transfer", {"region": region, "reason": "Pindah."})
    assert field_errors(response) == {("region", code)}
    assert everything() == before


# --- the messages of the refusals ----------------------------------------------------------

REFUSALS = {
    "invalid_transition": ("carol", "verified", "verify", {"note": "Lagi."}),
    "permission_denied": ("alice", "reported", "verify", {"note": "Saya sendiri."}),
    "transition_conditions_not_met": ("sari", "transferred", "assist", None),
    "invalid_assignee": ("bob", "reported", "verify", {"note": "x", "assignee": "alice"}),
    "duplicate_of required": ("bob", "reported", "reject", {"outcome": "duplicate", "reason": "x"}),
    "duplicate_of itself": ("bob", "reported", "reject", "itself"),
    "delivered_at future": ("bob", "verified", "assist", "tomorrow"),
    "referred_to required": ("bob", "assisted", "close", {"outcome": "referred", "summary": "x"}),
    "same_regency": ("bob", "verified", "transfer", {"region": "63.71.01", "reason": "x"}),
    "unknown_region": ("bob", "verified", "transfer", {"region": "63.99", "reason": "x"}),
}


@pytest.mark.parametrize("refusal", list(REFUSALS))
def test_the_refusals_of_an_action_speak_indonesian_by_default(people, refusal):
    actor_name, state, action, body = REFUSALS[refusal]
    if state == "transferred":
        case = case_in("verified", people)
        assert act(people.bob, case, "transfer", valid_body("transfer", people)).status_code == 200
    else:
        case = case_in(state, people)
    if body is None:
        body = valid_body(action, people)
    elif body == "itself":
        body = {"outcome": "duplicate", "reason": "x", "duplicate_of": str(case.pk)}
    elif body == "tomorrow":
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        body = valid_body("assist", people) | {"delivered_at": tomorrow}
    elif body.get("assignee") == "alice":
        body = body | {"assignee": people.alice.pk}
    url = f"/api/v1/cases/{case.pk}/{action}/"
    api = client(getattr(people, actor_name))
    english = api.post(url, body, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    default = api.post(url, body, format="json").json()
    assert default["code"] == english["code"]
    pairs = [(default["message"], english["message"])] + [
        (ours["message"], theirs["message"])
        for ours, theirs in zip(default.get("errors", []), english.get("errors", []), strict=True)
    ]
    assert [english for ours, english in pairs if looks_untranslated(ours, english)] == []


def looks_untranslated(message: str, english: str) -> bool:
    """Most of the English words are still there (a state name or a prefix may be translated)."""
    ours, theirs = set(message.lower().split()), english.lower().split()
    return sum(word in ours for word in theirs) > len(theirs) / 2


# --- concurrency, on PostgreSQL ------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_verifications_one_wins_the_others_get_409(alice):
    officers = [
        make_user(f"petugas{i}", role="officer", region="63.71", division="rehsos")
        for i in range(20)
    ]
    case = report_case(alice)
    effects = Effects()
    note = {"note": "Sudah dikunjungi."}

    def verify(i: int):
        response = act(officers[i], case, "verify", note)
        return response.status_code, response.json()

    results = run_concurrently(20, verify)

    statuses = sorted(status for status, _body in results)
    assert statuses == [200] + [409] * 19, results
    assert {body["code"] for status, body in results if status == 409} == {"invalid_transition"}
    winner = next(body for status, body in results if status == 200)["assigned_to"]["id"]
    case = reload(case)
    assert (case.state, case.assigned_to_id) == ("verified", winner)
    rows = effects.history()
    assert [(r.action, r.actor_id) for r in rows] == [("verify", winner)]
    assert [(e, who) for e, who, _id, _ref in effects.outbox()] == [("case_verified", "alice")]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_assignments_serialise_into_a_complete_consistent_history(alice, bob, carol):
    count = 10
    assignees = [
        make_user(f"petugas{i}", role="officer", region="63.71", division="rehsos")
        for i in range(count)
    ]
    case = report_case(alice)
    assert act(bob, case, "verify", {"note": "Sudah dikunjungi."}).status_code == 200
    effects = Effects()

    def assign(i: int) -> int:
        # Half by the supervisor, half by the verifying officer.
        actor = carol if i % 2 else bob
        return act(actor, case, "assign", {"assignee": assignees[i].pk}).status_code

    results = run_concurrently(count, assign)

    assert results == [200] * count
    rows = effects.history()
    assert [r.action for r in rows] == ["assign"] * count
    assert {r.payload["assignee"] for r in rows} == {u.pk for u in assignees}
    # Each assignment saw the one before it (no lost update) and the last one stands.
    previous = [r.payload["previous"] for r in rows]
    assert previous == [bob.pk] + [r.payload["assignee"] for r in rows[:-1]]
    case = reload(case)
    assert case.assigned_to_id == rows[-1].payload["assignee"]
    assert case.state == "verified"
    assert sorted(who for _e, who, _id, _ref in effects.outbox()) == sorted(
        u.username for u in assignees
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "rival",
    [
        # Each excludes `verify` and is excluded by it. (Not return against reject: reject is
        # allowed from `returned` too, so both may rightly succeed one after the other.)
        ("carol", "return", {"reason": "Alamat kurang."}),
        ("carol", "reject", {"outcome": "rejected", "reason": "Bukan PPKS."}),
    ],
)
def test_two_concurrent_transitions_from_one_state_exactly_one_wins(alice, bob, carol, rival):
    rounds = 5
    cases = [report_case(alice) for _ in range(rounds)]
    effects = Effects()
    rival_actor = {"carol": carol}[rival[0]]
    attempts = [(bob, "verify", {"note": "Sudah dikunjungi."}), (rival_actor, *rival[1:])]

    for case in cases:
        results = run_concurrently(
            2, lambda i, case=case: act(attempts[i][0], case, *attempts[i][1:]).status_code
        )
        assert sorted(results) == [200, 409], results
        winner = attempts[results.index(200)][1]
        rows = [r for r in effects.history() if r.case_id == case.pk]
        assert [r.action for r in rows] == [winner]
        assert reload(case).state == rows[0].to_state
