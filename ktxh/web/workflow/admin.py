from django.contrib import admin

from .models import Event, Status


@admin.register(Status)
class StatusAdmin(admin.ModelAdmin):
    list_display = ["org_unit", "period", "state", "changed_at", "changed_by"]
    list_filter = ["state", "period"]
    readonly_fields = ["org_unit", "period", "state", "changed_at", "changed_by"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # steps are taken through the workflow, which records them


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["org_unit", "period", "action", "from_state", "to_state", "user", "at"]
    list_filter = ["action"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
