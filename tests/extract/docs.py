"""Test documents for the readers, written at test time from the seed's text.

The .txt reading of the seed is the source: ``seed_docx`` writes its paragraphs with real
Word footnotes, ``seed_pdf`` lays them out with reportlab (raised small footnote markers,
footnotes at the page bottom, a page number at the top), ``scanned_pdf`` turns pages of
that PDF into pictures. The bad inputs are the usual ways a file goes wrong.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import unicodedata
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from ktxh.extract.model import Document, Kind, Paragraph
from ktxh.extract.readers.txt import read_text

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "ktxh" / "data" / "demo" / "thanh_mien_2023" / "source.txt"
SAMPLES = Path(__file__).resolve().parent / "samples"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def seed_document() -> Document:
    return read_text(SEED.read_text(encoding="utf-8"), str(SEED))


def _pieces(p: Paragraph) -> list[tuple[str, str | None]]:
    """The paragraph's text cut at its footnote markers: (text, marker after it)."""
    out: list[tuple[str, str | None]] = []
    pos = 0
    for r in sorted(p.refs, key=lambda r: r.offset):
        out.append((p.text[pos : r.offset], r.marker))
        pos = r.offset
    out.append((p.text[pos:], None))
    return out


# -- DOCX ------------------------------------------------------------------------------


def seed_docx(path: Path, doc: Document | None = None, *, table: bool = False) -> Path:
    """A .docx of the seed: headings in "Heading 2", body paragraphs, real footnotes."""
    from docx import Document as new_docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from lxml import etree

    doc = doc or seed_document()
    d = new_docx()
    heading_id = d.styles["Heading 2"].style_id
    ids: dict[str, int] = {}
    notes = {p.marker: p for p in doc.paragraphs if p.kind is Kind.FOOTNOTE and p.marker}
    body: list[str] = []
    for p in doc.paragraphs:
        if p.kind is Kind.FOOTNOTE:
            continue
        ppr = f'<w:pPr><w:pStyle w:val="{heading_id}"/></w:pPr>' if p.kind is Kind.HEADING else ""
        runs = []
        for text, marker in _pieces(p):
            if text:
                runs.append(f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>')
            if marker is not None:
                ids.setdefault(marker, len(ids) + 2)  # 0 and 1 are Word's separators
                runs.append(
                    '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                    f'<w:footnoteReference w:id="{ids[marker]}"/></w:r>'
                )
        body.append(f"<w:p>{ppr}{''.join(runs)}</w:p>")
    if table:
        body.append(_table_xml())
    fragment = etree.fromstring(f'<w:body xmlns:w="{W_NS}">{"".join(body)}</w:body>')
    sect = d.element.body[-1]
    for child in list(fragment):
        sect.addprevious(child)
    for child in list(d.element.body):
        if child.tag == f"{{{W_NS}}}p" and not child.xpath("string(.)") and child is d.element.body[0]:
            d.element.body.remove(child)
    xml = [
        '<w:footnote w:type="separator" w:id="0"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>',
        '<w:footnote w:type="continuationSeparator" w:id="1"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>',
    ]
    for marker, fid in ids.items():
        note = notes.get(marker)
        text = note.text if note else ""
        xml.append(
            f'<w:footnote w:id="{fid}"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
            f'<w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {escape(text)}</w:t></w:r></w:p></w:footnote>'
        )
    part = Part(
        PackURI("/word/footnotes.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
        (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="{W_NS}">'
            + "".join(xml)
            + "</w:footnotes>"
        ).encode("utf-8"),
        d.part.package,
    )
    d.part.relate_to(part, RT.FOOTNOTES)
    d.save(str(path))
    return path


TABLE_ROWS = [
    ["Chỉ tiêu", "Đơn vị", "Kế hoạch", "Thực hiện", "Tỷ lệ (%)"],
    ["Diện tích gieo trồng", "ha", "14.254", "14.739", "103,4"],
    ["Sản lượng lương thực", "tấn", "81.000", "78.822", "97,3"],
    ["Thu ngân sách", "tỷ đồng", "315,4", "338,116", "107,2"],
]


def _table_xml() -> str:
    border = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    rows = []
    for row in TABLE_ROWS:
        cells = "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="1800" w:type="dxa"/></w:tcPr><w:p><w:r><w:t>{escape(c)}</w:t></w:r></w:p></w:tc>'
            for c in row
        )
        rows.append(f"<w:tr>{cells}</w:tr>")
    return f"<w:tbl><w:tblPr><w:tblBorders>{border}</w:tblBorders></w:tblPr>{''.join(rows)}</w:tbl>"


# -- PDF -------------------------------------------------------------------------------

_FONTS_READY = False
FOOTER = "Báo cáo tình hình kinh tế - xã hội năm 2023 của huyện Thanh Miện"


def _fonts() -> None:
    global _FONTS_READY
    if _FONTS_READY:
        return
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("Serif", str(FONT_DIR / "DejaVuSerif.ttf")))
    pdfmetrics.registerFont(TTFont("Serif-Bold", str(FONT_DIR / "DejaVuSerif-Bold.ttf")))
    pdfmetrics.registerFontFamily("Serif", normal="Serif", bold="Serif-Bold")
    _FONTS_READY = True


def _markup(p: Paragraph) -> str:
    out = []
    for text, marker in _pieces(p):
        out.append(escape(text))
        if marker is not None:
            out.append(f'<super size="8" rise="5">{escape(marker)}</super>')
    return "".join(out)


def seed_pdf(
    path: Path,
    doc: Document | None = None,
    *,
    table: bool = False,
    page_numbers: bool = True,
    max_pages: int | None = None,
    encrypt: str | None = None,
    footer: str | None = FOOTER,
    rule: bool = True,
) -> Path:
    """A text PDF of the seed laid out by hand, so that footnotes sit on their page's bottom."""
    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph as RLParagraph

    _fonts()
    doc = doc or seed_document()
    body_style = ParagraphStyle(
        "body",
        fontName="Serif",
        fontSize=13,
        leading=18,
        alignment=TA_JUSTIFY,
        firstLineIndent=1 * cm,
        spaceAfter=4,
    )
    head_style = ParagraphStyle("head", parent=body_style, fontName="Serif-Bold", firstLineIndent=0)
    # Decree 30 sets the recipients' list ("Nơi nhận: …") smaller than the body
    small_style = ParagraphStyle("small", fontName="Serif", fontSize=10, leading=12.5)
    note_style = ParagraphStyle("note", fontName="Serif", fontSize=10, leading=12.5, alignment=TA_JUSTIFY)
    width, height = A4
    left, right, top, bottom = 3 * cm, 2 * cm, 2 * cm, 2 * cm
    frame_w = width - left - right
    notes = {p.marker: p for p in doc.paragraphs if p.kind is Kind.FOOTNOTE and p.marker}
    kwargs = {}
    if encrypt is not None:
        from reportlab.lib.pdfencrypt import StandardEncryption

        kwargs["encrypt"] = StandardEncryption(encrypt, ownerPassword=encrypt + "-owner", strength=128)
    c = Canvas(str(path), pagesize=A4, **kwargs)
    page = 1
    y = height - top
    page_notes: list[RLParagraph] = []
    notes_h = 0.0

    def footnote(marker: str) -> RLParagraph:
        text = notes[marker].text if marker in notes else ""
        return RLParagraph(f'<super size="7" rise="4">{escape(marker)}</super> {escape(text)}', note_style)

    def finish_page() -> None:
        nonlocal page, y, page_notes, notes_h
        if page_numbers:
            c.setFont("Serif", 11)
            c.drawCentredString(width / 2, height - 1.2 * cm, str(page))
        if footer:
            c.setFont("Serif", 9)
            c.drawString(left, 0.9 * cm, footer)
        if page_notes:
            ny = bottom + notes_h
            if rule:
                c.setLineWidth(0.5)
                c.line(left, ny + 4, left + 5 * cm, ny + 4)
            for fp in page_notes:
                _, h = fp.wrap(frame_w, notes_h)
                fp.drawOn(c, left, ny - h)
                ny -= h
        c.showPage()
        page += 1
        y = height - top
        page_notes, notes_h = [], 0.0

    flow: list[tuple[Paragraph | None, str]] = [
        (p, p.kind.value) for p in doc.paragraphs if p.kind is not Kind.FOOTNOTE
    ]
    if table:
        flow.insert(min(12, len(flow)), (None, "table"))
    small = False
    for p, kind in flow:
        if max_pages is not None and page > max_pages:
            break
        if p is None:
            from reportlab.platypus import Table, TableStyle

            t = Table(TABLE_ROWS, colWidths=[frame_w * w for w in (0.34, 0.14, 0.18, 0.18, 0.16)])
            t.setStyle(
                TableStyle(
                    [
                        ("FONT", (0, 0), (-1, -1), "Serif", 11),
                        ("GRID", (0, 0), (-1, -1), 0.7, "black"),
                        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ]
                )
            )
            _, h = t.wrap(frame_w, y - bottom)
            if y - h - notes_h < bottom:
                finish_page()
            t.drawOn(c, left, y - h)
            y -= h + 8
            continue
        if p.text.startswith("Nơi nhận"):
            small = True
        style = small_style if small else head_style if kind == Kind.HEADING.value else body_style
        new_notes = [footnote(r.marker) for r in p.refs]
        add_h = sum(fp.wrap(frame_w, height)[1] for fp in new_notes)
        para = RLParagraph(_markup(p), style)
        while para is not None:
            avail = y - bottom - notes_h - add_h - (8 if (page_notes or new_notes) else 0)
            _, h = para.wrap(frame_w, avail)
            if h <= avail:
                para.drawOn(c, left, y - h)
                y -= h + style.spaceAfter
                para = None
            else:
                parts = para.split(frame_w, avail) if avail > style.leading * 2 else []
                if len(parts) == 2:
                    first, rest = parts
                    _, h1 = first.wrap(frame_w, avail)
                    first.drawOn(c, left, y - h1)
                    y -= h1
                    page_notes.extend(new_notes)
                    notes_h += add_h
                    new_notes, add_h = [], 0.0
                    finish_page()
                    para = rest
                else:
                    finish_page()
            if para is None:
                page_notes.extend(new_notes)
                notes_h += add_h
    finish_page()
    c.save()
    return path


def table_pdf(path: Path) -> Path:
    """A short PDF: a heading, a sentence and a ruled table."""
    doc = Document(
        path="bang",
        format="txt",
        paragraphs=[
            Paragraph("I. KẾT QUẢ CHỦ YẾU", Kind.HEADING, 1, ((0, 1),)),
            Paragraph("Bảng dưới đây tóm tắt các chỉ tiêu chủ yếu năm 2023.", Kind.BODY, 1, ((0, 2),)),
            Paragraph("Các chỉ tiêu còn lại đạt kế hoạch đề ra.", Kind.BODY, 1, ((0, 3),)),
        ],
    )
    return seed_pdf(path, doc, table=True)


def libreoffice_pdf(docx: Path, out_dir: Path) -> Path:
    """The .docx printed to PDF by LibreOffice: another producer's layout (ragged lines,
    footnotes in the body's size under a separator rule)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("LibreOffice is not installed")
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(out_dir), str(docx)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out_dir / (docx.stem + ".pdf")


def scanned_pdf(path: Path, pages: int = 2, *, dpi: int = 200) -> Path:
    """Pages of ``seed_pdf`` as pictures only: no text layer, as a scanner makes them."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        src = seed_pdf(Path(tmp) / "seed.pdf", max_pages=pages)
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                str(dpi),
                "-gray",
                "-f",
                "1",
                "-l",
                str(pages),
                "-png",
                str(src),
                str(Path(tmp) / "p"),
            ],
            check=True,
            capture_output=True,
        )
        images = [Image.open(f).convert("L") for f in sorted(Path(tmp).glob("p*.png"))]
        images[0].save(str(path), "PDF", resolution=float(dpi), save_all=True, append_images=images[1:])
    return path


def big_pdf(path: Path, pages: int = 200) -> Path:
    """A long text PDF (one short paragraph a page) to time reading and progress."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    _fonts()
    c = Canvas(str(path), pagesize=A4)
    for n in range(1, pages + 1):
        c.setFont("Serif", 13)
        y = 780.0
        for k in range(6):
            c.drawString(
                85, y, f"Trang {n}, dòng {k + 1}: diện tích gieo trồng ước đạt {1000 + n * 7 + k} ha,"
            )
            y -= 18
        c.drawString(85, y, f"tăng {n % 9},{k} % so với năm trước.")
        c.showPage()
    c.save()
    return path


# -- bad inputs ------------------------------------------------------------------------


def empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def binary_junk(path: Path) -> Path:
    path.write_bytes(bytes((i * 37 + 11) % 256 for i in range(4096)))
    return path


def encrypted_pdf(path: Path) -> Path:
    doc = seed_document()
    short = Document(doc.path, doc.format, doc.paragraphs[:8])
    return seed_pdf(path, short, encrypt="matkhau")


def truncated_pdf(path: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        full = seed_pdf(Path(tmp) / "full.pdf", max_pages=3).read_bytes()
    path.write_bytes(full[: len(full) // 3])
    return path


def _cp1258(text: str) -> bytes:
    """Windows-1258 has few precomposed letters: write tone marks as combining characters."""
    out = BytesIO()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.write(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        chars = list(unicodedata.normalize("NFD", ch))
        base, marks = chars[0], chars[1:]
        for mark in list(marks):
            joined = unicodedata.normalize("NFC", base + mark)
            try:
                joined.encode("cp1258")
            except UnicodeEncodeError:
                continue
            base = joined
            marks.remove(mark)
        out.write(base.encode("cp1258"))
        for mark in marks:
            out.write(mark.encode("cp1258"))
    return out.getvalue()


VI_SAMPLE = (
    "Năm 2023, tổng diện tích gieo trồng ước đạt 14.739 ha, đạt 103,4% kế hoạch.\n"
    "Giá trị sản xuất ngành nông nghiệp ước đạt 1.626,4 tỷ đồng, tăng 3,4% so với năm 2022.\n"
)


def cp1258_txt(path: Path, text: str = VI_SAMPLE) -> Path:
    path.write_bytes(_cp1258(text))
    return path


def utf16_txt(path: Path, text: str = VI_SAMPLE) -> Path:
    path.write_bytes(text.encode("utf-16"))
    return path


def utf16_nobom_txt(path: Path, text: str = VI_SAMPLE) -> Path:
    path.write_bytes(text.encode("utf-16-le"))
    return path


def latin1_garbage_txt(path: Path) -> Path:
    """Bytes no encoding we try can read as Vietnamese text."""
    path.write_bytes(b"Thu ngan sach \x81\x8d\x8f\x90\x9d\x9e nam 2023\n" * 5)
    return path


def truncated_docx(path: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        full = seed_docx(Path(tmp) / "full.docx").read_bytes()
    path.write_bytes(full[: len(full) // 2])
    return path
