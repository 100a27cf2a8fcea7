from django.contrib import admin

from .models import DataValue, Period, SourceDocument, StatedFigure, ValueChange


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["code", "type", "start", "end"]


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    list_display = ["key", "title", "filename", "document_date"]
    readonly_fields = ["sha256"]


@admin.register(DataValue)
class DataValueAdmin(admin.ModelAdmin):
    list_display = [
        "indicator",
        "org_unit",
        "period",
        "kind",
        "category",
        "option",
        "value",
        "derived",
        "source_line",
    ]
    list_filter = ["kind", "derived", "period", "indicator__sector"]
    list_select_related = ["indicator", "org_unit", "period"]
    search_fields = ["indicator__code", "indicator__name", "org_unit__name", "option"]
    raw_id_fields = ["indicator", "org_unit", "period", "base_period", "source_document", "entered_by"]

    # Values change only through the entry screens, spreadsheets, imports and the API,
    # which check permissions and locks and write the audit trail; here they are read.
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ValueChange)
class ValueChangeAdmin(admin.ModelAdmin):
    list_display = [
        "at",
        "indicator",
        "org_unit",
        "period",
        "kind",
        "old_value",
        "new_value",
        "user",
        "source",
    ]
    list_filter = ["source", "kind"]
    list_select_related = ["indicator", "org_unit", "period", "user"]
    search_fields = ["indicator__code", "org_unit__name", "user__username", "reason"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(StatedFigure)
class StatedFigureAdmin(admin.ModelAdmin):
    list_display = ["indicator", "org_unit", "period", "measure", "value", "base_period", "source_line"]
    list_filter = ["measure"]
    list_select_related = ["indicator", "org_unit", "period", "base_period"]
    search_fields = ["indicator__code", "indicator__name"]
    raw_id_fields = ["indicator", "org_unit", "period", "base_period", "source_document"]
