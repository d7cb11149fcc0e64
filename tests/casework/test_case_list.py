"""The case list: filters, cursor pagination, and a constant number of queries per page."""

import base64
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework.models import Case
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def references(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["reference"] for row in response.json()["results"]]


def test_newest_first_with_cursor_pages(as_user, alice):
    made = [make_case(alice, name=f"Orang {i}").reference for i in range(5)]
    client = as_user(alice)
    first = client.get("/api/v1/cases/", {"page_size": 2})
    assert references(first) == [made[4], made[3]]
    assert first.json()["previous"] is None
    second = client.get(first.json()["next"])
    assert references(second) == [made[2], made[1]]
    third = client.get(second.json()["next"])
    assert references(third) == [made[0]]
    assert third.json()["next"] is None


def test_ordering_by_reference_ascending(as_user, alice):
    made = [make_case(alice, name=f"Orang {i}").reference for i in range(3)]
    assert references(as_user(alice).get("/api/v1/cases/", {"ordering": "reference"})) == made


@pytest.mark.parametrize(
    "ordering",
    ["state", "subject__nik", "-password", "created_at,reference", "updated_at", "observed_at"],
)
def test_unsupported_ordering_is_400(as_user, alice, ordering):
    response = as_user(alice).get("/api/v1/cases/", {"ordering": ordering})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "ordering"


def test_filters_by_state_category_and_urgency(as_user, bob, alice):
    lut = make_case(alice, category="LUT", urgency="high")
    pd = make_case(alice, category="PD", urgency="low")
    Case.objects.filter(pk=pd.pk).update(state="verified")
    client = as_user(bob)
    assert references(client.get("/api/v1/cases/", {"state": "verified"})) == [pd.reference]
    assert references(client.get("/api/v1/cases/", {"category": "LUT"})) == [lut.reference]
    assert references(client.get("/api/v1/cases/", {"urgency": "low"})) == [pd.reference]


def test_region_filter_means_that_region_and_everything_below(as_user, dina, alice):
    alalak = make_case(alice, region="63.71.04.1003")
    other_kecamatan = make_case(alice, region="63.71.01")
    tanbu = make_case(alice, region="63.10.01")
    client = as_user(dina)
    assert set(references(client.get("/api/v1/cases/", {"region": "63.71"}))) == {
        alalak.reference,
        other_kecamatan.reference,
    }
    assert references(client.get("/api/v1/cases/", {"region": "63.71.04"})) == [alalak.reference]
    assert references(client.get("/api/v1/cases/", {"region": "63.10"})) == [tanbu.reference]
    everything = {alalak.reference, other_kecamatan.reference, tanbu.reference}
    assert set(references(client.get("/api/v1/cases/", {"region": "63"}))) == everything
    # Segment by segment: "63.1" is not a parent of "63.10", so it is refused, not widened.
    assert client.get("/api/v1/cases/", {"region": "63.1"}).status_code == 400


def test_assigned_to_me_and_by_id(as_user, bob, alice):
    mine = make_case(alice)
    make_case(alice, name="Belum ditugaskan")
    Case.objects.filter(pk=mine.pk).update(assigned_to=bob)
    client = as_user(bob)
    assert references(client.get("/api/v1/cases/", {"assigned_to": "me"})) == [mine.reference]
    assert references(client.get("/api/v1/cases/", {"assigned_to": bob.pk})) == [mine.reference]


def test_reported_by_me(as_user, bob, alice):
    make_case(alice)
    own = make_case(bob, name="Dilaporkan petugas")
    assert references(as_user(bob).get("/api/v1/cases/", {"reported_by": "me"})) == [own.reference]


def test_overdue_uses_due_at_and_ignores_closed_cases(as_user, bob, alice):
    late = make_case(alice, name="Terlambat")
    closed_late = make_case(alice, name="Sudah ditutup")
    on_time = make_case(alice, name="Tepat waktu")
    past, future = timezone.now() - timedelta(hours=1), timezone.now() + timedelta(hours=1)
    Case.objects.filter(pk__in=[late.pk, closed_late.pk]).update(due_at=past)
    Case.objects.filter(pk=closed_late.pk).update(state="closed")
    Case.objects.filter(pk=on_time.pk).update(due_at=future)
    client = as_user(bob)
    assert references(client.get("/api/v1/cases/", {"overdue": "true"})) == [late.reference]
    rows = client.get("/api/v1/cases/", {"overdue": "false"}).json()["results"]
    assert {r["reference"] for r in rows} == {closed_late.reference, on_time.reference}
    assert all(r["overdue"] is False for r in rows)


def test_search_by_reference_prefix_or_name(as_user, bob, alice):
    aminah = make_case(alice, name="Nenek Aminah")
    usman = make_case(alice, name="Kakek Usman")
    client = as_user(bob)
    assert references(client.get("/api/v1/cases/", {"search": "usman"})) == [usman.reference]
    assert references(client.get("/api/v1/cases/", {"search": aminah.reference})) == [
        aminah.reference
    ]


def test_created_after_and_before(as_user, bob, alice):
    with time_machine.travel("2026-11-01 10:00 +0800", tick=False):
        early = make_case(alice, name="Awal bulan")
    with time_machine.travel("2026-11-20 10:00 +0800", tick=False):
        late = make_case(alice, name="Akhir bulan")
    client = as_user(bob)
    after = client.get("/api/v1/cases/", {"created_after": "2026-11-10T00:00:00+08:00"})
    before = client.get("/api/v1/cases/", {"created_before": "2026-11-10T00:00:00+08:00"})
    assert (references(after), references(before)) == ([late.reference], [early.reference])


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("state", "lost"),
        ("category", "NOPE"),
        ("urgency", "urgent"),
        ("region", "63.7"),
        ("region", "kalsel"),
        ("assigned_to", "someone"),
        ("reported_by", "42"),
        ("overdue", "maybe"),
        ("created_after", "yesterday"),
        ("created_after", "2026-04-05T18:41:43+24:00"),
        ("assigned_to", "²"),
        ("assigned_to", "9" * 40),
        ("search", "nenek\x00"),
    ],
)
def test_bad_filter_values_are_400_naming_the_parameter(as_user, bob, param, value):
    response = as_user(bob).get("/api/v1/cases/", {param: value})
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "validation_error"
    assert response.json()["errors"][0]["field"] == param


@pytest.mark.parametrize(
    ("params", "listed"),
    [
        ({"created_after": "0001-01-01T00:00:00+08:00"}, True),
        ({"created_before": "9999-12-31T23:59:59-08:00"}, True),
        ({"created_after": "9999-12-31T23:59:59-08:00"}, False),
        ({"created_before": "1000-01-01T00:00:00Z"}, False),
    ],
)
def test_bounds_beyond_every_case_mean_what_they_say(as_user, bob, alice, params, listed):
    """A bound the database cannot hold (year 1 in WITA has no UTC equivalent) is no error: it
    lies before or after every case, so it keeps all of them or none."""
    case = make_case(alice)
    response = as_user(bob).get("/api/v1/cases/", params)
    assert response.status_code == 200
    assert references(response) == ([case.reference] if listed else [])


@pytest.mark.parametrize(
    ("position", "ordering"),
    [("garbage", None), ("2026-13-45T99:00:00", None), ("6371\x00", "reference")],
)
def test_a_tampered_cursor_is_400_never_a_500(as_user, bob, alice, position, ordering):
    make_case(alice)
    forged = base64.b64encode(urlencode({"o": 0, "r": 0, "p": position}).encode()).decode()
    params = {"cursor": forged, **({"ordering": ordering} if ordering else {})}
    response = as_user(bob).get("/api/v1/cases/", params)
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "field": "cursor",
        "code": "invalid_cursor",
        "message": "Kursor tidak valid",
    }


def test_an_undecodable_cursor_is_400(as_user, bob):
    response = as_user(bob).get("/api/v1/cases/", {"cursor": "garbage"})
    assert response.status_code == 400


@pytest.mark.parametrize("who", ["alice", "bob", "carol", "dina"])
def test_query_count_does_not_grow_with_the_page(request, as_user, alice, who):
    user = request.getfixturevalue(who)
    client = as_user(user)
    make_case(alice)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/cases/").status_code == 200
    for i in range(15):
        make_case(alice, name=f"Orang {i}", category=["LUT", "PD", "AT"][i % 3])
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/cases/").json()["results"]) == 16
    assert len(many.captured_queries) == len(one.captured_queries)
    assert len(one.captured_queries) <= 4
