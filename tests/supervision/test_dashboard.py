"""`GET /api/v1/dashboard/`: every figure on a small hand-built province whose answers are known.

The cases are filed and moved through the API under a frozen clock, so the tallies the
dashboard reads are the ones the services keep. Each figure is then checked as a person would
read it, per role and filter; the same figures computed from the cases and history (no
tallies) must agree; and the live tallies must equal a rebuild from scratch.

The province (T0 = 20 Nov 2026 09:00 WITA; the dashboard is read at NOW = T0 + 10 days):

| case | where | category, urgency | story | state at NOW |
| --- | --- | --- | --- | --- |
| H | 63.71.04.1003 | PD normal | reported T0-40d | reported, overdue, 50 days old |
| A | 63.71.04.1003 | LUT normal | verified +2h, assisted +1d, closed resolved +3d | closed |
| B | 63.71.01 | FM high | verified +30h (late: 24h), to Budi | verified, overdue |
| C | 63.71.04.1003 | LUT emergency | rejected +1h (late: 45 min) | closed |
| D | 63.71.04.1003 | LUT normal | returned +1h | returned, overdue |
| E | 63.10.01 | LUT normal | verified +5h by Tono | verified |
| F | 63.71.04.1003 | LUT low | reported T0+9d (exactly 1 day before NOW) | reported |
| G | 63.71.04.1003 | LUT normal | reported NOW-2h | reported |
| J | 63.71.04.1003 | LUT emergency | reported NOW-1h, due NOW-15min (same UTC day) | overdue |
"""

import io
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from casework.models import Case, Region, User
from supervision import dashboard
from supervision.scope import Scope
from tests.concurrency import run_concurrently
from tests.factories import make_case, make_user
from tests.workflows.tallying import tally_rows
from workflows import tallies
from workflows.models import CaseTally, DayTally, DurationTally, HistoryEntry
from workflows.tally_sql import FOLDED_DAY

WITA = ZoneInfo("Asia/Makassar")
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=WITA)
NOW = T0 + timedelta(days=10)
URL = "/api/v1/dashboard/"
BJM_DISTRICTS = ["63.71.01", "63.71.02", "63.71.03", "63.71.04", "63.71.05"]


def client(user: User | None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def act(user: User, case: Case, action: str, body: dict) -> None:
    response = client(user).post(f"/api/v1/cases/{case.pk}/{action}/", body, format="json")
    assert response.status_code == 200, response.json()


def get(user: User | None, **params: str):
    return client(user).get(URL, params)


VERIFY = {"note": "Kunjungan lapangan selesai."}
ASSIST = {"kind": "basic_needs", "description": "Paket sembako.", "delivered_at": "2026-11-21"}


@pytest.fixture
def province(alice, vera, bob, tono, carol, dina, adam):
    p = SimpleNamespace(alice=alice, vera=vera, bob=bob, tono=tono, carol=carol, dina=dina)
    p.adam = adam
    p.budi = make_user("budi", role="officer", region="63.71", division="rehsos")
    p.ika = make_user("ika", role="officer", region="63.71", division="rehsos", is_active=False)
    p.sari = make_user("sari", role="supervisor", region="63.10")
    with time_machine.travel(T0 - timedelta(days=40), tick=False) as clock:
        p.H = make_case(alice, category="PD")
        clock.move_to(T0)
        p.A = make_case(alice)
        p.B = make_case(alice, region="63.71.01", category="FM", urgency="high")
        p.C = make_case(alice, urgency="emergency")
        p.D = make_case(alice)
        p.E = make_case(vera, region="63.10.01")
        clock.move_to(T0 + timedelta(hours=1))
        act(bob, p.C, "reject", {"outcome": "rejected", "reason": "Bukan PPKS."})
        act(bob, p.D, "return", {"reason": "Alamat belum lengkap."})
        clock.move_to(T0 + timedelta(hours=2))
        act(bob, p.A, "verify", VERIFY)
        clock.move_to(T0 + timedelta(hours=5))
        act(tono, p.E, "verify", VERIFY)
        clock.move_to(T0 + timedelta(days=1))
        act(bob, p.A, "assist", ASSIST)
        clock.move_to(T0 + timedelta(hours=30))
        act(carol, p.B, "verify", {**VERIFY, "assignee": p.budi.pk})
        clock.move_to(T0 + timedelta(days=3))
        act(bob, p.A, "close", {"outcome": "resolved", "summary": "Selesai."})
        clock.move_to(T0 + timedelta(days=9))
        p.F = make_case(alice, urgency="low")
        clock.move_to(NOW - timedelta(hours=2))
        p.G = make_case(alice)
        clock.move_to(NOW - timedelta(hours=1))
        p.J = make_case(alice, urgency="emergency")
        clock.move_to(NOW)
        yield p


def zeros(names: list[str]) -> dict[str, int]:
    return dict.fromkeys(names, 0)


def regions(expected: dict[str, tuple[int, int, int]], codes: list[str]) -> dict:
    """by_region as the API gives it: every code listed, (total, open, overdue)."""
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return {
        code: dict(
            zip(
                ("name", "total", "open", "overdue"),
                (names[code], *expected.get(code, (0, 0, 0))),
                strict=True,
            )
        )
        for code in codes
    }


def person(user: User, open_: int, overdue: int) -> dict:
    return {
        "user": {"id": user.pk, "username": user.username, "full_name": user.full_name},
        "open": open_,
        "overdue": overdue,
    }


def sla(completed: int, met: int) -> dict:
    return {"completed": completed, "met": met, "rate": round(met / completed, 4)}


STATES = ["reported", "returned", "verified", "assisted", "closed"]
OUTCOMES = ["resolved", "referred", "rejected", "duplicate", "deceased", "unreachable"]


# --- every figure, per role -------------------------------------------------------------


@pytest.mark.django_db
def test_a_kabupaten_supervisor_sees_every_figure_of_their_kabupaten(province):
    response = get(province.carol)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["as_of"] == timezone.localtime(NOW).isoformat()
    assert body["scope"] == {
        "region": {"code": "63.71", "name": "Kota Banjarmasin", "level": "regency"},
        "category": None,
        "urgency": None,
        "created_after": None,
        "created_before": None,
    }
    assert body["total"] == 8
    assert body["by_state"] == {
        "reported": 4,
        "returned": 1,
        "verified": 1,
        "assisted": 0,
        "closed": 2,
    }
    assert {k: v for k, v in body["by_category"].items() if v} == {"LUT": 6, "FM": 1, "PD": 1}
    assert len(body["by_category"]) == 26  # every active category, zeros included
    # Banjarmasin's five kecamatan, and the kabupaten itself for cases filed at its level.
    assert body["by_region"] == regions(
        {"63.71.04": (7, 5, 3), "63.71.01": (1, 1, 1)}, [*BJM_DISTRICTS, "63.71"]
    )
    # G 2h and J 1h old; F exactly 24 h (1 whole day); B and D 10 days; H 50 days.
    assert body["open_by_age"] == {
        "under_1_day": 2,
        "1_to_7_days": 1,
        "8_to_30_days": 2,
        "over_30_days": 1,
    }
    assert body["overdue"] == 4  # B, D, H, and J (due 15 minutes ago)
    # Verification: A on time; B verified after 30 h of 24; C rejected after 1 h of 45 min.
    assert body["sla_compliance"] == {"verify": sla(3, 1), "assist": sla(1, 1), "close": sla(1, 1)}
    assert body["median_hours"] == {"to_verify": 2, "to_assist": 24, "to_close": 1}
    assert body["p90_hours"] == {"to_verify": 30, "to_assist": 24, "to_close": 72}
    assert body["closure_outcomes"] == {**zeros(OUTCOMES), "resolved": 1, "rejected": 1}
    # Budi holds B (overdue); Bob is on duty with nothing open; Ika is inactive; Tono is not
    # Banjarmasin's.
    assert body["workload"] == [person(province.budi, 1, 1), person(province.bob, 0, 0)]


@pytest.mark.django_db
def test_an_officer_sees_their_kabupaten_as_its_supervisor_does(province):
    officer, supervisor = get(province.bob).json(), get(province.carol).json()

    assert officer == supervisor


@pytest.mark.django_db
def test_the_provincial_supervisor_sees_the_province_by_kabupaten(province):
    body = get(province.dina).json()

    assert body["scope"]["region"] == {
        "code": "63",
        "name": "Kalimantan Selatan",
        "level": "province",
    }
    assert body["total"] == 9
    assert body["by_state"] == {
        "reported": 4,
        "returned": 1,
        "verified": 2,
        "assisted": 0,
        "closed": 2,
    }
    regencies = list(
        Region.objects.filter(parent_id="63").order_by("code").values_list("code", flat=True)
    )
    assert len(regencies) == 13
    assert body["by_region"] == regions({"63.71": (8, 6, 4), "63.10": (1, 1, 0)}, regencies)
    assert body["overdue"] == 4
    assert body["open_by_age"]["8_to_30_days"] == 3  # E joins B and D
    assert body["sla_compliance"]["verify"] == sla(4, 2)  # E verified after 5 h of 3 days
    # to_verify: A 2, E 5, B 30 -> median 5, p90 30.
    assert body["median_hours"] == {"to_verify": 5, "to_assist": 24, "to_close": 1}
    assert body["p90_hours"] == {"to_verify": 30, "to_assist": 24, "to_close": 72}
    assert body["workload"] == [
        person(province.budi, 1, 1),
        person(province.tono, 1, 0),
        person(province.bob, 0, 0),
    ]


@pytest.mark.django_db
def test_another_kabupaten_supervisor_sees_only_theirs(province):
    body = get(province.sari).json()

    assert body["scope"]["region"]["code"] == "63.10"
    assert body["total"] == 1
    assert body["by_state"]["verified"] == 1
    assert {k: v for k, v in body["by_region"].items() if v["total"]} == {
        "63.10.01": {
            "name": Region.objects.get(code="63.10.01").name,
            "total": 1,
            "open": 1,
            "overdue": 0,
        }
    }
    assert body["overdue"] == 0
    assert body["sla_compliance"]["verify"] == sla(1, 1)
    assert body["median_hours"]["to_verify"] == 5
    assert body["median_hours"]["to_close"] is None  # nothing closed there
    assert body["sla_compliance"]["close"] == {"completed": 0, "met": 0, "rate": None}
    assert body["workload"] == [person(province.tono, 1, 0)]


# --- filters --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_category_narrows_every_figure(province):
    body = get(province.carol, category="LUT").json()

    assert body["scope"]["category"] == "LUT"
    assert body["total"] == 6  # A C D F G J
    assert body["by_state"] == {
        "reported": 3,
        "returned": 1,
        "verified": 0,
        "assisted": 0,
        "closed": 2,
    }
    assert {k: v for k, v in body["by_category"].items() if v} == {"LUT": 6}
    assert body["by_region"]["63.71.04"] | {"name": ""} == {
        "name": "",
        "total": 6,
        "open": 4,
        "overdue": 2,
    }
    assert body["by_region"]["63.71.01"]["total"] == 0
    assert body["overdue"] == 2  # D and J
    assert body["open_by_age"] == {
        "under_1_day": 2,
        "1_to_7_days": 1,
        "8_to_30_days": 1,
        "over_30_days": 0,
    }
    assert body["sla_compliance"]["verify"] == sla(2, 1)  # A on time, C late
    assert body["median_hours"] == {"to_verify": 2, "to_assist": 24, "to_close": 1}
    assert body["workload"] == [person(province.bob, 0, 0), person(province.budi, 0, 0)]


@pytest.mark.django_db
def test_an_urgency_narrows_every_figure(province):
    body = get(province.dina, urgency="high").json()

    assert body["total"] == 1  # B
    assert body["by_state"]["verified"] == 1
    assert body["overdue"] == 1
    assert body["sla_compliance"]["verify"] == sla(1, 0)
    assert body["median_hours"] == {"to_verify": 30, "to_assist": None, "to_close": None}
    assert body["workload"][0] == person(province.budi, 1, 1)


@pytest.mark.django_db
def test_a_kecamatan_breaks_down_by_desa(province):
    body = get(province.carol, region="63.71.04").json()

    assert body["scope"]["region"]["level"] == "district"
    assert body["total"] == 7
    villages = list(
        Region.objects.filter(parent_id="63.71.04").order_by("code").values_list("code", flat=True)
    )
    assert body["by_region"] == regions({"63.71.04.1003": (7, 5, 3)}, [*villages, "63.71.04"])
    assert body["overdue"] == 3
    assert body["median_hours"] == {"to_verify": 2, "to_assist": 24, "to_close": 1}
    assert body["workload"] == [person(province.bob, 0, 0), person(province.budi, 0, 0)]


@pytest.mark.django_db
def test_a_desa_has_no_breakdown(province):
    body = get(province.carol, region="63.71.04.1003").json()

    assert body["total"] == 7
    assert body["by_region"] == {}


@pytest.mark.django_db
def test_the_provincial_supervisor_may_look_at_one_kabupaten(province):
    own = get(province.carol).json()
    from_above = get(province.dina, region="63.71").json()

    assert from_above == own


@pytest.mark.django_db
def test_a_created_range_counts_cases_reported_within_it(province):
    body = get(
        province.carol,
        created_after="2026-11-20T09:00:00+08:00",
        created_before="2026-11-21",
    ).json()

    assert body["scope"]["created_after"] == "2026-11-20T09:00:00+08:00"
    assert body["scope"]["created_before"] == "2026-11-21T00:00:00+08:00"  # a date: WITA midnight
    assert body["total"] == 4  # A B C D: not H (before), nor F G J (after)
    assert body["by_state"] == {
        "reported": 0,
        "returned": 1,
        "verified": 1,
        "assisted": 0,
        "closed": 2,
    }
    assert body["overdue"] == 2  # B and D
    assert body["open_by_age"] == {
        "under_1_day": 0,
        "1_to_7_days": 0,
        "8_to_30_days": 2,
        "over_30_days": 0,
    }
    assert body["sla_compliance"]["verify"] == sla(3, 1)
    assert body["median_hours"] == {"to_verify": 2, "to_assist": 24, "to_close": 1}
    assert body["closure_outcomes"] == {**zeros(OUTCOMES), "resolved": 1, "rejected": 1}
    assert body["workload"] == [person(province.budi, 1, 1), person(province.bob, 0, 0)]


@pytest.mark.django_db
def test_filters_combine(province):
    body = get(province.dina, region="63.71", category="LUT", urgency="emergency").json()

    assert body["total"] == 2  # C (closed) and J
    assert body["by_state"]["closed"] == 1
    assert body["overdue"] == 1
    assert body["open_by_age"]["under_1_day"] == 1
    assert body["closure_outcomes"]["rejected"] == 1


@pytest.mark.django_db
def test_a_case_moving_on_moves_the_figures(province):
    """The tallies follow each change: closing B takes it out of the overdue and the workload."""
    act(province.budi, province.B, "assist", ASSIST)
    act(province.budi, province.B, "close", {"outcome": "deceased", "summary": "Meninggal."})

    body = get(province.carol).json()

    assert body["by_state"]["closed"] == 3
    assert body["overdue"] == 3
    assert body["closure_outcomes"]["deceased"] == 1
    assert body["workload"][0] == person(province.bob, 0, 0)
    assert body["median_hours"]["to_close"] == 72  # C 1, A 72, B 240: the middle one
    assert body["sla_compliance"]["assist"] == sla(2, 1)  # B assisted long after its 3 days


# --- the tallies agree with the cases -------------------------------------------------------


SCOPES = [
    {"region": "63"},
    {"region": "63.71"},
    {"region": "63.10"},
    {"region": "63.71.04"},
    {"region": "63.71.04", "category": "LUT"},
    {"region": "63", "category": "LUT"},
    {"region": "63.71", "urgency": "emergency"},
    {"region": "63", "category": "FM", "urgency": "high"},
]


def scope(region: str, **kw: str) -> Scope:
    return Scope(region=Region.objects.get(code=region), **kw)


@pytest.mark.django_db
@pytest.mark.parametrize("params", SCOPES, ids=lambda p: "-".join(p.values()))
def test_the_tallies_give_the_figures_the_cases_give(province, params):
    now = timezone.now()

    tallied = dashboard.dashboard(scope(**params), now=now)
    counted = dashboard.dashboard(scope(**params), now=now, use_tallies=False)

    assert tallied == counted


@pytest.mark.django_db
def test_the_live_tallies_equal_a_rebuild_after_every_kind_of_change(province):
    p = province
    # An edit of category, urgency and kecamatan; a transfer; a reassignment; a reopening; a
    # resubmission with changes; a duplicate.
    assert (
        client(p.bob)
        .patch(
            f"/api/v1/cases/{p.G.pk}/",
            {"category": "PD", "urgency": "high", "region": "63.71.02"},
            format="json",
        )
        .status_code
        == 200
    )
    act(p.bob, p.J, "transfer", {"region": "63.10.01", "reason": "Pindah ke Batulicin."})
    act(p.carol, p.B, "assign", {"assignee": p.bob.pk})
    act(p.carol, p.A, "reopen", {"reason": "Kondisi memburuk."})
    act(p.bob, p.A, "assist", ASSIST)
    act(p.alice, p.D, "resubmit", {"note": "Lengkap.", "changes": {"urgency": "low"}})
    act(
        p.bob,
        p.F,
        "reject",
        {"outcome": "duplicate", "reason": "Ganda.", "duplicate_of": str(p.H.pk)},
    )
    live = tally_rows()
    now = timezone.now()

    tallies.rebuild_here()

    assert tally_rows() == live
    assert sum(r.get("reported", 0) for k, r in live.items() if k[0] == "CaseTally") == 4
    # Histogram rows that reach zero go: past days must not pile up.
    assert not DayTally.objects.filter(cases=0).exists()
    assert not DurationTally.objects.filter(cases=0).exists()
    for params in SCOPES:
        counted = dashboard.dashboard(scope(**params), now=now, use_tallies=False)
        assert dashboard.dashboard(scope(**params), now=now) == counted, params


@pytest.mark.django_db
def test_completions_without_an_sla_record_count_neither_as_met_nor_as_missed(province):
    """History written before transitions recorded their deadline: not counted (it cannot be
    judged), rather than counted as missed."""
    HistoryEntry.objects.filter(case=province.A, action="verify").update(payload={})
    tallies.rebuild_here()

    body = get(province.carol).json()

    assert body["sla_compliance"]["verify"] == sla(2, 0)  # B and C, both late; A not judged
    assert body["median_hours"]["to_verify"] == 2  # its duration still counts (from `at`)
    now = timezone.now()
    counted = dashboard.dashboard(scope("63.71"), now=now, use_tallies=False)
    assert dashboard.dashboard(scope("63.71"), now=now) == counted


@pytest.mark.django_db
def test_a_failed_transition_leaves_the_tallies_as_they_were(province):
    before = tally_rows()

    response = client(province.bob).post(
        f"/api/v1/cases/{province.A.pk}/close/",
        {"outcome": "resolved", "summary": "Lagi."},
        format="json",
    )  # A is closed already: 409

    assert response.status_code == 409
    assert tally_rows() == before


# --- who may ask, and bad questions ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "adam"])
def test_volunteers_and_administrators_see_no_dashboard(province, who):
    response = get(getattr(province, who))

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


@pytest.mark.django_db
def test_without_a_token_it_is_401(province):
    assert get(None).status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "region"),
    [("carol", "63.10"), ("carol", "63"), ("bob", "63.10.01"), ("sari", "63.71.04")],
)
def test_a_region_outside_yours_is_refused(province, who, region):
    response = get(getattr(province, who), region=region)

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "region_out_of_scope"
    assert body["errors"][0]["field"] == "region"
    assert "wilayah" in body["message"].lower()  # Bahasa Indonesia by default
    assert "total" not in body  # and no figures


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"region": "banjarmasin"}, "region", "invalid"),
        ({"region": "63.71.99"}, "region", "unknown_region"),
        ({"region": "6" * 20}, "region", "invalid"),
        ({"region": "63.71."}, "region", "invalid"),
        ({"region": "63.71\x00"}, "region", "null_characters_not_allowed"),
        ({"category": "lut"}, "category", "invalid_choice"),  # codes are upper case
        ({"category": "XYZ"}, "category", "invalid_choice"),
        ({"urgency": "urgent"}, "urgency", "invalid_choice"),
        ({"created_after": "kemarin"}, "created_after", "invalid"),
        ({"created_before": "2026-13-45"}, "created_before", "invalid"),
        ({"created_after": "2026-11-20T00:00:00+24:00"}, "created_after", "invalid"),
        (
            {"created_after": "2026-11-21", "created_before": "2026-11-20"},
            "created_before",
            "invalid_range",
        ),
    ],
)
def test_bad_filters_are_a_400_naming_the_parameter(province, params, field, code):
    response = get(province.dina, **params)

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    assert (body["errors"][0]["field"], body["errors"][0]["code"]) == (field, code)


@pytest.mark.django_db
def test_empty_filters_are_no_filters_as_in_the_case_list(province):
    """A form that submits its empty selects asks for everything in the caller's region."""
    plain = get(province.carol).json()

    emptied = get(
        province.carol, region="", category="", urgency="", created_after="", created_before=""
    ).json()

    assert emptied == plain


@pytest.mark.django_db
def test_errors_speak_english_when_asked(province):
    response = client(province.carol).get(URL, {"region": "63.10"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    assert response.json()["message"] == "You can only see the figures of your own region."


@pytest.mark.django_db
def test_the_schema_defines_every_figure(province):
    schema = (
        client(None)
        .get("/api/schema/", HTTP_ACCEPT="application/json", HTTP_ACCEPT_LANGUAGE="en")
        .json()
    )
    output = schema["components"]["schemas"]["DashboardOutput"]["properties"]
    body = get(province.dina).json()

    assert set(output) == set(body)
    undocumented = [name for name, field in output.items() if not field.get("description")]
    assert undocumented == []
    assert "nearest-rank 50th percentile" in output["median_hours"]["description"]
    assert "`due_at`" in output["overdue"]["description"]


@pytest.mark.django_db
def test_reading_the_dashboard_queries_a_bounded_number_of_times(
    province, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        get(province.dina)
    with django_assert_max_num_queries(20):
        get(province.carol, category="LUT", created_after="2026-11-01")


@pytest.mark.django_db
def test_folding_long_past_days_keeps_every_figure(province):
    """The nightly fold merges the day rows of days over 32 days back: the figures stay those
    the cases give, also after a case of a folded day closes, and a second fold finds none."""
    p = province
    with time_machine.travel(NOW - timedelta(days=60), tick=False):
        old = make_case(p.alice, region="63.71.01", urgency="high")
        act(p.bob, old, "verify", VERIFY)  # assigned to bob, due long ago
        make_case(p.alice, region="63.71.02")
        make_case(p.alice, region="63.71")  # filed for the kota, no kecamatan
    with time_machine.travel(NOW - timedelta(days=30, hours=1), tick=False):
        make_case(p.alice, region="63.71.02")  # 30 days old: not over 30, so not folded
    before = {str(params): dashboard.dashboard(scope(**params), now=NOW) for params in SCOPES}
    day_rows = DayTally.objects.count()

    assert tallies.fold_past_days() > 0

    cutoff = tallies.utc_day(NOW) - timedelta(days=32)
    assert not DayTally.objects.filter(day__lt=cutoff, day__gt=FOLDED_DAY).exists()
    assert DayTally.objects.count() < day_rows
    for params in SCOPES:
        tallied = dashboard.dashboard(scope(**params), now=NOW)
        assert tallied == before[str(params)]
        assert tallied == dashboard.dashboard(scope(**params), now=NOW, use_tallies=False)

    act(p.bob, old, "assist", ASSIST)
    act(p.bob, old, "close", {"outcome": "resolved", "summary": "Selesai."})
    act(p.bob, p.H, "reject", {"outcome": "rejected", "reason": "Bukan PPKS."})
    for params in SCOPES:
        tallied = dashboard.dashboard(scope(**params), now=NOW)
        assert tallied == dashboard.dashboard(scope(**params), now=NOW, use_tallies=False)
    assert DayTally.objects.filter(cases__lt=0).exists()  # the closed cases' own days

    assert tallies.fold_past_days() > 0
    assert not DayTally.objects.filter(cases__lt=0).exists()
    assert tallies.fold_past_days() == 0
    live = tally_rows()
    tallies.rebuild_here()
    assert tally_rows() == live
    assert not DayTally.objects.filter(day__lt=cutoff, day__gt=FOLDED_DAY).exists()  # folded


def test_the_tallies_count_days_in_utc_whatever_the_local_time():
    assert tallies.utc_day(datetime(2026, 11, 30, 7, 30, tzinfo=WITA)).isoformat() == "2026-11-29"
    assert tallies.utc_day(None).isoformat() == "9999-12-31"  # no deadline: never overdue


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_and_transitions_keep_the_tallies_exact(alice, bob, carol):
    """Twelve reports and twelve transitions at once, all on the same tally rows: every change is
    counted once (the row upserts serialize; nobody deadlocks), as a rebuild confirms."""
    cases = [make_case(alice) for _ in range(12)]

    def work(i: int) -> int:
        if i % 2:
            return make_case(alice, urgency="normal").pk and 201
        case = cases[i // 2]
        action = "verify" if i % 4 == 0 else "reject"
        body = VERIFY if action == "verify" else {"outcome": "rejected", "reason": "Bukan PPKS."}
        return (
            client(bob).post(f"/api/v1/cases/{case.pk}/{action}/", body, format="json").status_code
        )

    results = run_concurrently(24, work)

    assert results.count(201) == 12 and results.count(200) == 12, results
    live = tally_rows()
    tallies.rebuild_here()
    assert tally_rows() == live
    bjm = CaseTally.objects.get(area="63.71.04", category_id="LUT", urgency="normal")
    assert (bjm.reported, bjm.verified, bjm.closed, bjm.verify_done) == (12, 6, 6, 12)


@pytest.mark.django_db
def test_rebuild_tallies_recounts_what_went_around_the_services(province):
    live = tally_rows()
    CaseTally.objects.update(reported=0)  # as after a restore of the cases alone
    out = io.StringIO()

    call_command("rebuild_tallies", stdout=out)

    assert tally_rows() == live
    assert "9 of 9 cases counted" in out.getvalue()


# --- the trend ----------------------------------------------------------------------------

TREND_NOW = datetime(2026, 12, 2, 10, 0, tzinfo=WITA)  # a Wednesday; this week began 30 Nov


def weeks(changes: dict[int, tuple[int, int, int]], quiet: tuple[int, int, int]) -> list:
    """The expected trend: week n (1 = the oldest) is changes[n], else the last one before."""
    first = datetime(2026, 9, 14).date()
    shown, rows = quiet, []
    for n in range(1, 13):
        shown = changes.get(n, (0, 0, shown[2]))
        new, closed, open_ = shown
        rows.append(
            {
                "week_start": (first + timedelta(weeks=n - 1)).isoformat(),
                "new": new,
                "closed": closed,
                "open_at_end": open_,
            }
        )
    return rows


@pytest.mark.django_db
def test_the_trend_counts_new_closed_and_open_cases_per_week(alice, vera, bob, carol, tono):
    with time_machine.travel(datetime(2026, 9, 10, 9, 0, tzinfo=WITA), tick=False) as clock:
        make_case(alice)  # Y: before the 12 weeks, open throughout
        clock.move_to(datetime(2026, 9, 15, 10, 0, tzinfo=WITA))  # week 1
        x = make_case(alice)
        clock.move_to(datetime(2026, 9, 22, 10, 0, tzinfo=WITA))  # week 2, Tanah Bumbu
        make_case(vera, region="63.10.01")
        clock.move_to(datetime(2026, 9, 29, 10, 0, tzinfo=WITA))  # week 3
        act(bob, x, "reject", {"outcome": "rejected", "reason": "Bukan PPKS."})
        clock.move_to(datetime(2026, 10, 13, 10, 0, tzinfo=WITA))  # week 5
        act(carol, x, "reopen", {"reason": "Kondisi memburuk."})
        # Monday 07:00 WITA is still Sunday in UTC: the week is WITA's, the current one.
        clock.move_to(datetime(2026, 11, 30, 7, 0, tzinfo=WITA))
        make_case(alice, urgency="high")
        clock.move_to(TREND_NOW)
        banjarmasin, tanah_bumbu = get(carol).json(), get(tono).json()
        high = get(carol, urgency="high", created_after="2026-11-01").json()
        computed = dashboard.dashboard(scope("63.71"), now=timezone.now(), use_tallies=False)

    assert banjarmasin["trend"] == weeks(
        {1: (1, 0, 2), 3: (0, 1, 1), 5: (0, 0, 2), 12: (1, 0, 3)}, (0, 0, 1)
    )
    assert tanah_bumbu["trend"] == weeks({2: (1, 0, 1)}, (0, 0, 0))
    # The urgency narrows it; the report range does not.
    assert high["trend"] == weeks({12: (1, 0, 1)}, (0, 0, 0))
    assert [{**w, "week_start": w["week_start"].isoformat()} for w in computed["trend"]] == (
        banjarmasin["trend"]
    )
    # The week tallies the trend read are what a rebuild counts (its SQL weeks are WITA's too).
    live = tally_rows()
    assert any(key[0] == "WeekTally" for key in live)
    tallies.rebuild_here()
    assert tally_rows() == live
