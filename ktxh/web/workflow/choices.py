from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "draft", _("Đang nhập")
    SUBMITTED = "submitted", _("Đã gửi duyệt")
    APPROVED = "approved", _("Đã duyệt")
    LOCKED = "locked", _("Đã khóa")


class Action(models.TextChoices):
    SUBMIT = "submit", _("Gửi duyệt")
    APPROVE = "approve", _("Duyệt")
    RETURN = "return", _("Trả lại để sửa")
    LOCK = "lock", _("Khóa số liệu")
    UNLOCK = "unlock", _("Mở khóa")
