from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "ktxh.web.workflow"
    label = "workflow"
    verbose_name = _("Duyệt và khóa số liệu")
