"""What moves a case: its append-only history and the SLA policy that times each step."""

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import Case, CaseState, Category, Urgency, User
from common.display import local_datetime


class HistoryAction(models.TextChoices):
    """Every action a history row records, in words: the transitions declared on `Case` (their
    `custom["action"]`), the other writes on a case, and the deadline escalations. The admin's
    transition buttons use these labels too. `tests/workflows/test_vocabulary.py` keeps the list
    complete."""

    REPORT = "report", _("Reported")
    VERIFY = "verify", _("Verify")
    RETURN = "return", _("Return to the reporter")
    RESUBMIT = "resubmit", _("Resubmit")
    REJECT = "reject", _("Reject")
    ASSIST = "assist", _("Record first assistance")
    CLOSE = "close", _("Close the case")
    REOPEN = "reopen", _("Reopen")
    ASSIGN = "assign", _("Assign")
    TRANSFER = "transfer", _("Transfer to another region")
    EDIT = "edit", _("Edited")
    NOTE = "note", _("Note added")
    ATTACHMENT = "attachment", _("File attached")
    ASSISTANCE = "assistance", _("Further assistance recorded")
    SLA_WARNING = "sla_warning", _("Deadline near")
    SLA_BREACHED = "sla_breached", _("Deadline missed")
    SLA_ESCALATED = "sla_escalated", _("Escalated to the province")


class HistoryEntry(models.Model):
    """One transition or action on a case: written in the same transaction as the change.

    Append-only: nothing in the product updates or deletes it (the API has no such endpoint;
    the admin shows it read-only). `payload` holds the action's non-personal fields only.
    """

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="history", verbose_name=_("case")
    )
    action = models.CharField(_("action"), max_length=20, choices=HistoryAction.choices)
    from_state = models.CharField(
        _("from state"), max_length=10, blank=True, choices=CaseState.choices
    )
    to_state = models.CharField(_("to state"), max_length=10, choices=CaseState.choices)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason or note"), blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        indexes = [
            models.Index(fields=["case", "at"], name="history_case_at"),
            # The dashboard's trend: closings and reopenings by time.
            models.Index(
                fields=["at"],
                name="history_closing_at",
                condition=models.Q(to_state="closed") | models.Q(from_state="closed"),
            ),
        ]

    def __str__(self) -> str:
        return _("%(case)s: %(action)s by %(actor)s, %(at)s") % {
            "case": self.case.reference,
            "action": self.get_action_display(),
            "actor": self.actor.username if self.actor else _("the system"),
            "at": local_datetime(self.at),
        }


class SlaPolicy(models.Model):
    """How long each step may take, per urgency, optionally overridden for one category.

    Steps: `verify` (from reported), `assist` (first assistance, from verified), `close` (from
    assisted). Each clock starts when the case enters the step's state.
    """

    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name=_("PPKS category"),
        help_text=_("Empty: the default for this urgency."),
    )
    verify_within = models.DurationField(_("verify within"))
    assist_within = models.DurationField(_("first assistance within"))
    close_within = models.DurationField(_("close within"))

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(fields=["urgency", "category"], name="sla_urgency_category"),
            models.UniqueConstraint(
                fields=["urgency"],
                condition=models.Q(category__isnull=True),
                name="sla_one_default_per_urgency",
            ),
            models.CheckConstraint(
                condition=models.Q(verify_within__gt=timedelta(0))
                & models.Q(assist_within__gt=timedelta(0))
                & models.Q(close_within__gt=timedelta(0)),
                name="sla_positive_periods",
            ),
        ]

    def __str__(self) -> str:
        return _("%(urgency)s, %(category)s") % {
            "urgency": self.get_urgency_display(),
            "category": self.category_id or _("every category"),
        }


# WORKFLOW.md's default policy: (verify, first assistance, close) per urgency.
DEFAULT_SLA: dict[str, tuple[timedelta, timedelta, timedelta]] = {
    Urgency.EMERGENCY: (timedelta(minutes=45), timedelta(hours=24), timedelta(days=14)),
    Urgency.HIGH: (timedelta(hours=24), timedelta(days=3), timedelta(days=30)),
    Urgency.NORMAL: (timedelta(days=3), timedelta(days=14), timedelta(days=60)),
    Urgency.LOW: (timedelta(days=7), timedelta(days=30), timedelta(days=90)),
}


class CaseTally(models.Model):
    """Counts of cases per kecamatan, category and urgency, kept exact with each change.

    The dashboard sums these rows instead of scanning the cases (a province has at most a few
    tens of thousands of combinations, whatever the number of cases). `workflows.tallies`
    changes them in the same transaction as the case and its history, and rebuilds them from
    those two tables. `area` is the case's kecamatan code (`63.71.04`), or its kabupaten/kota
    code when the case was filed at that level. Step completions count `<step>_done`, those by
    their deadline `<step>_met` (see `workflows.steps.COMPLETES`).
    """

    area = models.CharField(max_length=8)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    reported = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    verified = models.IntegerField(default=0)
    assisted = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    referred = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    duplicate = models.IntegerField(default=0)
    deceased = models.IntegerField(default=0)
    unreachable = models.IntegerField(default=0)
    verify_done = models.IntegerField(default=0)
    verify_met = models.IntegerField(default=0)
    assist_done = models.IntegerField(default=0)
    assist_met = models.IntegerField(default=0)
    close_done = models.IntegerField(default=0)
    close_met = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("case tally")
        verbose_name_plural = _("case tallies")
        constraints = [
            models.UniqueConstraint(fields=["area", "category", "urgency"], name="casetally_key"),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.category_id} {self.urgency}"


class DurationTally(models.Model):
    """How many cases of a kabupaten/kota first reached a step so many whole hours after their
    report: a histogram the dashboard reads its medians and p90s from, kept like `CaseTally`.
    The province's own rows (`regency` the province) hold the sum of its kabupaten/kota's, so
    its dashboard reads one histogram rather than adding up thirteen."""

    regency = models.ForeignKey(
        "casework.Region", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    step = models.CharField(max_length=6)
    hours = models.IntegerField()
    cases = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("duration tally")
        verbose_name_plural = _("duration tallies")
        constraints = [
            models.UniqueConstraint(fields=["regency", "step", "hours"], name="durationtally_key"),
        ]

    def __str__(self) -> str:
        return f"{self.regency_id} {self.step} {self.hours}h"


class WeekTally(models.Model):
    """Per kabupaten/kota, category, urgency and week (from Monday, WITA): the cases reported
    that week, the closings (into `closed`: a close or a reject) and the reopenings (out of
    it). The dashboard's trend sums the last weeks' rows (a few thousand at most) instead of
    reading the cases and their history; kept like `CaseTally`, under the case's present
    region, category and urgency (a transfer or an edit moves all it contributed)."""

    regency = models.ForeignKey(
        "casework.Region", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    week = models.DateField()
    reported = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("week tally")
        verbose_name_plural = _("week tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["regency", "category", "urgency", "week"], name="weektally_key"
            ),
        ]
        indexes = [models.Index(fields=["week"], name="weektally_week")]

    def __str__(self) -> str:
        return f"{self.regency_id} {self.category_id} {self.urgency} {self.week}"


class DayTally(models.Model):
    """Open cases per kabupaten/kota by the day (UTC) of their deadline (`kind` "due", with the
    assignee, 0 for none), of their report (`kind` "opened"), and of their deadline again per
    kecamatan (`kind` "due_in", with `area` as in `CaseTally`), kept like `CaseTally`.

    What depends on the clock (overdue, age) is then read from whole days plus the few cases of
    the one day the boundary falls in, instead of from every open case.
    """

    kind = models.CharField(max_length=6)
    regency = models.ForeignKey(
        "casework.Region", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    area = models.CharField(max_length=8, default="")  # "due_in" only
    assignee_id = models.IntegerField(default=0)
    day = models.DateField()
    cases = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("day tally")
        verbose_name_plural = _("day tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "regency", "area", "assignee_id", "day"], name="daytally_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.regency_id} {self.assignee_id} {self.day}"
