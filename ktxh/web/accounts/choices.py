from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Quản trị hệ thống")
    PLANNING = "planning", _("Phòng Tài chính - Kế hoạch")
    OFFICE = "office", _("Phòng, ban chuyên môn")
    COMMUNE = "commune", _("UBND xã, phường, thị trấn")
    LEADER = "leader", _("Lãnh đạo (chỉ xem)")
