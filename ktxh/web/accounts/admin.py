from django.contrib import admin

from .models import ApiToken, Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "org_unit_code"]
    list_filter = ["role"]
    search_fields = ["user__username", "org_unit_code"]
    filter_horizontal = ["sectors"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "revoked"]
    readonly_fields = ["digest", "prefix", "created_at", "last_used_at"]
