"""The data of the domain: regions, PPKS categories, users and roles, subjects, cases.

Models stay thin: no side effects in `save()`, no signals. Writes go through `casework.services`
(and, for state changes, `workflows.services`).
"""

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from casework.guards import (
    is_assigned,
    may_handle,
    may_report_or_handle,
    may_supervise,
    may_work_on,
)
from common.display import local_datetime

if TYPE_CHECKING:
    from django_fsm import Transition

PROVINCE_CODE = "63"  # Kalimantan Selatan: the only province this deployment serves.


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    REGENCY = "regency", _("Regency/city")
    DISTRICT = "district", _("District (kecamatan)")
    VILLAGE = "village", _("Village (desa/kelurahan)")


def region_and_below(path: str, code: str) -> Q:
    """`path` (a region code field, e.g. "code" or "region__code") is `code` or lies below it.

    Matched segment by segment ("63.7" is not a parent of "63.71"); on PostgreSQL the
    varchar_pattern_ops indexes turn the LIKE into an index range scan.
    """
    return Q(**{path: code}) | Q(**{f"{path}__startswith": f"{code}."})


class RegionQuerySet(models.QuerySet):
    def within(self, code: str) -> "RegionQuerySet":
        return self.filter(region_and_below("code", code))


class Region(models.Model):
    """A Kemendagri region: province `63` > regency `63.71` > district `63.71.01` > village."""

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent region"),
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        # On PostgreSQL Django adds a varchar_pattern_ops ("_like") index on `code`: that one
        # turns the prefix match of `region_and_below` into an index range scan.
        indexes = [models.Index(fields=["level", "code"], name="region_level_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def regency_code(self) -> str | None:
        """The kabupaten/kota this region lies in (None for the province itself)."""
        return None if self.level == RegionLevel.PROVINCE else self.code[:5]

    @property
    def is_reportable(self) -> bool:
        """A case is filed at any level below the province, within the province we serve."""
        return self.level != RegionLevel.PROVINCE and self.code.startswith(f"{PROVINCE_CODE}.")


class Division(models.TextChoices):
    REHSOS = "rehsos", _("Social Rehabilitation")
    LINJAMSOS = "linjamsos", _("Social Protection and Security")
    DAYASOS = "dayasos", _("Social Empowerment")
    PFM = "pfm", _("Handling of the Poor")


class Category(models.Model):
    """A PPKS category (Permensos 08/2012) and the Dinsos division that handles it by default."""

    code = models.CharField(_("code"), max_length=10, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    # Who belongs in it, in a sentence a volunteer understands (shown on the report form).
    description = models.TextField(_("explanation"), blank=True)
    description_en = models.TextField(_("English explanation"), blank=True)
    division = models.CharField(_("division"), max_length=10, choices=Division.choices)
    sensitive_data = models.CharField(
        _("specific personal data implied"), max_length=100, blank=True
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("PPKS category")
        verbose_name_plural = _("PPKS categories")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


E164_INDONESIA = RegexValidator(
    r"^\+62\d{7,13}$", _("Use the international form, e.g. +6281234567890.")
)


class Role(models.TextChoices):
    VOLUNTEER = "volunteer", _("Volunteer (PSM)")
    OFFICER = "officer", _("Officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    """Everyone who signs in. The region bounds what they see; officers belong to a division."""

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.VOLUNTEER)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    division = models.CharField(_("division"), max_length=10, choices=Division.choices, blank=True)
    phone = models.CharField(
        _("phone (E.164)"), max_length=16, blank=True, validators=[E164_INDONESIA]
    )
    # Routing data (workflows.responsibility): only officers on duty are told of new cases and
    # chosen by auto-assignment; the last auto-assignment breaks ties between equal workloads.
    on_duty = models.BooleanField(
        _("on duty"), default=True, help_text=_("Off duty: no new cases are routed to them.")
    )
    last_assigned_at = models.DateTimeField(_("last auto-assigned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.username

    def clean(self) -> None:
        """Field staff need a region to see anything; officers a division to be routed work."""
        super().clean()
        errors = {}
        if self.role in (Role.VOLUNTEER, Role.OFFICER, Role.SUPERVISOR) and not self.region_id:
            errors["region"] = _("Volunteers, officers and supervisors need a region.")
        if self.role == Role.OFFICER and not self.division:
            errors["division"] = _("An officer belongs to a division.")
        if self.role == Role.OFFICER and self.region_id and "." not in self.region_id:
            errors["region"] = _("An officer works for a regency/city Dinsos, not the province.")
        if errors:
            raise ValidationError(errors)


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


MAX_AGE = 130  # years: an estimate above it is a typo


class Subject(models.Model):
    """The person in need. NIK and phone are specific personal data (UU 27/2022)."""

    name = models.CharField(_("name"), max_length=200)
    nik = models.CharField(_("NIK"), max_length=16, blank=True, db_index=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    # When nobody knows the birth date (a neglected elder often has no papers), the reporter's
    # estimate of the age in years at the time of the report.
    age_estimate = models.PositiveSmallIntegerField(
        _("estimated age"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_AGE)],
    )
    phone = models.CharField(_("phone (E.164)"), max_length=16, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")

    def __str__(self) -> str:
        return f"subject #{self.pk}"  # never the name: this string ends up in logs


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class CaseState(models.TextChoices):
    REPORTED = "reported", _("Reported")
    RETURNED = "returned", _("Returned")
    VERIFIED = "verified", _("Verified")
    ASSISTED = "assisted", _("Assisted")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    REFERRED = "referred", _("Referred")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate")
    DECEASED = "deceased", _("Deceased")
    UNREACHABLE = "unreachable", _("Unreachable")


class Case(FSMModelMixin, models.Model):
    # Not stored: set by `workflows.services.case_transition` on the case it returns.
    told_user_ids: frozenset[int] = frozenset()

    """A reported PPKS case. `state` moves only through the transitions declared below, which
    `workflows.services` applies."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    state = FSMField(
        _("state"), default=CaseState.REPORTED, choices=CaseState.choices, protected=True
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="cases", verbose_name=_("PPKS category")
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    # Where the person was found (any level below the province) and, denormalised from it, the
    # kabupaten/kota whose Dinsos is responsible: jurisdiction checks then need no join.
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="cases", verbose_name=_("region")
    )
    # Indexed by the composite indexes below, which lead with it.
    regency = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("regency/city"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    description = models.TextField(_("description"))
    observed_at = models.DateTimeField(_("observed at"))
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="cases", verbose_name=_("subject")
    )
    reported_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="reported_cases",
        db_index=False,
        verbose_name=_("reported by"),
    )
    assigned_to = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        db_index=False,
        verbose_name=_("assigned to"),
    )
    # When the case entered its current state: the SLA clock of the current step starts here.
    state_changed_at = models.DateTimeField(_("state changed at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    # Deadline escalation of the current step (workflows.escalation): the levels already sent
    # (0 none, 1 warning, 2 breach, 3 provincial) and when the next one falls due.
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalate_at = models.DateTimeField(_("next escalation at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    referred_to = models.CharField(_("referred to"), max_length=200, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    # Non-blocking validation findings ({code, field, message}) shown to the officer.
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["-created_at", "id"], name="case_created"),
            models.Index(fields=["regency", "-created_at"], name="case_regency_created"),
            models.Index(fields=["reported_by", "-created_at"], name="case_reporter_created"),
            # A reporter's home (selectors.reports_home): those returned to them, then the rest,
            # each the newest change first, read in order from an index and stopped at a page.
            models.Index(
                fields=["reported_by", "-state_changed_at", "-created_at"],
                name="case_reporter_changed",
            ),
            models.Index(
                fields=["reported_by", "-state_changed_at", "-created_at"],
                name="case_reporter_returned",
                condition=Q(state=CaseState.RETURNED),
            ),
            models.Index(fields=["state", "-created_at"], name="case_state_created"),
            models.Index(fields=["assigned_to", "-created_at"], name="case_assignee_created"),
            models.Index(
                fields=["due_at"], name="case_open_due", condition=~Q(state=CaseState.CLOSED)
            ),
            # The dashboard's reads of open cases (supervision.dashboard): a kabupaten/kota's in
            # one index-only range, the days at the edges of its age buckets by report time.
            models.Index(
                fields=["regency", "created_at"],
                include=["region", "due_at", "assigned_to", "category", "urgency"],
                name="case_open_regency",
                condition=~Q(state=CaseState.CLOSED),
            ),
            models.Index(
                fields=["created_at"],
                name="case_open_created",
                condition=~Q(state=CaseState.CLOSED),
            ),
            models.Index(
                fields=["escalate_at"],
                name="case_escalate_at",
                condition=Q(escalate_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_overdue(self) -> bool:
        return (
            self.state != CaseState.CLOSED
            and self.due_at is not None
            and self.due_at <= timezone.now()
        )

    if TYPE_CHECKING:  # added by django-fsm for the `state` field

        def get_all_state_transitions(self) -> Iterator[Transition]: ...

        def get_available_user_state_transitions(self, user: "User") -> Iterator[Transition]: ...

    def available_actions(self, user: "User") -> list[str]:
        """The API actions `user` may perform now, derived from the declarations below."""
        transitions = self.get_available_user_state_transitions(user)
        return list(dict.fromkeys(t.custom["action"] for t in transitions))

    # The state machine, declared once. Each method only sets fields; `workflows.services`
    # locks the row, checks, calls it, saves, and writes history, deadline and notifications.
    # `custom["action"]` is the API action name; `target=None` marks an action that keeps the
    # state (it is still checked, and listed in `available_transitions`).

    @transition(field="state", source=CaseState.REPORTED, target=CaseState.VERIFIED,
                permission=may_handle, custom={"action": "verify"})  # fmt: skip
    def verify(self, *, assignee: "User") -> None:
        self.assigned_to = assignee

    @transition(field="state", source=CaseState.REPORTED, target=CaseState.RETURNED,
                permission=may_handle, custom={"action": "return"})  # fmt: skip
    def return_to_reporter(self) -> None:
        pass

    @transition(field="state", source=CaseState.RETURNED, target=CaseState.REPORTED,
                permission=may_report_or_handle, custom={"action": "resubmit"})  # fmt: skip
    def resubmit(self) -> None:
        pass

    @transition(field="state", source=[CaseState.REPORTED, CaseState.RETURNED],
                target=CaseState.CLOSED, permission=may_handle,
                custom={"action": "reject"})  # fmt: skip
    def reject(self, *, outcome: str, duplicate_of: "Case | None") -> None:
        self.outcome = outcome
        self.duplicate_of = duplicate_of

    @transition(field="state", source=CaseState.VERIFIED, target=CaseState.ASSISTED,
                conditions=[is_assigned], permission=may_work_on,
                custom={"action": "assist"})  # fmt: skip
    def assist(self) -> None:
        pass

    @transition(field="state", source=CaseState.ASSISTED, target=CaseState.CLOSED,
                conditions=[is_assigned], permission=may_work_on,
                custom={"action": "close"})  # fmt: skip
    def close(self, *, outcome: str, referred_to: str) -> None:
        self.outcome = outcome
        self.referred_to = referred_to

    @transition(field="state", source=CaseState.CLOSED, target=CaseState.VERIFIED,
                permission=may_supervise, custom={"action": "reopen"})  # fmt: skip
    def reopen(self, *, by: "User") -> None:
        self.outcome = ""
        self.referred_to = ""
        self.duplicate_of = None
        if self.assigned_to_id is None:  # rejected before anyone was assigned
            self.assigned_to = by

    @transition(field="state", source=[CaseState.VERIFIED, CaseState.ASSISTED], target=None,
                permission=may_handle, custom={"action": "assign"})  # fmt: skip
    def assign(self, *, assignee: "User") -> None:
        self.assigned_to = assignee

    @transition(field="state", source=[CaseState.REPORTED, CaseState.RETURNED, CaseState.VERIFIED],
                target=None, permission=may_handle, custom={"action": "transfer"})  # fmt: skip
    def transfer(self, *, region: "Region") -> None:
        # The new Dinsos decides who handles it: the old assignee cannot even see it any more.
        self.region = region
        self.regency_id = cast(str, region.regency_code)  # reportable: not the province
        self.assigned_to = None


class AssistanceKind(models.TextChoices):
    BASIC_NEEDS = "basic_needs", _("Basic needs (sembako)")
    CASH_TRANSFER = "cash_transfer", _("Cash transfer")
    HEALTH = "health", _("Health referral / BPJS-KIS registration")
    CIVIL_DOCUMENTS = "civil_documents", _("Civil documents (Dukcapil)")
    SHELTER = "shelter", _("Shelter / panti placement")
    REHABILITATION = "rehabilitation", _("Rehabilitation")
    FAMILY_REUNIFICATION = "family_reunification", _("Family reunification")
    COUNSELLING = "counselling", _("Counselling")
    EDUCATION = "education", _("Education")
    OTHER = "other", _("Other")


class Assistance(models.Model):
    """An assistance (intervensi) delivered to the person of a case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assistance")
    kind = models.CharField(_("kind"), max_length=24, choices=AssistanceKind.choices)
    description = models.TextField(_("description"))
    delivered_at = models.DateField(_("delivered on"))
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["delivered_at", "id"]
        verbose_name = _("assistance")
        verbose_name_plural = _("assistance")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.delivered_at}"


class NoteVisibility(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    REPORTER = "reporter", _("For the reporter")


class Note(models.Model):
    """A remark on a case. Who reads it is `casework.access.notes_visible_q`: the Dinsos that
    handles the case reads every note; the reporter, the notes for them and their own."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("text"))
    visibility = models.CharField(
        _("visibility"),
        max_length=8,
        choices=NoteVisibility.choices,
        default=NoteVisibility.INTERNAL,
        help_text=_(
            "Internal: only the Dinas Sosial handling the case reads it. For the reporter: the "
            "volunteer who reported the case reads it too. A reporter's own notes are always "
            "for the reporter."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self) -> str:
        return f"note #{self.pk} on {self.case_id}"


class Attachment(models.Model):
    """A photo or PDF attached to a case, stored through Django's storage API."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"attachment #{self.pk} on {self.case_id}"


class ReferenceCounter(models.Model):
    """The last reference number issued per kabupaten/kota and year (see `casework.references`)."""

    regency = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")
        constraints = [
            models.UniqueConstraint(fields=["regency", "year"], name="refcounter_regency_year")
        ]

    def __str__(self) -> str:
        return f"{self.regency_id}/{self.year}: {self.last_number}"


class AccessKind(models.TextChoices):
    VIEW = "view", _("Viewed the full record")
    LIST = "list", _("Listed with personal data")
    EXPORT = "export", _("Exported")
    ATTACHMENT = "file", _("Downloaded an attachment")


class AccessLog(models.Model):
    """Who read a case's personal data, and when: the answer to a data-subject access request."""

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="access_log", verbose_name=_("case")
    )
    kind = models.CharField(_("kind of access"), max_length=8, choices=AccessKind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        indexes = [
            models.Index(fields=["case", "at"], name="accesslog_case_at"),
            models.Index(fields=["user", "at"], name="accesslog_user_at"),
        ]

    def __str__(self) -> str:
        return _("%(user)s: %(kind)s, %(case)s, %(at)s") % {
            "user": self.user.username,
            "kind": self.get_kind_display(),
            "case": self.case.reference,
            "at": local_datetime(self.at),
        }


class IdempotencyRecord(models.Model):
    """A request made with an `Idempotency-Key`, per user, and what it created.

    The response body is not kept: it holds personal data (NIK, phone) that must live in one
    place only. A replay renders the created resource again.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    resource_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
