"""What is recorded on a case beside its state: notes, attachments, further assistance.

Each write has the shape of `workflows.services`: one transaction, the case row locked first
(404 if out of reach), then the checks (409 state, 403 role, 400/413 data), then the record and
one history row. None of them changes the state or the deadline, and none notifies anyone.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.access import sees_internal_texts, works_on
from casework.models import (
    Assistance,
    Attachment,
    Case,
    CaseState,
    Note,
    NoteVisibility,
    User,
)
from casework.selectors import case_lock_for_user
from casework.services import CaseData
from common.errors import Conflict, PermissionDenied, ValidationFailed
from workflows import uploads

# From `workflows.services`: the one way a history row is written, and the one validation of an
# assistance record (shared with the `assist` action).
from workflows.services import assistance_build, case_report, record_history

# --- writes --------------------------------------------------------------------------------


def note_add(
    *, case_id: uuid.UUID | str, author: User, text: str, visibility: str | None = None
) -> Note:
    """Add a note to a case: anyone who can see the case, unless it is closed.

    Who it is for (`visibility`): the Dinsos handling the case writes internal notes unless it
    asks for one for the reporter; the reporter's own notes are for the officers and for
    themselves, so always `reporter` (asking for `internal` is refused: only the Dinsos keeps
    notes from the reporter).
    Effects, in one transaction: the note row; a `note` history row (state unchanged, payload
    `note_id`). The note's text is never copied into the history, which cannot be edited.
    Raises NotFound (out of reach), Conflict `case_closed`, ValidationFailed on `visibility`.
    """
    with transaction.atomic():
        case = case_lock_for_user(user=author, case_id=case_id)
        _check_open(case)
        visibility = _note_visibility(case, author, visibility)
        now = timezone.now()
        note = Note.objects.create(
            case=case, author=author, text=text, visibility=visibility, created_at=now
        )
        record_history(case, action="note", from_state=case.state, actor=author, at=now,
                payload={"note_id": note.pk})  # fmt: skip
    return note


def attachment_add(
    *, case_id: uuid.UUID | str, uploader: User, upload: UploadedFile, name: str | None
) -> Attachment:
    """Attach a photo (JPEG, PNG, WebP) or a PDF to a case: anyone who can see it, unless closed.

    The kind is recognised from the content (`workflows.uploads`), never from the name or the
    client's content type. Effects, in one transaction: the file in the default storage under a
    generated name (`attachments/YYYY/MM/<uuid>.<ext>`), the attachment row (with the client's
    display name, sanitised), an `attachment` history row (payload: id, content type, size).
    The file is written last, after the checks; if the transaction fails it is deleted again.
    Raises NotFound, Conflict `case_closed`, FileTooLarge (413), ValidationFailed on `file`.
    """
    attachment: Attachment | None = None
    try:
        with transaction.atomic():
            case = case_lock_for_user(user=uploader, case_id=case_id)
            _check_open(case)
            kind = uploads.check_upload(upload)
            now = timezone.now()
            attachment = Attachment(
                case=case,
                uploaded_by=uploader,
                name=uploads.display_name(name or upload.name or "", kind=kind),
                content_type=kind.content_type,
                size=cast(int, upload.size),  # check_upload refused a file without one
                created_at=now,
            )
            attachment.file.save(uploads.stored_name(kind), upload, save=False)
            attachment.save()
            payload = {"attachment_id": attachment.pk, "content_type": kind.content_type,
                       "size": attachment.size}  # fmt: skip
            record_history(case, action="attachment", from_state=case.state, actor=uploader, at=now,
                    payload=payload)  # fmt: skip
    except BaseException:
        if attachment is not None and attachment.file.name:
            attachment.file.delete(save=False)  # no file without its row
        raise
    return attachment


def assistance_add(*, case_id: uuid.UUID | str, actor: User, data: dict[str, Any]) -> Assistance:
    """Record a further assistance on an `assisted` case (the first one is the `assist` action).

    Who: the assigned officer or a supervisor of the case's region (the `assist` rule).
    `data` is `AssistanceInput`'s: kind, description, delivered_at (not in the future), provider.
    Effects, in one transaction: the assistance row; an `assistance` history row (state
    unchanged, payload: id, kind, delivered_at).
    Raises NotFound, Conflict (`use_assist_action` when verified, `case_not_assisted` otherwise),
    PermissionDenied, ValidationFailed on `delivered_at`.
    """
    with transaction.atomic():
        case = case_lock_for_user(user=actor, case_id=case_id)
        _check_assisted(case)
        if not works_on(actor, case):
            raise PermissionDenied(
                _("Only the assigned officer or a supervisor may record assistance on this case.")
            )
        record = assistance_build(case, actor, data)
        record.created_at = timezone.now()
        record.save()
        payload = {"assistance_id": record.pk, "kind": record.kind,
                   "delivered_at": record.delivered_at.isoformat()}  # fmt: skip
        record_history(case, action="assistance", from_state=case.state, actor=actor,
                at=record.created_at, payload=payload)  # fmt: skip
    return record


def _note_visibility(case: Case, author: User, asked: str | None) -> str:
    if sees_internal_texts(author, case):
        return asked or NoteVisibility.INTERNAL
    if asked == NoteVisibility.INTERNAL:
        raise ValidationFailed.for_field(
            "visibility",
            "not_allowed",
            _("Your notes are read by the Dinas Sosial and by you: they cannot be internal."),
        )
    return NoteVisibility.REPORTER


def _check_open(case: Case) -> None:
    if case.state == CaseState.CLOSED:
        raise Conflict(_("A closed case cannot be changed."), code="case_closed")


def _check_assisted(case: Case) -> None:
    if case.state == CaseState.VERIFIED:
        raise Conflict(
            _("The first assistance of a verified case is recorded with the assist action."),
            code="use_assist_action",
        )
    if case.state != CaseState.ASSISTED:
        raise Conflict(
            _("Further assistance is recorded only while the case is assisted; it is %(state)s.")
            % {"state": case.get_state_display()},
            code="case_not_assisted",
        )


def report_with_photos(*, reporter: User, data: CaseData, photos: list[UploadedFile]) -> Case:
    """A new report and its photos (the web app's form): all of them filed, or nothing.

    Every photo is checked (kind by content, size) before anything is written; then, in one
    transaction, `case_report` and one `attachment_add` per photo.
    Raises what those raise: ValidationFailed (the report's fields, or a photo on `file`),
    FileTooLarge.
    """
    for photo in photos:
        uploads.check_upload(photo)
    with files_deleted_on_failure() as stored, transaction.atomic():
        case = case_report(reporter=reporter, data=data)
        for photo in photos:
            stored.append(
                attachment_add(case_id=case.pk, uploader=reporter, upload=photo, name=None)
            )
    return case


@contextmanager
def files_deleted_on_failure() -> Iterator[list[Attachment]]:
    """For a caller that runs `attachment_add` inside a transaction of its own: the files of
    the attachments it appends to the list are deleted again if the block raises.

    `attachment_add` cleans up after its own transaction only; nested, its rows are rolled back
    with the caller's, later, and without this their files would stay: no file without its row.
    Enter it outside the caller's `atomic()`, so a failing commit is caught too.
    """
    added: list[Attachment] = []
    try:
        yield added
    except BaseException:
        for attachment in added:
            attachment.file.delete(save=False)
        raise
