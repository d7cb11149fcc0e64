"""Admin pages of the workflow: cases with transition buttons, history, SLA policies.

The buttons (django-fsm-2's `FSMAdminMixin`) go through `workflows.services.case_transition`,
so a transition from the admin is checked, timed, logged and notified exactly like one from the
API; only the transitions the signed-in user may perform are offered, named as the history names
them. History is read-only. The case page shows the person and the report only to whom the API
shows them, masked as there, and logs the read (`workflows.admin_report`).
"""

from typing import Any

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django_fsm import Transition
from django_fsm.admin import FSMAdminMixin

from casework.models import Case, User
from common.display import period
from common.errors import DomainError
from common.readonly_admin import NoSaveButtons, ReadOnlyAdmin, ReadOnlyInline
from workflows.admin_forms import TRANSITION_FORMS
from workflows.admin_report import case_report
from workflows.models import HistoryAction, HistoryEntry, SlaPolicy
from workflows.services import case_transition


class HistoryInline(ReadOnlyInline):
    model = HistoryEntry
    fields = ("at", "action", "from_state", "to_state", "actor", "reason")


@admin.register(Case)
class CaseAdmin(FSMAdminMixin, NoSaveButtons):
    fsm_fields = ["state"]
    fsm_forms = dict(TRANSITION_FORMS)
    fsm_transition_not_allowed_msg = _("You may not take this action on this case.")
    change_form_template = "workflows/case_change_form.html"
    # The list and its search carry no personal data: the person is on the case's page only.
    list_display = ("reference", "state", "category", "urgency", "regency", "due_at", "created_at")
    list_filter = ("state", "urgency", "category")
    search_fields = ("reference",)
    list_select_related = ("category", "regency")
    # The bookkeeping; the person and the report follow (`render_change_form`). Every field is
    # read-only: the case changes only through its transitions.
    fields = (
        "reference", "state", "category", "urgency", "region", "regency", "observed_at",
        "reported_by", "assigned_to", "state_changed_at", "due_at", "outcome", "referred_to",
        "duplicate_of", "created_at",
    )  # fmt: skip
    readonly_fields = fields
    inlines = [HistoryInline]

    @staticmethod
    def get_fsm_block_label(fsm_field_name: str) -> str:
        return str(_("Actions"))

    def get_fsm_label(self, transition: Transition) -> str:
        return str(HistoryAction(transition.custom["action"]).label)

    def get_help_text(self, transition: Transition) -> str:
        return transition.custom.get("help_text") or ""  # the form page prints it as it is

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["case_report"] = case_report(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        """Nothing to save: no field is editable here, and transitions save themselves."""

    def _apply_fsm_transition(  # type: ignore[override]
        self, *, obj: Case, transition_name: str, request: Any, kwargs: Any = None
    ) -> bool:
        action = self._get_fsm_transition_by_name(obj=obj, transition_name=transition_name)
        data = {
            name: value.pk if isinstance(value, User) else value
            for name, value in (kwargs or {}).items()
        }
        try:
            case_transition(
                case_id=obj.pk, actor=request.user, action=action.custom["action"], data=data
            )
        except DomainError as error:
            details = "; ".join(f"{e.field}: {e.message}" for e in error.errors)
            self.message_user(request, f"{error.message} {details}".strip(), level=messages.ERROR)
            return False
        self.message_user(
            request,
            _("%(action)s: done.") % {"action": self.get_fsm_label(action)},
            level=messages.SUCCESS,
        )
        return True


@admin.register(HistoryEntry)
class HistoryEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "case", "action", "from_state", "to_state", "actor")
    list_filter = ("action",)
    search_fields = ("case__reference",)
    list_select_related = ("case", "actor")


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ("urgency", "category", "verify_period", "assist_period", "close_period")
    list_filter = ("urgency",)

    @admin.display(description=_("verify within"), ordering="verify_within")
    def verify_period(self, policy: SlaPolicy) -> str:
        return period(policy.verify_within)

    @admin.display(description=_("first assistance within"), ordering="assist_within")
    def assist_period(self, policy: SlaPolicy) -> str:
        return period(policy.assist_within)

    @admin.display(description=_("close within"), ordering="close_within")
    def close_period(self, policy: SlaPolicy) -> str:
        return period(policy.close_within)
