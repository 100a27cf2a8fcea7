"""Write a Document as DOCX, laid out per Decree 30/2020/NĐ-CP (Appendix I).

A4 portrait; margins top/bottom 20 mm, left 30 mm, right 15 mm; Times New Roman 14 pt;
two-column header block (issuing body left, national motto right, place and date in
italics); "BÁO CÁO" and the subject centred in bold; justified body with a 1,27 cm first
line indent and 6 pt after each paragraph; page numbers centred in the top margin from
page 2; the signature block beside "Nơi nhận:"; real Word footnotes.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docx import Document as new_document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from .model import Document, Paragraph, Run, Section

FONT = "Times New Roman"
BODY_PT = 14
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _font(run: object, size: float, *, bold: bool = False, italic: bool = False) -> None:
    r = run  # a docx Run
    r.font.name = FONT  # type: ignore[attr-defined]
    r.font.size = Pt(size)  # type: ignore[attr-defined]
    r.font.bold = bold  # type: ignore[attr-defined]
    r.font.italic = italic  # type: ignore[attr-defined]
    rpr = r._element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _para(
    container: object,
    text: str = "",
    *,
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.CENTER,
    indent: bool = False,
    after: float = 0,
) -> DocxParagraph:
    p: DocxParagraph = container.add_paragraph()  # type: ignore[attr-defined]
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_after = Pt(after)
    fmt.space_before = Pt(0)
    fmt.first_line_indent = Cm(1.27) if indent else Cm(0)
    if text:
        _font(p.add_run(text), size, bold=bold, italic=italic)
    return p


def _rule(p: DocxParagraph, width_cm: float, total_cm: float) -> None:
    """A short centred rule under the previous line, drawn as the bottom border of an indented paragraph."""
    side = max(0.0, (total_cm - width_cm) / 2)
    p.paragraph_format.left_indent = Cm(side)
    p.paragraph_format.right_indent = Cm(side)
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    borders.append(bottom)
    ppr.append(borders)
    p.paragraph_format.space_after = Pt(2)
    run = p.add_run("")
    _font(run, 2)


def _no_borders(table: object) -> None:
    tbl = table._tbl  # type: ignore[attr-defined]
    tbl_pr = tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _widths(table: object, widths_cm: list[float]) -> None:
    """Fix the column widths (Word and LibreOffice both honour the grid and each cell)."""
    table.autofit = False  # type: ignore[attr-defined]
    tbl = table._tbl  # type: ignore[attr-defined]
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl.tblPr.append(layout)
    for col, width in zip(table.columns, widths_cm, strict=True):  # type: ignore[attr-defined]
        col.width = Cm(width)
        for cell in col.cells:
            cell.width = Cm(width)


def _cell(table: object, row: int, col: int) -> _Cell:
    cell: _Cell = table.cell(row, col)  # type: ignore[attr-defined]
    cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
    return cell


def _page_number_header(section: object) -> None:
    section.different_first_page_header_footer = True  # type: ignore[attr-defined]
    p = section.header.paragraphs[0]  # type: ignore[attr-defined]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    _font(run, 13)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)


BODY_STYLE = "Nội dung báo cáo"
HEADING_STYLE = "Đề mục báo cáo"


def _styles(d: Any) -> None:
    """Named styles, so an office can restyle the whole report in Word, and runs stay plain."""
    normal = d.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    body = d.styles.add_style(BODY_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    body.base_style = normal
    fmt = body.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.first_line_indent = Cm(1.27)
    fmt.space_before, fmt.space_after = Pt(0), Pt(6)
    fmt.line_spacing = 1.15
    heading = d.styles.add_style(HEADING_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    heading.base_style = body
    heading.font.bold = True
    heading.paragraph_format.keep_with_next = True


def _p_xml(
    para: Paragraph, style_id: str, *, bold: bool = False, italic: bool = False, align: str | None = None
) -> str:
    """One body paragraph as WordprocessingML: a style, plain runs, footnote references."""
    # a centred line takes no first-line indent from the style
    centred = f'<w:ind w:firstLine="0"/><w:jc w:val="{align}"/>' if align else ""
    ppr = f'<w:pPr><w:pStyle w:val="{style_id}"/>{centred}</w:pPr>'
    rpr = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    runs = []
    for r in para.runs:
        if r.footnote is None:
            if r.text:
                runs.append(
                    f'<w:r>{f"<w:rPr>{rpr}</w:rPr>" if rpr else ""}<w:t xml:space="preserve">{escape(r.text)}</w:t></w:r>'
                )
        else:
            # ids 0 and 1 are Word's separators
            runs.append(
                f'<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteReference w:id="{r.footnote + 1}"/></w:r>'
            )
    return f"<w:p>{ppr}{''.join(runs)}</w:p>"


def _body_xml(doc: Document, body_id: str, heading_id: str) -> str:
    """The report body in one piece: written as text and parsed once, not element by element."""
    out: list[str] = []

    def visit(sections: list[Section]) -> None:
        for sec in sections:
            if sec.level == 0:
                out.append(_p_xml(Paragraph([Run(sec.heading)]), heading_id, align="center"))
                if sec.title:
                    out.append(_p_xml(Paragraph([Run(sec.title.upper())]), heading_id, align="center"))
            else:
                text = sec.heading.upper() if sec.level == 1 else sec.heading
                out.append(_p_xml(Paragraph([Run(text)]), heading_id, italic=sec.level >= 3))
            out.extend(_p_xml(p, body_id) for p in sec.paragraphs)
            visit(sec.children)

    visit(doc.sections)
    if doc.header.closing:
        out.append(_p_xml(Paragraph([Run(doc.header.closing)]), body_id))
    return "".join(out)


def _footnotes_xml(doc: Document) -> bytes:
    def runs(para: Paragraph) -> str:
        out = []
        for r in para.runs:
            if r.footnote is not None:
                continue
            out.append(
                f'<w:r><w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}"/><w:sz w:val="20"/></w:rPr>'
                f'<w:t xml:space="preserve">{escape(r.text)}</w:t></w:r>'
            )
        return "".join(out)

    notes = [
        '<w:footnote w:type="separator" w:id="0"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>',
        '<w:footnote w:type="continuationSeparator" w:id="1"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>',
    ]
    for f in doc.footnotes:
        notes.append(
            f'<w:footnote w:id="{f.number + 1}"><w:p><w:pPr><w:jc w:val="both"/><w:spacing w:after="0"/></w:pPr>'
            f'<w:r><w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}"/><w:vertAlign w:val="superscript"/>'
            f'<w:sz w:val="20"/></w:rPr><w:footnoteRef/></w:r>'
            f'<w:r><w:rPr><w:sz w:val="20"/></w:rPr><w:t xml:space="preserve"> </w:t></w:r>{runs(f.paragraph)}</w:p></w:footnote>'
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="{W_NS}">'
        + "".join(notes)
        + "</w:footnotes>"
    ).encode("utf-8")


BODY_MARKER = "[[NỘI DUNG BÁO CÁO]]"
DEFAULT_FRAME = Path(__file__).resolve().parent.parent / "data" / "reports" / "khung-nghi-dinh-30.docx"


def build_frame(target: Path | BytesIO) -> None:
    """The default frame: a Word file with the Decree 30 layout and docxtpl placeholders.

    Users may open it in Word and change fonts, margins, the header block or the signature;
    ``write_docx`` fills the placeholders and puts the body where BODY_MARKER stands.
    """
    d = new_document()
    section = d.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    _styles(d)
    text_cm = 21.0 - 3.0 - 1.5
    _page_number_header(section)

    table = d.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _widths(table, [6.3, 10.2])
    left, right = _cell(table, 0, 0), _cell(table, 0, 1)
    _para(left, "{{ parent_body }}", size=13)
    _para(left, "{{ issuing_body }}", size=13, bold=True)
    _rule(_para(left), 2.5, 6.3)
    _para(left, "Số: {{ number }}", size=13)
    _para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12.5, bold=True)
    _para(right, "Độc lập - Tự do - Hạnh phúc", size=14, bold=True)
    _rule(_para(right), 5.6, 10.2)
    _para(right, "{{ place }}, ngày {{ day }} tháng {{ month }} năm {{ year }}", size=14, italic=True)

    _para(d, "", after=6)
    _para(d, "{{ type }}", bold=True)
    _para(d, "{%p for line in subject %}")
    _para(d, "{{ line }}", bold=True)
    _para(d, "{%p endfor %}")
    _para(d, "{{ subtitle }}", italic=True)
    _rule(_para(d), 5.0, text_cm)
    _para(d, "", after=6)
    _para(d, BODY_MARKER)

    sig = d.add_table(rows=1, cols=2)
    _no_borders(sig)
    _widths(sig, [8.0, 8.5])
    left, right = _cell(sig, 0, 0), _cell(sig, 0, 1)
    _para(left, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(left, "{%p for r in recipients %}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(left, "- {{ r }}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(left, "{%p endfor %}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(right, "{{ signer_on_behalf }}", size=14, bold=True)
    _para(right, "{{ signer_title }}", size=14, bold=True)
    for _ in range(4):
        _para(right, "")
    _para(right, "{{ signer_name }}", size=14, bold=True)
    d.save(target)  # type: ignore[arg-type]


def _context(doc: Document) -> dict[str, Any]:
    h = doc.header
    n = len(h.recipients)
    return {
        "parent_body": h.parent_body.upper(),
        "issuing_body": h.issuing_body.upper(),
        "number": h.number,
        "place": h.place,
        "day": f"{h.day.day:02d}",
        "month": f"{h.day.month:02d}",
        "year": h.day.year,
        "type": h.type.upper(),
        "subject": h.subject,
        "subtitle": h.subtitle or "",
        "recipients": [r.rstrip(";.") + ("." if i == n - 1 else ";") for i, r in enumerate(h.recipients)],
        "signer_on_behalf": h.signer_on_behalf.upper(),
        "signer_title": h.signer_title.upper(),
        "signer_name": h.signer_name,
    }


def write_docx(
    doc: Document,
    target: Path | BytesIO,
    charts: list[tuple[str, bytes]] | None = None,
    frame: Path | None = None,
) -> None:
    """Fill the frame (``frame`` or the shipped Decree 30 one) and write the body into it."""
    from docxtpl import DocxTemplate

    frame_path = frame or DEFAULT_FRAME
    if not frame_path.exists():
        raise FileNotFoundError(f"Không có tệp khung báo cáo {frame_path}")
    tpl = DocxTemplate(str(frame_path))
    tpl.render(_context(doc), autoescape=True)
    # the rendered frame is a python-docx document already: no need to save and reopen it
    d: DocxDocument = tpl.docx  # (get_docx() would reload the unrendered frame)
    style_ids = {s.name: s.style_id for s in d.styles}
    for name in (BODY_STYLE, HEADING_STYLE):
        if name not in style_ids:
            raise ValueError(f"Tệp khung báo cáo thiếu kiểu đoạn «{name}».")
    marker = next((p for p in d.paragraphs if p.text.strip() == BODY_MARKER), None)
    if marker is None:
        raise ValueError(f"Tệp khung báo cáo không có đoạn «{BODY_MARKER}» để đặt nội dung.")
    body_xml = _body_xml(doc, style_ids[BODY_STYLE], style_ids[HEADING_STYLE])
    fragment = etree.fromstring(f'<w:body xmlns:w="{W_NS}">{body_xml}</w:body>')
    for child in list(fragment):
        marker._p.addprevious(child)
    marker._p.getparent().remove(marker._p)

    if charts:
        from docx.enum.text import WD_BREAK

        d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _para(d, "PHỤ LỤC: BIỂU ĐỒ", bold=True, after=6)
        for title, png in charts:
            _para(d, title, italic=True, after=3)
            picture = d.add_paragraph()
            picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
            picture.add_run().add_picture(BytesIO(png), width=Cm(15.5))

    # real footnotes: a footnotes part linked from the document
    part = Part(
        PackURI("/word/footnotes.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
        _footnotes_xml(doc),
        d.part.package,
    )
    d.part.relate_to(part, RT.FOOTNOTES)
    d.save(target)  # type: ignore[arg-type]
