from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.job_page, name="job"),
    path("<int:pk>/tien-do/", views.progress, name="progress"),
    path("<int:pk>/so-lieu/<int:n>/", views.fact, name="fact"),
    path("<int:pk>/nhan-tat-ca/", views.accept_mapped, name="accept_mapped"),
    path("<int:pk>/chay-thu/", views.dry_run, name="dry_run"),
    path("<int:pk>/xac-nhan/", views.confirm, name="confirm"),
]
