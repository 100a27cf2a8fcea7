from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DraftingConfig(AppConfig):
    name = "ktxh.web.drafting"
    label = "drafting"
    verbose_name = _("Soạn thảo báo cáo")
