from typing import Any

from django.contrib import admin

from .models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Imports are read here; they change only through the review screen."""

    list_display = ["original_name", "org_unit", "year", "state", "user", "created_at"]
    list_filter = ["state", "year"]
    search_fields = ["original_name", "org_unit__name"]
    exclude = ["document", "text", "findings"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
