from django.contrib import admin

from .models import DataValue, Period, SourceDocument, StatedFigure


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


@admin.register(StatedFigure)
class StatedFigureAdmin(admin.ModelAdmin):
    list_display = ["indicator", "org_unit", "period", "measure", "value", "base_period", "source_line"]
    list_filter = ["measure"]
    list_select_related = ["indicator", "org_unit", "period", "base_period"]
    search_fields = ["indicator__code", "indicator__name"]
    raw_id_fields = ["indicator", "org_unit", "period", "base_period", "source_document"]
