from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from ktxh import core
from ktxh.web.tree import check_no_cycle

from .choices import Aggregation, Direction, IndicatorKind


class Stamped(models.Model):
    """A catalog row that records when it last changed: the catalog's stamp (row counts and the
    newest change of each table) tells the web processes when their cached copy is stale."""

    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True


class Office(Stamped):
    """A specialised office (phòng, ban) that owns a sector's numbers."""

    code = models.CharField(_("mã"), max_length=20, unique=True)
    name = models.CharField(_("tên cơ quan"), max_length=200)

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Sector(Stamped):
    """A sector (lĩnh vực) of the report, owned by default by one office."""

    code = models.CharField(_("mã"), max_length=40, unique=True)
    prefix = models.CharField(_("tiền tố mã chỉ tiêu"), max_length=10, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=200)
    office = models.ForeignKey(Office, on_delete=models.PROTECT, verbose_name=_("cơ quan phụ trách"))
    order = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Unit(Stamped):
    """A unit of measure; units of one dimension convert by their factors."""

    code = models.CharField(_("mã"), max_length=40, unique=True)
    symbol = models.CharField(_("ký hiệu"), max_length=60)
    dimension = models.CharField(_("loại đại lượng"), max_length=60)
    factor = models.DecimalField(_("hệ số quy đổi"), max_digits=30, decimal_places=10, default=Decimal(1))

    class Meta:
        verbose_name = _("đơn vị tính")
        verbose_name_plural = _("đơn vị tính")
        ordering = ["dimension", "factor"]

    def __str__(self) -> str:
        return self.symbol


class Indicator(Stamped):
    """A catalog entry (chỉ tiêu): what is measured, in which unit, owned by whom."""

    code = models.CharField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên chỉ tiêu"), max_length=300)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name=_("đơn vị tính"))
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, verbose_name=_("lĩnh vực"))
    office = models.ForeignKey(Office, on_delete=models.PROTECT, verbose_name=_("cơ quan phụ trách"))
    kind = models.CharField(_("loại"), max_length=10, choices=IndicatorKind.choices)
    decimals = models.PositiveSmallIntegerField(_("số chữ số thập phân"), default=0)
    direction = models.CharField(
        _("chiều tốt"), max_length=5, choices=Direction.choices, default=Direction.NONE
    )
    aggregation = models.CharField(_("cách tổng hợp"), max_length=10, choices=Aggregation.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="parts",
        verbose_name=_("thuộc chỉ tiêu (trong đó)"),
    )
    price_base = models.CharField(_("giá so sánh năm gốc"), max_length=10, blank=True)
    budgeted = models.BooleanField(_("so với dự toán"), default=False)
    formula = models.CharField(_("công thức"), max_length=500, blank=True)
    tags = models.JSONField(_("nhãn"), default=list, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    order = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["sector__order", "order"]

    def __str__(self) -> str:
        return f"{self.code} - {self.name}"

    def clean(self) -> None:
        check_no_cycle(self, "parent", _("Quan hệ «trong đó» tạo thành vòng lặp."))

    def to_core(self) -> core.Indicator:
        return core.Indicator(
            code=self.code,
            name=self.name,
            unit=self.unit.code,
            sector=self.sector.code,
            office=self.office.code,
            kind=core.IndicatorKind(self.kind),
            decimals=self.decimals,
            direction=core.Direction(self.direction),
            aggregation=core.Aggregation(self.aggregation),
            parent=self.parent.code if self.parent_id else None,  # type: ignore[union-attr]
            price_base=self.price_base or None,
            budgeted=self.budgeted,
            formula=self.formula or None,
            tags=tuple(self.tags or ()),
            note=self.note or None,
        )
