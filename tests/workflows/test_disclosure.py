"""What the reporter reads of their case: the state changes and the texts written for them.

The Dinas Sosial handling the case reads every text: the assessment, assign and reopen notes,
transfer reasons, internal notes. The volunteer who reported it reads a return's reason, the
outcome, the notes for the reporter and what they wrote themselves (`workflows.disclosure`).
"""

import pytest
from django.utils import timezone

from casework.models import Note
from notifications.models import OutboxMessage
from notifications.templates import render
from tests.factories import make_case, make_user
from workflows import disclosure, escalation, services
from workflows.models import HistoryEntry

pytestmark = pytest.mark.django_db

ASSESSMENT = "Kunjungan: lansia sakit jantung, anak tidak mau merawat."
ASSIGN_NOTE = "Budi lebih dekat, Bob sedang cuti minggu depan."
INTERNAL_NOTE = "Tetangga bilang pelapor sering melebih-lebihkan."
FOR_REPORTER = "Terima kasih, petugas akan datang hari Kamis."
RETURN_REASON = "Alamat belum lengkap: RT/RW tidak disebut."
SUMMARY = "Sudah dirawat di panti, bantuan rutin berjalan."


@pytest.fixture
def budi(db):
    """Budi, a second rehsos officer at Dinsos Kota Banjarmasin."""
    return make_user("budi", role="officer", region="63.71", division="rehsos")


def act(as_user, user, case, action, **body):
    response = as_user(user).post(f"/api/v1/cases/{case.pk}/{action}/", body, format="json")
    assert response.status_code == 200, response.json()
    return response


def add_note(as_user, user, case, **body):
    return as_user(user).post(f"/api/v1/cases/{case.pk}/notes/", body, format="json")


def history(as_user, user, case):
    response = as_user(user).get(f"/api/v1/cases/{case.pk}/history/")
    assert response.status_code == 200
    return [(r["action"], r["from_state"], r["to_state"], r["reason"]) for r in response.json()]


def notes(as_user, user, case):
    response = as_user(user).get(f"/api/v1/cases/{case.pk}/notes/")
    assert response.status_code == 200
    return [(n["text"], n["visibility"]) for n in response.json()]


def verified_and_reassigned(as_user, alice, bob, budi):
    """Verified by Bob with his assessment, handed to Budi with a note, and an internal note."""
    case = make_case(alice)
    act(as_user, bob, case, "verify", note=ASSESSMENT)
    act(as_user, bob, case, "assign", assignee=budi.pk, note=ASSIGN_NOTE)
    assert add_note(as_user, bob, case, text=INTERNAL_NOTE).status_code == 201
    return case


def test_the_reporter_sees_the_states_but_not_the_officers_texts(as_user, alice, bob, budi):
    case = verified_and_reassigned(as_user, alice, bob, budi)

    assert history(as_user, alice, case) == [
        ("report", "", "reported", ""),
        ("verify", "reported", "verified", ""),
        ("assign", "verified", "verified", ""),
    ]
    assert notes(as_user, alice, case) == []
    # Nor does anything she is sent carry them.
    for message in OutboxMessage.objects.filter(recipient=alice):
        rendered = render(message, "id")
        for text in (ASSESSMENT, ASSIGN_NOTE, INTERNAL_NOTE):
            assert text not in f"{message.context} {rendered.title} {rendered.body}"


@pytest.mark.parametrize("reader", ["bob", "budi", "carol"])
def test_the_dinsos_reads_every_text(request, as_user, alice, bob, budi, reader):
    case = verified_and_reassigned(as_user, alice, bob, budi)
    user = request.getfixturevalue(reader)

    assert history(as_user, user, case) == [
        ("report", "", "reported", ""),
        ("verify", "reported", "verified", ASSESSMENT),
        ("assign", "verified", "verified", ASSIGN_NOTE),
        ("note", "verified", "verified", ""),
    ]
    assert notes(as_user, user, case) == [(INTERNAL_NOTE, "internal")]


def test_the_reporter_reads_why_her_report_was_returned_and_her_answer(as_user, alice, bob):
    case = make_case(alice)
    act(as_user, bob, case, "return", reason=RETURN_REASON)
    act(as_user, alice, case, "resubmit", note="RT 05 / RW 02.")

    assert history(as_user, alice, case) == [
        ("report", "", "reported", ""),
        ("return", "reported", "returned", RETURN_REASON),
        ("resubmit", "returned", "reported", "RT 05 / RW 02."),
    ]


def test_the_reporter_reads_the_outcome(as_user, alice, bob):
    case = make_case(alice)
    act(as_user, bob, case, "verify", note=ASSESSMENT)
    act(as_user, bob, case, "assist", kind="shelter", description="Panti Budi Luhur.",
        delivered_at=timezone.localdate().isoformat())  # fmt: skip
    act(as_user, bob, case, "close", outcome="referred", summary=SUMMARY,
        referred_to="Panti Sosial Tresna Werdha")  # fmt: skip

    rows = as_user(alice).get(f"/api/v1/cases/{case.pk}/history/").json()
    assert [(r["action"], r["reason"]) for r in rows] == [
        ("report", ""),
        ("verify", ""),
        ("assist", ""),
        ("close", SUMMARY),
    ]
    close = rows[-1]["payload"]
    assert (close["outcome"], close["referred_to"]) == ("referred", "Panti Sosial Tresna Werdha")


def test_the_reporter_reads_why_her_report_was_rejected(as_user, alice, bob):
    case = make_case(alice)
    act(as_user, bob, case, "reject", outcome="rejected", reason="Bukan PPKS: keluarga merawat.")

    assert history(as_user, alice, case)[-1] == (
        "reject",
        "reported",
        "closed",
        "Bukan PPKS: keluarga merawat.",
    )


def test_a_reopen_reason_is_internal(as_user, alice, bob, carol):
    case = make_case(alice)
    act(as_user, bob, case, "reject", outcome="rejected", reason="Bukan PPKS.")
    act(as_user, carol, case, "reopen", reason="Petugas salah menilai, cek ulang.")

    assert history(as_user, alice, case)[-1] == ("reopen", "closed", "verified", "")
    assert history(as_user, carol, case)[-1][-1] == "Petugas salah menilai, cek ulang."


def test_a_note_for_the_reporter_is_hers_to_read(as_user, alice, bob):
    case = make_case(alice)
    internal = add_note(as_user, bob, case, text=INTERNAL_NOTE)
    for_her = add_note(as_user, bob, case, text=FOR_REPORTER, visibility="reporter")
    assert (internal.status_code, for_her.status_code) == (201, 201)
    assert (internal.json()["visibility"], for_her.json()["visibility"]) == ("internal", "reporter")

    assert notes(as_user, alice, case) == [(FOR_REPORTER, "reporter")]
    rows = as_user(alice).get(f"/api/v1/cases/{case.pk}/history/").json()
    assert [(r["action"], r["payload"]) for r in rows] == [
        ("report", {}),
        ("note", {"note_id": for_her.json()["id"]}),
    ]
    assert notes(as_user, bob, case) == [(INTERNAL_NOTE, "internal"), (FOR_REPORTER, "reporter")]


def test_the_reporters_notes_are_for_the_officers_and_herself(as_user, alice, bob):
    case = make_case(alice)
    response = add_note(as_user, alice, case, text="Nenek pindah ke rumah adiknya.")
    assert response.status_code == 201
    assert response.json()["visibility"] == "reporter"

    assert notes(as_user, alice, case) == [("Nenek pindah ke rumah adiknya.", "reporter")]
    assert notes(as_user, bob, case) == [("Nenek pindah ke rumah adiknya.", "reporter")]
    assert [row[0] for row in history(as_user, alice, case)] == ["report", "note"]


def test_the_reporter_cannot_write_an_internal_note(as_user, alice):
    case = make_case(alice)
    response = add_note(as_user, alice, case, text="Rahasia.", visibility="internal")

    assert response.status_code == 400
    body = response.json()
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("visibility", "not_allowed")]
    assert body["errors"][0]["message"]
    assert not Note.objects.exists()
    assert not HistoryEntry.objects.filter(action="note").exists()


@pytest.mark.parametrize(
    ("visibility", "code"),
    [("public", "invalid_choice"), ("", "invalid_choice"), (None, "null"), (1, "invalid_choice")],
)
def test_a_bad_visibility_is_400_naming_the_field(as_user, alice, bob, visibility, code):
    case = make_case(alice)
    response = add_note(as_user, bob, case, text="Sudah ditelepon.", visibility=visibility)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("visibility", code)]
    assert not Note.objects.exists()


def test_staff_who_filed_a_case_elsewhere_read_it_as_its_reporter(as_user, bob, tono):
    """Bob files a case and transfers it to Tanah Bumbu: he keeps seeing it as its reporter,
    with his own transfer reason, but not Tono's assessment."""
    case = make_case(bob)
    act(as_user, bob, case, "transfer", region="63.10.01", reason="Ternyata tinggal di Batu Licin.")
    act(as_user, tono, case, "verify", note=ASSESSMENT)

    assert [row[3] for row in history(as_user, bob, case)] == [
        "",
        "Ternyata tinggal di Batu Licin.",
        "",
    ]
    assert [row[3] for row in history(as_user, tono, case)][-1] == ASSESSMENT


def test_every_history_row_has_a_decision():
    """A new action, or a new kind of history row, must say whether its reporter reads its text."""
    rows = (
        set(services.ACTIONS)
        | set(escalation.EVENT.values())
        | {"report", "edit", "note", "attachment", "assistance"}
    )
    assert set(disclosure.REASON_FOR_REPORTER) == rows
