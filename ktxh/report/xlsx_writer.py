"""The XLSX appendix: one sheet per sector, every figure from the engine."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ktxh import core

from .phrasing import PhraseError, Phrases, ReportData
from .provenance import Provenance

_UNSAFE = ("=", "+", "-", "@")
DERIVED_FONT = Font(italic=True, color="666666")


def _text(value: str) -> str:
    """A cell that starts like a formula is written as text, never run (formula injection)."""
    return "'" + value if value.startswith(_UNSAFE) else value


def write_xlsx(data: ReportData, target: Path | BytesIO) -> None:
    period = core.Period.year(data.year)
    rows = core.indicator_rows(data.catalog, data.values, org_unit=data.unit, period=period)
    phrases = Phrases(data, Provenance())
    # write-only mode streams rows: several times faster for an appendix of a few hundred rows
    wb = Workbook(write_only=True)
    head = [
        "Mã",
        "Chỉ tiêu",
        "Đơn vị tính",
        f"Thực hiện {data.year - 1}",
        f"Kế hoạch {data.year}",
        f"Ước thực hiện {data.year}",
        "% kế hoạch",
        f"% so với {data.year - 1}",
        f"Mục tiêu {data.year + 1}",
    ]
    by_sector: dict[str, list[core.IndicatorRow]] = {}
    for row in rows:
        by_sector.setdefault(row.indicator.sector, []).append(row)
    for code, sector in data.catalog.sectors.items():
        if code not in by_sector:
            continue
        ws = wb.create_sheet(title=sector.name[:31].replace("/", "-").replace(":", " "))
        widths = [22, 60, 14, 14, 14, 14, 11, 12, 28]
        for i, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = "C3"
        title = WriteOnlyCell(ws, value=sector.name)
        title.font = Font(bold=True, size=13)
        legend = WriteOnlyCell(
            ws, value="Số in nghiêng màu xám là số suy ra từ tỷ lệ báo cáo nêu (xem ghi chú của ô)."
        )
        legend.font = DERIVED_FONT
        ws.append([title, None, legend])
        heads = []
        for h in head:
            cell = WriteOnlyCell(ws, value=h)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
            heads.append(cell)
        ws.append(heads)
        for r in by_sector[code]:
            try:
                target_text = phrases.target(r.indicator.code)
            except PhraseError:
                target_text = ""
            fmt = "#,##0" + ("." + "0" * r.indicator.decimals if r.indicator.decimals else "")
            pct_plan, change = r.pct_plan, r.pct_change
            numbers = []
            for stored in (r.previous, r.plan, r.value):
                cell = WriteOnlyCell(ws, value=float(stored.value) if stored is not None else None)
                cell.number_format = fmt
                if stored is not None and stored.derived:
                    # implied by a stated percentage: shown, but never as if reported
                    cell.font = DERIVED_FONT
                    cell.comment = Comment(
                        f"Số suy ra, không phải số báo cáo: {stored.provenance.formula}", "ktxh"
                    )
                numbers.append(cell)
            pcts = []
            for x in (pct_plan, change):
                cell = WriteOnlyCell(ws, value=float(core.quantize(x, 1)) if x is not None else None)
                cell.number_format = "0.0"
                pcts.append(cell)
            ws.append(
                [
                    r.indicator.code,
                    _text(r.indicator.name),
                    r.unit_symbol,
                    *numbers,
                    *pcts,
                    _text(target_text),
                ]
            )
    if not wb.sheetnames:
        wb.create_sheet("Trống")
    wb.save(target)
