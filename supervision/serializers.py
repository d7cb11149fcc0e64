"""The dashboard's query and answer. The help texts are the figures' definitions: the API
schema (and so `/api/docs/`) shows them, and they are the contract the tests check."""

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.filters import REGION_CODE, BoundedDateTimeField
from casework.models import Category, Urgency
from casework.serializers import CategoryCodeField, RegionCodeField, UserRef
from common.serializers import ChoiceField, invalid_choice_message
from supervision.dashboard import AGE_BUCKETS
from workflows.steps import OUTCOMES, STATES


@extend_schema_field(OpenApiTypes.DATETIME)
class QueryDateTime(serializers.Field):
    """The case list's `created_after`/`created_before`: ISO 8601; a date alone is midnight
    WITA; the offset must be a real one."""

    default_error_messages = {"invalid": _("Use an ISO 8601 date or time, e.g. 2026-11-01.")}

    def to_internal_value(self, data: Any) -> datetime:
        try:
            value = BoundedDateTimeField().clean(data)
        except forms.ValidationError:
            self.fail("invalid")
        if value is None:
            self.fail("invalid")
        return value

    def to_representation(self, value: datetime) -> str:
        return timezone.localtime(value).isoformat()


class DashboardQuery(serializers.Serializer):
    region = RegionCodeField(
        required=False,
        label=_("Region"),
        help_text=_(
            "A region code within yours: its figures, it and everything below. Default: your "
            "region (a supervisor's own region, an officer's kabupaten/kota)."
        ),
    )
    category = CategoryCodeField(
        required=False,
        label=_("Category"),
        help_text=_("Only cases of this PPKS category (code)."),
    )
    urgency = ChoiceField(
        choices=Urgency.choices,
        required=False,
        label=_("Urgency"),
        help_text=_("Only cases of this urgency."),
    )
    created_after = QueryDateTime(
        required=False,
        label=_("Reported from"),
        help_text=_("Only cases reported at or after this time."),
    )
    created_before = QueryDateTime(
        required=False,
        label=_("Reported before"),
        help_text=_("Only cases reported before this time."),
    )

    def validate_region(self, value: str) -> str:
        if not REGION_CODE.match(value):
            raise serializers.ValidationError(
                _("A region code looks like 63.71 or 63.71.04.1003."), code="invalid"
            )
        return value

    def validate_category(self, value: str) -> str:
        # As the case list answers an unknown category (any category, active or not).
        codes = list(Category.objects.order_by("code").values_list("code", flat=True))
        if value not in codes:
            raise serializers.ValidationError(
                invalid_choice_message(value, codes), code="invalid_choice"
            )
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        after, before = attrs.get("created_after"), attrs.get("created_before")
        if after is not None and before is not None and after >= before:
            raise serializers.ValidationError(
                {"created_before": [_("Must be later than created_after.")]}, code="invalid_range"
            )
        return attrs


def _counts(name: str, keys: list[str]) -> type[serializers.Serializer]:
    """A serializer of one count per fixed key (its own schema component, `name`)."""
    fields = {key: serializers.IntegerField() for key in keys}
    return type(name, (serializers.Serializer,), fields)


class RegionFigures(serializers.Serializer):
    name = serializers.CharField(help_text=_("The region's name."))
    total = serializers.IntegerField(help_text=_("Cases in scope located in this region."))
    open = serializers.IntegerField(help_text=_("Of them, not closed."))
    overdue = serializers.IntegerField(help_text=_("Of them, overdue (see `overdue`)."))


class StepCompliance(serializers.Serializer):
    completed = serializers.IntegerField(
        help_text=_("Times the step was completed by a case in scope (see sla_compliance).")
    )
    met = serializers.IntegerField(
        help_text=_(
            "Of them, at or before the step's deadline in force at that moment (a step that had "
            "no deadline counts as met)."
        )
    )
    rate = serializers.FloatField(
        allow_null=True, help_text=_("met / completed, rounded to 4 decimals; null if none.")
    )


class SlaCompliance(serializers.Serializer):
    verify = StepCompliance(
        help_text=_("Verification: a `verify`, or a `reject` from reported or returned.")
    )
    assist = StepCompliance(help_text=_("First assistance: an `assist` from verified."))
    close = StepCompliance(help_text=_("Closing: a `close` from assisted."))


class Durations(serializers.Serializer):
    to_verify = serializers.IntegerField(
        allow_null=True, help_text=_("From the report to the case's first `verify`.")
    )
    to_assist = serializers.IntegerField(
        allow_null=True, help_text=_("From the report to the case's first `assist`.")
    )
    to_close = serializers.IntegerField(
        allow_null=True,
        help_text=_("From the report to the first time the case was closed (close or reject)."),
    )


class Workload(serializers.Serializer):
    user = UserRef(help_text=_("The person (an officer, or whoever else holds cases)."))
    open = serializers.IntegerField(help_text=_("Open cases in scope assigned to them."))
    overdue = serializers.IntegerField(help_text=_("Of them, overdue."))


class TrendWeek(serializers.Serializer):
    week_start = serializers.DateField(help_text=_("The week's Monday (WITA)."))
    new = serializers.IntegerField(help_text=_("Cases in scope reported in the week."))
    closed = serializers.IntegerField(
        help_text=_(
            "Closings of cases in scope in the week: each move into `closed` (a close or a "
            "reject) counts, so a case closed, reopened and closed again counts twice."
        )
    )
    open_at_end = serializers.IntegerField(
        help_text=_(
            "Cases in scope open (not closed) at the end of the week (Sunday 24:00 WITA); for "
            "the current week, at `as_of`. Reopenings count: a reopened case is open again."
        )
    )


class DashboardScope(serializers.Serializer):
    region = serializers.SerializerMethodField(
        help_text=_("The region asked (or yours): its code, name and level.")
    )
    category = serializers.CharField(allow_null=True, help_text=_("The category asked, or null."))
    urgency = serializers.CharField(allow_null=True, help_text=_("The urgency asked, or null."))
    created_after = QueryDateTime(allow_null=True, help_text=_("As asked, in WITA, or null."))
    created_before = QueryDateTime(allow_null=True, help_text=_("As asked, in WITA, or null."))

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "name": {"type": "string"},
                "level": {"type": "string"},
            },
        }
    )
    def get_region(self, scope: Any) -> dict[str, str]:
        return {"code": scope.region.code, "name": scope.region.name, "level": scope.region.level}


class DashboardOutput(serializers.Serializer):
    as_of = QueryDateTime(
        help_text=_("The moment the figures were computed: ages and `overdue` are as of then.")
    )
    scope = DashboardScope(
        help_text=_(
            'The cases counted ("in scope"): those filed in this region or below it, of the '
            "category and urgency asked, reported within the range asked. Every figure below "
            "counts only these cases."
        )
    )
    total = serializers.IntegerField(help_text=_("Cases in scope."))
    by_state = _counts("DashboardStates", STATES)(
        help_text=_("Cases in scope by their current state; all five states.")
    )
    by_category = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=_(
            "Cases in scope by PPKS category code: every active category (0 when none) and any "
            "inactive one that has cases."
        ),
    )
    by_region = serializers.DictField(
        child=RegionFigures(),
        help_text=_(
            "Cases in scope by the region one level below the one asked (the province by "
            "kabupaten/kota, a kabupaten/kota by kecamatan, a kecamatan by desa/kelurahan; "
            "nothing below a desa), every such region listed. Cases filed at the asked "
            "region's own level (a kabupaten/kota without its kecamatan) are under its own "
            "code."
        ),
    )
    open_by_age = _counts("DashboardAges", [name for name, *_ in AGE_BUCKETS])(
        help_text=_(
            "Open cases in scope (not closed) by whole days since their report, counted at "
            "`as_of`: under_1_day 0 (less than 24 hours), 1_to_7_days 1-7, 8_to_30_days "
            "8-30, over_30_days 31 or more."
        )
    )
    overdue = serializers.IntegerField(
        help_text=_(
            "Open cases in scope whose current step's deadline (`due_at`) is at or before "
            "`as_of`: the case list's `overdue=true`."
        )
    )
    sla_compliance = SlaCompliance(
        help_text=_(
            "Per SLA step, how often cases in scope completed it by its deadline. Each "
            "completion counts once (a reopened case that completes a step again counts "
            "again) against the deadline in force when it happened, as recorded in the "
            "transition's history row (`payload.sla`). Completions whose history row has no "
            "such record (written before the service kept it) are not counted."
        )
    )
    median_hours = Durations(
        help_text=_(
            "Median hours from report to the first time each step was reached, over the cases "
            "in scope that reached it, from their history. Durations are whole hours, rounded "
            "down; the median is the nearest-rank 50th percentile (the lower middle value). "
            "null when no case reached the step."
        )
    )
    p90_hours = Durations(help_text=_("As median_hours, the nearest-rank 90th percentile."))
    closure_outcomes = _counts("DashboardOutcomes", OUTCOMES)(
        help_text=_("Closed cases in scope by their outcome; all six outcomes.")
    )
    workload = Workload(
        many=True,
        help_text=_(
            "Per person with open cases in scope assigned, and per active officer of the "
            "region's kabupaten/kota (every one, for the province) even with none: open "
            "assigned cases in scope and the overdue among them. Most open first."
        ),
    )
    trend = TrendWeek(
        many=True,
        help_text=_(
            "The last 12 weeks (WITA, Monday to Sunday), the oldest first, ending with the "
            "current, partial week: cases reported, closed and open per week. It counts the "
            "cases of the region, category and urgency asked, but ignores `created_after` and "
            "`created_before`: it always covers these 12 weeks. A case counts in the region "
            "it is in now (a transfer moves its past with it)."
        ),
    )
