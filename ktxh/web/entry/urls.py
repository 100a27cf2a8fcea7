from django.urls import path

from . import views

app_name = "entry"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:unit>/<str:period>/duyet/", views.workflow, name="workflow"),
    path("<str:unit>/<str:period>/lich-su/<str:indicator>/", views.history, name="history"),
    path("<str:unit>/<str:period>/<str:sector>/", views.entry_form, name="form"),
    path("<str:unit>/<str:period>/<str:sector>/tinh/", views.preview, name="preview"),
    path("<str:unit>/<str:period>/<str:sector>/tai-ve.xlsx", views.download, name="download"),
    path("<str:unit>/<str:period>/<str:sector>/tai-len/", views.upload, name="upload"),
]
