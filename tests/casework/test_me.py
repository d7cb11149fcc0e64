"""`/api/v1/me/`: officers go on and off duty themselves; routing follows at once."""

import pytest

from casework.models import User
from notifications.models import OutboxMessage
from tests.factories import case_payload

pytestmark = pytest.mark.django_db


def test_me_shows_whether_an_officer_is_on_duty(as_user, bob):
    assert as_user(bob).get("/api/v1/me/").json()["on_duty"] is True


def test_an_officer_goes_off_duty_and_is_no_longer_told_of_new_cases(as_user, alice, bob, carol):
    response = as_user(bob).patch("/api/v1/me/", {"on_duty": False}, format="json")

    assert response.status_code == 200
    assert response.json()["on_duty"] is False
    assert User.objects.get(pk=bob.pk).on_duty is False
    as_user(alice).post("/api/v1/cases/", case_payload(), format="json")
    told = set(OutboxMessage.objects.values_list("recipient__username", flat=True))
    assert told == {"carol"}  # nobody on duty: the supervisors


def test_an_officer_comes_back_on_duty(as_user, bob):
    User.objects.filter(pk=bob.pk).update(on_duty=False)

    response = as_user(bob).patch("/api/v1/me/", {"on_duty": True}, format="json")

    assert response.json()["on_duty"] is True
    assert User.objects.get(pk=bob.pk).on_duty is True


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_only_officers_go_off_duty(as_user, request, who):
    user = request.getfixturevalue(who)

    response = as_user(user).patch("/api/v1/me/", {"on_duty": False}, format="json")

    assert response.status_code == 403  # not theirs to do, however well-formed the request
    assert response.json()["code"] == "not_an_officer"
    assert User.objects.get(pk=user.pk).on_duty is True


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({"on_duty": "yes"}, "on_duty", "invalid"),  # JSON booleans only; {} changes nothing
        ({"on_duty": "maybe"}, "on_duty", "invalid"),
        ({"on_duty": False, "role": "supervisor"}, "role", "unknown_field"),
    ],
)
def test_bad_bodies_are_refused_by_field(as_user, bob, body, field, code):
    response = as_user(bob).patch("/api/v1/me/", body, format="json")

    assert response.status_code == 400
    assert {(e["field"], e["code"]) for e in response.json()["errors"]} >= {(field, code)}
    assert User.objects.get(pk=bob.pk).on_duty is True


def test_me_needs_a_login(api):
    assert api.patch("/api/v1/me/", {"on_duty": False}, format="json").status_code == 401
