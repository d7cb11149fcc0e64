"""Who is told of a new case (docs/notifications.md, "Who is told"): the routing is data.

A case belongs to the Dinsos of its kabupaten/kota and to the division that handles its PPKS
category (ppks_categories.csv's `default_division`). `case_reported` goes to that division's
active officers there who are on duty (in a kecamatan office too); with none on duty, to the
kabupaten/kota's supervisors; with nobody there, to the province's. The reporter is never told
of their own report. An administrator changes who is on duty in Admin > Users (the list's
"on duty" column or the "Mark on/off duty" actions); officers do it themselves (PATCH /me/).

Each test reads the outbox rows a report wrote, the way the recipients would later find them.
"""

from types import SimpleNamespace

import pytest
from django.test import Client

from casework.models import Case, Category, Division, User
from notifications.models import OutboxMessage
from tests.factories import case_payload, make_case, make_user
from workflows import responsibility

pytestmark = pytest.mark.django_db

DIVISIONS = [division.value for division in Division]
BANJARMASIN_VILLAGE = "63.71.04.1003"  # Kota Banjarmasin, kecamatan Banjarmasin Utara
BANJARBARU_DISTRICT = "63.72.02"  # Kota Banjarbaru: nobody of the cast works there


def told(case: Case, event: str = "case_reported") -> list[str]:
    """Usernames of the recipients of `event` about `case`, sorted."""
    rows = OutboxMessage.objects.filter(case_id=case.pk, event=event)
    return sorted(rows.values_list("recipient__username", flat=True))


def names(users: list[User]) -> list[str]:
    return sorted(user.username for user in users)


def report(reporter: User, *, category: str = "LUT", region: str = BANJARMASIN_VILLAGE) -> Case:
    location = (-3.286, 114.5689) if region.startswith("63.71") else None
    return make_case(reporter, category=category, region=region, location=location)


@pytest.fixture
def office(alice, bob, tono, carol, dina):
    """Dinsos Kota Banjarmasin with one officer on duty per division, plus everyone who must
    not be told of a Banjarmasin case of that division.

    `on_duty[d]` and `in_kecamatan[d]`: on duty in division d (the second in a kecamatan office,
    63.71.04); `off_duty[d]`, `inactive[d]`: the same division, not told; `tanbu[d]`: the same
    division in another kabupaten (Tanah Bumbu). Bob (rehsos) is on duty too.
    """
    staff = SimpleNamespace(
        alice=alice, bob=bob, tono=tono, carol=carol, dina=dina,
        on_duty={}, in_kecamatan={}, off_duty={}, inactive={}, tanbu={},
    )  # fmt: skip
    for d in DIVISIONS:
        staff.on_duty[d] = make_user(f"duty_{d}", role="officer", region="63.71", division=d)
        staff.in_kecamatan[d] = make_user(f"kec_{d}", role="officer", region="63.71.04", division=d)
        staff.off_duty[d] = make_user(
            f"off_{d}", role="officer", region="63.71", division=d, on_duty=False
        )
        staff.inactive[d] = make_user(
            f"gone_{d}", role="officer", region="63.71", division=d, is_active=False
        )
        staff.tanbu[d] = make_user(f"tanbu_{d}", role="officer", region="63.10", division=d)
    return staff


def expected_duty(division: str) -> list[str]:
    """The on-duty officers of `division` in Kota Banjarmasin in the `office` fixture."""
    extra = ["bob"] if division == Division.REHSOS else []
    return sorted([f"duty_{division}", f"kec_{division}", *extra])


# --- duty officers -------------------------------------------------------------------------


@pytest.mark.parametrize("division", DIVISIONS)
def test_a_report_goes_to_the_on_duty_officers_of_its_categorys_division(office, division):
    """Every category of the division (from the reference data) reaches that division's
    on-duty officers of the regency, a kecamatan office included, and nobody else."""
    categories = list(Category.objects.filter(division=division).values_list("code", flat=True))
    assert categories, f"the reference data has no category of {division}"
    for code in categories:
        case = report(office.alice, category=code)

        assert told(case) == expected_duty(division), code
        assert names(responsibility.duty_officers(case)) == expected_duty(division)
        # Not the off-duty, the inactive, the other divisions, Tanah Bumbu, the supervisors.
        assert set(told(case)).isdisjoint(
            {"alice", "carol", "dina", "tono", *(f"off_{d}" for d in DIVISIONS)}
            | {f"gone_{d}" for d in DIVISIONS}
            | {f"tanbu_{d}" for d in DIVISIONS}
            | {f"duty_{d}" for d in DIVISIONS if d != division}
        )


def test_a_report_through_the_api_writes_one_outbox_row_per_duty_officer(office, as_user):
    response = as_user(office.alice).post("/api/v1/cases/", case_payload(), format="json")
    assert response.status_code == 201, response.json()
    case = Case.objects.get(pk=response.json()["id"])

    assert told(case) == ["bob", "duty_rehsos", "kec_rehsos"]  # LUT is rehsos
    rows = OutboxMessage.objects.filter(case_id=case.pk)
    assert {(row.event, row.case_reference) for row in rows} == {("case_reported", case.reference)}


def test_the_category_division_edited_in_the_admin_reroutes_new_reports(office):
    """The mapping is data: LUT moved to dayasos goes to the dayasos officers from then on."""
    Category.objects.filter(code="LUT").update(division=Division.DAYASOS)

    case = report(office.alice, category="LUT")

    assert told(case) == ["duty_dayasos", "kec_dayasos"]


def test_an_officer_who_reports_is_not_told_of_their_own_report(office):
    case = report(office.bob)

    assert told(case) == ["duty_rehsos", "kec_rehsos"]


def test_the_only_officer_on_duty_who_reports_has_the_supervisors_told_instead(bob, carol):
    """Otherwise nobody would hear of the case until its deadline passed."""
    case = report(bob)

    assert told(case) == ["carol"]


def test_the_only_officer_on_duty_who_resubmits_has_the_supervisors_told(bob, carol):
    from workflows.services import case_transition

    case = report(bob)
    case_transition(case_id=str(case.pk), actor=carol, action="return",
                    data={"reason": "Lengkapi alamat"})  # fmt: skip
    case_transition(case_id=str(case.pk), actor=bob, action="resubmit", data={})

    assert told(case, "case_resubmitted") == ["carol"]


def test_another_regency_routes_to_its_own_officers(office, vera):
    case = report(vera, region="63.10.01")

    assert told(case) == ["tanbu_rehsos", "tono"]


# --- fallbacks -----------------------------------------------------------------------------


def test_nobody_on_duty_in_the_division_falls_back_to_the_regency_supervisors(office):
    carla = make_user("carla", role="supervisor", region="63.71")
    make_user("retired", role="supervisor", region="63.71", is_active=False)
    User.objects.filter(division=Division.PFM).update(on_duty=False)

    case = report(office.alice, category="FM")  # Fakir Miskin: pfm

    assert told(case) == sorted(["carol", carla.username])
    assert names(responsibility.duty_officers(case)) == ["carla", "carol"]


def test_inactive_officers_on_duty_count_as_nobody(office):
    User.objects.filter(pk__in=[office.on_duty["pfm"].pk, office.in_kecamatan["pfm"].pk]).update(
        is_active=False
    )

    case = report(office.alice, category="FM")

    assert told(case) == ["carol"]


def test_nobody_in_the_regency_falls_back_to_the_provincial_supervisors(office):
    """Kota Banjarbaru has no officer and no supervisor in the cast: the province is told."""
    deputy = make_user("deputy", role="supervisor", region="63")

    case = report(office.alice, region=BANJARBARU_DISTRICT)

    assert told(case) == sorted(["dina", deputy.username])
    assert "carol" not in told(case)  # Banjarmasin's supervisor is not Banjarbaru's


def test_off_duty_officers_of_a_regency_with_no_supervisor_fall_back_to_the_province(office):
    make_user("bbr_off", role="officer", region="63.72", division="rehsos", on_duty=False)

    case = report(office.alice, region=BANJARBARU_DISTRICT)

    assert told(case) == ["dina"]


# --- going off and on duty -----------------------------------------------------------------


def test_going_off_duty_stops_new_cases_and_coming_back_resumes_them(office, as_user):
    """Through PATCH /api/v1/me/, as an officer does it themselves."""
    for officer in (office.bob, office.on_duty["rehsos"], office.in_kecamatan["rehsos"]):
        response = as_user(officer).patch("/api/v1/me/", {"on_duty": False}, format="json")
        assert response.status_code == 200, response.json()

    off = report(office.alice)
    assert told(off) == ["carol"]

    as_user(office.bob).patch("/api/v1/me/", {"on_duty": True}, format="json")
    back = report(office.alice)
    assert told(back) == ["bob"]


# --- the admin -----------------------------------------------------------------------------


@pytest.fixture
def admin_client(adam) -> Client:
    client = Client()
    client.force_login(adam)
    return client


def on_duty(*users: User) -> list[bool]:
    return [User.objects.get(pk=user.pk).on_duty for user in users]


def test_the_admin_action_mark_off_duty_takes_officers_out_of_routing(office, admin_client):
    rehsos = [office.bob, office.on_duty["rehsos"], office.in_kecamatan["rehsos"]]

    response = admin_client.post(
        "/admin/casework/user/",
        {"action": "mark_off_duty", "_selected_action": [u.pk for u in rehsos]},
    )

    assert response.status_code == 302
    assert on_duty(*rehsos) == [False, False, False]
    assert on_duty(office.tono, office.on_duty["pfm"]) == [True, True]  # not selected
    assert told(report(office.alice)) == ["carol"]

    response = admin_client.post(
        "/admin/casework/user/", {"action": "mark_on_duty", "_selected_action": [office.bob.pk]}
    )
    assert response.status_code == 302
    assert told(report(office.alice)) == ["bob"]


def test_the_on_duty_column_of_the_admin_list_is_editable(office, admin_client):
    """The changelist's formset: an unticked box is a POST without the field."""
    bob, duty = office.bob, office.on_duty["rehsos"]
    off = office.off_duty["rehsos"]
    response = admin_client.post(
        "/admin/casework/user/",
        {
            "form-TOTAL_FORMS": "3",
            "form-INITIAL_FORMS": "3",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": str(bob.pk),  # on_duty unticked: off
            "form-1-id": str(duty.pk),  # unticked: off
            "form-2-id": str(off.pk),
            "form-2-on_duty": "on",  # ticked: on
            "_save": "Save",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert on_duty(bob, duty, off) == [False, False, True]
    assert told(report(office.alice)) == ["kec_rehsos", "off_rehsos"]
