"""Shapes in and out of the casework API. No business rules here: services decide.

Input serializers are strict (`common.serializers`): a field they do not know, or one that is
read-only, is a 400 that names it.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from casework.access import may_see_personal_data
from casework.filters import CATEGORY_CODE_SCHEMA, REGION_CODE_SCHEMA
from casework.findings import render_findings
from casework.geo import location_errors
from casework.models import MAX_AGE, Case, Category, Region, Sex, Urgency, User
from casework.nik import NikError, mask_nik, normalize_nik, parse_nik
from casework.phones import PhoneError, mask_phone, normalize_phone
from casework.selectors import active_category, reportable_region
from casework.services import CaseData, SubjectData
from common.serializers import (
    ChoiceField,
    NumberField,
    StrictBooleanField,
    StrictSerializer,
    TextField,
    TimestampField,
)

# Phones in the field run on skewed clocks; a few minutes ahead is not "in the future".
CLOCK_SKEW = timedelta(minutes=10)
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
# Older than the service and its paper predecessors: a typo, not an observation.
EARLIEST_OBSERVATION = datetime(2000, 1, 1, tzinfo=UTC)
READ_ONLY_CASE_FIELDS = {
    "id",
    "reference",
    "state",
    "reported_by",
    "assigned_to",
    "due_at",
    "overdue",
    "outcome",
    "available_transitions",
    "warnings",
    "created_at",
    "updated_at",
}


@extend_schema_field(REGION_CODE_SCHEMA)
class RegionCodeField(TextField):
    """A region code as the schema gives its form (what exists is the service's to say; the
    form bounds the length). Taken as written: " 63.71" is no code."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(trim_whitespace=False, **kwargs)


@extend_schema_field(CATEGORY_CODE_SCHEMA)
class CategoryCodeField(TextField):
    """A PPKS category code, one of the reference data's (whether it is open to new reports is
    the service's to say). Taken as written."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(trim_whitespace=False, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**63 - 1})
class UserIdField(serializers.IntegerField):
    """A user's id; one that is no officer's is the service's to refuse (`invalid_assignee`)."""


class LocationInput(StrictSerializer):
    # No range here: `location_errors` must see a swapped pair to say so.
    lat = NumberField(label=_("Latitude"))
    lon = NumberField(label=_("Longitude"))

    def validate(self, attrs: dict) -> tuple[float, float]:
        # Both or neither, even in a PATCH: half a coordinate is not a place.
        required = str(self.fields["lat"].error_messages["required"])
        missing = {
            name: [ErrorDetail(required, code="required")]
            for name in ("lat", "lon")
            if name not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing)
        errors = location_errors(attrs["lat"], attrs["lon"])
        if errors:
            raise serializers.ValidationError(
                [ErrorDetail(str(e.message), code=e.code) for e in errors]
            )
        return (attrs["lat"], attrs["lon"])


class SubjectInput(StrictSerializer):
    name = TextField(max_length=200, label=_("Name"))
    nik = TextField(
        max_length=32, required=False, allow_blank=True, allow_null=True, label=_("NIK")
    )
    sex = ChoiceField(
        choices=Sex.choices, required=False, allow_blank=True, allow_null=True, label=_("Sex")
    )
    birth_date = serializers.DateField(required=False, allow_null=True, label=_("Birth date"))
    age_estimate = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=MAX_AGE,
        label=_("Estimated age"),
        help_text=_("In years, when the birth date is not known."),
    )
    phone = TextField(
        max_length=32, required=False, allow_blank=True, allow_null=True, label=_("Phone")
    )

    def validate_nik(self, value: str | None) -> str:
        if not value:
            return ""
        try:
            return parse_nik(normalize_nik(value)).nik
        except NikError as exc:
            raise serializers.ValidationError(str(exc.message), code=exc.code) from exc

    def validate_phone(self, value: str | None) -> str:
        if not value or not value.strip():
            return ""
        try:
            return normalize_phone(value)
        except PhoneError as exc:
            raise serializers.ValidationError(str(exc.message), code=exc.code) from exc

    def validate_birth_date(self, value: date | None) -> date | None:
        if value is None:
            return None
        if value > timezone.localdate():
            raise serializers.ValidationError(_("The birth date is in the future."), code="future")
        if value < EARLIEST_BIRTH_DATE:
            raise serializers.ValidationError(_("The birth date is too early."), code="too_early")
        return value

    def validate_sex(self, value: str | None) -> str:
        return value or ""


class CaseInput(StrictSerializer):
    read_only_names = frozenset(READ_ONLY_CASE_FIELDS)
    read_only_messages = {"state": _("The state changes only through the workflow actions.")}

    category = CategoryCodeField(label=_("Category"))
    urgency = ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL, label=_("Urgency"))
    region = RegionCodeField(label=_("Region"))
    address = TextField(
        max_length=300, required=False, allow_blank=True, allow_null=True, label=_("Address")
    )
    location = LocationInput(required=False, allow_null=True, label=_("Location"))
    description = TextField(min_length=10, max_length=5000, label=_("Description"))
    observed_at = TimestampField(required=False, allow_null=True, label=_("Observed at"))
    subject = SubjectInput(label=_("Person reported"))

    def validate_category(self, value: str) -> Category:
        category = active_category(value)
        if category is None:
            raise serializers.ValidationError(
                _("Unknown PPKS category “%(code)s”.") % {"code": value}, code="does_not_exist"
            )
        return category

    def validate_address(self, value: str | None) -> str:
        return value or ""

    def validate_region(self, value: str) -> Region:
        region = reportable_region(value)
        if region is None:
            raise serializers.ValidationError(
                _(
                    "Unknown region “%(code)s”: use a Kemendagri code in Kalimantan Selatan below "
                    "the province, e.g. 63.71.04.1003."
                )
                % {"code": value},
                code="unknown_region",
            )
        return region

    def validate_observed_at(self, value: Any) -> Any:
        if value is not None and value > timezone.now() + CLOCK_SKEW:
            raise serializers.ValidationError(_("This time is in the future."), code="future")
        if value is not None and value < EARLIEST_OBSERVATION:
            raise serializers.ValidationError(_("This time is too early."), code="too_early")
        return value

    def to_case_data(self) -> CaseData:
        data = self.validated_data
        return CaseData(
            category=data["category"],
            region=data["region"],
            description=data["description"],
            subject=SubjectData(**data["subject"]),
            urgency=data["urgency"],
            address=data.get("address") or "",
            location=data.get("location"),
            observed_at=data.get("observed_at"),
        )


class CaseUpdateInput(CaseInput):
    """PATCH: any subset of the create fields; the subject's fields too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["partial"] = True
        super().__init__(*args, **kwargs)
        self.fields["subject"] = SubjectInput(partial=True, label=_("Person reported"))
        self.fields["urgency"].default = serializers.empty
        # On create a missing time means "now"; a case's time cannot be erased afterwards.
        self.fields["observed_at"].allow_null = False


class CaseCheckInput(CaseUpdateInput):
    """A report's fields before it is sent, any of them: the form checks them as they are typed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["observed_at"].allow_null = True
        # Nothing is required of a report being written; what is there must be right.
        subject = cast(SubjectInput, self.fields["subject"])
        for fields in (self.fields, subject.fields):
            for field in fields.values():
                field.required = False


class RegionRef(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class UserRef(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()


class LocationOutput(serializers.Serializer):
    lat = serializers.FloatField()
    lon = serializers.FloatField()


class SubjectOutput(serializers.Serializer):
    name = serializers.CharField()
    nik = serializers.CharField(
        help_text=_("Masked (e.g. 6371**********01) unless you may see it.")
    )
    sex = serializers.CharField()
    birth_date = serializers.CharField(
        allow_null=True, help_text=_("YYYY-MM-DD; masked to YYYY-**-** unless you may see it.")
    )
    phone = serializers.CharField(help_text=_("E.164; masked unless you may see it."))
    age_estimate = serializers.IntegerField(
        allow_null=True,
        help_text=_("The reporter's estimate in years, when the birth date is not known."),
    )


class FindingOutput(serializers.Serializer):
    field = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    message = serializers.CharField()


class CaseCheckOutput(serializers.Serializer):
    warnings = FindingOutput(many=True)


class CaseOutput(serializers.Serializer):
    """A case as one user sees it: personal fields masked by `casework.access`.

    The fields below document the shape (OpenAPI); `to_representation` builds it directly,
    because lists render 50 cases per page and DRF's per-field machinery costs most of the
    request there. `tests/casework/test_case_output.py` keeps the two identical.
    """

    id = serializers.UUIDField()
    reference = serializers.CharField()
    state = serializers.CharField()
    category = serializers.CharField()
    urgency = serializers.CharField()
    region = RegionRef()
    address = serializers.CharField()
    location = LocationOutput(allow_null=True)
    description = serializers.CharField()
    observed_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    subject = SubjectOutput()
    reported_by = UserRef()
    assigned_to = UserRef(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()
    outcome = serializers.CharField()
    available_transitions = serializers.ListField(child=serializers.CharField())
    warnings = FindingOutput(many=True)

    def to_representation(self, case: Case) -> dict[str, Any]:
        user = self.context["request"].user
        has_location = case.latitude is not None and case.longitude is not None
        return {
            "id": str(case.id),
            "reference": case.reference,
            "state": case.state,
            "category": case.category_id,
            "urgency": case.urgency,
            "region": {"code": case.region.code, "name": case.region.name},
            "address": case.address,
            "location": {"lat": case.latitude, "lon": case.longitude} if has_location else None,
            "description": case.description,
            "observed_at": _timestamp(case.observed_at),
            "created_at": _timestamp(case.created_at),
            "updated_at": _timestamp(case.updated_at),
            "subject": _subject(case, full=may_see_personal_data(user, case)),
            "reported_by": _user_ref(case.reported_by),
            "assigned_to": _user_ref(case.assigned_to),
            "due_at": _timestamp(case.due_at),
            "overdue": case.is_overdue,
            "outcome": case.outcome,
            "available_transitions": case.available_actions(user),
            "warnings": render_findings(case.warnings),
        }


def _timestamp(value: datetime | None) -> str | None:
    """ISO 8601 in WITA, with its offset, as DRF's DateTimeField would write it."""
    return timezone.localtime(value).isoformat() if value is not None else None


def _user_ref(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "full_name": user.full_name}


def birth_date_shown(value: date | None, *, full: bool) -> str | None:
    """The birth date in full, or its year only (`1948-**-**`): with day and month, a masked
    NIK could be rebuilt from sex, place and birth date."""
    if value is None:
        return None
    return value.isoformat() if full else f"{value.year:04d}-**-**"


def _subject(case: Case, *, full: bool) -> dict:
    subject = case.subject
    return {
        "name": subject.name,
        "nik": subject.nik if full else mask_nik(subject.nik),
        "sex": subject.sex,
        "birth_date": birth_date_shown(subject.birth_date, full=full),
        "phone": subject.phone if full else mask_phone(subject.phone),
        # Not masked: a rough age says less than the year of birth every reader sees.
        "age_estimate": subject.age_estimate,
    }


class MeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    role = serializers.CharField()
    region = RegionRef(allow_null=True)
    division = serializers.CharField()
    on_duty = serializers.BooleanField()


class MeInput(StrictSerializer):
    on_duty = StrictBooleanField(
        required=False,
        label=_("On duty"),
        help_text=_("Officers: off duty, no new cases are routed to you (no auto-assignment)."),
    )


class RegionOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    # A declared field, not `Field.parent`: DRF's metaclass moves it off the class.
    parent = serializers.CharField(source="parent_id", allow_null=True)  # type: ignore[assignment]


class CategoryOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    description = serializers.CharField(
        help_text=_("Who belongs in the category, in a sentence (Indonesian).")
    )
    description_en = serializers.CharField(help_text=_("The same in English."))
    division = serializers.CharField()


class OfficerOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    region = RegionRef()
    division = serializers.CharField()
    on_duty = serializers.BooleanField(help_text=_("Off duty: no new cases are routed to them."))
    open_cases = serializers.IntegerField(help_text=_("Cases assigned to them, not closed."))
    overdue_cases = serializers.IntegerField(help_text=_("Of them, past their deadline."))
