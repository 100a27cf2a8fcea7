from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("ktxh - Quản trị")
admin.site.site_title = _("ktxh")
admin.site.index_title = _("Quản trị hệ thống")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("ktxh.web.dashboard.urls")),
]
