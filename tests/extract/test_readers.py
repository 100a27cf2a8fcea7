"""The readers: one clean Document from .txt dumps, .docx, text PDFs and scanned PDFs."""

from __future__ import annotations

import re
import shutil
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from ktxh.extract.model import Document, Kind, Paragraph
from ktxh.extract.readers import ReadError, read
from ktxh.extract.readers.txt import read_text

from . import docs

SEED_LINES = docs.SEED.read_text(encoding="utf-8").split("\n")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
HAS_TESSERACT = shutil.which("tesseract") is not None


def _para(doc: Document, needle: str, kind: Kind | None = None) -> Paragraph:
    for p in doc.paragraphs:
        if needle in p.text and (kind is None or p.kind is kind):
            return p
    raise AssertionError(f"no paragraph contains {needle!r}")


def _numbers(doc: Document) -> Counter[str]:
    out: Counter[str] = Counter()
    for p in doc.paragraphs:
        if p.kind is not Kind.TABLE:
            out.update(NUMBER.findall(p.text))
    return out


@pytest.fixture(scope="module")
def seed_txt() -> Document:
    return read(docs.SEED)


@pytest.fixture(scope="module")
def seed_docx(tmp_path_factory: pytest.TempPathFactory) -> Document:
    return read(docs.seed_docx(tmp_path_factory.mktemp("docx") / "seed.docx"))


@pytest.fixture(scope="module")
def seed_pdf_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return docs.seed_pdf(tmp_path_factory.mktemp("pdf") / "seed.pdf")


@pytest.fixture(scope="module")
def seed_pdf(seed_pdf_path: Path) -> Document:
    return read(seed_pdf_path)


# -- .txt: the PDF dump ----------------------------------------------------------------


def test_it_separates_footnote_markers_from_numbers(seed_txt: Document) -> None:
    p = _para(seed_txt, "14.739 ha")
    assert "giảm 1,5% so với năm 2022. Năng suất" in p.text
    ref = p.refs[0]
    assert ref.marker == "1" and p.text[ref.offset - 4 : ref.offset] == "2022"
    # a marker glued to the word before it ("đề ra4.") and two printed together ("78")
    q = _para(seed_txt, "gia cầm đạt kế hoạch đề ra")
    assert "đề ra. Tổng sản lượng" in q.text
    assert [r.marker for r in q.refs] == ["4"] and q.text[q.refs[0].offset - 2 : q.refs[0].offset] == "ra"
    r = _para(seed_txt, "vi phạm trên các sông nội đồng")
    assert [x.marker for x in r.refs if x.marker in ("7", "8")] == ["7", "8"]
    assert all(n not in _numbers(seed_txt) for n in ("20221", "78.", "14.7393"))


def test_it_links_every_footnote(seed_txt: Document) -> None:
    notes = seed_txt.footnotes()
    cited = [r.marker for p in seed_txt.body() for r in p.refs]
    assert sorted(notes, key=int) == [str(n) for n in range(1, 42)]
    assert sorted(cited, key=int) == [str(n) for n in range(1, 42)]
    assert notes["1"].text.startswith("Trong đó, diện tích cây vụ Đông 1.325 ha")
    assert notes["23"].text.startswith("Tổng số DQTV toàn huyện")  # cited as "(23)"
    # a footnote carried over to the next page's footnote area stays one footnote
    assert notes["11"].text.endswith("Sacombank: Huy động 500 tỷđ, dư nợ TD 280 tỷđ.")
    assert all(p.kind is Kind.FOOTNOTE for p in notes.values())
    assert not [w for w in seed_txt.warnings if "không có nội dung" in w or "Không tìm thấy" in w]


def test_it_rejoins_superscripts(seed_txt: Document) -> None:
    assert "tổng diện tích 2.604.315,77m² (trên 260,436 ha)" in _para(seed_txt, "2.604.315,77").text
    note = seed_txt.footnotes()["9"]
    assert "135.364 m³ tăng 1.162m³ so với vụ đông xuân 2021- 2022" in note.text
    assert "100.101 m³, Xí nghiệp" in note.text
    assert "xây dựng mới 12.000m²/10.000m² đạt 120% kế hoạch" in _para(seed_txt, "12.000m").text
    assert "33.164m²" in seed_txt.footnotes()["12"].text  # typed inline as "m2"


def test_it_drops_page_numbers_and_link_residue(seed_txt: Document) -> None:
    texts = [p.text for p in seed_txt.paragraphs]
    assert not any("javascript" in t for t in texts)
    assert not any(t.strip().isdigit() for t in texts)
    assert (
        "công tác huấn luyện cho các đối tượng năm 2024. Thực hiện tốt"
        in _para(seed_txt, "huấn luyện cho").text
    )
    # the page's body goes on after the footnotes of the page before
    assert (
        "xây dựng xã nông thôn mới nâng cao, kiểu mẫu giai đoạn 2021-2025"
        in _para(seed_txt, "tiêu chí Môi trường").text
    )


def test_it_maps_offsets_to_source_lines(seed_txt: Document) -> None:
    p = _para(seed_txt, "14.739 ha")
    assert p.line == 54
    assert p.line_at(p.text.index("14.739")) == 56
    assert p.line_at(p.text.index("63,03")) == 60
    assert p.line_at(p.text.index("Đẩy mạnh triển khai")) == 75
    checked = 0
    for para in seed_txt.paragraphs:
        ends = [o for o, _ in para.spans[1:]] + [len(para.text)]
        for (offset, line), end in zip(para.spans, ends, strict=True):
            # the piece that came from this line, superscripts written back as digits
            word = para.text[offset:end].translate({0xB2: "2", 0xB3: "3"}).strip().split(" ")[0][:6]
            if len(word) >= 3:
                assert word in unicodedata.normalize("NFC", SEED_LINES[line - 1]), (para.text[:40], line)
                checked += 1
    assert checked > 900


def test_it_makes_headings(seed_txt: Document) -> None:
    headings = {p.text for p in seed_txt.paragraphs if p.kind is Kind.HEADING}
    for h in (
        "Phần I",
        "I. LĨNH VỰC KINH TẾ",
        "1. Nông nghiệp, nông thôn",
        "1.1. Sản xuất nông nghiệp:",
        "Phần II",
    ):
        assert h in headings
    assert _para(seed_txt, "1. Tổ chức tổng kết công tác CCHC").kind is Kind.BODY
    assert _para(seed_txt, "Lĩnh vực kinh tế mặc dù").kind is Kind.BODY


def test_it_reads_another_commune_dump() -> None:
    doc = read(docs.SAMPLES / "reader_tan_phong_2024.txt")
    p = _para(doc, "512,6 ha lúa")
    assert "năng suất lúa ước đạt 68,2 tạ/ha. Sản lượng thóc" in p.text
    assert [r.marker for r in p.refs] == ["1", "2", "3"]  # "23" printed together
    q = _para(doc, "chuồng trại")
    assert "Xây dựng mới 1.850 m² chuồng trại" in q.text and q.text.endswith("đạt kế hoạch.")
    assert [r.marker for r in q.refs] == ["4"]
    assert [r.marker for r in _para(doc, "huyện giao").refs] == ["5"]
    assert sorted(doc.footnotes()) == ["1", "2", "3", "4", "5"]
    assert doc.footnotes()["4"].text.endswith("ngân sách xã hỗ trợ 150 triệu đồng.")
    kinds = {p.text: p.kind for p in doc.paragraphs}
    assert kinds["a) Trồng trọt"] is Kind.HEADING and kinds["2. Tài chính - ngân sách"] is Kind.HEADING
    assert kinds["NHIỆM VỤ 6 THÁNG CUỐI NĂM 2024"] is Kind.HEADING
    assert not any(t.strip() in ("3", "javascript:void(0)") for t in kinds)
    assert doc.pages == 3 and doc.warnings == []


def test_it_keeps_a_plain_text_file_plain() -> None:
    text = "Dòng thứ nhất của báo cáo.\r\nNăm 2023 thu ngân sách đạt 12,5 tỷ đồng.\r\n\r\nĐoạn thứ hai.\r\n"
    doc = read_text(text, "x.txt")
    assert [p.text for p in doc.paragraphs] == [
        "Dòng thứ nhất của báo cáo.",
        "Năm 2023 thu ngân sách đạt 12,5 tỷ đồng.",
        "Đoạn thứ hai.",
    ]
    assert [p.line for p in doc.paragraphs] == [1, 2, 4]


def test_it_normalises_to_nfc(tmp_path: Path) -> None:
    f = tmp_path / "nfd.txt"
    f.write_text(unicodedata.normalize("NFD", docs.VI_SAMPLE), encoding="utf-8")
    doc = read(f)
    assert all(unicodedata.is_normalized("NFC", p.text) for p in doc.paragraphs)
    assert "tổng diện tích gieo trồng" in doc.paragraphs[0].text


# -- .docx -----------------------------------------------------------------------------


def test_it_reads_word_footnotes(seed_docx: Document, seed_txt: Document) -> None:
    assert seed_docx.format == "docx"
    p = _para(seed_docx, "14.739 ha")
    assert p.refs[0].marker == "1" and p.text[p.refs[0].offset - 4 : p.refs[0].offset] == "2022"
    notes = seed_docx.footnotes()
    assert {m: n.text for m, n in notes.items()} == {m: n.text for m, n in seed_txt.footnotes().items()}
    assert seed_docx.paragraphs[0].line == 1
    body_lines = [q.line for q in seed_docx.body()]
    assert body_lines == sorted(body_lines)
    assert min(n.line for n in notes.values()) > max(body_lines)
    assert _para(seed_docx, "I. LĨNH VỰC KINH TẾ").kind is Kind.HEADING


def test_it_reads_word_tables(tmp_path: Path) -> None:
    doc = read(docs.seed_docx(tmp_path / "t.docx", table=True))
    rows = [p for p in doc.paragraphs if p.kind is Kind.TABLE]
    assert [p.text for p in rows] == [" | ".join(r) for r in docs.TABLE_ROWS]
    assert rows[1].line == rows[0].line + 1


def test_it_estimates_word_pages_from_page_breaks(tmp_path: Path) -> None:
    from docx import Document as new_docx

    d = new_docx()
    d.add_paragraph("Trang một: thu ngân sách đạt 12,5 tỷ đồng.")
    d.add_page_break()  # type: ignore[no-untyped-call]
    d.add_paragraph("Trang hai: chi ngân sách đạt 10,1 tỷ đồng.")
    d.save(str(tmp_path / "ngat.docx"))
    doc = read(tmp_path / "ngat.docx")
    assert doc.pages == 2
    assert [(p.page, p.line) for p in doc.paragraphs] == [(1, 1), (2, 3)]


# -- text PDF --------------------------------------------------------------------------


def test_it_keeps_pdf_superscript_markers_apart(seed_pdf: Document) -> None:
    p = _para(seed_pdf, "14.739 ha")
    assert "giảm 1,5% so với năm 2022. Năng suất" in p.text
    assert p.refs[0].marker == "1" and p.text[p.refs[0].offset - 4 : p.refs[0].offset] == "2022"
    assert [r.marker for r in _para(seed_pdf, "sông nội đồng").refs if r.marker in "78"] == ["7", "8"]
    assert "20221" not in _numbers(seed_pdf)
    assert "2.604.315,77m²" in _para(seed_pdf, "2.604.315,77").text


def test_it_reads_pdf_footnotes_at_page_bottom(seed_pdf: Document, seed_txt: Document) -> None:
    assert {m: n.text for m, n in seed_pdf.footnotes().items()} == {
        m: n.text for m, n in seed_txt.footnotes().items()
    }
    cited = sorted((r.marker for p in seed_pdf.body() for r in p.refs), key=int)
    assert cited == [str(n) for n in range(1, 42)]
    assert seed_pdf.warnings == []


def test_it_drops_pdf_page_numbers_and_keeps_paragraphs(seed_pdf: Document, seed_txt: Document) -> None:
    assert seed_pdf.pages > 20
    assert not any(p.text.strip().isdigit() for p in seed_pdf.paragraphs)
    assert sorted(p.text for p in seed_pdf.paragraphs) == sorted(p.text for p in seed_txt.paragraphs)
    heads = {p.text for p in seed_pdf.paragraphs if p.kind is Kind.HEADING}
    assert {"Phần I", "I. LĨNH VỰC KINH TẾ", "1.1. Sản xuất nông nghiệp:"} <= heads


def test_it_counts_pdf_lines_through_the_document(seed_pdf: Document) -> None:
    body = seed_pdf.body()
    assert [p.line for p in body] == sorted(p.line for p in body)
    p = _para(seed_pdf, "14.739 ha")
    assert p.line_at(p.text.index("Năng suất")) > p.line  # a later printed line
    assert body[-1].line > 700 and body[-1].page == seed_pdf.pages


def test_it_finds_footnotes_without_separator_rules(tmp_path: Path, seed_txt: Document) -> None:
    doc = read(docs.seed_pdf(tmp_path / "khong_gach.pdf", rule=False))
    assert {m: n.text for m, n in doc.footnotes().items()} == {
        m: n.text for m, n in seed_txt.footnotes().items()
    }
    # the recipients' list is set small at the page bottom, yet it is no footnote
    assert _para(doc, "Lưu: VT, TCKH").kind is Kind.BODY


def test_it_drops_running_footers(seed_pdf: Document) -> None:
    assert not any(docs.FOOTER in p.text for p in seed_pdf.paragraphs)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_it_reads_a_pdf_printed_by_libreoffice(tmp_path: Path, seed_txt: Document) -> None:
    pdf = docs.libreoffice_pdf(docs.seed_docx(tmp_path / "lo.docx"), tmp_path)
    doc = read(pdf)
    assert {m: n.text for m, n in doc.footnotes().items()} == {
        m: n.text for m, n in seed_txt.footnotes().items()
    }
    assert sorted((r.marker for p in doc.body() for r in p.refs), key=int) == [str(n) for n in range(1, 42)]
    assert _numbers(doc) == _numbers(seed_txt)
    same = {p.text for p in doc.paragraphs} & {p.text for p in seed_txt.paragraphs}
    assert len(same) > 0.9 * len(seed_txt.paragraphs)


def test_it_reads_ruled_pdf_tables(tmp_path: Path) -> None:
    doc = read(docs.table_pdf(tmp_path / "bang.pdf"))
    rows = [p.text for p in doc.paragraphs if p.kind is Kind.TABLE]
    assert rows == [" | ".join(r) for r in docs.TABLE_ROWS]
    assert _para(doc, "Bảng dưới đây").kind is Kind.BODY


def test_it_gives_the_same_numbers_in_txt_docx_and_pdf(
    seed_txt: Document, seed_docx: Document, seed_pdf: Document
) -> None:
    expected = _numbers(seed_txt)
    assert sum(expected.values()) > 1000
    assert _numbers(seed_docx) == expected
    assert _numbers(seed_pdf) == expected


# -- choosing the reader, bad input ----------------------------------------------------


def test_it_sniffs_the_content_not_the_extension(tmp_path: Path, seed_pdf_path: Path) -> None:
    pdf_as_txt = tmp_path / "bao_cao.txt"
    pdf_as_txt.write_bytes(seed_pdf_path.read_bytes())
    assert read(pdf_as_txt).format == "pdf"
    docx_as_pdf = tmp_path / "bao_cao.pdf"
    docx_as_pdf.write_bytes(docs.seed_docx(tmp_path / "x.docx").read_bytes())
    assert read(docx_as_pdf).format == "docx"
    txt_as_docx = tmp_path / "bao_cao.docx"
    txt_as_docx.write_text(docs.VI_SAMPLE, encoding="utf-8")
    assert read(txt_as_docx).format == "txt"


@pytest.mark.parametrize(
    ("make", "name", "words"),
    [
        (docs.empty_file, "rong.txt", "rỗng"),
        (docs.binary_junk, "rac.txt", "không phải văn bản"),
        (docs.encrypted_pdf, "matkhau.pdf", "mật khẩu"),
        (docs.truncated_pdf, "cat.pdf", "bị cắt cụt"),
        (docs.truncated_docx, "cat.docx", "bị hỏng"),
        (docs.latin1_garbage_txt, "ma.txt", "bảng mã"),
    ],
)
def test_it_explains_bad_input_in_vietnamese(tmp_path: Path, make: object, name: str, words: str) -> None:
    path = make(tmp_path / name)  # type: ignore[operator]
    with pytest.raises(ReadError) as err:
        read(path)
    assert words in str(err.value) and name in str(err.value)


def test_it_explains_a_file_without_text(tmp_path: Path) -> None:
    blank = tmp_path / "trang.txt"
    blank.write_text("  \n\n   \n", encoding="utf-8")
    with pytest.raises(ReadError, match="không có chữ"):
        read(blank)


def test_it_explains_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="Không tìm thấy tệp"):
        read(tmp_path / "khong_co.txt")


@pytest.mark.parametrize("make", [docs.cp1258_txt, docs.utf16_txt, docs.utf16_nobom_txt])
def test_it_reads_other_encodings(tmp_path: Path, make: object) -> None:
    doc = read(make(tmp_path / "vi.txt"))  # type: ignore[operator]
    text = " ".join(p.text for p in doc.paragraphs)
    assert "tổng diện tích gieo trồng ước đạt 14.739 ha, đạt 103,4% kế hoạch" in text
    assert "Giá trị sản xuất ngành nông nghiệp ước đạt 1.626,4 tỷ đồng" in text


def test_it_reads_a_long_pdf_with_progress(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    doc = read(docs.big_pdf(tmp_path / "dai.pdf", pages=200), progress=lambda a, b: calls.append((a, b)))
    assert doc.pages == 200 and len(doc.paragraphs) >= 200
    assert calls[-1] == (200, 200) and [a for a, _ in calls] == sorted(a for a, _ in calls)
    assert "Trang 200, dòng 1" in doc.paragraphs[-1].text


# The reading speed (ktxh's time against a bare pdfplumber or text read) is measured by
# bench/extract.py, side by side in one run; tests don't time anything.


# -- scanned PDF -----------------------------------------------------------------------


@pytest.mark.skipif(not HAS_TESSERACT, reason="Tesseract is not installed")
def test_it_reads_a_scanned_pdf_with_diacritics(tmp_path: Path, seed_txt: Document) -> None:
    import difflib

    calls: list[tuple[int, int]] = []
    doc = read(docs.scanned_pdf(tmp_path / "quet.pdf", pages=2), progress=lambda a, b: calls.append((a, b)))
    assert doc.format == "pdf-ocr" and doc.pages == 2
    assert calls == [(1, 2), (2, 2)]
    text = " ".join(p.text for p in doc.body())
    first = _para(seed_txt, "Năm 2023, năm bản lề").text
    got = _para(doc, "năm bản lề").text
    assert difflib.SequenceMatcher(None, first, got).ratio() > 0.95
    for phrase in (
        "KẾT QUẢ PHÁT TRIỂN KINH TẾ - XÃ HỘI NĂM 2023",
        "Sản xuất nông nghiệp năm 2023 khá thuận lợi",
    ):
        assert phrase in text
    assert "14.739 ha, đạt 103,4% kế hoạch" in text
    notes = doc.footnotes()
    assert notes["1"].text.startswith("Trong đó, diện tích cây vụ Đông 1.325 ha")


def test_it_says_what_to_install_without_tesseract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pytesseract")
    from ktxh.extract.readers import ocr

    monkeypatch.setattr("ktxh.extract.readers.ocr.shutil.which", lambda _cmd: None)
    with pytest.raises(ReadError, match="apt-get install tesseract-ocr tesseract-ocr-vie"):
        ocr.check_tesseract()


@pytest.mark.skipif(not HAS_TESSERACT, reason="Tesseract is not installed")
def test_it_says_what_to_install_without_the_vietnamese_model(monkeypatch: pytest.MonkeyPatch) -> None:
    import pytesseract

    from ktxh.extract.readers import ocr

    monkeypatch.setattr(pytesseract, "get_languages", lambda config="": ["eng", "osd"])
    with pytest.raises(ReadError, match="tiếng Việt .*tesseract-ocr-vie"):
        ocr.check_tesseract()
