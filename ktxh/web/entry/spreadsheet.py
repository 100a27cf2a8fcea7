"""The entry form as a spreadsheet: download it, fill it in offline, upload it.

The file carries, on a hidden sheet, which unit, period and sector it is for, and on
each row the version of the value it was made from, so an upload cannot land on the
wrong unit or silently undo someone else's change.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from ktxh import core
from ktxh.web.catalog.models import Sector
from ktxh.web.datavalues.entry import Entry, RowError
from ktxh.web.datavalues.models import Period
from ktxh.web.orgunits.models import OrgUnit

from .selectors import EntryRow

HEADER_ROW = 5
COLUMNS = [
    "Mã chỉ tiêu",
    "Chỉ tiêu",
    "Đơn vị tính",
    "Năm trước",
    "Kế hoạch",
    "Giá trị",
    "Loại số liệu",
    "Ghi chú",
    "Phiên bản",
]
KIND_WORDS = {
    "ước": "estimate",
    "ước thực hiện": "estimate",
    "estimate": "estimate",
    "chính thức": "final",
    "final": "final",
}
KIND_LABELS = {"estimate": "ước", "final": "chính thức"}
MAX_UNZIPPED = 50 * 1024 * 1024  # a form of a few hundred rows is far below this
MAX_RATIO = 100  # zip bombs compress thousands of times


class SpreadsheetError(Exception):
    """The file as a whole cannot be used; the message says why."""


@dataclass
class Parsed:
    entries: list[Entry] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _formula_safe(text: str) -> str:
    """Text that Excel would run as a formula is written as text (formula injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def build(*, org_unit: OrgUnit, period: Period, sector: Sector, rows: list[EntryRow]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Nhập liệu"
    ws["A1"] = _formula_safe(_("Biểu nhập số liệu: {sector}").format(sector=sector.name))
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = _formula_safe(
        _("Đơn vị: {unit} (mã {code}); kỳ: {period}").format(
            unit=org_unit.name, code=org_unit.code, period=period.code
        )
    )
    ws["A3"] = _(
        "Điền cột «Giá trị» (số viết kiểu Việt Nam, ví dụ 14.739,5) và «Loại số liệu» (ước / chính thức). "
        "Không sửa cột «Mã chỉ tiêu» và «Phiên bản»."
    )
    ws["A3"].alignment = Alignment(wrap_text=False)
    for col, name in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF1F4")
    fill = PatternFill("solid", fgColor="FFF7D6")
    kinds = DataValidation(type="list", formula1='"ước,chính thức"', allow_blank=True)
    ws.add_data_validation(kinds)
    for i, r in enumerate(rows, start=HEADER_ROW + 1):
        ind = r.indicator
        fmt = "#,##0" + ("." + "0" * ind.decimals if ind.decimals else "")
        ws.cell(row=i, column=1, value=ind.code)
        ws.cell(row=i, column=2, value=_formula_safe(ind.name))
        ws.cell(row=i, column=3, value=_formula_safe(ind.unit.symbol))
        for col, dv in ((4, r.previous), (5, r.plan)):
            if dv is not None:
                c = ws.cell(row=i, column=col, value=float(dv.value))
                c.number_format = fmt
        value = ws.cell(row=i, column=6, value=float(r.current.value) if r.current else None)
        value.number_format = fmt
        value.fill = fill
        value.protection = Protection(locked=False)
        kind = ws.cell(row=i, column=7, value=KIND_LABELS.get(r.kind, "ước"))
        kind.fill = fill
        kinds.add(kind)
        ws.cell(
            row=i, column=8, value=_formula_safe(r.current.note) if r.current and r.current.note else None
        ).fill = fill
        ws.cell(row=i, column=9, value=r.version)
    for col, width in zip("ABCDEFGHI", (22, 60, 12, 14, 14, 16, 14, 30, 9), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=3)
    meta = wb.create_sheet("ktxh")
    meta.append(["unit", org_unit.code])
    meta.append(["period", period.code])
    meta.append(["sector", sector.code])
    meta.sheet_state = "hidden"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _check_zip(data: bytes) -> None:
    """Refuse oversized files and zip bombs before openpyxl unpacks anything."""
    limit = settings.KTXH_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise SpreadsheetError(
            _("Tệp quá lớn ({size} MB); giới hạn là {limit} MB.").format(
                size=len(data) // 2**20, limit=limit // 2**20
            )
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        raise SpreadsheetError(_("Tệp không phải là tệp Excel .xlsx (hoặc đã hỏng).")) from None
    total = sum(i.file_size for i in infos)
    packed = max(sum(i.compress_size for i in infos), 1)
    if total > MAX_UNZIPPED or total / packed > MAX_RATIO:
        raise SpreadsheetError(_("Tệp Excel có nội dung giải nén bất thường (quá lớn); tệp bị từ chối."))


def read(upload: Any, *, org_unit: OrgUnit, period: Period, sector: Sector) -> Parsed:
    """Read an uploaded form. Row problems become RowErrors naming the row and column."""
    data = upload.read(settings.KTXH_MAX_UPLOAD_BYTES + 1)
    _check_zip(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise SpreadsheetError(_("Không đọc được tệp Excel (tệp hỏng hoặc không phải .xlsx).")) from None
    try:
        if "ktxh" in wb.sheetnames:
            meta = {
                str(r[0]): str(r[1]) for r in wb["ktxh"].iter_rows(values_only=True) if r and r[0] is not None
            }
            expected = {"unit": org_unit.code, "period": period.code, "sector": sector.code}
            for key, want in expected.items():
                if key in meta and meta[key] != want:
                    raise SpreadsheetError(
                        _(
                            "Tệp này là biểu của {what} «{got}», không phải «{want}». Hãy tải đúng biểu."
                        ).format(
                            what={"unit": _("đơn vị"), "period": _("kỳ"), "sector": _("lĩnh vực")}[key],
                            got=meta[key],
                            want=want,
                        )
                    )
        ws = wb.worksheets[0]
        rows = list(ws.iter_rows(min_row=HEADER_ROW, max_col=len(COLUMNS), values_only=True))
    finally:
        wb.close()
    if not rows or [str(c or "").strip() for c in rows[0][:6]] != COLUMNS[:6]:
        raise SpreadsheetError(
            _(
                "Không thấy dòng tiêu đề ở dòng {row} (Mã chỉ tiêu, Chỉ tiêu, …). Hãy dùng biểu tải về từ ktxh."
            ).format(row=HEADER_ROW)
        )
    parsed = Parsed()
    for n, row in enumerate(rows[1:], start=HEADER_ROW + 1):
        row = tuple(row) + (None,) * (len(COLUMNS) - len(row))
        code = str(row[0] or "").strip()
        raw_value = row[5]
        if not code and raw_value in (None, ""):
            continue
        if not code:
            parsed.errors.append(
                RowError("", "indicator", _("Dòng {row}: thiếu «Mã chỉ tiêu».").format(row=n), n)
            )
            continue
        if raw_value is None or (isinstance(raw_value, str) and not raw_value.strip()):
            continue  # nothing entered on this row
        try:
            value = _number(raw_value)
        except core.NumberFormatError as exc:
            parsed.errors.append(
                RowError(code, "value", _("Dòng {row}, cột «Giá trị»: {msg}").format(row=n, msg=exc), n)
            )
            continue
        kind_text = str(row[6] or "ước").strip().lower()
        kind = KIND_WORDS.get(kind_text)
        if kind is None:
            parsed.errors.append(
                RowError(
                    code,
                    "kind",
                    _("Dòng {row}, cột «Loại số liệu»: «{text}» phải là «ước» hoặc «chính thức».").format(
                        row=n, text=row[6]
                    ),
                    n,
                )
            )
            continue
        version = row[8]
        try:
            version_int = int(version) if version not in (None, "") else None
        except (TypeError, ValueError):
            parsed.errors.append(
                RowError(
                    code,
                    "version",
                    _("Dòng {row}, cột «Phiên bản»: không được sửa cột này.").format(row=n),
                    n,
                )
            )
            continue
        comment = str(row[7] or "").strip()[:500]
        parsed.entries.append(
            Entry(indicator=code, value=value, kind=kind, comment=comment, version=version_int, row=n)
        )
    return parsed


def _number(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise core.NumberFormatError(str(raw), _("«{text}» không phải là số.").format(text=raw))
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        try:
            return Decimal(repr(raw)).normalize() if raw == raw else Decimal("NaN")
        except InvalidOperation:
            raise core.NumberFormatError(str(raw), _("«{text}» không phải là số.").format(text=raw)) from None
    return core.parse_vi(str(raw))


def entry_to_json(e: Entry) -> dict[str, Any]:
    d = asdict(e)
    d["value"] = str(e.value)
    return d


def entry_from_json(d: dict[str, Any]) -> Entry:
    return Entry(**{**d, "value": Decimal(d["value"])})


def error_to_json(e: RowError) -> dict[str, Any]:
    d = asdict(e)
    d["current"] = None if e.current is None else str(e.current)
    return d


def error_from_json(d: dict[str, Any]) -> RowError:
    return RowError(**{**d, "current": None if d.get("current") is None else Decimal(d["current"])})
