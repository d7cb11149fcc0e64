"""What of a case's history its reporter reads: the rule, decided here and nowhere else.

Who reads everything is `casework.access.sees_internal_texts`: the officers and supervisors of
the case's region. Anyone else who sees the case is its reporter (a volunteer, or staff of
another office who filed it). The reporter reads every row's action, states, actor and time,
and its payload (ids, outcomes, kinds, dates, deadlines, the names of changed fields: what the
case itself shows them); the `note` rows of the notes they read (those for the reporter and
their own, `casework.access.notes_visible_q`); and of the free texts those they wrote and those
written for them, below. A text they do not read is shown to them as an empty `reason`.

| action | its text | the reporter reads it |
| --- | --- | --- |
| `verify` | `note`, the assessment summary | no: the officer's record of the person |
| `return` | `reason` | yes: what to complete or correct |
| `resubmit` | `note` | yes: the answer to the return, usually their own words |
| `reject` | `reason` | yes: why the report was not taken up (with `outcome`) |
| `close` | `summary`; `referred_to` (payload) | yes: the outcome |
| `reopen` | `reason` | no: a supervisor's decision |
| `assign` | `note` | no: between officers |
| `transfer` | `reason` | no: between Dinas Sosial offices |
| `assist`, `assistance`, `attachment`, `note`, `report`, `edit`, `sla_*` | none in the history | |

`referred_to` is the only free text in a payload; every other payload value is an id, a code,
a date or a field name. An action not in the table keeps its text from the reporter.
"""

from collections.abc import Iterable

from casework.models import User
from workflows.models import HistoryEntry

# action → whether the reporter reads the row's `reason` (see the table above).
REASON_FOR_REPORTER: dict[str, bool] = {
    "report": True,
    "edit": True,
    "verify": False,
    "return": True,
    "resubmit": True,
    "reject": True,
    "assist": True,
    "close": True,
    "reopen": False,
    "assign": False,
    "transfer": False,
    "note": True,
    "attachment": True,
    "assistance": True,
    "sla_warning": True,
    "sla_breached": True,
    "sla_escalated": True,
}


def for_reporter(
    entries: Iterable[HistoryEntry], *, reader: User, notes: set[int]
) -> list[HistoryEntry]:
    """The rows as the reporter (`reader`) reads them, `notes` the ids of the notes they read.

    The rows are changed in memory only: they were read for this answer and are never saved
    (the history is append-only).
    """
    shown = []
    for entry in entries:
        if entry.action == "note" and entry.payload.get("note_id") not in notes:
            continue
        if entry.actor_id != reader.pk and not REASON_FOR_REPORTER.get(entry.action, False):
            entry.reason = ""
        shown.append(entry)
    return shown
