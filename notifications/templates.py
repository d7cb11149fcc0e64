"""The words of each notification, per event, in the recipient's language.

A message says which case (its reference), what kind (the PPKS category), where (the kecamatan)
and links to it: never a name, NIK, phone, address or description, so nothing personal leaves
the system through an inbox, a mailbox or a gateway. The words are Django translations
(`locale/`); the context values come from the outbox row.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from notifications.models import OutboxMessage

# event: (title, body); the body's placeholders are filled from `_values` below.
TEMPLATES: dict[str, tuple[Promise, Promise]] = {
    "case_reported": (
        _("New case %(reference)s"),
        _("A new %(category)s case was reported in %(district)s and awaits verification."),
    ),
    "case_resubmitted": (
        _("Case %(reference)s resubmitted"),
        _("The %(category)s case in %(district)s was completed by its reporter: verify it again."),
    ),
    "case_verified": (
        _("Case %(reference)s verified"),
        _("Your report (%(category)s, %(district)s) was verified by the Dinas Sosial."),
    ),
    "case_assigned": (
        _("Case %(reference)s assigned to you"),
        _("You now handle the %(category)s case in %(district)s."),
    ),
    "case_returned": (
        _("Case %(reference)s returned to you"),
        _("Your report (%(category)s, %(district)s) needs more information: see the reason."),
    ),
    "case_assisted": (
        _("Case %(reference)s assisted"),
        _("Assistance was delivered for your report (%(category)s, %(district)s)."),
    ),
    "case_closed": (
        _("Case %(reference)s closed"),
        _("Your report (%(category)s, %(district)s) was closed: see the outcome."),
    ),
    "case_reopened": (
        _("Case %(reference)s reopened"),
        _("The %(category)s case in %(district)s was reopened and is yours to handle again."),
    ),
    "case_transferred": (
        _("Case %(reference)s transferred to you"),
        _("A %(category)s case in %(district)s was transferred to your Dinas Sosial."),
    ),
    "sla_warning": (
        _("Case %(reference)s is due soon"),
        _("The current step of the %(category)s case in %(district)s is due at %(due_at)s."),
    ),
    "sla_breached": (
        _("Case %(reference)s is overdue"),
        _("The current step of the %(category)s case in %(district)s was due at %(due_at)s."),
    ),
    "sla_escalated": (
        _("Case %(reference)s is still overdue"),
        _(
            "The current step of the %(category)s case in %(district)s was due at %(due_at)s "
            "and is still open: escalated to the province."
        ),
    ),
    "daily_digest": (
        _("Daily summary %(date)s"),
        _("%(region)s: %(open)s open cases, %(overdue)s overdue, %(new)s new in the last day."),
    ),
}


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    link: str
    language: str


def render(message: OutboxMessage, language: str) -> Rendered:
    """The message's title, body and link in `language` (`id` or `en`)."""
    title, body = TEMPLATES[message.event]
    link = _link(message)
    with translation.override(language):
        values = _values(message, language)
        return Rendered(
            title=str(title) % values,
            body=f"{str(body) % values}\n{link}",
            link=link,
            language=language,
        )


def _values(message: OutboxMessage, language: str) -> dict[str, Any]:
    context = message.context
    values: dict[str, Any] = {
        key: value for key, value in context.items() if isinstance(value, str | int)
    }
    values["reference"] = message.case_reference
    names = context.get("category_names") or {
        # A message queued before the names were keyed by language: "category_id" held the
        # Indonesian name (not an id), "category_en" the English one.
        "id": context.get("category_id", ""),
        "en": context.get("category_en", ""),
    }
    values["category"] = names.get(language) or names.get("id", "")
    if "due_at" in context:
        values["due_at"] = _when(datetime.fromisoformat(context["due_at"]))
    return values


def _when(moment: datetime) -> str:
    # Local time (WITA) with its zone, so a phone in another zone reads it right.
    local = timezone.localtime(moment)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} {local.tzname()}"


def _link(message: OutboxMessage) -> str:
    """A case's page in the web app (a signed-out reader signs in and lands there); for the
    digest, the web app's list of the reader's overdue cases (their reach, as everywhere)."""
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    if message.case_id is None:
        return f"{base}/kasus/?overdue=true"
    return f"{base}/kasus/{message.case_id}/"
