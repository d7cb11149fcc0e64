"""Reads of the workflow: a case's history, notes, attachments and assistance.

The caller has checked that the user may see the case (except `attachment_get_for_user`).
"""

import uuid
from datetime import timedelta

from django.db.models import QuerySet

from casework.access import notes_visible_q, sees_internal_texts
from casework.models import Assistance, Attachment, Case, Note, User
from casework.selectors import case_get_for_user
from common.errors import NotFound
from workflows import disclosure
from workflows.models import HistoryEntry, SlaPolicy


def case_history(case: Case, *, reader: User) -> list[HistoryEntry]:
    """Oldest first, as `reader` reads it: in full for the Dinsos handling the case, as
    `workflows.disclosure` says for its reporter."""
    entries = HistoryEntry.objects.filter(case=case).select_related("actor").order_by("at", "id")
    if sees_internal_texts(reader, case):
        return list(entries)
    notes = set(
        Note.objects.filter(notes_visible_q(reader, case), case=case).values_list("pk", flat=True)
    )
    return disclosure.for_reporter(entries, reader=reader, notes=notes)


def case_notes(case: Case, *, reader: User) -> QuerySet[Note]:
    """Oldest first: every note for the Dinsos handling the case; for its reporter, the notes
    for the reporter and their own (`casework.access.notes_visible_q`)."""
    return (
        Note.objects.filter(notes_visible_q(reader, case), case=case)
        .select_related("author")
        .order_by("created_at", "id")
    )


def case_attachments(case: Case) -> QuerySet[Attachment]:
    return (
        Attachment.objects.filter(case=case)
        .select_related("uploaded_by")
        .order_by("created_at", "id")
    )


def case_assistance(case: Case) -> QuerySet[Assistance]:
    return (
        Assistance.objects.filter(case=case)
        .select_related("recorded_by")
        .order_by("delivered_at", "id")
    )


def attachment_get_for_user(
    *, user: User, case_id: uuid.UUID | str, attachment_id: int
) -> Attachment:
    """One attachment of a case the user can see; 404 otherwise (also if it is another case's)."""
    case = case_get_for_user(user=user, case_id=case_id)
    attachment = (
        Attachment.objects.filter(case=case, pk=attachment_id).select_related("case").first()
    )
    if attachment is None:
        raise NotFound()
    return attachment


def verify_periods() -> dict[str, timedelta]:
    """How soon a report of each urgency is verified, by the default policy (any category)."""
    policies = SlaPolicy.objects.filter(category__isnull=True)
    return {policy.urgency: policy.verify_within for policy in policies}
