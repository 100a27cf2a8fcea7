from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ktxh import core
from ktxh.web.tree import check_no_cycle


class Level(models.TextChoices):
    PROVINCE = "province", _("Tỉnh, thành phố")
    DISTRICT = "district", _("Huyện, thị xã, thành phố thuộc tỉnh")
    COMMUNE = "commune", _("Xã, phường, thị trấn")


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    def valid_at(self, day: date) -> OrgUnitQuerySet:
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class OrgUnit(models.Model):
    """An administrative unit for a span of time.

    The statistics office reuses codes (11239 was thị trấn Thanh Miện, then xã Thanh Miện),
    so one code can have several rows, never overlapping in time.
    """

    code = models.CharField(_("mã thống kê"), max_length=10, db_index=True)
    name = models.CharField(_("tên"), max_length=200)
    short_name = models.CharField(_("tên ngắn"), max_length=200, blank=True)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("trực thuộc"),
    )
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="orgunit_code_valid_from_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.")})
        check_no_cycle(self, "parent", _("Quan hệ trực thuộc tạo thành vòng lặp."))
        clash = OrgUnit.objects.filter(code=self.code).exclude(pk=self.pk)
        clash = clash.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from))
        if self.valid_to:
            clash = clash.filter(valid_from__lte=self.valid_to)
        if clash.exists():
            raise ValidationError(_("Mã này đã được một đơn vị khác dùng trong cùng khoảng thời gian."))

    def to_core(self) -> core.OrgUnit:
        return core.OrgUnit(
            code=self.code,
            name=self.name,
            level=self.level,
            parent_code=self.parent.code if self.parent_id else None,  # type: ignore[union-attr]
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            short_name=self.short_name,
        )


class SplitAllocation(models.Model):
    """A user's allocation key for one part of a split unit: what share of the old unit
    went to the new one, on what basis (population, area or a fixed share), and who said so.

    Units are referred to by code and validity start, since codes are reused over time.
    """

    source_code = models.CharField(_("mã đơn vị bị chia"), max_length=10)
    source_valid_from = models.DateField(_("hiệu lực từ (đơn vị bị chia)"))
    target_code = models.CharField(_("mã đơn vị nhận"), max_length=10)
    target_valid_from = models.DateField(_("hiệu lực từ (đơn vị nhận)"))
    key = models.CharField(
        _("khóa phân bổ"),
        max_length=12,
        choices=[("population", _("Dân số")), ("area", _("Diện tích")), ("share", _("Tỷ lệ cố định"))],
    )
    basis = models.DecimalField(_("số làm căn cứ"), max_digits=20, decimal_places=4, null=True, blank=True)
    share = models.DecimalField(_("tỷ lệ"), max_digits=12, decimal_places=10)
    note = models.TextField(_("ghi chú"), blank=True)
    recorded_by = models.CharField(_("người ghi"), max_length=150, blank=True)
    recorded_at = models.DateTimeField(_("ghi lúc"), auto_now=True)

    class Meta:
        verbose_name = _("khóa phân bổ khi chia tách")
        verbose_name_plural = _("khóa phân bổ khi chia tách")
        constraints = [
            models.UniqueConstraint(
                fields=["source_code", "source_valid_from", "target_code", "target_valid_from"],
                name="splitallocation_part_uniq",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_code} → {self.target_code}: {self.share}"
