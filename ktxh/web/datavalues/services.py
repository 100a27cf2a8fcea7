"""Writes to values. Each runs in one transaction: a failure stores nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction

from ktxh import core
from ktxh.web.catalog.models import Indicator
from ktxh.web.catalog.services import catalog_sync
from ktxh.web.orgunits.models import OrgUnit
from ktxh.web.orgunits.services import orgunits_sync
from ktxh.web.sync import SyncCounts, upsert

from .models import DataValue, Period, SourceDocument, StatedFigure

Progress = Callable[[str], None]


@dataclass
class DemoLoadResult:
    catalog: SyncCounts
    org_units: SyncCounts
    values: SyncCounts
    stated: SyncCounts

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated for c in (self.catalog, self.org_units, self.values, self.stated))


def _periods(codes: set[str]) -> dict[str, Period]:
    return {code: Period.get_for(code) for code in sorted(codes)}


def _unit_at(units: dict[tuple[str, date], OrgUnit], code: str, day: date) -> OrgUnit:
    for (ucode, _start), unit in units.items():
        if ucode == code and unit.valid_from <= day and (unit.valid_to is None or day <= unit.valid_to):
            return unit
    raise core.OrgUnitError(f"Đơn vị mã {code} chưa có trong cơ sở dữ liệu vào ngày {day:%d/%m/%Y}.")


@transaction.atomic
def dataset_store(*, dataset: core.Dataset) -> tuple[SyncCounts, SyncCounts]:
    """Store a loaded dataset: its document, values and stated figures. Idempotent."""
    doc = dataset.document
    text = "\n".join(doc.lines)
    document, _created = SourceDocument.objects.update_or_create(
        key=doc.key,
        defaults={
            "title": doc.title,
            "filename": doc.filename,
            "document_date": doc.document_date,
            "text": text,
            "sha256": SourceDocument.digest(text),
        },
    )
    codes = {v.period for v in dataset.values} | {v.base_period for v in dataset.values if v.base_period}
    codes |= {s.period for s in dataset.stated} | {s.base_period for s in dataset.stated if s.base_period}
    periods = _periods({c for c in codes if c})
    indicators = {i.code: i for i in Indicator.objects.all()}
    units = {(u.code, u.valid_from): u for u in OrgUnit.objects.all()}
    at = doc.document_date

    def cell(v: core.Value) -> tuple[Any, ...]:
        return (v.indicator, v.org_unit, v.period, v.kind.value, v.category, v.option)

    existing = {
        (d.indicator.code, d.org_unit.code, d.period.code, d.kind, d.category, d.option): d
        for d in DataValue.objects.filter(source_document=document).select_related(
            "indicator", "org_unit", "period"
        )
    }
    rows = []
    for v in dataset.values:
        p = v.provenance
        rows.append(
            (
                cell(v),
                {
                    "indicator": indicators[v.indicator],
                    "org_unit": _unit_at(units, v.org_unit, min(periods[v.period].end, at)),
                    "period": periods[v.period],
                    "kind": v.kind.value,
                    "category": v.category,
                    "option": v.option,
                    "value": v.value,
                    "value_high": v.value_high,
                    "form": v.form.value if v.form else "",
                    "base_period": periods[v.base_period] if v.base_period else None,
                    "qualifier": v.qualifier.value,
                    "derived": v.derived,
                    "error": v.error,
                    "error_high": v.error_high,
                    "flags": list(v.flags),
                    "source_document": document,
                    "source_line": p.line,
                    "source_text": p.text or "",
                    "formula": p.formula or "",
                    "note": p.note or "",
                },
            )
        )
    before = {key: obj.value for key, obj in existing.items()}
    values = upsert(DataValue, rows, existing)
    _audit(existing, before, [*values.created_keys, *values.changed_keys])

    stated_existing = {
        (s.indicator.code, s.org_unit.code, s.period.code, s.category, s.option, s.measure, s.source_line): s
        for s in StatedFigure.objects.filter(source_document=document).select_related(
            "indicator", "org_unit", "period"
        )
    }
    stated_rows = []
    for s in dataset.stated:
        stated_rows.append(
            (
                (s.indicator, s.org_unit, s.period, s.category, s.option, s.measure.value, s.provenance.line),
                {
                    "indicator": indicators[s.indicator],
                    "org_unit": _unit_at(units, s.org_unit, min(periods[s.period].end, at)),
                    "period": periods[s.period],
                    "category": s.category,
                    "option": s.option,
                    "measure": s.measure.value,
                    "value": s.value,
                    "base_period": periods[s.base_period] if s.base_period else None,
                    "source_document": document,
                    "source_line": s.provenance.line,
                    "source_text": s.provenance.text or "",
                    "decimals": s.decimals,
                    "unit": s.unit or "",
                },
            )
        )
    stated = upsert(StatedFigure, stated_rows, stated_existing)
    return values, stated


def _audit(stored: dict[Any, DataValue], before: dict[Any, Any], keys: list[Any]) -> None:
    """One audit row per value the load created or changed (source: the demo data)."""
    from .models import ChangeSource, ValueChange

    def reason(cell: DataValue) -> str:
        if cell.source_document_id and cell.source_line:
            return f"Nạp từ tài liệu «{cell.source_document.title}», dòng {cell.source_line}"
        return ""

    ValueChange.objects.bulk_create(
        [
            ValueChange.of(
                stored[key], old=before.get(key), source=ChangeSource.DEMO, reason=reason(stored[key])
            )
            for key in keys
        ],
        batch_size=500,
    )


def demo_load(*, progress: Progress | None = None) -> DemoLoadResult:
    """Load the Thanh Miện demo: catalog, org units, every value of the 2023 report. Idempotent."""
    say = progress or (lambda _msg: None)
    say("Đọc danh mục chỉ tiêu…")
    catalog = core.load_catalog()
    say(f"Ghi danh mục: {len(catalog)} chỉ tiêu…")
    catalog_counts = catalog_sync(catalog=catalog)
    say("Ghi đơn vị hành chính (Hải Dương trước 1/7/2025, Hải Phòng từ 1/7/2025)…")
    registry = core.demo_registry()
    unit_counts = orgunits_sync(units=registry.units)
    say("Đọc số liệu báo cáo năm 2023 của huyện Thanh Miện…")
    dataset = core.load_dataset(catalog, registry)
    say(f"Ghi {len(dataset.values)} số liệu và {len(dataset.stated)} tỷ lệ được nêu…")
    values, stated = dataset_store(dataset=dataset)
    return DemoLoadResult(catalog_counts, unit_counts, values, stated)
