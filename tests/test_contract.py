"""Small contract slips the audit found (issue 11, item 9): one rule for each kind of value,
and nothing accepted in silence that the schema does not promise."""

import pytest

from tests.factories import case_payload, make_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("cursor", ["garbage", "bz0tMQ==", "cD0yMDI2LTEzLTQ1"])
def test_a_malformed_cursor_is_a_400_naming_it(as_user, bob, alice, cursor):
    make_case(alice)
    response = as_user(bob).get("/api/v1/cases/", {"cursor": cursor})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cursor"
    assert response.json()["errors"][0]["code"] == "invalid_cursor"


@pytest.mark.parametrize("value", ["1.5", "abc", "0", "-3", "٣"])
@pytest.mark.parametrize("path", ["/api/v1/cases/", "/api/v1/regions/", "/api/v1/notifications/"])
def test_a_page_size_that_is_not_a_whole_number_from_1_is_refused(as_user, bob, path, value):
    response = as_user(bob).get(path, {"page_size": value})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "page_size"


def test_a_page_size_over_the_maximum_is_cut_to_it(as_user, bob):
    response = as_user(bob).get("/api/v1/regions/", {"page_size": "5000"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1000  # RegionPagination.max_page_size, of 2,186


def test_observed_at_takes_the_offsets_rfc_3339_writes_as_the_filters_do(as_user, alice, bob):
    """One rule for every time the API reads: any offset RFC 3339 can write (to ±23:59, what
    the schema's `date-time` promises), converted before PostgreSQL (which holds ±15:59)."""
    body = case_payload(observed_at="2026-11-20T09:00:00+24:00")
    refused = as_user(alice).post("/api/v1/cases/", body, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "observed_at"
    assert (
        as_user(bob).get("/api/v1/cases/", {"created_after": "2026-11-20T09:00+24:00"}).status_code
        == 400
    )
    accepted = as_user(alice).post(
        "/api/v1/cases/", case_payload(observed_at="2026-11-20T09:00:00+23:59"), format="json"
    )
    assert accepted.status_code == 201
    # 09:00 at +23:59 is 09:01 the day before in UTC: 17:01 WITA.
    assert accepted.json()["observed_at"] == "2026-11-19T17:01:00+08:00"
    listed = as_user(bob).get("/api/v1/cases/", {"created_after": "2026-11-20T09:00:00+23:59"})
    assert listed.status_code == 200


def test_an_empty_patch_of_me_changes_nothing(as_user, bob):
    response = as_user(bob).patch("/api/v1/me/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["on_duty"] is True


@pytest.mark.parametrize("value", ["yes", "true", 1, "on"])
def test_booleans_in_bodies_are_json_booleans(as_user, bob, value):
    response = as_user(bob).patch("/api/v1/me/", {"on_duty": value}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "on_duty"
    preference = as_user(bob).patch(
        "/api/v1/notifications/preferences/", {"email": value}, format="json"
    )
    assert preference.status_code == 400


def verified_case(alice, bob):
    from workflows.services import case_transition

    case = make_case(alice)
    case_transition(case_id=str(case.pk), actor=bob, action="verify",
                    data={"note": "Sesuai laporan.", "assignee": bob.pk})  # fmt: skip
    return case


@pytest.mark.parametrize(
    ("delivered_at", "day"),
    [("2026-11-20", "2026-11-20"), ("2026-11-20T23:30:00+08:00", "2026-11-20"),
     ("2026-11-20T16:30:00Z", "2026-11-21")],  # 00:30 WITA: the next day
)  # fmt: skip
def test_delivered_at_takes_a_date_or_a_datetime(as_user, alice, bob, delivered_at, day):
    case = verified_case(alice, bob)
    body = {"kind": "basic_needs", "description": "Sembako.", "delivered_at": delivered_at}
    response = as_user(bob).post(f"/api/v1/cases/{case.pk}/assist/", body, format="json")
    assert response.status_code == 200, response.json()
    assistance = as_user(bob).get(f"/api/v1/cases/{case.pk}/assistance/").json()
    assert assistance[0]["delivered_at"] == day


def test_deadlines_in_the_history_are_in_wita_like_every_other_time(as_user, alice, bob):
    case = verified_case(alice, bob)
    history = as_user(bob).get(f"/api/v1/cases/{case.pk}/history/").json()
    verify = next(row for row in history if row["action"] == "verify")
    assert verify["payload"]["sla"]["due_at"].endswith("+08:00")
    assert verify["at"].endswith("+08:00")


def test_notification_links_follow_the_port_served_on():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k != "PUBLIC_BASE_URL"}
    env.update(PORT="8123", DJANGO_SETTINGS_MODULE="config.settings.local")
    shown = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
         "print(settings.PUBLIC_BASE_URL)"],
        cwd=Path(__file__).resolve().parent.parent, env=env, capture_output=True, text=True,
        timeout=60, check=True,
    ).stdout.strip()  # fmt: skip
    assert shown == "http://127.0.0.1:8123"


# --- What the contract run (tests/test_api_contract.py) found, held here by name ---------------


@pytest.mark.parametrize("query", [{"state": "%d"}, {"category": "%(x)s%"}])
def test_a_refused_choice_holding_a_percent_sign_is_a_400_not_a_500(as_user, bob, query):
    response = as_user(bob).get("/api/v1/cases/", query)
    assert response.status_code == 400
    [name] = query
    assert response.json()["errors"][0]["field"] == name
    assert query[name] in response.json()["errors"][0]["message"]


def test_a_query_parameter_given_twice_is_a_400_naming_it(as_user, bob):
    response = as_user(bob).get("/api/v1/cases/?state=nope&state=reported")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "state", "code": "repeated", "message": "Berikan parameter ini satu kali saja."}
    ]


def test_a_query_parameter_given_empty_is_one_not_given(as_user, bob, alice):
    make_case(alice)
    everything = as_user(bob).get("/api/v1/cases/").json()["results"]
    for name in ("state", "region", "category", "created_after", "ordering", "overdue"):
        response = as_user(bob).get("/api/v1/cases/", {name: ""})
        assert response.status_code == 200, name
        assert response.json()["results"] == everything
    assert (
        as_user(bob)
        .get("/api/v1/cases/export/", {"format": ""})["Content-Type"]
        .startswith("text/csv")
    )


def test_an_empty_page_size_is_refused_as_the_number_it_is_not(as_user, bob):
    response = as_user(bob).get("/api/v1/cases/", {"page_size": ""})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "page_size"


def test_only_officers_go_on_duty_and_anyone_else_is_told_it_is_not_theirs(as_user, alice, carol):
    for user in (alice, carol):
        response = as_user(user).patch("/api/v1/me/", {"on_duty": True}, format="json")
        assert response.status_code == 403
        assert response.json()["code"] == "not_an_officer"


def test_a_code_is_taken_as_written(as_user, alice, bob):
    refused = as_user(alice).post(
        "/api/v1/cases/", case_payload(region=" 63.71.04.1003"), format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "region"
    assert as_user(bob).get("/api/v1/cases/", {"region": " 63.71"}).status_code == 400
