"""Admin pages of the workflow: cases with transition buttons, history, SLA policies.

The buttons (django-fsm-2's `FSMAdminMixin`) go through `workflows.services.case_transition`,
so a transition from the admin is checked, timed, logged and notified exactly like one from the
API; only the transitions the signed-in user may perform are offered. History is read-only.
"""

from typing import Any

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django_fsm.admin import FSMAdminMixin

from casework.models import Case, User
from common.errors import DomainError
from common.readonly_admin import ReadOnlyAdmin, ReadOnlyInline
from workflows.admin_forms import TRANSITION_FORMS
from workflows.models import HistoryEntry, SlaPolicy
from workflows.services import case_transition


class HistoryInline(ReadOnlyInline):
    model = HistoryEntry
    fields = ("at", "action", "from_state", "to_state", "actor", "reason")


@admin.register(Case)
class CaseAdmin(FSMAdminMixin, admin.ModelAdmin):
    fsm_fields = ["state"]
    fsm_forms = dict(TRANSITION_FORMS)
    list_display = ("reference", "state", "category", "urgency", "regency", "due_at", "created_at")
    list_filter = ("state", "urgency", "category")
    search_fields = ("reference",)
    list_select_related = ("category", "regency")
    # No subject or description here: personal data is read through the API, where reads are
    # logged. Every field is read-only: the case changes only through its transitions.
    fields = (
        "reference", "state", "category", "urgency", "region", "regency", "reported_by",
        "assigned_to", "state_changed_at", "due_at", "outcome", "referred_to", "created_at",
    )  # fmt: skip
    readonly_fields = fields
    inlines = [HistoryInline]

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
            _("%(action)s: done.") % {"action": action.custom["action"]},
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
    list_display = ("urgency", "category", "verify_within", "assist_within", "close_within")
    list_filter = ("urgency",)
