"""Django admin: users, regions, categories; cases (bookkeeping fields only) and the access
log read-only. The admin never shows a subject or a description: administrators run the
system, not the cases."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from casework import reference_cache
from casework.models import AccessLog, Case, Category, Region, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "full_name", "role", "region", "division", "is_active")
    list_filter = ("role", "division", "is_active")
    search_fields = ("username", "full_name", "email")
    autocomplete_fields = ("region",)
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Casework"), {"fields": ("full_name", "role", "region", "division", "phone")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Casework"), {"fields": ("full_name", "role", "region", "division")}),
    )


class ReferenceDataAdmin(admin.ModelAdmin):
    """Edits take effect at once in this process, within REFERENCE_CACHE_SECONDS elsewhere."""

    def save_model(self, request, obj, form, change) -> None:  # type: ignore[no-untyped-def]
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


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("reference", "state", "category", "urgency", "regency", "created_at")
    list_filter = ("state", "urgency", "category")
    search_fields = ("reference",)
    # No description or subject: the admin runs the system and does not read people's cases.
    fields = (
        "reference", "state", "category", "urgency", "region", "regency", "reported_by",
        "assigned_to", "due_at", "outcome", "created_at",
    )  # fmt: skip
    list_select_related = ("category", "regency")


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "kind", "case")
    list_filter = ("kind",)
    search_fields = ("case__reference", "user__username")
    list_select_related = ("user", "case")
