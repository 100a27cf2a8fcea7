"""The XLSX appendix: one sheet per sector, every figure from the engine.

The workbook is written as SpreadsheetML text and zipped, as the DOCX body is: a few
hundred rows of fixed shape need no spreadsheet object model, and building one cell
object per figure (openpyxl, even write-only) cost several times the whole DOCX.
The file is read back with openpyxl in the tests and opens in LibreOffice and Excel.

Each indicator row: code, name, unit, previous year's actual, this year's plan, this
year's estimate, % of plan, % change, next year's target in words. Numbers carry their
indicator's decimals in a "#,##0.0" format (shown "14.739,5" on a Vietnamese system);
a value implied by a stated percentage is italic grey with a comment saying so. Text
that starts like a formula is written with a leading apostrophe and is never a formula.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from ktxh import core

from .phrasing import PhraseError, Phrases, ReportData
from .provenance import Provenance

_UNSAFE = ("=", "+", "-", "@")
# characters XML 1.0 cannot carry
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SHEET_BAD = str.maketrans({"/": "-", "\\": "-", ":": " ", "*": " ", "?": " ", "[": "(", "]": ")"})
SHEET_NAME_MAX = 31  # Excel's limit
LEGEND = "Số in nghiêng màu xám là số suy ra từ tỷ lệ báo cáo nêu (xem ghi chú của ô)."
WIDTHS = (22, 60, 14, 14, 14, 14, 11, 12, 28)
COLUMNS = "ABCDEFGHI"
PCT_FORMAT = "0.0"

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
# built-in number formats need no declaration (ECMA-376 part 1, 18.8.30)
BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4}

# fonts: 0 normal, 1 sheet title, 2 derived (italic grey), 3 bold column heads
_FONTS = (
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>',
    '<font><b/><sz val="13"/><name val="Calibri"/><family val="2"/></font>',
    '<font><i/><sz val="11"/><color rgb="00666666"/><name val="Calibri"/><family val="2"/></font>',
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>',
)
NORMAL, TITLE, DERIVED, HEAD = 0, 1, 2, 3


def _text(value: str) -> str:
    """A cell that starts like a formula is written as text, never run (formula injection)."""
    return "'" + value if value.startswith(_UNSAFE) else value


def _xml_text(value: str) -> str:
    return escape(_ILLEGAL.sub("", value))


@dataclass
class _Styles:
    """The workbook's cell formats, each (number format, font) pair declared once."""

    formats: dict[str, int] = field(default_factory=dict)  # custom number formats → id
    xfs: list[tuple[int, int, bool]] = field(
        # (numFmtId, fontId, centred and wrapped): plain, title, legend, column heads
        default_factory=lambda: [(0, NORMAL, False), (0, TITLE, False), (0, DERIVED, False), (0, HEAD, True)]
    )
    index: dict[tuple[int, int, bool], int] = field(default_factory=dict)

    def cell(self, number_format: str, font: int = NORMAL) -> int:
        """The style index of a number cell: its format, and its font."""
        fmt_id = BUILTIN_FORMATS.get(number_format)
        if fmt_id is None:
            fmt_id = self.formats.setdefault(number_format, 164 + len(self.formats))
        key = (fmt_id, font, False)
        found = self.index.get(key)
        if found is None:
            found = self.index[key] = len(self.xfs)
            self.xfs.append(key)
        return found

    def xml(self) -> str:
        formats = "".join(
            f'<numFmt numFmtId="{i}" formatCode={quoteattr(code)}/>' for code, i in self.formats.items()
        )
        xfs = []
        for fmt_id, font, centred in self.xfs:
            attrs = f'numFmtId="{fmt_id}" fontId="{font}" fillId="0" borderId="0" xfId="0"'
            attrs += ' applyNumberFormat="1"' if fmt_id else ""
            attrs += ' applyFont="1"' if font else ""
            if centred:
                xfs.append(
                    f'<xf {attrs} applyAlignment="1">'
                    '<alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
                )
            else:
                xfs.append(f"<xf {attrs}/>")
        return (
            f'{XML_HEAD}<styleSheet xmlns="{MAIN_NS}">'
            + (f'<numFmts count="{len(self.formats)}">{formats}</numFmts>' if self.formats else "")
            + f'<fonts count="{len(_FONTS)}">{"".join(_FONTS)}</fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )


@dataclass
class _Sheet:
    name: str
    rows: list[str] = field(default_factory=list)
    comments: list[tuple[str, str]] = field(default_factory=list)  # (cell, text)

    def row(self, cells: list[str]) -> None:
        n = len(self.rows) + 1
        self.rows.append(f'<row r="{n}">{"".join(cells)}</row>')

    @property
    def next_row(self) -> int:
        return len(self.rows) + 1

    def xml(self) -> str:
        cols = "".join(
            f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(WIDTHS, 1)
        )
        legacy = '<legacyDrawing r:id="rId2"/>' if self.comments else ""
        return (
            f'{XML_HEAD}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
            f'<dimension ref="A1:{COLUMNS[-1]}{max(1, len(self.rows))}"/>'
            '<sheetViews><sheetView workbookViewId="0">'
            # the code and name columns and the two heading rows stay in view (frozen at C3)
            '<pane xSplit="2" ySplit="2" topLeftCell="C3" activePane="bottomRight" state="frozen"/>'
            '<selection pane="topRight"/><selection pane="bottomLeft"/>'
            '<selection pane="bottomRight" activeCell="C3" sqref="C3"/>'
            '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            f"<cols>{cols}</cols><sheetData>{''.join(self.rows)}</sheetData>"
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            # printed on A4 landscape, all columns on one page wide, as many pages long as needed
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
            f"{legacy}</worksheet>"
        )

    def comments_xml(self) -> str:
        items = "".join(
            f'<comment ref="{ref}" authorId="0"><text><t xml:space="preserve">{_xml_text(text)}</t></text></comment>'
            for ref, text in self.comments
        )
        return (
            f'{XML_HEAD}<comments xmlns="{MAIN_NS}"><authors><author>ktxh</author></authors>'
            f"<commentList>{items}</commentList></comments>"
        )

    def vml(self, number: int) -> str:
        """The legacy drawing Excel needs to show comments: one hidden note box per comment."""
        shapes = []
        for k, (ref, _note) in enumerate(self.comments, 1):
            col = COLUMNS.index(ref[0])
            row = int(ref[1:]) - 1
            shapes.append(
                f'<v:shape id="_x0000_s{number * 1024 + k}" type="#_x0000_t202" '
                'style="position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:240px;height:80px;'
                'z-index:1;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
                '<v:fill color2="#ffffe1"/><v:shadow color="black" obscured="t"/>'
                '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
                '<div style="text-align:left"></div></v:textbox>'
                '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
                f"<x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row><x:Column>{col}</x:Column>"
                "</x:ClientData></v:shape>"
            )
        return (
            '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel">'
            f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{number}"/></o:shapelayout>'
            '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
            '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
            + "".join(shapes)
            + "</xml>"
        )


def _str(ref: str, value: str, style: int = NORMAL) -> str:
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_xml_text(value)}</t></is></c>'


def _num(ref: str, value: str, style: int) -> str:
    return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'


def _empty(ref: str, style: int) -> str:
    return f'<c r="{ref}" s="{style}"/>'


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\, at most 31 characters, cut at a word if it must be."""
    clean = " ".join(name.translate(_SHEET_BAD).split()).strip("'") or "Trang"
    if len(clean) > SHEET_NAME_MAX:
        cut = clean[: SHEET_NAME_MAX + 1].rsplit(" ", 1)[0]
        clean = (cut if len(cut) >= SHEET_NAME_MAX // 2 else clean[:SHEET_NAME_MAX]).rstrip(" ,;-")
    candidate, n = clean, 1
    while candidate.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        candidate = clean[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
    taken.add(candidate.casefold())
    return candidate


def _number_format(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def write_xlsx(data: ReportData, target: Path | BytesIO) -> None:
    period = core.Period.year(data.year)
    rows = core.indicator_rows(data.catalog, data.values, org_unit=data.unit, period=period)
    phrases = Phrases(data, Provenance())
    styles = _Styles()
    pct_style = styles.cell(PCT_FORMAT)
    heads = [
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
    head_row = [_str(f"{c}2", h, HEAD) for c, h in zip(COLUMNS, heads, strict=True)]
    by_sector: dict[str, list[core.IndicatorRow]] = {}
    for row in rows:
        by_sector.setdefault(row.indicator.sector, []).append(row)
    sheets: list[_Sheet] = []
    taken: set[str] = set()
    for code, sector in data.catalog.sectors.items():
        if code not in by_sector:
            continue
        sheet = _Sheet(sheet_name(sector.name, taken))
        sheet.row([_str("A1", _text(sector.name), TITLE), _str("C1", LEGEND, DERIVED)])
        sheet.row(head_row)
        for r in by_sector[code]:
            n = sheet.next_row
            try:
                target_text = phrases.target(r.indicator.code)
            except PhraseError:
                target_text = ""
            fmt = _number_format(r.indicator.decimals)
            cells = [
                _str(f"A{n}", _text(r.indicator.code)),
                _str(f"B{n}", _text(r.indicator.name)),
                _str(f"C{n}", _text(r.unit_symbol)),
            ]
            for col, stored in zip("DEF", (r.previous, r.plan, r.value), strict=True):
                ref = f"{col}{n}"
                if stored is None:
                    cells.append(_empty(ref, styles.cell(fmt)))  # formatted for a figure typed in later
                    continue
                if stored.derived:
                    # implied by a stated percentage: shown, but never as if reported
                    cells.append(_num(ref, core.plain(stored.value), styles.cell(fmt, DERIVED)))
                    sheet.comments.append(
                        (ref, f"Số suy ra, không phải số báo cáo: {stored.provenance.formula}")
                    )
                else:
                    cells.append(_num(ref, core.plain(stored.value), styles.cell(fmt)))
            for col, x in zip("GH", (r.pct_plan, r.pct_change), strict=True):
                ref = f"{col}{n}"
                cells.append(_empty(ref, pct_style) if x is None else _num(ref, core.plain(x, 1), pct_style))
            if target_text:
                cells.append(_str(f"I{n}", _text(target_text)))
            sheet.row(cells)
        sheets.append(sheet)
    if not sheets:
        sheets.append(_Sheet("Trống"))
    _save(target, sheets, styles)


def _save(target: Path | BytesIO, sheets: list[_Sheet], styles: _Styles) -> None:
    overrides = [
        ("/xl/workbook.xml", f"{CT}.sheet.main+xml"),
        ("/xl/styles.xml", f"{CT}.styles+xml"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml"),
    ]
    parts: list[tuple[str, str]] = []
    book_rels = []
    sheet_list = []
    print_titles: list[str] = []
    for i, sheet in enumerate(sheets, 1):
        path = f"xl/worksheets/sheet{i}.xml"
        overrides.append((f"/{path}", f"{CT}.worksheet+xml"))
        parts.append((path, sheet.xml()))
        book_rels.append(
            f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        )
        sheet_list.append(f'<sheet name={quoteattr(sheet.name)} sheetId="{i}" r:id="rId{i}"/>')
        # the title and column heads repeat on every printed page
        quoted = "'" + sheet.name.replace("'", "''") + "'"
        print_titles.append(
            f'<definedName name="_xlnm.Print_Titles" localSheetId="{i - 1}">{escape(quoted)}!$1:$2</definedName>'
        )
        if sheet.comments:
            overrides.append((f"/xl/comments{i}.xml", f"{CT}.comments+xml"))
            parts.append((f"xl/comments{i}.xml", sheet.comments_xml()))
            parts.append((f"xl/drawings/vmlDrawing{i}.vml", sheet.vml(i)))
            parts.append(
                (
                    f"xl/worksheets/_rels/sheet{i}.xml.rels",
                    f'{XML_HEAD}<Relationships xmlns="{PKG_REL_NS}">'
                    f'<Relationship Id="rId1" Type="{REL_NS}/comments" Target="../comments{i}.xml"/>'
                    f'<Relationship Id="rId2" Type="{REL_NS}/vmlDrawing" Target="../drawings/vmlDrawing{i}.vml"/>'
                    "</Relationships>",
                )
            )
    n = len(sheets)
    book_rels.append(f'<Relationship Id="rId{n + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>')
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    types = "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
    parts = [
        (
            "[Content_Types].xml",
            f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>'
            f"{types}</Types>",
        ),
        (
            "_rels/.rels",
            f'{XML_HEAD}<Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{PKG_REL_NS}/metadata/core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{REL_NS}/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>",
        ),
        (
            "docProps/core.xml",
            f"{XML_HEAD}<cp:coreProperties "
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>ktxh</dc:creator>'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>',
        ),
        (
            "docProps/app.xml",
            f'{XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>ktxh</Application></Properties>",
        ),
        (
            "xl/workbook.xml",
            f'{XML_HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{''.join(sheet_list)}</sheets><definedNames>{''.join(print_titles)}</definedNames>"
            '<calcPr calcId="191029"/></workbook>',
        ),
        (
            "xl/_rels/workbook.xml.rels",
            f'{XML_HEAD}<Relationships xmlns="{PKG_REL_NS}">{"".join(book_rels)}</Relationships>',
        ),
        ("xl/styles.xml", styles.xml()),
        *parts,
    ]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts:
            z.writestr(name, text.encode("utf-8"))
