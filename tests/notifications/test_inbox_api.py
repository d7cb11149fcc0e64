"""The inbox and notification preferences API (docs/api.md, "The endpoints").

`GET /api/v1/notifications/?unread=true|false`: the signed-in user's items, newest first, cursor
paginated, each `{id, event, case, case_reference, title, body, created_at, read_at}`.
`POST /api/v1/notifications/{id}/read/` marks one read (again: it keeps the first time);
`POST /api/v1/notifications/read-all/` all of them. `GET|PATCH .../preferences/`: `language`
(`id`|`en`), `email`, `webhook`; a channel needs an address or phone on the account.

Items arrive the way the product delivers them: an outbox row (`notify`), whose inbox delivery
runs when the transaction commits.
"""

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from casework.models import Case, User
from notifications.models import InboxItem, OutboxMessage, Preference
from notifications.services import notify
from tests.factories import make_case, make_user
from workflows.notices import case_context

pytestmark = pytest.mark.django_db

WITA = ZoneInfo("Asia/Makassar")
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=WITA)
LIST, READ_ALL, PREFERENCES = (
    "/api/v1/notifications/",
    "/api/v1/notifications/read-all/",
    "/api/v1/notifications/preferences/",
)
SHAPE = {"id", "event", "case", "case_reference", "title", "body", "created_at", "read_at"}


def read_url(item_id: object) -> str:
    return f"/api/v1/notifications/{item_id}/read/"


@pytest.fixture
def case(alice) -> Case:
    return make_case(alice)


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """`deliver(user, case, event, at)`: an outbox row sent at `at`, delivered to the inbox."""

    def send(user: User, case: Case, event: str, at: datetime) -> InboxItem:
        with (
            time_machine.travel(at, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            [message] = notify(
                event=event, recipients=[user], case_id=case.pk,
                case_reference=case.reference, context=case_context(case),
            )  # fmt: skip
        return InboxItem.objects.get(message=message)

    return send


@pytest.fixture
def bobs_inbox(bob, carol, case, deliver) -> list[InboxItem]:
    """Three items for Bob an hour apart (oldest first) and one for Carol in between."""
    items = [
        deliver(bob, case, "case_reported", T0),
        deliver(bob, case, "case_assigned", T0 + timedelta(hours=1)),
        deliver(bob, case, "case_reopened", T0 + timedelta(hours=2)),
    ]
    deliver(carol, case, "case_reported", T0 + timedelta(minutes=30))
    return items


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["results"]]


def error_fields(response) -> list[str]:
    assert response.status_code == 400, response.content
    return [error["field"] for error in response.json()["errors"]]


# --- the list ------------------------------------------------------------------------------


def test_the_list_holds_only_your_items_newest_first(bobs_inbox, bob, carol, as_user):
    newest_first = [str(item.id) for item in reversed(bobs_inbox)]

    assert ids(as_user(bob).get(LIST)) == newest_first
    assert len(ids(as_user(carol).get(LIST))) == 1


def test_each_item_has_the_documented_shape(bob, case, deliver, as_user):
    Preference.objects.create(user=bob, language="en")
    item = deliver(bob, case, "case_assigned", T0)

    [body] = as_user(bob).get(LIST).json()["results"]

    assert set(body) == SHAPE
    assert body == {
        "id": str(item.id),
        "event": "case_assigned",
        "case": str(case.pk),
        "case_reference": case.reference,
        "title": f"Case {case.reference} assigned to you",
        "body": item.body,
        "created_at": T0.isoformat(),
        "read_at": None,
    }
    assert "Neglected older person (60+)" in body["body"]
    assert body["body"].endswith(f"/kasus/{case.pk}/")


def test_the_unread_filter(bobs_inbox, bob, as_user):
    oldest, middle, newest = (str(item.id) for item in bobs_inbox)
    api = as_user(bob)
    assert api.post(read_url(middle)).status_code == 200

    assert ids(api.get(LIST, {"unread": "true"})) == [newest, oldest]
    assert ids(api.get(LIST, {"unread": "false"})) == [middle]
    assert ids(api.get(LIST)) == [newest, middle, oldest]


@pytest.mark.parametrize("value", ["maybe", "1", "TRUE", "yes"])
def test_a_bad_unread_value_is_a_400_naming_the_parameter(bobs_inbox, bob, as_user, value):
    response = as_user(bob).get(LIST, {"unread": value})

    assert error_fields(response) == ["unread"]
    assert response["Content-Type"] == "application/json"


def test_an_empty_unread_parameter_filters_nothing(bobs_inbox, bob, as_user):
    assert len(ids(as_user(bob).get(LIST, {"unread": ""}))) == 3


def test_the_list_is_paginated_by_cursor(bob, case, django_capture_on_commit_callbacks, as_user):
    OutboxMessage.objects.all().delete()  # the case's own report: not part of this count
    with django_capture_on_commit_callbacks(execute=True):
        for minute in range(53):
            with time_machine.travel(T0 + timedelta(minutes=minute), tick=False):
                notify(event="case_reported", recipients=[bob], case_id=case.pk,
                       case_reference=case.reference, context=case_context(case))  # fmt: skip
    api = as_user(bob)

    first = api.get(LIST).json()
    second = api.get(first["next"]).json()

    assert len(first["results"]) == 50 and len(second["results"]) == 3
    assert second["next"] is None
    seen = [item["created_at"] for item in first["results"] + second["results"]]
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 53


def test_the_notifications_endpoints_need_a_signed_in_user(bobs_inbox) -> None:
    anonymous = APIClient()
    for response in (
        anonymous.get(LIST),
        anonymous.post(read_url(bobs_inbox[0].id)),
        anonymous.post(READ_ALL),
        anonymous.get(PREFERENCES),
        anonymous.patch(PREFERENCES, {"language": "en"}, format="json"),
    ):
        assert response.status_code == 401
    assert InboxItem.objects.filter(read_at__isnull=False).count() == 0
    assert not Preference.objects.exists()


# --- marking read --------------------------------------------------------------------------


def test_reading_an_item_marks_it_and_reading_again_keeps_the_first_time(bobs_inbox, bob, as_user):
    item = bobs_inbox[0]
    api = as_user(bob)
    first_read = T0 + timedelta(days=1)

    with time_machine.travel(first_read, tick=False):
        response = api.post(read_url(item.id))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == SHAPE
    assert (body["id"], body["read_at"]) == (str(item.id), first_read.isoformat())

    with time_machine.travel(first_read + timedelta(hours=3), tick=False):
        again = api.post(read_url(item.id))
    assert again.status_code == 200
    assert again.json()["read_at"] == first_read.isoformat()
    assert InboxItem.objects.get(pk=item.pk).read_at == first_read


@pytest.mark.parametrize("item_id", ["someone else's", uuid.uuid4(), "not-a-uuid", "42"])
def test_reading_an_item_that_is_not_yours_is_a_404(bobs_inbox, carol, as_user, item_id):
    if item_id == "someone else's":
        item_id = bobs_inbox[0].id

    response = as_user(carol).post(read_url(item_id))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"]
    assert InboxItem.objects.filter(read_at__isnull=False).count() == 0


def test_read_all_marks_only_your_unread_items(bobs_inbox, bob, carol, as_user):
    api = as_user(bob)
    early = T0 + timedelta(days=1)
    with time_machine.travel(early, tick=False):
        api.post(read_url(bobs_inbox[0].id))

    with time_machine.travel(early + timedelta(hours=1), tick=False):
        response = api.post(READ_ALL)

    assert response.status_code == 200
    assert response.json() == {"marked": 2}
    assert ids(api.get(LIST, {"unread": "true"})) == []
    assert InboxItem.objects.get(pk=bobs_inbox[0].pk).read_at == early  # kept
    assert InboxItem.objects.get(recipient=carol).read_at is None  # not Bob's
    assert api.post(READ_ALL).json() == {"marked": 0}


# --- preferences ---------------------------------------------------------------------------


def test_preferences_default_to_the_inbox_in_indonesian(bob, as_user):
    response = as_user(bob).get(PREFERENCES)

    assert response.status_code == 200
    assert response.json() == {"language": "id", "email": False, "webhook": False}
    assert not Preference.objects.exists()  # reading writes nothing


def test_patching_preferences_changes_them_and_the_language_of_new_items(
    bob, case, deliver, as_user, settings
):
    settings.NOTIFY_WEBHOOK_URL = "http://127.0.0.1:9/gateway"
    api = as_user(bob)
    response = api.patch(PREFERENCES, {"language": "en"}, format="json")

    assert response.status_code == 200
    assert response.json() == {"language": "en", "email": False, "webhook": False}
    assert api.get(PREFERENCES).json()["language"] == "en"
    assert deliver(bob, case, "case_reported", T0).title == f"New case {case.reference}"

    User.objects.filter(pk=bob.pk).update(email="bob@dinsos.example", phone="+6281234500001")
    bob.refresh_from_db()
    response = as_user(bob).patch(PREFERENCES, {"email": True, "webhook": True}, format="json")
    assert response.json() == {"language": "en", "email": True, "webhook": True}
    response = as_user(bob).patch(PREFERENCES, {"language": "id"}, format="json")
    assert response.json() == {"language": "id", "email": True, "webhook": True}  # kept


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"email": True}, ["email"]),
        ({"webhook": True}, ["webhook"]),
        ({"email": True, "webhook": True}, ["email", "webhook"]),
        ({"language": "fr"}, ["language"]),
        ({"language": None}, ["language"]),
        ({"email": "maybe"}, ["email"]),
        ({"inbox": False}, ["inbox"]),
        ({"sms": True, "language": "jv"}, ["language", "sms"]),
    ],
)
def test_bad_preferences_are_a_400_naming_the_field_and_change_nothing(
    bob, as_user, settings, body, fields
):
    """Bob's account has no e-mail address and no phone."""
    settings.NOTIFY_WEBHOOK_URL = "http://127.0.0.1:9/gateway"
    User.objects.filter(pk=bob.pk).update(email="", phone="")
    bob.refresh_from_db()

    response = as_user(bob).patch(PREFERENCES, body, format="json")

    assert sorted(error_fields(response)) == fields
    assert not Preference.objects.exists()


def test_an_officer_with_an_address_may_turn_email_on_one_without_may_not(as_user):
    with_address = make_user("ratna", role="officer", region="63.71", division="rehsos",
                             email="ratna@dinsos.example")  # fmt: skip
    without = make_user("sinta", role="officer", region="63.71", division="rehsos", email="")

    ok = as_user(with_address).patch(PREFERENCES, {"email": True}, format="json")
    refused = as_user(without).patch(PREFERENCES, {"email": True}, format="json")

    assert ok.status_code == 200 and ok.json()["email"] is True
    assert error_fields(refused) == ["email"]
    assert Preference.objects.get(user=with_address).email is True
    assert not Preference.objects.filter(user=without).exists()


def test_whatsapp_cannot_be_chosen_where_no_gateway_is_set_up(bob, as_user, settings):
    settings.NOTIFY_WEBHOOK_URL = ""
    User.objects.filter(pk=bob.pk).update(phone="+6281234500001")

    response = as_user(bob).patch(
        PREFERENCES, {"webhook": True}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert error_fields(response) == ["webhook"]
    assert "not set up" in response.json()["errors"][0]["message"]
    assert not Preference.objects.exists()
