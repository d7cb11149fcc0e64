"""The daily digest (WORKFLOW.md "Deadlines (SLA) and escalation"): every active supervisor,
once a day, the open/overdue/new counts of their region, in their inbox in their language.
(Beat runs it at 07:00 WITA: tests/workflows/test_escalation.py.)
"""

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications.models import InboxItem, OutboxMessage, Preference
from supervision.digest import send_daily_digest
from tests.factories import make_case, make_user
from workflows.services import case_transition

pytestmark = pytest.mark.django_db

WITA = ZoneInfo("Asia/Makassar")
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=WITA)
SEVEN = datetime(2026, 11, 21, 7, 0, tzinfo=WITA)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(alice, vera, bob, carol, dina):
    """The cast, plus Sari (supervisor of Tanah Bumbu): Carol supervises Banjarmasin, Dina the
    province."""
    sari = make_user("sari", role="supervisor", region="63.10")
    return SimpleNamespace(alice=alice, vera=vera, bob=bob, carol=carol, dina=dina, sari=sari)


@pytest.fixture
def caseload(clock, people):
    """Kota Banjarmasin: an overdue case (4 days old), a new one, a closed one; Tanah Bumbu:
    one new case. Then the clock at 07:00 on the 21st."""
    clock.move_to(SEVEN - timedelta(days=4))
    overdue = make_case(people.alice, urgency="normal")
    clock.move_to(SEVEN - timedelta(hours=3))
    fresh = make_case(people.alice, urgency="normal")
    closed = make_case(people.alice, urgency="normal")
    case_transition(
        case_id=str(closed.pk),
        actor=people.bob,
        action="reject",
        data={"outcome": "rejected", "reason": "Bukan PPKS."},
    )
    tanbu = make_case(people.vera, region="63.10.01", location=None)
    clock.move_to(SEVEN)
    return SimpleNamespace(overdue=overdue, fresh=fresh, closed=closed, tanbu=tanbu)


def digests() -> dict[str, dict]:
    rows = OutboxMessage.objects.filter(event="daily_digest").select_related("recipient")
    return {row.recipient.username: row.context for row in rows}


def test_every_active_supervisor_gets_the_counts_of_their_region(caseload, people):
    make_user("pensiun", role="supervisor", region="63.71", is_active=False)

    assert send_daily_digest() == 3

    figures = {
        name: (c["open"], c["overdue"], c["new"], c["region"], c["date"])
        for name, c in digests().items()
    }
    assert figures == {
        "carol": (2, 1, 2, "Kota Banjarmasin", "2026-11-21"),
        "sari": (1, 0, 1, "Kabupaten Tanah Bumbu", "2026-11-21"),
        "dina": (3, 1, 3, "Kalimantan Selatan", "2026-11-21"),
    }
    assert not OutboxMessage.objects.filter(event="daily_digest", case_id__isnull=False).exists()


def test_the_digest_is_queued_once_a_day_however_often_it_runs(caseload, people, clock):
    assert send_daily_digest() == 3
    clock.move_to(SEVEN + timedelta(hours=16, minutes=59))  # 23:59 WITA, 15:59 UTC
    assert send_daily_digest() == 0
    assert OutboxMessage.objects.filter(event="daily_digest").count() == 3

    # 00:30 WITA on the 22nd is still the 21st in UTC: the day is WITA's.
    clock.move_to(datetime(2026, 11, 22, 0, 30, tzinfo=WITA))
    assert send_daily_digest() == 3
    assert send_daily_digest() == 0
    dates = OutboxMessage.objects.filter(event="daily_digest").values_list("context__date")
    assert sorted(d for (d,) in dates) == ["2026-11-21"] * 3 + ["2026-11-22"] * 3


@pytest.mark.django_db(transaction=True)
def test_the_digest_reaches_the_supervisors_inbox(alice, carol, dina):
    Preference.objects.create(user=carol, language="en")
    with time_machine.travel(SEVEN, tick=False):
        make_case(alice)
        send_daily_digest()

    item = InboxItem.objects.get(recipient=carol, event="daily_digest")
    assert item.title == "Daily summary 2026-11-21"
    assert item.body.startswith("Kota Banjarmasin: 1 open cases, 0 overdue, 1 new in the last day.")
    assert item.body.endswith("/kasus/?overdue=true")
    assert item.case_id is None
