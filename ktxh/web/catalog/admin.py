from django.contrib import admin

from .models import Indicator, Office, Sector, Unit


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "prefix", "office", "order"]
    list_select_related = ["office"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "symbol", "dimension", "factor"]
    search_fields = ["code", "symbol"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit", "sector", "office", "kind", "decimals", "direction", "parent"]
    list_filter = ["sector", "kind", "direction", "office"]
    list_select_related = ["unit", "sector", "office", "parent"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
