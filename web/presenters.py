"""What a page shows of a case, in words: labels not codes, times in WITA and as "2 jam lalu"."""

from dataclasses import dataclass
from datetime import date, datetime

from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from casework import reference_cache
from casework.maps import CaseMap, case_map
from casework.models import (
    Assistance,
    AssistanceKind,
    Attachment,
    Case,
    CaseState,
    Note,
    NoteVisibility,
)
from casework.places import Area, village_title
from notifications.models import InboxItem
from workflows.models import HistoryEntry


@dataclass(frozen=True)
class CaseRow:
    id: str
    reference: str
    category: str
    state: str
    state_code: str
    place: str
    changed_at: datetime
    changed: str  # "2 jam lalu"


def case_rows(cases: list[Case], *, now: datetime | None = None) -> list[CaseRow]:
    now = now or timezone.now()
    english = (get_language() or "id").startswith("en")
    rows = []
    for case in cases:
        category = reference_cache.categories.get(case.category_id)
        name = (category.name_en if english else category.name) if category else case.category_id
        rows.append(
            CaseRow(
                id=str(case.pk),
                reference=case.reference,
                category=name,
                state=case.get_state_display(),
                state_code=case.state,
                place=_place(case),
                changed_at=timezone.localtime(case.state_changed_at),
                changed=ago(case.state_changed_at, now),
            )
        )
    return rows


def ago(moment: datetime, now: datetime) -> str:
    """ "2 jam lalu", "baru saja"."""
    if (now - moment).total_seconds() < 60:
        return _("just now")
    return _("%(span)s ago") % {"span": timesince(moment, now, depth=1)}


def _place(case: Case) -> str:
    district = reference_cache.regions.get(case.region_id[: len("63.71.04")])
    regency = reference_cache.regions.get(case.regency_id)
    return ", ".join(region.name for region in (district, regency) if region is not None)


# What each history row says, as a sentence after the actor: "Rina (petugas) memverifikasi".
DEEDS = {
    "report": _lazy("reported the case"),
    "verify": _lazy("verified the report"),
    "return": _lazy("returned it to the reporter"),
    "resubmit": _lazy("sent it again"),
    "reject": _lazy("did not take it up"),
    "assist": _lazy("recorded the first assistance"),
    "close": _lazy("closed the case"),
    "reopen": _lazy("reopened the case"),
    "assign": _lazy("assigned it"),
    "transfer": _lazy("moved it to another region"),
    "edit": _lazy("corrected the report"),
    "note": _lazy("added a note"),
    "attachment": _lazy("attached a file"),
    "assistance": _lazy("recorded further assistance"),
    "sla_warning": _lazy("the deadline is near"),
    "sla_breached": _lazy("the deadline was missed"),
    "sla_escalated": _lazy("escalated to the province"),
}
# The actions whose payload names the assignee: what they say then (by name; automatically).
HANDED = {
    "verify": (
        _lazy("verified the report and assigned it to %(name)s"),
        _lazy("verified the report and assigned it automatically to %(name)s"),
    ),
    "assign": (
        _lazy("assigned it to %(name)s"),
        _lazy("assigned it automatically to %(name)s"),
    ),
}
ROLE_WORDS = {
    "volunteer": _lazy("volunteer"),
    "officer": _lazy("officer"),
    "supervisor": _lazy("supervisor"),
    "admin": _lazy("administrator"),
}


@dataclass(frozen=True)
class HistoryLine:
    sentence: str  # "Rina (petugas) memverifikasi laporan"
    text: str  # the row's text as the reader may read it (empty when not theirs)
    at: datetime
    ago: str


def assignee_ids(entries: list[HistoryEntry]) -> set[int]:
    """Whom the history's verifications and assignments handed the case to."""
    found = (entry.payload.get("assignee") for entry in entries if entry.action in HANDED)
    return {pk for pk in found if isinstance(pk, int)}


def history_lines(
    entries: list[HistoryEntry],
    *,
    names: dict[int, str] | None = None,
    now: datetime | None = None,
) -> list[HistoryLine]:
    """A sentence per entry; a verification or assignment says to whom (`names`, by id: the
    payload's `assignee`), and that it was automatic when it was."""
    now = now or timezone.now()
    names = names or {}
    lines = []
    for entry in entries:
        deed = str(DEEDS.get(entry.action, entry.get_action_display()))
        to = names.get(entry.payload.get("assignee")) if entry.action in HANDED else None
        if to is not None:
            deed = str(HANDED[entry.action][bool(entry.payload.get("auto_assigned"))]) % {
                "name": to
            }
        if entry.actor is None:
            sentence = deed[:1].upper() + deed[1:]
        else:
            who = entry.actor.full_name or entry.actor.username
            sentence = _("%(who)s (%(role)s) %(deed)s") % {
                "who": who,
                "role": ROLE_WORDS.get(entry.actor.role, entry.actor.role),
                "deed": deed,
            }
        lines.append(
            HistoryLine(sentence, entry.reason, timezone.localtime(entry.at), ago(entry.at, now))
        )
    return lines


def deadline_words(case: Case, *, now: datetime | None = None) -> str:
    """ "sisa 3 jam" / "terlambat 2 hari"; empty when no deadline runs (closed, or none set)."""
    if case.due_at is None or case.state == CaseState.CLOSED:
        return ""
    now = now or timezone.now()
    if case.due_at > now:
        return _("%(span)s left") % {"span": timesince(now, case.due_at, depth=1)}
    return _("%(span)s late") % {"span": timesince(case.due_at, now, depth=1)}


@dataclass(frozen=True)
class AttachmentLine:
    name: str
    url: str  # the API's download, which the page's session cookie opens
    size: str  # "1,2 MB"
    alt: str  # a photo's: "Foto 1 dari 3: rumah.jpg"; empty for a document


def attachment_lines(
    attachments: list[Attachment],
) -> tuple[list[AttachmentLine], list[AttachmentLine]]:
    """The photos (what a browser shows: JPEG, PNG, WebP) and the documents (PDF), each in
    upload order."""
    photos = [a for a in attachments if a.content_type.startswith("image/")]
    documents = [a for a in attachments if not a.content_type.startswith("image/")]
    return (
        [
            _attachment_line(
                photo,
                _("Photo %(number)s of %(count)s: %(name)s")
                % {"number": number, "count": len(photos), "name": photo.name},
            )
            for number, photo in enumerate(photos, start=1)
        ],
        [_attachment_line(document, "") for document in documents],
    )


def _attachment_line(attachment: Attachment, alt: str) -> AttachmentLine:
    url = reverse(
        "case-attachment", kwargs={"case_id": attachment.case_id, "attachment_id": attachment.pk}
    )
    return AttachmentLine(attachment.name, url, filesizeformat(attachment.size), alt)


@dataclass(frozen=True)
class InboxLine:
    id: str
    title: str
    text: str  # the message without its link: the page links the case itself
    case_id: str
    unread: bool
    at: datetime
    ago: str


def _without_link(body: str) -> str:
    text, _newline, last = body.rpartition("\n")
    return text if text and last.startswith(("http://", "https://")) else body


def inbox_lines(items: list[InboxItem], *, now: datetime | None = None) -> list[InboxLine]:
    now = now or timezone.now()
    return [
        InboxLine(
            id=str(item.pk),
            title=item.title,
            text=_without_link(item.body),
            case_id=str(item.case_id or ""),
            unread=item.read_at is None,
            at=timezone.localtime(item.created_at),
            ago=ago(item.created_at, now),
        )
        for item in items
    ]


@dataclass(frozen=True)
class MapView:
    drawing: CaseMap
    label: str  # the SVG's accessible name: what it shows
    caption: str  # the same in a line of text, with the coordinates


def case_map_view(case: Case) -> MapView | None:
    """The case page's map and its words; None when its kabupaten/kota has no boundary."""
    location = (
        (case.latitude, case.longitude)
        if case.latitude is not None and case.longitude is not None  # set together
        else None
    )
    drawing = case_map(case.region_id, location)
    if drawing is None:
        return None
    place = _place_in_full(case)
    if drawing.pin is not None:
        label = _("Map: %(place)s; the report's location") % {"place": place}
    else:
        label = _("Map: %(place)s") % {"place": place}
    caption = place
    if location is not None:
        caption += f" · {location[0]:.5f}, {location[1]:.5f}"
        if drawing.pin is None:
            caption += " (" + _("too far away to show on this map") + ")"
    return MapView(drawing, label, caption)


def _place_in_full(case: Case) -> str:
    """ "Kelurahan Alalak Selatan, Kecamatan Banjarmasin Utara, Kota Banjarmasin": the
    designations are part of the names, in every language."""
    code = case.region_id
    words = []
    if code.count(".") == 3:
        words.append(village_title(Area(code, case.region.name)))
    district = reference_cache.regions.get(code[: len("63.71.04")])
    if code.count(".") >= 2 and district is not None:
        words.append(f"Kecamatan {district.name}")
    regency = reference_cache.regions.get(case.regency_id)
    if regency is not None:
        words.append(regency.name)
    return ", ".join(words)


@dataclass(frozen=True)
class NoteLine:
    who: str  # "Rina Marlina (petugas)"
    for_whom: str  # "Internal" / "For the reporter"
    at: datetime
    ago: str
    text: str


def note_lines(notes: list[Note], *, now: datetime | None = None) -> list[NoteLine]:
    now = now or timezone.now()
    return [
        NoteLine(
            _("%(who)s (%(role)s)")
            % {
                "who": note.author.full_name or note.author.username,
                "role": ROLE_WORDS.get(note.author.role, note.author.role),
            },
            str(NoteVisibility(note.visibility).label),
            timezone.localtime(note.created_at),
            ago(note.created_at, now),
            note.text,
        )
        for note in notes
    ]


@dataclass(frozen=True)
class AssistanceLine:
    kind: str  # in words
    on: date
    provider: str
    description: str
    by: str


def assistance_lines(records: list[Assistance]) -> list[AssistanceLine]:
    return [
        AssistanceLine(
            str(AssistanceKind(record.kind).label),
            record.delivered_at,
            record.provider,
            record.description,
            record.recorded_by.full_name or record.recorded_by.username,
        )
        for record in records
    ]
