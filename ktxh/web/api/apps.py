from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "ktxh.web.api"
    label = "ktxh_api"
    verbose_name = _("API JSON")
