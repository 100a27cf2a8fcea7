from django.contrib import admin

from .models import OrgUnit, SplitAllocation


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "valid_from", "valid_to"]
    list_filter = ["level", "valid_to"]
    list_select_related = ["parent"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["parent"]


@admin.register(SplitAllocation)
class SplitAllocationAdmin(admin.ModelAdmin):
    list_display = [
        "source_code",
        "source_valid_from",
        "target_code",
        "key",
        "basis",
        "share",
        "recorded_by",
        "recorded_at",
    ]
    list_filter = ["key"]
