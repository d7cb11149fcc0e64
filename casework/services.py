"""Writes of the casework app. Each function owns its transaction and lists its effects.

State changes of a case are not here: they belong to `workflows.services`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.access import (
    in_jurisdiction,
    logs_full_reads,
    may_report,
    may_see_personal_data,
)
from casework.findings import case_findings
from casework.models import (
    AccessKind,
    AccessLog,
    Case,
    CaseState,
    Category,
    IdempotencyRecord,
    Region,
    Role,
    Subject,
    Urgency,
    User,
)
from casework.references import allocate_reference
from casework.selectors import case_lock_for_user
from common.errors import Conflict, PermissionDenied, ValidationFailed

# Fields a PATCH may change, by who changes them. `state` and the workflow's fields never.
REPORTER_FIELDS = {"urgency", "region", "address", "location", "description", "observed_at"}
STAFF_FIELDS = REPORTER_FIELDS | {"category"}
SUBJECT_FIELDS = {"name", "nik", "sex", "birth_date", "age_estimate", "phone"}
NULLABLE_SUBJECT_FIELDS = {"birth_date", "age_estimate"}
# A volunteer may correct a report until an officer has verified it.
REPORTER_EDITABLE_STATES = {CaseState.REPORTED, CaseState.RETURNED}


@dataclass(frozen=True)
class SubjectData:
    name: str
    nik: str = ""
    sex: str = ""
    birth_date: date | None = None
    phone: str = ""
    age_estimate: int | None = None  # years, when the birth date is not known


@dataclass(frozen=True)
class CaseData:
    category: Category
    region: Region
    description: str
    subject: SubjectData
    urgency: str = Urgency.NORMAL
    address: str = ""
    location: tuple[float, float] | None = None
    observed_at: datetime | None = None


def case_create(
    *,
    reporter: User,
    data: CaseData,
    due_at: datetime | None = None,
    escalate_at: datetime | None = None,
    at: datetime | None = None,
) -> Case:
    """The rows of a new case in state `reported` (`workflows.services.case_report` files it).

    Effects, in one transaction: a Subject row; a Case row with the next reference number of its
    kabupaten/kota and the non-blocking findings (NIK, location, location outside the chosen
    desa) in `warnings`.
    """
    if not may_report(reporter):
        raise PermissionDenied(_("Only volunteers, officers and supervisors can report cases."))
    _check_reportable_region(data.region)
    subject = data.subject
    warnings = case_findings(
        nik=subject.nik,
        sex=subject.sex,
        birth_date=subject.birth_date,
        location=data.location,
        region_code=data.region.code,
    )
    now = at or timezone.now()
    with transaction.atomic():
        person = Subject.objects.create(
            name=subject.name,
            nik=subject.nik,
            sex=subject.sex,
            birth_date=subject.birth_date,
            age_estimate=subject.age_estimate,
            phone=subject.phone,
        )
        regency_code = cast(str, data.region.regency_code)  # reportable: not the province
        case = Case(
            reference=allocate_reference(regency_code=regency_code, at=now),
            category=data.category,
            urgency=data.urgency,
            region=data.region,
            regency_id=regency_code,
            address=data.address,
            latitude=data.location[0] if data.location else None,
            longitude=data.location[1] if data.location else None,
            description=data.description,
            observed_at=data.observed_at or now,
            subject=person,
            reported_by=reporter,
            warnings=warnings,
            created_at=now,
            state_changed_at=now,
            due_at=due_at,
            escalate_at=escalate_at,
        )
        case.save()
    return case


def case_update(*, case_id: str, actor: User, changes: dict[str, Any]) -> Case:
    """Change a case's descriptive fields (never its state) and re-check its findings.

    Who: the reporter while the case is reported or returned; officers and supervisors of the
    case's region until it is closed (they may also change the category). The region may be
    corrected within the same kabupaten/kota only: moving it elsewhere is a transfer.
    Effects, in one transaction: the case row (locked first) and its subject row.
    """
    with transaction.atomic():
        case = case_lock_for_user(user=actor, case_id=case_id)
        allowed = _editable_fields(actor, case)
        refused = sorted(set(changes) - allowed - {"subject"})
        if refused:
            raise ValidationFailed.for_field(
                refused[0], "not_editable", _("You cannot change this field.")
            )
        _apply_case_changes(case, changes)
        _apply_subject_changes(case.subject, changes.get("subject") or {})
        location = (
            (case.latitude, case.longitude)
            if case.latitude is not None and case.longitude is not None  # set together
            else None
        )
        subject = case.subject
        case.warnings = case_findings(
            nik=subject.nik,
            sex=subject.sex,
            birth_date=subject.birth_date,
            location=location,
            region_code=case.region_id,
        )
        if changes.get("subject"):
            subject.save()
        case.save()
    return case


def _editable_fields(actor: User, case: Case) -> set[str]:
    if case.state == CaseState.CLOSED:
        raise Conflict(_("A closed case cannot be changed."), code="case_closed")
    if in_jurisdiction(actor, case.regency_id):
        return STAFF_FIELDS
    if case.reported_by_id == actor.pk:
        if case.state not in REPORTER_EDITABLE_STATES:
            raise Conflict(
                _("The case has been verified; ask the officer to change it."),
                code="case_not_editable",
            )
        return REPORTER_FIELDS | ({"category"} if actor.role != Role.VOLUNTEER else set())
    raise PermissionDenied(_("You cannot change this case."))


def _apply_case_changes(case: Case, changes: dict[str, Any]) -> None:
    if "region" in changes:
        region = changes["region"]
        _check_reportable_region(region)
        if region.regency_code != case.regency_id:
            raise ValidationFailed.for_field(
                "region",
                "region_outside_regency",
                _("The region is in another regency/city: transfer the case instead."),
            )
        case.region = region
    if "location" in changes:
        location = changes["location"]
        case.latitude, case.longitude = location if location else (None, None)
    for name in ("category", "urgency", "address", "description", "observed_at"):
        if name in changes:
            setattr(case, name, changes[name])


def _apply_subject_changes(subject: Subject, changes: dict[str, Any]) -> None:
    for name in SUBJECT_FIELDS & set(changes):
        value = changes[name]
        # A text erased is blank; a date or an age erased is "not known".
        blank = "" if name not in NULLABLE_SUBJECT_FIELDS else None
        setattr(subject, name, blank if value is None else value)


def _check_reportable_region(region: Region) -> None:
    if not region.is_reportable:
        raise ValidationFailed.for_field(
            "region",
            "region_not_reportable",
            _("Choose a regency/city, district or village in Kalimantan Selatan."),
        )


def personal_data_reads_record(*, user: User, cases: Iterable[Case], kind: str) -> None:
    """Log that Dinsos staff were shown these cases' personal data (one statement).

    Called by every endpoint that returns a case in full: detail, list, update, (later) actions.
    Volunteers reading their own reports and masked views are not logged.
    """
    if not logs_full_reads(user):
        return
    _access_log_write(user, [case.pk for case in cases if may_see_personal_data(user, case)], kind)


def personal_data_export_record(*, user: User, case_ids: list) -> None:
    """Log a part of an export about to be sent: `case_ids` are its cases whose personal data
    the user sees in full (`casework.export.csv_lines` decides, by the API's rule)."""
    if logs_full_reads(user):
        _access_log_write(user, case_ids, AccessKind.EXPORT)


def _access_log_write(user: User, case_ids: list, kind: str) -> None:
    if not case_ids:
        return
    now = timezone.now()
    if connection.vendor == "postgresql":
        # A list page logs 50 rows on every request: one set-based INSERT instead of building
        # 50 model instances (a third of the list's time in Python, measured by `make bench`).
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {AccessLog._meta.db_table} (user_id, case_id, kind, at) "
                "SELECT %s, unnest(%s::uuid[]), %s, %s",
                [user.pk, case_ids, kind, now],
            )
        return
    AccessLog.objects.bulk_create(
        [AccessLog(user=user, case_id=case_id, kind=kind, at=now) for case_id in case_ids]
    )


def idempotency_purge(*, older_than: datetime) -> int:
    """Forget stored responses older than `older_than`; returns how many were removed."""
    deleted, _details = IdempotencyRecord.objects.filter(created_at__lt=older_than).delete()
    return deleted


def user_duty_set(*, user: User, on_duty: bool) -> User:
    """An officer goes on or off duty: routing (`workflows.responsibility`) reads it.

    Only officers carry duty; anyone else asking is refused, as something not theirs to do
    (403), however well-formed the request (supervisors are always told).
    """
    if user.role != Role.OFFICER:
        raise PermissionDenied(_("Only officers go on and off duty."), code="not_an_officer")
    User.objects.filter(pk=user.pk).update(on_duty=on_duty)
    user.on_duty = on_duty
    return user
