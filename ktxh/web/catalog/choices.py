from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorKind(models.TextChoices):
    FLOW = "flow", _("Lưu lượng (cộng dồn theo thời gian)")
    STOCK = "stock", _("Tồn lượng (tại một thời điểm)")
    RATE = "rate", _("Tỷ lệ")
    RATIO = "ratio", _("Tỷ số")
    COUNT = "count", _("Số đếm")


class Direction(models.TextChoices):
    UP = "up", _("Càng cao càng tốt")
    DOWN = "down", _("Càng thấp càng tốt")
    NONE = "none", _("Không xác định")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Cộng")
    AVERAGE = "average", _("Bình quân")
    NONE = "none", _("Không cộng (tính lại từ thành phần)")
