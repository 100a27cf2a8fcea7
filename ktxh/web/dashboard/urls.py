from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("linh-vuc/<str:sector_code>/", views.sector, name="sector"),
    path("xep-hang/<str:indicator_code>/", views.ranking, name="ranking"),
    path("phat-hien/", views.findings, name="findings"),
    path("tai-lieu/<str:key>/", views.source, name="source"),
]
