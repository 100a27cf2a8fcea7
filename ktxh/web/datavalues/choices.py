from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodType(models.TextChoices):
    YEAR = "year", _("Năm")
    HALF = "half", _("6 tháng")
    QUARTER = "quarter", _("Quý")
    MONTH = "month", _("Tháng")
    TERM = "term", _("Giai đoạn nhiều năm")


class ValueKind(models.TextChoices):
    ESTIMATE = "estimate", _("Ước thực hiện")
    FINAL = "final", _("Chính thức")
    PLAN = "plan", _("Kế hoạch")
    BUDGET_ESTIMATE = "budget_estimate", _("Dự toán")
    TARGET = "target", _("Mục tiêu")


class Qualifier(models.TextChoices):
    NONE = "", _("—")
    OVER = "tren", _("trên")
    ABOUT = "khoang", _("khoảng")
    NEARLY = "gan", _("gần")
    UNDER = "duoi", _("dưới")


class TargetForm(models.TextChoices):
    EXACT = "exact", _("Đạt đúng")
    AT_LEAST = "at_least", _("Từ … trở lên")
    AT_MOST = "at_most", _("Không quá")
    RANGE = "range", _("Từ … đến …")
    GROWTH = "growth", _("Tăng …%")
    GROWTH_AT_LEAST = "growth_at_least", _("Tăng …% trở lên")
    GROWTH_RANGE = "growth_range", _("Tăng từ …% đến …%")
    AVG_GROWTH_RANGE = "avg_growth_range", _("Tăng bình quân từ …% đến …%/năm")
    PP_CHANGE = "pp_change", _("Thay đổi … điểm phần trăm")


class Measure(models.TextChoices):
    PCT_PLAN = "pct_plan", _("% kế hoạch")
    # xgettext:no-python-format
    PCT_BUDGET = "pct_budget", _("% dự toán")
    PCT_CHANGE = "pct_change", _("% tăng/giảm")
    PP_CHANGE = "pp_change", _("điểm phần trăm tăng/giảm")
    ABS_CHANGE = "abs_change", _("mức tăng/giảm tuyệt đối")
