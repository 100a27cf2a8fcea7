from typing import Any

from django.contrib import admin

from .models import SectionText


@admin.register(SectionText)
class SectionTextAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: versions are made and restored on the drafting screen, never edited here."""

    list_display = ("heading", "org_unit", "year", "version", "author", "at", "note")
    list_filter = ("year", "template")
    search_fields = ("heading", "text", "section")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
