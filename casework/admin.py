"""Django admin: users, regions, categories; the access log read-only. (Cases are in
`workflows.admin`: their page carries the transition buttons.)"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from casework import reference_cache
from casework.models import AccessLog, Category, Region, User
from common.readonly_admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (
        "username", "full_name", "role", "region", "division", "on_duty", "is_active"
    )  # fmt: skip
    # Routing data: who is on duty is changed here, in the list, or by the actions.
    list_editable = ("on_duty",)
    list_filter = ("role", "division", "on_duty", "is_active")
    search_fields = ("username", "full_name", "email")
    autocomplete_fields = ("region",)
    actions = ("mark_on_duty", "mark_off_duty")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (
            _("Casework"),
            {"fields": ("full_name", "role", "region", "division", "phone", "on_duty")},
        ),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Casework"), {"fields": ("full_name", "role", "region", "division")}),
    )

    @admin.action(description=_("Mark on duty"))
    def mark_on_duty(self, request, queryset) -> None:
        queryset.update(on_duty=True)

    @admin.action(description=_("Mark off duty"))
    def mark_off_duty(self, request, queryset) -> None:
        queryset.update(on_duty=False)


class ReferenceDataAdmin(admin.ModelAdmin):
    """Edits take effect at once in this process, within REFERENCE_CACHE_SECONDS elsewhere."""

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        reference_cache.clear()


@admin.register(Region)
class RegionAdmin(ReferenceDataAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


@admin.register(Category)
class CategoryAdmin(ReferenceDataAdmin):
    list_display = ("code", "name", "name_en", "division", "is_active")
    list_editable = ("division", "is_active")
    list_filter = ("division",)
    search_fields = ("code", "name", "name_en")


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "kind", "case")
    list_filter = ("kind",)
    search_fields = ("case__reference", "user__username")
    list_select_related = ("user", "case")
