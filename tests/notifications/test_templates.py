"""The words of every notification (notifications/templates.py; docs/notifications.md,
"Channels and words").

Each event has a title and a body in Bahasa Indonesia and English that say which case (the
reference), what kind (the PPKS category, in the reader's language), where (the kecamatan) and
link to it; never the subject's name, NIK, phone, address or the description. The recipient's
preferred language decides the words of their inbox item.

The contexts are the ones the product writes: a case's (`workflows.notices.case_context`), the
deadline for SLA events, the digest's figures, and, for the personal-data check, the outbox rows
of a whole life of a case filed with distinctive personal data.
"""

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone, translation

from casework.models import Case, User
from notifications.models import Event, InboxItem, OutboxMessage, Preference
from notifications.templates import TEMPLATES, render
from supervision import digest
from tests.factories import case_payload, make_case, make_user
from workflows.escalation import escalate_due_cases
from workflows.notices import case_context
from workflows.services import case_transition

pytestmark = pytest.mark.django_db

WITA = ZoneInfo("Asia/Makassar")
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=WITA)
LANGUAGES = ["id", "en"]
EVENTS = sorted(TEMPLATES)
ROOT = Path(__file__).resolve().parents[2]

# LUT in 63.71.04 (make_case's defaults): the words a reader should find.
CATEGORY = {"id": "Lanjut Usia Terlantar", "en": "Neglected older person (60+)"}
KECAMATAN = "Banjarmasin Utara"
DUE = datetime(2026, 11, 23, 9, 45, tzinfo=WITA)  # 01:45 UTC


@pytest.fixture
def case(alice) -> Case:
    return make_case(alice)


def message_for(event: str, case: Case, supervisor: User) -> OutboxMessage:
    """An outbox row of `event` with the context its sender writes (unsaved: render reads it)."""
    if event == "daily_digest":
        context = digest.digest_figures(supervisor, now=T0, day=T0.date())
        return OutboxMessage(event=event, recipient=supervisor, case_id=None, context=context)
    context: dict[str, Any] = case_context(case)
    if event.startswith("sla_"):
        context["due_at"] = DUE.isoformat()
    return OutboxMessage(
        event=event, recipient=supervisor, case_id=case.pk, case_reference=case.reference,
        context=context,
    )  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("event", EVENTS)
def test_every_event_renders_its_words_in_both_languages(event, language, case, carol):
    rendered = render(message_for(event, case, carol), language)

    assert rendered.title.strip() and rendered.body.strip()
    assert rendered.language == language
    for text in (rendered.title, rendered.body):
        assert "%(" not in text and ")s" not in text, text
    if event == "daily_digest":
        assert T0.date().isoformat() in rendered.title
        assert "Kota Banjarmasin" in rendered.body
        assert rendered.link.endswith("/kasus/?overdue=true")
        return
    assert case.reference in rendered.title
    assert CATEGORY[language] in rendered.body
    assert KECAMATAN in rendered.body
    assert rendered.body.endswith(f"/kasus/{case.pk}/")
    if event.startswith("sla_"):
        # The deadline in local time (WITA, not UTC), with its zone.
        assert "23" in rendered.body and "2026" in rendered.body
        assert re.search(r"\b9[.:]45\b", rendered.body), rendered.body
        assert "WITA" in rendered.body


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_message_queued_before_the_names_were_keyed_by_language_still_names_its_category(
    language, case, carol
):
    """Outbox rows written by the previous release carry `category_id` (the Indonesian name)
    and `category_en`: a delivery after the upgrade still says what kind of case it is."""
    context = {"category_id": CATEGORY["id"], "category_en": CATEGORY["en"], "district": KECAMATAN}
    message = OutboxMessage(event="case_reported", recipient=carol, case_id=case.pk,
                            case_reference=case.reference, context=context)  # fmt: skip
    assert CATEGORY[language] in render(message, language).body


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_worker_of_the_previous_release_still_names_the_category(language, case):
    """During a rolling upgrade an older worker may deliver a message this release queued: it
    looked the name up as `category_<language>`, else `category_id`."""
    context = case_context(case)
    previous_lookup = context.get(f"category_{language}") or context.get("category_id", "")
    assert previous_lookup == CATEGORY[language]


@pytest.mark.parametrize("event", EVENTS)
def test_the_two_languages_differ(event, case, carol):
    """Translated words, not only a translated category name: the title and the body's
    sentence differ (fails while locale/id lacks the event's strings)."""
    message = message_for(event, case, carol)
    indonesian, english = render(message, "id"), render(message, "en")
    assert indonesian.title != english.title
    title, body = TEMPLATES[event]
    with translation.override("id"):
        words_id = (str(title), str(body))
    with translation.override("en"):
        words_en = (str(title), str(body))
    assert words_id[0] != words_en[0], f"{event}: title not translated"
    assert words_id[1] != words_en[1], f"{event}: body not translated"
    # The translation keeps the placeholders (a missing one would silently drop a word).
    assert sorted(re.findall(r"%\((\w+)\)s", words_id[1])) == sorted(
        re.findall(r"%\((\w+)\)s", words_en[1])
    )


def test_every_event_the_workflow_emits_has_a_template() -> None:
    sources = ["workflows/services.py", "workflows/escalation.py", "supervision/digest.py"]
    emitted = set()
    for source in sources:
        text = (ROOT / source).read_text()
        emitted |= set(re.findall(r"\"((?:case|sla)_[a-z_]+|daily_digest)\"", text))
    assert len(emitted) >= 13  # the grep finds what it is meant to find
    assert emitted - set(TEMPLATES) == set()


def test_every_event_is_named_in_words() -> None:
    # The admin's columns and filters show `Event`'s labels, never the code.
    assert set(Event.values) == set(TEMPLATES)


def test_the_digest_counts_appear_in_the_message(alice, carol) -> None:
    make_case(alice)
    make_case(alice)
    context = digest.digest_figures(carol, now=timezone.now(), day=date(2026, 11, 20))

    rendered = render(OutboxMessage(event="daily_digest", case_id=None, context=context), "en")

    assert "2 open cases" in rendered.body
    assert "0 overdue" in rendered.body
    assert "2 new" in rendered.body


# --- personal data -------------------------------------------------------------------------

SUBJECT = {
    "name": "Zulaikha Purnamasari",
    "nik": "6371046607910003",
    "birth_date": "1991-07-26",
    "phone": "0853-1122-3344",
}
ADDRESS = "Jl. Kelayan B Gang Mawar Merah No. 7"
DESCRIPTION = "Ibu tunggal tidur di emperan toko dekat Pasar Lama sejak banjir."
# Whole values and telling fragments (not short digit runs: a case id in a link may hold them).
PERSONAL = [
    "Zulaikha", "Purnamasari", "6371046607910003", "1991-07-26", "+6285311223344",
    "085311223344", "85311223344", "Kelayan", "Mawar Merah", "emperan", "Pasar Lama", "banjir",
]  # fmt: skip


@pytest.fixture
def lifetime(alice, bob, carol, dina, tono, as_user, django_capture_on_commit_callbacks):
    """A case filed through the API with distinctive personal data, taken through every action
    and every escalation, then the digest: every outbox row that ever mentions it."""
    budi = make_user("budi", role="officer", region="63.71", division="rehsos")
    Preference.objects.create(user=bob, language="en")
    with time_machine.travel(T0, tick=False) as clock:
        body = case_payload(
            urgency="normal", subject=SUBJECT, address=ADDRESS, description=DESCRIPTION,
            observed_at="2026-11-20T08:00:00+08:00",
        )  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            response = as_user(alice).post("/api/v1/cases/", body, format="json")
        assert response.status_code == 201, response.json()
        case_id = response.json()["id"]

        def act(actor: User, action: str, **data: object) -> None:
            with django_capture_on_commit_callbacks(execute=True):
                case_transition(case_id=case_id, actor=actor, action=action, data=data)

        act(bob, "return", reason="Lengkapi alamat.")
        act(alice, "resubmit", note="Sudah.")
        act(carol, "verify", note="Benar.", assignee=budi.pk)
        act(carol, "assign", assignee=bob.pk)
        act(bob, "assist", kind="basic_needs", description="Sembako.",
            delivered_at=timezone.localdate())  # fmt: skip
        act(bob, "close", outcome="resolved", summary="Selesai.")
        act(carol, "reopen", reason="Kambuh.")  # verified again, Bob's, 14 days to assist
        for days in (11, 14, 28):  # 75%, the deadline, one more period
            clock.move_to(T0 + timedelta(days=days, minutes=1))
            with django_capture_on_commit_callbacks(execute=True):
                escalate_due_cases()
        act(carol, "transfer", region="63.10.01", reason="Pindah ke Batulicin.")
        with django_capture_on_commit_callbacks(execute=True):
            digest.send_daily_digest()
    return Case.objects.get(pk=case_id)


def test_no_message_about_a_case_carries_its_subjects_personal_data(lifetime):
    messages = list(OutboxMessage.objects.all())
    assert {m.event for m in messages} == set(TEMPLATES)  # every template, real contexts

    for message in messages:
        for language in LANGUAGES:
            rendered = render(message, language)
            text = f"{rendered.title}\n{rendered.body}\n{rendered.link}\n{message.context}"
            leaked = [word for word in PERSONAL if word in text]
            assert leaked == [], (message.event, language, text)
    inbox = [f"{item.title}\n{item.body}" for item in InboxItem.objects.all()]
    assert len(inbox) == len(messages)
    assert [text for text in inbox if any(word in text for word in PERSONAL)] == []


def test_the_recipients_language_decides_the_words_of_their_inbox_item(
    alice, bob, django_capture_on_commit_callbacks
):
    budi = make_user("budi", role="officer", region="63.71", division="rehsos")
    Preference.objects.create(user=bob, language="en")
    Preference.objects.create(user=budi, language="id")
    ina = make_user("ina", role="officer", region="63.71", division="rehsos")  # no preference

    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(alice)

    items = {i.recipient_id: i for i in InboxItem.objects.filter(case_id=case.pk)}
    assert set(items) == {bob.pk, budi.pk, ina.pk}
    assert items[bob.pk].title == f"New case {case.reference}"
    assert CATEGORY["en"] in items[bob.pk].body
    for indonesian in (budi, ina):  # chosen, and the default without a preference
        assert items[indonesian.pk].title != items[bob.pk].title
        assert case.reference in items[indonesian.pk].title
        assert CATEGORY["id"] in items[indonesian.pk].body
