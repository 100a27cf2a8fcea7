from django.urls import path

from . import views

app_name = "drafting"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:unit>/<int:year>/", views.draft, name="draft"),
    path("<str:unit>/<int:year>/xem-truoc/", views.preview, name="preview"),
    path("<str:unit>/<int:year>/tai-ve.<str:fmt>", views.download, name="download"),
    path("<str:unit>/<int:year>/muc/<str:key>/", views.section, name="section"),
    path("<str:unit>/<int:year>/muc/<str:key>/xem-thu/", views.section_preview, name="section_preview"),
    path("<str:unit>/<int:year>/muc/<str:key>/phien-ban/", views.versions, name="versions"),
]
