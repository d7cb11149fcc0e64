"""Reads of the workflow: a case's history."""

from django.db.models import QuerySet

from casework.models import Case
from workflows.models import HistoryEntry


def case_history(case: Case) -> QuerySet[HistoryEntry]:
    """Oldest first. The caller has already checked that the user may see the case."""
    return HistoryEntry.objects.filter(case=case).select_related("actor").order_by("at", "id")
