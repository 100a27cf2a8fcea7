from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ktxh import core
from ktxh.web.catalog.models import Indicator
from ktxh.web.orgunits.models import OrgUnit

from .choices import Measure, PeriodType, Qualifier, TargetForm, ValueKind

AMOUNT = {"max_digits": 28, "decimal_places": 6}


class ForCoreQuerySet(models.QuerySet[Any]):
    """Rows ready for ``to_core()``: the related rows it reads are joined in one query, and the
    source document's text is left behind (it is the whole report, half a megabyte for the
    seed, and the join would copy it into every row)."""

    def for_core(self) -> ForCoreQuerySet:
        related = ["indicator", "org_unit", "period", "base_period", "source_document"]
        deferred = ["source_document__text"]
        if any(f.name == "entered_by" for f in self.model._meta.get_fields()):
            related.append("entered_by")
            deferred.append("entered_by__password")
        return self.select_related(*related).defer(*deferred)

    def core(self) -> list[Any]:
        """The rows as ktxh.core objects (``core.Value`` or ``core.StatedFigure``), read as plain
        columns: no model instances, no source text. Same objects as ``to_core()`` on each row."""
        build = self.model.core_from_row
        return [build(row) for row in self.values_list(*self.model.CORE_COLUMNS)]


def _column(obj: models.Model, path: str) -> Any:
    """``indicator__code`` read off a model instance, None past an empty relation."""
    value: Any = obj
    for name in path.split("__"):
        value = getattr(value, name, None) if value is not None else None
    return value


class Period(models.Model):
    """A reporting period: year, six months, quarter, month or multi-year term."""

    code = models.CharField(_("mã kỳ"), max_length=12, unique=True)
    type = models.CharField(_("loại kỳ"), max_length=10, choices=PeriodType.choices)
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"))

    class Meta:
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")
        ordering = ["start", "end"]

    def __str__(self) -> str:
        return core.Period.parse(self.code).label

    @classmethod
    def get_for(cls, code: str) -> Period:
        """The stored period for ``code``, created from its parsed dates when new."""
        parsed = core.Period.parse(code)
        obj, _created = cls.objects.get_or_create(
            code=parsed.code, defaults={"type": parsed.type.value, "start": parsed.start, "end": parsed.end}
        )
        return obj


class SourceDocument(models.Model):
    """A document values were taken from; its text is kept so every number can be traced to its line."""

    key = models.CharField(_("mã tài liệu"), max_length=80, unique=True)
    title = models.CharField(_("tiêu đề"), max_length=500)
    filename = models.CharField(_("tên tệp"), max_length=255)
    document_date = models.DateField(_("ngày tài liệu"), null=True, blank=True)
    text = models.TextField(_("nội dung"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("tài liệu nguồn")
        verbose_name_plural = _("tài liệu nguồn")

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def digest(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def line(self, number: int) -> str:
        lines = self.text.split("\n")
        return lines[number - 1] if 1 <= number <= len(lines) else ""


class DataValue(models.Model):
    """One number: indicator × org unit × period × kind (× breakdown), with its provenance.

    ``derived`` values were implied by a stated percentage (a plan behind
    "đạt 103,4% kế hoạch"); they are never shown as reported.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, verbose_name=_("chỉ tiêu"))
    # No index of its own: the (org_unit, period) index leads with it (docs/scale.md §3: no
    # measured query used the single-column one, about 0.6 GB for the whole country).
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, db_index=False, verbose_name=_("đơn vị"))
    period = models.ForeignKey(Period, on_delete=models.PROTECT, verbose_name=_("kỳ"))
    kind = models.CharField(_("loại số liệu"), max_length=16, choices=ValueKind.choices)
    category = models.CharField(_("phân tổ"), max_length=40, blank=True, default="")
    option = models.CharField(_("thành phần phân tổ"), max_length=200, blank=True, default="")
    value = models.DecimalField(_("giá trị"), **AMOUNT)
    value_high = models.DecimalField(_("cận trên"), null=True, blank=True, **AMOUNT)
    form = models.CharField(_("dạng mục tiêu"), max_length=20, choices=TargetForm.choices, blank=True)
    base_period = models.ForeignKey(
        Period,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("kỳ gốc so sánh"),
    )
    qualifier = models.CharField(_("định lượng"), max_length=8, choices=Qualifier.choices, blank=True)
    derived = models.BooleanField(_("số suy ra"), default=False)
    error = models.DecimalField(
        _("sai số làm tròn"),
        null=True,
        blank=True,
        help_text=_("Nửa độ rộng khoảng sai số do làm tròn; để trống là số chính xác."),
        **AMOUNT,
    )
    error_high = models.DecimalField(
        _("sai số làm tròn của cận trên"),
        null=True,
        blank=True,
        help_text=_("Như trên, cho cận trên của một khoảng mục tiêu (in đúng số chữ số thập phân đã nêu)."),
        **AMOUNT,
    )
    flags = models.JSONField(_("cờ"), default=list, blank=True)
    source_document = models.ForeignKey(
        SourceDocument, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("tài liệu nguồn")
    )
    source_line = models.PositiveIntegerField(_("dòng"), null=True, blank=True)
    source_text = models.CharField(_("trích dẫn"), max_length=200, blank=True)
    formula = models.CharField(_("cách tính"), max_length=300, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("người nhập"),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    # Raised on every change; a save that read an older version is refused (no lost update).
    version = models.PositiveIntegerField(_("phiên bản"), default=1)

    objects = ForCoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("số liệu")
        verbose_name_plural = _("số liệu")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "org_unit", "period", "kind", "category", "option"],
                name="datavalue_cell_uniq",
            ),
        ]
        indexes = [models.Index(fields=["org_unit", "period"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period.code} {self.get_kind_display()}: {self.value}"

    # What core.Value needs, in the order core_from_row reads it.
    CORE_COLUMNS = (
        "indicator__code",
        "org_unit__code",
        "period__code",
        "kind",
        "value",
        "category",
        "option",
        "qualifier",
        "derived",
        "flags",
        "source_document__key",
        "source_line",
        "source_text",
        "entered_by__username",
        "formula",
        "note",
        "error",
        "error_high",
        "form",
        "value_high",
        "base_period__code",
    )

    @staticmethod
    def core_from_row(row: tuple[Any, ...]) -> core.Value:
        (ind, unit, period, kind, value, category, option, qualifier, derived, flags, document, line,
         text, who, formula, note, error, error_high, form, value_high, base) = row  # fmt: skip
        return core.Value(
            indicator=ind,
            org_unit=unit,
            period=period,
            kind=core.ValueKind(kind),
            value=value,
            category=category,
            option=option,
            qualifier=core.Qualifier(qualifier),
            derived=derived,
            flags=tuple(flags or ()),
            provenance=core.Provenance(
                document=document,
                line=line,
                text=text or None,
                entered_by=who,
                formula=formula or None,
                note=note or None,
            ),
            error=error,
            error_high=error_high,
            form=core.TargetForm(form) if form else None,
            value_high=value_high,
            base_period=base,
        )

    def to_core(self) -> core.Value:
        """This value as a core.Value (``objects....core()`` converts many at once)."""
        return self.core_from_row(tuple(_column(self, c) for c in self.CORE_COLUMNS))


class StatedFigure(models.Model):
    """A percentage or change a document states about a value, kept so it can be checked."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, verbose_name=_("chỉ tiêu"))
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, verbose_name=_("đơn vị"))
    period = models.ForeignKey(Period, on_delete=models.PROTECT, verbose_name=_("kỳ"))
    category = models.CharField(_("phân tổ"), max_length=40, blank=True, default="")
    option = models.CharField(_("thành phần phân tổ"), max_length=200, blank=True, default="")
    measure = models.CharField(_("đại lượng"), max_length=12, choices=Measure.choices)
    value = models.DecimalField(_("giá trị nêu"), **AMOUNT)
    decimals = models.PositiveSmallIntegerField(_("số chữ số thập phân khi in"), default=0)
    unit = models.CharField(_("đơn vị khi nêu lại"), max_length=40, blank=True)
    base_period = models.ForeignKey(
        Period, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("kỳ gốc")
    )
    source_document = models.ForeignKey(SourceDocument, on_delete=models.PROTECT, verbose_name=_("tài liệu"))
    source_line = models.PositiveIntegerField(_("dòng"))
    source_text = models.CharField(_("trích dẫn"), max_length=200)

    objects = ForCoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("tỷ lệ, mức thay đổi được nêu")
        verbose_name_plural = _("tỷ lệ, mức thay đổi được nêu")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "indicator",
                    "org_unit",
                    "period",
                    "category",
                    "option",
                    "measure",
                    "source_document",
                    "source_line",
                ],
                name="statedfigure_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.get_measure_display()}: {self.value}"

    CORE_COLUMNS = (
        "indicator__code",
        "org_unit__code",
        "period__code",
        "measure",
        "value",
        "base_period__code",
        "source_document__key",
        "source_line",
        "source_text",
        "category",
        "option",
        "decimals",
        "unit",
    )

    @staticmethod
    def core_from_row(row: tuple[Any, ...]) -> core.StatedFigure:
        ind, unit, period, measure, value, base, document, line, text, category, option, decimals, shown = row
        return core.StatedFigure(
            indicator=ind,
            org_unit=unit,
            period=period,
            measure=core.Measure(measure),
            value=value,
            base_period=base,
            provenance=core.Provenance(document=document, line=line, text=text),
            category=category,
            option=option,
            decimals=decimals,
            unit=shown or None,
        )

    def to_core(self) -> core.StatedFigure:
        """This figure as a core.StatedFigure (``objects....core()`` converts many at once)."""
        return self.core_from_row(tuple(_column(self, c) for c in self.CORE_COLUMNS))


class ChangeSource(models.TextChoices):
    SCREEN = "screen", _("màn hình nhập liệu")
    XLSX = "xlsx", _("tệp Excel")
    IMPORT = "import", _("nhập từ báo cáo")
    API = "api", _("API")
    DEMO = "demo", _("dữ liệu mẫu")


class ValueChange(models.Model):
    """The audit trail: one row per change of one value, never edited or deleted.

    The cell's key is copied so the history stays readable whatever happens to the value.
    ``old_value`` is empty for a value created; ``new_value`` is empty for one removed.
    """

    data_value = models.ForeignKey(
        DataValue,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="changes",
        verbose_name=_("số liệu"),
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, verbose_name=_("chỉ tiêu"))
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, verbose_name=_("đơn vị"))
    period = models.ForeignKey(Period, on_delete=models.PROTECT, verbose_name=_("kỳ"))
    kind = models.CharField(_("loại số liệu"), max_length=16, choices=ValueKind.choices)
    category = models.CharField(_("phân tổ"), max_length=40, blank=True, default="")
    option = models.CharField(_("thành phần phân tổ"), max_length=200, blank=True, default="")
    old_value = models.DecimalField(_("giá trị cũ"), null=True, blank=True, **AMOUNT)
    new_value = models.DecimalField(_("giá trị mới"), null=True, blank=True, **AMOUNT)
    version = models.PositiveIntegerField(_("phiên bản sau thay đổi"), default=1)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("người sửa")
    )
    at = models.DateTimeField(_("lúc"), auto_now_add=True)
    source = models.CharField(_("qua"), max_length=10, choices=ChangeSource.choices)
    reason = models.TextField(_("lý do, ghi chú"), blank=True)
    acknowledged = models.JSONField(
        _("cảnh báo đã xác nhận"),
        default=list,
        blank=True,
        help_text=_("Các phát hiện lỗi người nhập đã xác nhận, kèm lý do."),
    )

    class Meta:
        verbose_name = _("lịch sử thay đổi số liệu")
        verbose_name_plural = _("lịch sử thay đổi số liệu")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["indicator", "org_unit", "period"])]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period_id}: {self.old_value} → {self.new_value}"

    @classmethod
    def of(
        cls, cell: DataValue, *, old: Decimal | None, source: str, user: Any = None, reason: str = ""
    ) -> ValueChange:
        """The (unsaved) audit row of ``cell`` as it now stands, having been ``old`` before."""
        return cls(
            data_value=cell,
            indicator=cell.indicator,  # the callers hold the cell with these loaded
            org_unit=cell.org_unit,
            period=cell.period,
            kind=cell.kind,
            category=cell.category,
            option=cell.option,
            old_value=old,
            new_value=cell.value,
            version=cell.version,
            user=user,
            source=source,
            reason=reason,
        )
