"""The XLSX appendix, as openpyxl reads it back, and the template calls read without Jinja."""

from __future__ import annotations

import dataclasses
from io import BytesIO
from typing import Any
from zipfile import ZipFile

import openpyxl
import pytest

from ktxh import core
from ktxh.report import ReportData, write_xlsx
from ktxh.report.render import _ast_expr, _quick_expr, _simple_render
from ktxh.report.xlsx_writer import sheet_name


@pytest.fixture
def data(demo_dataset: core.Dataset, catalog: core.Catalog, registry: core.OrgUnitRegistry) -> ReportData:
    return ReportData(
        catalog=catalog, values=list(demo_dataset.values), unit="300", year=2023, registry=registry
    )


def _book(data: ReportData) -> tuple[openpyxl.Workbook, bytes]:
    buf = BytesIO()
    write_xlsx(data, buf)
    return openpyxl.load_workbook(BytesIO(buf.getvalue())), buf.getvalue()


def test_every_sector_with_figures_has_its_sheet_and_the_columns(data: ReportData) -> None:
    wb, _raw = _book(data)
    period = core.Period.year(2023)
    rows = core.indicator_rows(data.catalog, data.values, org_unit="300", period=period)
    sectors = {r.indicator.sector for r in rows}
    assert len(wb.sheetnames) == len(sectors)
    for ws in wb.worksheets:
        assert len(ws.title) <= 31
        assert [c.value for c in ws[2]] == [
            "Mã",
            "Chỉ tiêu",
            "Đơn vị tính",
            "Thực hiện 2022",
            "Kế hoạch 2023",
            "Ước thực hiện 2023",
            "% kế hoạch",
            "% so với 2022",
            "Mục tiêu 2024",
        ]
        assert ws.freeze_panes == "C3" and ws["A1"].font.b and ws["A2"].font.b
    # every indicator row is on its sector's sheet, once
    codes = [r[0] for ws in wb.worksheets for r in ws.iter_rows(min_row=3, values_only=True)]
    assert sorted(codes) == sorted(r.indicator.code for r in rows)


def test_numbers_carry_their_decimals_as_a_number_format(data: ReportData) -> None:
    wb, _raw = _book(data)
    ws = wb["Nông nghiệp, nông thôn"]
    formats = {}
    for row in ws.iter_rows(min_row=3):
        ind = data.catalog[str(row[0].value)]
        for cell in row[3:6]:
            if cell.value is not None:
                formats[ind.decimals] = cell.number_format
        if row[6].value is not None:
            assert row[6].number_format == "0.0"
    assert formats[0] == "#,##0"
    assert all(fmt == "#,##0." + "0" * d for d, fmt in formats.items() if d)


def test_text_that_looks_like_a_formula_is_never_one(data: ReportData) -> None:
    code = "NN.DT_GIEO_TRONG"
    ind = data.catalog[code]
    evil = dataclasses.replace(ind, name='=HYPERLINK("http://x";"bấm") & <b>')
    catalog = core.Catalog(
        offices=list(data.catalog.offices.values()),
        sectors=list(data.catalog.sectors.values()),
        indicators=[evil if i.code == code else i for i in data.catalog.values()],
        units=data.catalog.units,
    )
    changed = ReportData(catalog=catalog, values=data.values, unit="300", year=2023, registry=data.registry)
    wb, raw = _book(changed)
    row = next(r for r in wb["Nông nghiệp, nông thôn"].iter_rows(min_row=3) if r[0].value == code)
    assert row[1].value == '\'=HYPERLINK("http://x";"bấm") & <b>' and row[1].data_type == "s"
    with ZipFile(BytesIO(raw)) as z:
        assert not any(b"<f>" in z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_sheet_names_are_valid_and_unique() -> None:
    taken: set[str] = set()
    assert sheet_name("Nông nghiệp, nông thôn", taken) == "Nông nghiệp, nông thôn"
    long = sheet_name("Văn hóa, thông tin, thể thao, du lịch", taken)
    assert long == "Văn hóa, thông tin, thể thao"  # cut at a word, not inside one
    assert sheet_name("Thu/chi: ngân sách [tạm]?", taken) == "Thu-chi ngân sách (tạm)"
    again = sheet_name("Văn hóa, thông tin, thể thao, du lịch", taken)
    assert again != long and again.endswith("(2)") and len(again) <= 31


@pytest.mark.parametrize(
    "expr",
    [
        "v('NN.DT_LUA')",
        " v( 'GT.CD', org='Thanh Giang', decimals=0 ) ",
        'change("LD.TL_HO_NGHEO", style="pct", words=False)',
        "target('NN.GTSX', period='2021-2025')",
        "year",
        "v('A, B', option='x=1')",
        "v(None, n=-2)",
    ],
)
def test_the_quick_reader_agrees_with_pythons(expr: str) -> None:
    assert _quick_expr(expr) is not None and _quick_expr(expr) == _ast_expr(expr)


@pytest.mark.parametrize(
    "expr",
    ["v('a\\'b')", "v('x') + 1", "v(code)", "v(org='a', 'b')", "v(k=1, k=2)", "v('x')|upper", "v(1.5)"],
)
def test_the_quick_reader_leaves_other_shapes_to_python_or_jinja(expr: str) -> None:
    assert _quick_expr(expr) is None


def test_a_text_is_read_whole_before_any_call_is_made() -> None:
    made: list[Any] = []

    def v(code: str) -> str:
        made.append(code)
        return code

    calls: dict[str, Any] = {"v": v, "year": 2023}
    assert _simple_render("a {{ v('X') }} b {{ year }}", calls) == "a X b 2023"
    # the second part needs Jinja: the text goes there whole, and v('X') is not made twice
    made.clear()
    assert _simple_render("{{ v('X') }} {{ v('Y') | upper }}", calls) is None
    assert made == []
