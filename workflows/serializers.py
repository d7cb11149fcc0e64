"""Bodies of the workflow actions (WORKFLOW.md), validated for shape only: services decide."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.models import AssistanceKind, Outcome
from casework.serializers import CaseUpdateInput, RegionCodeField, UserIdField
from common.serializers import (
    ChoiceField,
    LocalDateField,
    StrictBooleanField,
    StrictSerializer,
    TextField,
)

TEXT = 5000

# Who reads each text of an action (`workflows.disclosure`), said where it is written.
INTERNAL = _("Internal: the reporter does not read it.")


class VerifyInput(StrictSerializer):
    note = TextField(
        max_length=TEXT,
        label=_("Note"),
        help_text=_("Assessment summary. Internal: the reporter does not read it."),
    )
    assignee = UserIdField(
        required=False,
        allow_null=True,
        label=_("Officer"),
        help_text=_("An officer of this Dinsos; default: you."),
    )
    auto_assign = StrictBooleanField(
        required=False,
        allow_null=True,
        default=None,
        label=_("Assign automatically"),
        help_text=_(
            "Assign the on-duty officer with the fewest open cases (default: the "
            "AUTO_ASSIGN_ON_VERIFY setting); nobody on duty: you."
        ),
    )


class ReturnInput(StrictSerializer):
    reason = TextField(
        max_length=TEXT,
        label=_("Reason"),
        help_text=_("What the reporter must complete or correct: they read it."),
    )


class ReopenInput(StrictSerializer):
    reason = TextField(max_length=TEXT, label=_("Reason"), help_text=INTERNAL)


@extend_schema_field(CaseUpdateInput)
class CaseChangesField(serializers.DictField):
    """Corrections to the case, validated (and documented) as PATCH /cases/{id}/ takes them."""


class ResubmitInput(StrictSerializer):
    note = TextField(
        max_length=TEXT,
        required=False,
        allow_blank=True,
        label=_("Note"),
        help_text=_("What was completed or corrected. The reporter reads it."),
    )
    changes = CaseChangesField(
        required=False,
        label=_("Corrections"),
        help_text=_("Corrected fields, as in PATCH /cases/{id}/."),
    )

    def validate_changes(self, value: dict) -> dict[str, Any]:
        changes = CaseUpdateInput(data=value)
        changes.is_valid(raise_exception=True)
        return dict(changes.validated_data)


class RejectInput(StrictSerializer):
    outcome = ChoiceField(choices=[Outcome.REJECTED, Outcome.DUPLICATE], label=_("Outcome"))
    reason = TextField(
        max_length=TEXT,
        label=_("Reason"),
        help_text=_("Why the report is not taken up: the reporter reads it."),
    )
    duplicate_of = serializers.UUIDField(
        required=False,
        allow_null=True,
        label=_("Duplicate of"),
        help_text=_("Required when the outcome is duplicate."),
    )


class AssistanceInput(StrictSerializer):
    kind = ChoiceField(choices=AssistanceKind.choices, label=_("Kind of assistance"))
    description = TextField(max_length=TEXT, label=_("Description"))
    delivered_at = LocalDateField(
        label=_("Date of assistance"),
        help_text=_("A date, or a datetime (its day in WITA). Not in the future."),
    )
    provider = TextField(max_length=200, required=False, allow_blank=True, label=_("Provider"))


class CloseInput(StrictSerializer):
    outcome = ChoiceField(
        choices=[Outcome.RESOLVED, Outcome.REFERRED, Outcome.DECEASED, Outcome.UNREACHABLE],
        label=_("Outcome"),
    )
    summary = TextField(
        max_length=TEXT,
        label=_("Summary"),
        help_text=_("The outcome in words: the reporter reads it."),
    )
    referred_to = TextField(
        max_length=200,
        required=False,
        allow_blank=True,
        label=_("Referred to"),
        help_text=_("Required when the outcome is referred."),
    )


class AssignInput(StrictSerializer):
    assignee = UserIdField(
        required=False,
        allow_null=True,
        label=_("Officer"),
        help_text=_("An officer of this Dinsos. Required unless auto_assign is true."),
    )
    auto_assign = StrictBooleanField(
        required=False,
        default=False,
        label=_("Assign automatically"),
        help_text=_(
            "Assign the on-duty officer with the fewest open cases, other than the current "
            "assignee; refused when there is none."
        ),
    )
    note = TextField(
        max_length=TEXT, required=False, allow_blank=True, label=_("Note"), help_text=INTERNAL
    )


class TransferInput(StrictSerializer):
    region = RegionCodeField(
        label=_("Region"), help_text=_("A region code in another regency/city.")
    )
    reason = TextField(max_length=TEXT, label=_("Reason"), help_text=INTERNAL)


ACTION_INPUTS: dict[str, type[StrictSerializer]] = {
    "verify": VerifyInput,
    "return": ReturnInput,
    "resubmit": ResubmitInput,
    "reject": RejectInput,
    "assist": AssistanceInput,
    "close": CloseInput,
    "reopen": ReopenInput,
    "assign": AssignInput,
    "transfer": TransferInput,
}


class ActorRef(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class HistoryOutput(serializers.Serializer):
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor = ActorRef(allow_null=True)
    at = serializers.DateTimeField()
    reason = serializers.CharField(
        help_text=_(
            "The action's text (note, reason, summary). The case's reporter reads only the texts "
            "written for them (a return's reason, a resubmission's note, a rejection's reason, "
            "the closing summary); the others are empty for them."
        )
    )
    payload = serializers.JSONField(
        help_text=_(
            "The action's non-personal details: e.g. `assignee` and `auto_assigned` (verify, "
            "assign), `outcome`, `from_region`/`to_region` (transfer), `fields` (edit), "
            "`step` and `due_at` (sla_warning, sla_breached, sla_escalated)."
        )
    )
