"""The inbox page `/notifikasi/` (issue 12, part 1): the unread first, each opening its case."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications.models import InboxItem
from notifications.services import notify
from tests.factories import make_case
from workflows.notices import case_context

pytestmark = pytest.mark.django_db
WITA = ZoneInfo("Asia/Makassar")
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=WITA)


@pytest.fixture
def told(django_capture_on_commit_callbacks):
    def tell(user, case, event, at):
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            [message] = notify(
                event=event, recipients=[user], case_id=case.pk,
                case_reference=case.reference, context=case_context(case),
            )  # fmt: skip
        return InboxItem.objects.get(message=message)

    return tell


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_unread_come_first_and_each_opens_its_case(client, alice, bob, carol, told):
    case = make_case(alice)
    first = told(bob, case, "case_reported", T0)
    second = told(bob, case, "case_verified", T0 + timedelta(hours=1))
    told(carol, case, "case_reported", T0)  # not Bob's
    InboxItem.objects.filter(pk=second.pk).update(read_at=T0 + timedelta(hours=2))
    client.force_login(bob)
    page = text(client.get("/notifikasi/"))
    titles = re.findall(r'<a href="/kasus/[^"]+/">([^<]+)</a>', page)
    assert titles == [first.title, second.title]  # the unread one, although older, first
    assert f'<a href="/kasus/{case.pk}/">' in page
    assert 'Notifikasi<span id="unread"> <span class="badge">1</span></span>' in page
    assert "http://" not in page.split("<main")[1]  # the message's own link is the title's


def test_marking_read_one_and_all(client, alice, bob, told):
    case = make_case(alice)
    one = told(bob, case, "case_reported", T0)
    other = told(bob, case, "case_verified", T0 + timedelta(hours=1))
    client.force_login(bob)
    assert client.post(f"/notifikasi/{one.pk}/dibaca/").status_code == 302
    assert InboxItem.objects.get(pk=one.pk).read_at is not None
    assert InboxItem.objects.get(pk=other.pk).read_at is None
    client.post("/notifikasi/dibaca/")
    assert not InboxItem.objects.filter(recipient=bob, read_at__isnull=True).exists()


def test_nobody_marks_anothers_notification(client, alice, bob, carol, told):
    item = told(bob, make_case(alice), "case_reported", T0)
    client.force_login(carol)
    assert client.post(f"/notifikasi/{item.pk}/dibaca/").status_code == 404
    assert InboxItem.objects.get(pk=item.pk).read_at is None
