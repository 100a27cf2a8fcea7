from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from ktxh.web.api.api import api

admin.site.site_header = _("ktxh - Quản trị")
admin.site.site_title = _("ktxh")
admin.site.index_title = _("Quản trị hệ thống")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("dang-nhap/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("nhap-lieu/", include("ktxh.web.entry.urls")),
    path("du-thao/", include("ktxh.web.drafting.urls")),
    path("nhap-bao-cao/", include("ktxh.web.imports.urls")),
    path("", include("ktxh.web.dashboard.urls")),
]
