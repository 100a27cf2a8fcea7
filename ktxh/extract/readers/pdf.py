"""Text PDFs through pdfplumber; pages without a text layer go to OCR (``ocr.py``).

Characters become words (split where the font size changes, so a raised footnote marker
never merges with the number before it) and words become printed lines. On each line,
a word clearly smaller than the line's text and raised above its baseline is a
superscript: a number there is a footnote marker (a FootnoteRef), a 2 or 3 after "m" is
m² / m³. Lines in a smaller font below the body of a page are its footnotes, each starting
with its marker. Lone page numbers at the top or bottom are dropped. Ruled tables found by
pdfplumber's table finder give one TABLE paragraph a row.

Line numbers count every printed line (and table row) from the start of the document.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import Document, Kind, Paragraph, ReadError
from ._common import (
    BLOCK_START,
    SUPERSCRIPT_HOST,
    ParaBuilder,
    clean_fragment,
    looks_like_heading,
    power,
    split_markers,
)

_PAGE_NO = re.compile(r"^(?:[-–—]\s*)?(?:Trang\s+)?\d{1,4}(?:\s*/\s*\d{1,4})?(?:\s*[-–—])?$", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_MARKER = re.compile(r"^\(?(\d{1,3})\)?[.,]?$")
_TERMINAL = (".", ":", "!", "?", "…", ";")


@dataclass
class _Line:
    words: list[dict[str, Any]]
    top: float
    bottom: float
    size: float = 0.0
    x0: float = 0.0
    x1: float = 0.0
    bold: bool = False
    number: int = 0  # line number in the document
    table: list[str] | None = None  # a table row instead of words
    pieces: list[tuple[str, str]] = field(default_factory=list)  # ("text"|"ref"|"sup", value)

    @property
    def text(self) -> str:
        return "".join(v if k != "ref" else "" for k, v in self.pieces).strip()


def _group_lines(words: list[dict[str, Any]]) -> list[_Line]:
    lines: list[_Line] = []
    for w in sorted(words, key=lambda w: (w["top"], w["x0"])):
        h = w["bottom"] - w["top"]
        best, best_ov = None, 0.0
        for ln in lines[-3:]:
            ov = min(ln.bottom, w["bottom"]) - max(ln.top, w["top"])
            lh = ln.bottom - ln.top
            if ov > 0.4 * min(h, lh) and ov > best_ov:
                best, best_ov = ln, ov
        if best is None:
            lines.append(_Line([w], w["top"], w["bottom"]))
        else:
            best.words.append(w)
            best.top, best.bottom = min(best.top, w["top"]), max(best.bottom, w["bottom"])
    return lines


def _shape(line: _Line) -> None:
    """Order the words, find the line's text size, mark superscripts, build its pieces."""
    ws = sorted(line.words, key=lambda w: w["x0"])
    weights: Counter[float] = Counter()
    for w in ws:
        weights[round(float(w["size"]), 1)] += len(w["text"])
    size = weights.most_common(1)[0][0]
    main = [w for w in ws if round(float(w["size"]), 1) >= size * 0.9] or ws
    base = sorted(w["bottom"] for w in main)[len(main) // 2]
    line.size = size
    line.x0, line.x1 = ws[0]["x0"], ws[-1]["x1"]
    line.bold = all("bold" in str(w.get("fontname", "")).lower() for w in main)
    text = ""
    prev_x1: float | None = None
    for w in ws:
        wsize = float(w["size"])
        raised = wsize < size * 0.85 and w["bottom"] < base - 0.15 * size
        gap = (w["x0"] - prev_x1) if prev_x1 is not None else 0.0
        prev_x1 = w["x1"]
        t = clean_fragment(w["text"])
        m = _MARKER.match(t)
        if raised and m:
            if t in ("2", "3") and SUPERSCRIPT_HOST.search(text):
                line.pieces.append(("text", power(t)))
                text += power(t)
            elif text.strip() or line.pieces:
                line.pieces.append(("ref", m.group(1)))
            else:
                line.pieces.append(("lead", m.group(1)))  # a footnote's own number
            continue
        sep = " " if text and gap > 0.2 * size else ""
        line.pieces.append(("text", sep + t))
        text += sep + t


class _Layout:
    """Turns the pages' lines into paragraphs."""

    def __init__(
        self, pages: list[list[_Line]], heights: list[float], rules: list[list[tuple[float, float]]]
    ) -> None:
        self.pages = pages
        self.heights = heights
        sizes: Counter[float] = Counter()
        for lines in pages:
            for ln in lines:
                if ln.table is None:
                    sizes[ln.size] += len(ln.text)
        self.body_size = sizes.most_common(1)[0][0] if sizes else 12.0
        body = [ln for lines in pages for ln in lines if ln.table is None and ln.size >= self.body_size * 0.9]
        x0s = Counter(round(ln.x0) for ln in body)
        self.left = float(x0s.most_common(1)[0][0]) if x0s else 0.0
        x1s = sorted(ln.x1 for ln in body)
        self.right = x1s[int(len(x1s) * 0.9)] if x1s else 0.0
        # justified text ends nearly every line at the right margin; ragged text does not,
        # and then only spacing, indents and a full stop on a short line end a paragraph
        at_right = sum(1 for ln in body if ln.x1 >= self.right - 0.5 * self.body_size)
        self.justified = bool(body) and at_right > 0.5 * len(body)
        gaps = sorted(
            b.top - a.bottom
            for lines in pages
            for a, b in zip(lines, lines[1:], strict=False)
            if a.table is None
            and b.table is None
            and a.size >= self.body_size * 0.9
            and b.size >= self.body_size * 0.9
            and 0 <= b.top - a.bottom < 3 * self.body_size
        )
        self.line_gap = gaps[len(gaps) // 2] if gaps else 0.3 * self.body_size
        # a footnote separator starts at the text's left edge; its lowest one on a page counts
        self.separators = [
            self._separator(lines, page_rules) for lines, page_rules in zip(pages, rules, strict=True)
        ]
        # when the producer draws separators, they alone say where footnotes start
        self.has_rules = any(sep is not None for sep in self.separators)
        self.last_marker = 0
        self.notes_page = 0  # the last page that had footnotes
        self.notes: dict[str, ParaBuilder] = {}
        self.last_note: ParaBuilder | None = None
        self.cur: ParaBuilder | None = None
        self.cur_bold = False
        self.prev: _Line | None = None
        self.order: list[ParaBuilder] = []
        self.expected = 1  # the footnote number expected next in the body

    def _separator(self, lines: list[_Line], rules: list[tuple[float, float]]) -> float | None:
        """The lowest rule that starts at the text's left edge and underlines no text: a footnote separator."""
        best: float | None = None
        for x0, top in rules:
            if abs(x0 - self.left) >= 20:
                continue
            if any(0 <= top - ln.bottom < 3 for ln in lines if ln.table is None):
                continue  # an underline
            best = top if best is None else max(best, top)
        return best

    def _is_page_number(self, ln: _Line, page_h: float) -> bool:
        near_edge = ln.top < 0.1 * page_h or ln.bottom > 0.9 * page_h
        return near_edge and bool(_PAGE_NO.match(ln.text)) and not any(k == "ref" for k, _ in ln.pieces)

    def _running(self) -> set[str]:
        """Texts (digits blanked) of lines at the very top or bottom repeated on many pages."""
        seen: Counter[str] = Counter()
        for lines, page_h in zip(self.pages, self.heights, strict=True):
            keys = {
                _DIGITS.sub("#", ln.text)
                for ln in lines[:2] + lines[-2:]
                if ln.table is None and (ln.top < 0.06 * page_h or ln.bottom > 0.94 * page_h)
            }
            seen.update(k for k in keys if k.strip("# "))
        need = max(3, int(0.3 * len(self.pages)))
        return {k for k, n in seen.items() if n >= need}

    def run(self) -> None:
        running = self._running()
        for pno, lines in enumerate(self.pages, start=1):
            page_h = self.heights[pno - 1]
            edges = {id(ln) for ln in lines[:2] + lines[-2:]}
            content = [
                ln
                for ln in lines
                if ln.table is not None
                or id(ln) not in edges
                or not (
                    self._is_page_number(ln, page_h)
                    or (ln.top < 0.06 * page_h or ln.bottom > 0.94 * page_h)
                    and _DIGITS.sub("#", ln.text) in running
                )
            ]
            body_bottom = max(
                (ln.bottom for ln in content if ln.table is not None or ln.size >= self.body_size * 0.9),
                default=0.0,
            )
            rule = self.separators[pno - 1]
            note: ParaBuilder | None = None
            for ln in content:
                if self.has_rules:
                    is_note = rule is not None and ln.table is None and ln.top > rule
                else:
                    small = ln.table is None and ln.size < self.body_size * 0.9
                    is_note = small and ln.top >= body_bottom - 1 and self._note_line(ln, note, pno)
                if is_note:
                    note = self._footnote_line(ln, note, pno)
                elif ln.table is not None:
                    self._table_row(ln, pno)
                else:
                    self._body_line(ln, pno)

    def _note_line(self, ln: _Line, note: ParaBuilder | None, page: int) -> bool:
        """Without separators: a small line below the body starts or goes on with a footnote.

        A signature block in a smaller font (Nơi nhận: …) must not become one: the first
        small line must carry a marker, or be a full-width line going on with a footnote
        of the page before.
        """
        if note is not None:
            return True
        lead = ln.pieces[0] if ln.pieces else ("text", "")
        if lead[0] == "lead":
            return True
        m = re.match(r"^\s*\(?(\d{1,3})\)?\s", lead[1] + " ") if lead[0] == "text" else None
        if m and int(m.group(1)) == self.last_marker + 1:
            return True
        wide = ln.x1 >= self.left + 0.6 * (self.right - self.left)
        return self.last_note is not None and self.notes_page == page - 1 and wide

    def _new(self, kind: Kind, page: int, marker: str | None = None) -> ParaBuilder:
        b = ParaBuilder(kind, page, marker=marker)
        self.order.append(b)
        return b

    def _emit(self, b: ParaBuilder, ln: _Line, *, first: bool) -> None:
        for k, v in ln.pieces:
            if k == "text":
                if first and not b.parts:
                    v = v.lstrip()
                b.add_raw(v, ln.number)
            elif k == "ref":
                for marker in split_markers(v, self.expected):
                    b.add_ref(marker)
                    if marker.isdigit():
                        self.expected = int(marker) + 1
            first = False

    def _body_line(self, ln: _Line, page: int) -> None:
        prev = self.prev
        self.prev = ln
        starts = self.cur is None or prev is None or prev.table is not None
        if not starts and prev is not None:
            indent = ln.x0 > self.left + 0.8 * ln.size
            same_page = self.cur is not None and self.cur.page == page and ln.top > prev.top
            gap = (ln.top - prev.bottom) if same_page else 0.0
            if self.justified:
                short = prev.x1 < self.right - 2.5 * prev.size
            else:
                width = self.right - self.left
                short = prev.x1 < self.left + 0.7 * width and prev.text.endswith(_TERMINAL)
            spaced = gap > self.line_gap + 0.35 * ln.size
            listed = prev.text.endswith(_TERMINAL) and bool(BLOCK_START.match(ln.text))
            starts = indent or spaced or short or listed or ln.bold != self.cur_bold
        if starts:
            self.cur = self._new(Kind.BODY, page)
            self.cur_bold = self.cur.bold = ln.bold
            self._emit(self.cur, ln, first=True)
            return
        assert self.cur is not None
        self.cur.strip_tail()
        tail = self.cur.tail(3)
        if not re.search(r"\d-$", tail):
            self.cur.add_raw(" ", ln.number)
        self._emit(self.cur, ln, first=True)

    def _footnote_line(self, ln: _Line, note: ParaBuilder | None, page: int) -> ParaBuilder | None:
        lead = ln.pieces[0] if ln.pieces else ("text", "")
        marker: str | None = None
        pieces = ln.pieces
        if lead[0] == "lead":
            marker, pieces = lead[1], ln.pieces[1:]
        elif lead[0] == "text" and ln.x0 <= self.left + 1.5 * ln.size:
            # a number set in the line's own size: a new footnote only when it is the next one
            m = re.match(r"^\s*\(?(\d{1,3})\)?(?:\s+|$)", lead[1])
            rest = lead[1][m.end() :] if m else ""
            if (
                m
                and (rest or len(ln.pieces) > 1)
                and (int(m.group(1)) == self.last_marker + 1 or note is None and not self.notes)
            ):
                marker = m.group(1)
                pieces = ([("text", rest)] if rest else []) + ln.pieces[1:]
        self.notes_page = page
        if marker is not None:
            if marker.isdigit():
                self.last_marker = int(marker)
            note = self._new(Kind.FOOTNOTE, page, marker=marker)
            self.notes.setdefault(marker, note)
            self.last_note = note
        elif note is None:
            note = self.last_note  # carried over from the page before
            if note is None:
                note = self._new(Kind.FOOTNOTE, page, marker="?")
                self.last_note = note
        if note.parts:
            note.strip_tail()
            note.add_raw(" ", ln.number)
        first = True
        for k, v in pieces:
            if k == "text":
                note.add_raw(v.lstrip() if first else v, ln.number)
                first = False
        return note

    def _table_row(self, ln: _Line, page: int) -> None:
        self.prev = ln
        self.cur = None
        assert ln.table is not None
        b = self._new(Kind.TABLE, page)
        b.add_raw(" | ".join(clean_fragment(c).strip() for c in ln.table), ln.number)

    def paragraphs(self) -> list[Paragraph]:
        out: list[Paragraph] = []
        for b in self.order:
            p = b.build()
            if p is None:
                continue
            if p.kind is Kind.BODY and looks_like_heading(p.text, bold=b.bold):
                p = b.build(Kind.HEADING) or p
            out.append(p)
        return out


def _tables(page: Any) -> list[tuple[tuple[float, float, float, float], list[list[str]]]]:
    if len(page.lines) + len(page.rects) < 4:
        return []  # no ruling to make a table of
    out = []
    for t in page.find_tables():
        rows = t.extract()
        clean = [[(c or "").replace("\n", " ") for c in row] for row in rows if any(c for c in row)]
        if len(clean) >= 1 and max(len(r) for r in clean) >= 2:
            out.append((t.bbox, clean))
    return out


def read_pdf(path: Path, *, progress: Callable[[int, int], None] | None = None) -> Document:
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
        from pdfminer.pdfparser import PDFSyntaxError
        from pdfminer.psparser import PSEOF
    except ImportError:  # pragma: no cover - a dependency of ktxh
        raise ReadError("Thiếu thư viện pdfplumber để đọc tệp PDF (pip install pdfplumber).") from None
    name = path.name
    try:
        try:
            pdf = pdfplumber.open(str(path))
            n = len(pdf.pages)
        except Exception as exc:  # pdfplumber wraps pdfminer's errors: look at the original
            raise _unwrap(exc) from None
    except PDFPasswordIncorrect:
        raise ReadError(
            f"Tệp «{name}» được bảo vệ bằng mật khẩu. Hãy mở bằng mật khẩu và lưu lại bản không mật khẩu rồi thử lại."
        ) from None
    except PDFEncryptionError:
        raise ReadError(
            f"Tệp «{name}» được mã hoá theo cách chưa hỗ trợ; hãy lưu lại bản không mã hoá."
        ) from None
    except (PDFSyntaxError, PSEOF):
        raise ReadError(
            f"Tệp «{name}» bị hỏng hoặc bị cắt cụt: không đọc được cấu trúc PDF. Hãy xuất lại tệp PDF từ bản gốc."
        ) from None
    except Exception as exc:
        raise ReadError(
            f"Tệp «{name}» bị hỏng, không đọc được như một tệp PDF ({type(exc).__name__})."
        ) from None
    if n == 0:
        raise ReadError(f"Tệp «{name}» không có trang nào.")

    pages: list[list[_Line]] = []
    heights: list[float] = []
    rules: list[list[tuple[float, float]]] = []
    scanned: list[int] = []
    try:
        with pdf:
            for i, page in enumerate(pdf.pages):
                heights.append(float(page.height))
                rules.append(_rules(page, []))
                words = page.extract_words(extra_attrs=["size", "fontname"], keep_blank_chars=False)
                if not words:
                    pages.append([])
                    if page.images:
                        scanned.append(i)  # OCR reports its own progress for these
                    elif progress is not None:
                        progress(i + 1, n)
                    continue
                tables = _tables(page)
                if tables:
                    rules[-1] = _rules(page, [bbox for bbox, _ in tables])
                if tables:
                    words = [w for w in words if not any(_inside(w, bbox) for bbox, _ in tables)]
                lines = _group_lines(words)
                for ln in lines:
                    _shape(ln)
                for bbox, rows in tables:
                    step = (bbox[3] - bbox[1]) / max(len(rows), 1)
                    for k, row in enumerate(rows):
                        top = bbox[1] + k * step
                        lines.append(_Line([], top, top + step, table=row))
                lines.sort(key=lambda ln: ln.top)
                pages.append(lines)
                if progress is not None:
                    progress(i + 1, n)
    except Exception as exc:
        inner = _unwrap(exc)
        if isinstance(inner, (PDFSyntaxError, PSEOF)) or inner is not exc:
            raise ReadError(
                f"Tệp «{name}» bị hỏng hoặc bị cắt cụt giữa chừng: có trang không đọc được ({inner})."
            ) from None
        raise

    if scanned and len(scanned) == n:
        from .ocr import read_scanned

        return read_scanned(path, progress=progress)
    number = 0
    for lines in pages:
        for ln in lines:
            number += 1
            ln.number = number
    layout = _Layout(pages, heights, rules)
    layout.run()
    paras = layout.paragraphs()
    warnings: list[str] = []
    if scanned:
        from .ocr import ocr_pages

        extra, more = ocr_pages(path, scanned, start_line=number + 1, progress=None)
        paras.extend(extra)
        warnings.append(
            f"{len(scanned)} trang không có lớp chữ (trang {', '.join(str(i + 1) for i in scanned)}) "
            "đã được nhận dạng bằng OCR và đặt ở cuối tài liệu."
        )
        warnings.extend(more)
    if not any(p.text.strip() for p in paras):
        raise ReadError(f"Tệp «{name}» không có chữ nào đọc được.")
    notes = {p.marker for p in paras if p.kind is Kind.FOOTNOTE}
    cited = {r.marker for p in paras for r in p.refs}
    for m in sorted(cited - notes, key=lambda s: (len(s), s)):
        warnings.append(f"Số chú thích {m} trong thân bài không có nội dung chú thích.")
    return Document(path=str(path), format="pdf", paragraphs=paras, pages=n, warnings=warnings)


def _rules(page: Any, tables: list[tuple[float, float, float, float]]) -> list[tuple[float, float]]:
    """Thin horizontal rules low on the page and outside tables, as (x0, top).

    These are the candidates for a footnote separator (short; or as wide as the text when
    a footnote goes on from the page before).
    """
    out = []
    for r in list(page.lines) + list(page.rects):
        w, h = r["x1"] - r["x0"], r["bottom"] - r["top"]
        if not (h <= 2 and 20 <= w <= 0.9 * page.width and r["top"] > 0.25 * page.height):
            continue
        if any(b[0] - 2 <= r["x0"] <= b[2] + 2 and b[1] - 2 <= r["top"] <= b[3] + 2 for b in tables):
            continue
        out.append((float(r["x0"]), float(r["top"])))
    return out


def _unwrap(exc: Exception) -> Exception:
    """pdfplumber's PdfminerException carries pdfminer's own exception as its argument."""
    if exc.args and isinstance(exc.args[0], Exception):
        return exc.args[0]
    return exc


def _inside(w: dict[str, Any], bbox: tuple[float, float, float, float]) -> bool:
    cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
    return bool(bbox[0] <= cx <= bbox[2] and bbox[1] <= cy <= bbox[3])
