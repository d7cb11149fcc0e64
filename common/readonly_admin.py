"""Admin pages for records nobody edits by hand: history, logs, deliveries.

A read-only page offers nothing to submit: no save buttons and no delete link, whatever the
reader's permissions. Read-only inline rows are a plain table, without the record's title
above each row (every column of the row is already shown).
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _


class NoSaveButtons(admin.ModelAdmin):
    """For a change page whose fields are all read-only but whose model is changed otherwise
    (the case, by its transition buttons): the change permission stays, the save buttons go."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
        }
        if object_id is not None:  # "View", not "Change": there is nothing to change here
            context["title"] = _("View %s") % self.opts.verbose_name
        return super().changeform_view(request, object_id, form_url, context)


class ReadOnlyAdmin(NoSaveButtons):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown with their parent, never added, changed or deleted there (`fields` to set)."""

    extra = 0
    can_delete = False
    template = "common/readonly_tabular.html"

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
