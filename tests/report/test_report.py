"""Drafting: phrasing, the Decree 30 layout of the DOCX, the XLSX appendix, change propagation.

These tests use their own small template (mini_template.yaml) over the demo data, so they
do not depend on the full Thanh Miện template."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from zipfile import ZipFile

import docx
import openpyxl
import pytest

from ktxh import core
from ktxh.report import (
    PhraseError,
    ReportData,
    TemplateProblem,
    load_template,
    render,
    write_docx,
    write_xlsx,
)
from ktxh.report.phrasing import Phrases
from ktxh.report.provenance import Provenance

MINI = Path(__file__).with_name("mini_template.yaml")


@pytest.fixture
def data(demo_dataset: core.Dataset, catalog: core.Catalog, registry: core.OrgUnitRegistry) -> ReportData:
    return ReportData(
        catalog=catalog, values=list(demo_dataset.values), unit="300", year=2023, registry=registry
    )


def phrases(data: ReportData) -> Phrases:
    return Phrases(data, Provenance())


def test_phrases_read_the_seed_back(data: ReportData) -> None:
    p = phrases(data)
    # seed line 56: "14.739 ha, đạt 103,4% kế hoạch, giảm 1,5% so với năm 2022"
    assert p.v("NN.DT_GIEO_TRONG") == "14.739 ha"
    assert p.plan("NN.DT_GIEO_TRONG") == "đạt 103,4% kế hoạch"
    assert p.change("NN.DT_GIEO_TRONG") == "giảm 1,5% so với năm 2022"
    # seed line 515: "338,116 tỷ đồng, bằng 107,2% dự toán"
    assert p.plan("TC.THU_NSNN") == "bằng 107,2% dự toán"
    # seed line 1009: poverty 1,88%, down 0,59 (points, written "%" in the seed)
    assert p.change("LD.TL_HO_NGHEO") == "giảm 0,59 điểm phần trăm so với năm 2022"
    assert p.change("LD.TL_HO_NGHEO", style="pct", words=False) == "giảm 0,59%"
    assert p.v("GT.CD_DUONG_THON_XOM", org="Thanh Giang") == "6,280 km"
    assert p.target("NN.GTSX") == "tăng 2,0% trở lên"


def test_an_implied_value_is_never_printed_as_reported(data: ReportData) -> None:
    # the 2023 plan of the sown area was implied by "đạt 103,4% kế hoạch"
    with pytest.raises(PhraseError, match="số suy ra"):
        phrases(data).v("NN.DT_GIEO_TRONG", kind="plan")
    with pytest.raises(PhraseError, match="số suy ra"):
        phrases(data).n("NN.DT_GIEO_TRONG", period="2022")


def test_a_missing_number_is_named(data: ReportData) -> None:
    with pytest.raises(PhraseError, match="«NN.KHONG_CO» không có trong danh mục"):
        phrases(data).v("NN.KHONG_CO")
    with pytest.raises(PhraseError, match="chưa có số liệu"):
        phrases(data).v("NN.DT_GIEO_TRONG", period="2019")


def test_a_template_error_names_the_section(data: ReportData, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        MINI.read_text(encoding="utf-8").replace("v('TC.THU_NSNN')", "v('TC.NOPE')"), encoding="utf-8"
    )
    with pytest.raises(TemplateProblem, match="Mục «1.1. Sản xuất nông nghiệp:», đoạn 1"):
        render(load_template(bad), data)


def test_templates_run_sandboxed(data: ReportData, tmp_path: Path) -> None:
    evil = tmp_path / "evil.yaml"
    evil.write_text(
        "report: {date: '2023-12-05'}\nsections:\n  - heading: X\n    paragraphs:\n"
        '      - "{{ v.__globals__ }}"\n',
        encoding="utf-8",
    )
    with pytest.raises(TemplateProblem):
        render(load_template(evil), data)


def _docx(data: ReportData) -> docx.document.Document:
    document, _prov = render(load_template(MINI), data)
    buf = BytesIO()
    write_docx(document, buf)
    buf.seek(0)
    return docx.Document(buf)


def test_the_docx_follows_decree_30(data: ReportData) -> None:
    d = _docx(data)
    s = d.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)  # A4, stored in twips
    mm = {k: round(getattr(s, f"{k}_margin").mm, 1) for k in ("top", "bottom", "left", "right")}
    assert 20 <= mm["top"] <= 25 and 20 <= mm["bottom"] <= 25
    assert 30 <= mm["left"] <= 35 and 15 <= mm["right"] <= 20
    # header block: issuing body left (bold), national motto right, date in italics
    left, right = d.tables[0].cell(0, 0), d.tables[0].cell(0, 1)
    assert left.paragraphs[0].text == "UBND TỈNH HẢI DƯƠNG" and not left.paragraphs[0].runs[0].bold
    assert left.paragraphs[1].text == "ỦY BAN NHÂN DÂN HUYỆN THANH MIỆN" and left.paragraphs[1].runs[0].bold
    assert any(p.text == "Số: /BC-UBND" for p in left.paragraphs)
    assert right.paragraphs[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert right.paragraphs[1].text == "Độc lập - Tự do - Hạnh phúc"
    date_line = next(p for p in right.paragraphs if "ngày" in p.text)
    assert date_line.text == "Thanh Miện, ngày 05 tháng 12 năm 2023" and date_line.runs[0].italic
    body = [p for p in d.paragraphs if p.text.startswith("Tổng diện tích gieo trồng")][0]
    # the body is formatted by a named style (editable in Word), not run by run
    style = body.style
    assert style.name == "Nội dung báo cáo"
    assert style.paragraph_format.alignment == 3  # justified
    assert style.paragraph_format.first_line_indent.cm == pytest.approx(1.27, abs=0.01)
    assert style.paragraph_format.space_after.pt >= 6
    normal = style.base_style
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 14
    for run in body.runs:
        assert run.font.name in (None, "Times New Roman") and run.font.size in (None, normal.font.size)
    # page numbers in the header from page 2: a PAGE field, and a different first page
    assert s.different_first_page_header_footer
    assert "PAGE" in s.header._element.xml
    # "Nơi nhận:" bold italic 12 pt beside the signature
    sig = d.tables[-1]
    nn = sig.cell(0, 0).paragraphs[0]
    assert nn.text == "Nơi nhận:" and nn.runs[0].bold and nn.runs[0].italic and nn.runs[0].font.size.pt == 12
    assert sig.cell(0, 0).paragraphs[-1].text == "- Lưu: VT, TCKH."
    assert [p.text for p in sig.cell(0, 1).paragraphs[:2]] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]


def test_footnotes_are_real_word_footnotes(data: ReportData) -> None:
    document, _prov = render(load_template(MINI), data)
    buf = BytesIO()
    write_docx(document, buf)
    with ZipFile(BytesIO(buf.getvalue())) as z:
        notes = z.read("word/footnotes.xml").decode()
        body = z.read("word/document.xml").decode()
        rels = z.read("word/_rels/document.xml.rels").decode()
    assert "footnotes.xml" in rels
    assert '<w:footnoteReference w:id="2"/>' in body
    assert "Trong đó, diện tích cấy lúa cả năm 12.135 ha, đạt 99,1% kế hoạch." in notes


def test_the_provenance_map_traces_every_number(data: ReportData) -> None:
    _document, prov = render(load_template(MINI), data)
    first = prov.uses[0].as_json()
    assert first["text"] == "14.739 ha" and first["values"][0]["line"] == 56
    plan = next(u for u in prov.uses if u.call == "plan" and u.indicator == "NN.DT_GIEO_TRONG")
    assert plan.formula and [v["kind"] for v in plan.values] == ["estimate", "plan"]
    assert plan.values[1]["derived"] is True  # the plan itself was implied by the seed's 103,4%
    json.dumps([u.as_json() for u in prov.uses])


def test_the_xlsx_appendix_has_a_sheet_per_sector(data: ReportData) -> None:
    buf = BytesIO()
    write_xlsx(data, buf)
    wb = openpyxl.load_workbook(BytesIO(buf.getvalue()))
    assert "Nông nghiệp, nông thôn" in wb.sheetnames and len(wb.sheetnames) >= 15
    ws = wb["Nông nghiệp, nông thôn"]
    assert [c.value for c in ws[2]][:3] == ["Mã", "Chỉ tiêu", "Đơn vị tính"]
    row = next(r for r in ws.iter_rows(min_row=3, values_only=True) if r[0] == "NN.DT_GIEO_TRONG")
    assert row[5] == 14739 and row[6] == pytest.approx(103.4) and row[7] == pytest.approx(-1.5)
    gtsx = next(r for r in ws.iter_rows(min_row=3, values_only=True) if r[0] == "NN.GTSX")
    assert gtsx[8] == "tăng 2,0% trở lên"


def _texts(data: ReportData) -> list[str]:
    document, _prov = render(load_template(MINI), data)
    return [p.text for p in document.paragraphs()]


def test_changing_one_value_changes_exactly_what_depends_on_it(data: ReportData) -> None:
    before = _texts(data)
    values = [
        dataclasses.replace(v, value=Decimal("12500"))
        if (v.indicator, v.org_unit, v.period, v.kind.value, v.category)
        == ("NN.DT_LUA", "300", "2023", "estimate", "")
        else v
        for v in data.values
    ]
    changed = ReportData(catalog=data.catalog, values=values, unit="300", year=2023, registry=data.registry)
    after = _texts(changed)
    diff = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    # only the rice footnote depends on the rice area: its value and its % of plan
    assert len(diff) == 1
    assert "12.135 ha, đạt 99,1%" in diff[0][0] and "12.500 ha, đạt 102,1%" in diff[0][1]


def test_the_appendix_never_shows_a_derived_value_as_reported(data: ReportData) -> None:
    buf = BytesIO()
    write_xlsx(data, buf)
    ws = openpyxl.load_workbook(BytesIO(buf.getvalue()))["Nông nghiệp, nông thôn"]
    row = next(r for r in ws.iter_rows(min_row=3) if r[0].value == "NN.DT_GIEO_TRONG")
    previous, plan, actual = row[3], row[4], row[5]
    # 2022 and the plan were implied by "giảm 1,5%" and "đạt 103,4%": italic, with a comment saying so
    for cell in (previous, plan):
        assert cell.font.italic and cell.comment and "Số suy ra" in cell.comment.text
    assert not actual.font.italic and actual.comment is None
