"""Scanned PDFs: each page rendered at 300 dpi and read by Tesseract with its Vietnamese model.

Tesseract is optional at run time: without the program or its ``vie`` model a ReadError
says what to install. Lines come from Tesseract's own layout (block, paragraph, line);
a lone number clearly smaller than its line and raised is a footnote marker; lines in a
smaller script below the body of a page that start with a number are footnotes.
OCR is slow (seconds a page), so progress is reported page by page.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..model import Document, Kind, Paragraph, ReadError
from ._common import (
    SUPERSCRIPT_HOST,
    ParaBuilder,
    clean_fragment,
    link_glued_markers,
    looks_like_heading,
    power,
)

INSTALL = "apt-get install tesseract-ocr tesseract-ocr-vie"
DPI = 300
_MARKER = re.compile(r"^\(?(\d{1,3})\)?$")
_PAGE_NO = re.compile(r"^(?:[-–—]\s*)?(?:Trang\s+)?\d{1,4}(?:\s*[-–—])?$", re.IGNORECASE)


def check_tesseract() -> Any:
    """The pytesseract module, once Tesseract and its Vietnamese model are known to be there."""
    try:
        import pytesseract
    except ImportError:
        raise ReadError(
            "Tệp PDF này là bản quét (không có lớp chữ), cần nhận dạng chữ (OCR) nhưng thiếu thư viện "
            f"pytesseract. Hãy cài: pip install pytesseract và {INSTALL}"
        ) from None
    cmd = getattr(pytesseract.pytesseract, "tesseract_cmd", "tesseract")
    if shutil.which(cmd) is None:
        raise ReadError(
            "Tệp PDF này là bản quét (không có lớp chữ), cần nhận dạng chữ (OCR) nhưng máy chưa cài "
            f"Tesseract. Hãy cài: {INSTALL}"
        )
    try:
        langs = set(pytesseract.get_languages(config=""))
    except Exception:
        langs = set()
    if "vie" not in langs:
        raise ReadError(
            "Tesseract chưa có bộ nhận dạng tiếng Việt (vie), nên không đọc được bản quét. "
            f"Hãy cài: {INSTALL}"
        )
    return pytesseract


def _lines(data: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Tesseract's words grouped into its lines, each with its paragraph key and geometry."""
    groups: dict[tuple[int, int, int], dict[str, Any]] = {}
    for k, text in enumerate(data["text"]):
        t = (text or "").strip()
        if not t or float(data["conf"][k]) < 0:
            continue
        key = (int(data["block_num"][k]), int(data["par_num"][k]), int(data["line_num"][k]))
        left, top = int(data["left"][k]), int(data["top"][k])
        w, h = int(data["width"][k]), int(data["height"][k])
        g = groups.setdefault(key, {"key": key, "words": []})
        g["words"].append({"text": t, "x0": left, "x1": left + w, "top": top, "bottom": top + h})
    lines = []
    for g in groups.values():
        ws = sorted(g["words"], key=lambda w: w["x0"])
        hs = sorted(w["bottom"] - w["top"] for w in ws)
        g["words"] = ws
        g["h"] = hs[len(hs) // 2]
        g["top"] = min(w["top"] for w in ws)
        g["bottom"] = sorted(w["bottom"] for w in ws)[len(ws) // 2]
        g["x0"] = ws[0]["x0"]
        lines.append(g)
    lines.sort(key=lambda g: (g["top"], g["x0"]))
    return lines


def _pieces(line: dict[str, Any]) -> list[tuple[str, str]]:
    """Words of a line as ("text"|"ref"|"glue"|"lead", value); "lead" is a footnote's own mark."""
    out: list[tuple[str, str]] = []
    text = ""
    for w in line["words"]:
        t = clean_fragment(w["text"])
        m = _MARKER.match(t)
        small = (w["bottom"] - w["top"]) < 0.75 * line["h"] and w["bottom"] < line["bottom"] - 0.2 * line["h"]
        if small and not out:
            out.append(("lead", m.group(1) if m else ""))  # misread marks ("?", "*#") still start a note
            continue
        if m and small:
            if t in ("2", "3") and SUPERSCRIPT_HOST.search(text):
                out.append(("glue", power(t)))
                text += power(t)
            else:
                out.append(("ref", m.group(1)))
            continue
        out.append(("text", t))
        text += " " + t
    return out


def ocr_pages(
    path: Path,
    indices: list[int],
    *,
    start_line: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Paragraph], list[str]]:
    """OCR the given pages (0-based) of a PDF into paragraphs; also any warnings."""
    tess = check_tesseract()
    import pdfplumber

    paras: list[Paragraph] = []
    warnings: list[str] = []
    line_no = start_line - 1
    last_note: ParaBuilder | None = None
    cur: ParaBuilder | None = None
    order: list[ParaBuilder] = []
    last_marker = 0
    note_key: tuple[int, int] | None = None
    with pdfplumber.open(str(path)) as pdf:
        for done, i in enumerate(indices, start=1):
            page = pdf.pages[i]
            image = page.to_image(resolution=DPI).original.convert("L")
            try:
                data = tess.image_to_data(image, lang="vie", output_type=tess.Output.DICT)
            except Exception as exc:
                raise ReadError(f"Tesseract không nhận dạng được trang {i + 1}: {exc}") from None
            lines = _lines(data)
            heights = sorted(g["h"] for g in lines if len(g["words"]) >= 3) or [0]
            body_h = heights[len(heights) // 2]
            page_h = image.height
            body_bottom = max((g["bottom"] for g in lines if g["h"] >= 0.85 * body_h), default=0)
            prev_key: tuple[int, int] | None = None
            note: ParaBuilder | None = None
            for g in lines:
                line_no += 1
                text = " ".join(w["text"] for w in g["words"])
                edge = g["top"] < 0.1 * page_h or g["bottom"] > 0.9 * page_h
                if edge and _PAGE_NO.match(text) and (g is lines[0] or g is lines[-1]):
                    continue
                pieces = _pieces(g)
                small = g["h"] < 0.85 * body_h and g["top"] >= body_bottom - 2
                if small:
                    lead = pieces[0] if pieces and pieces[0][0] == "lead" else None
                    first = pieces[0][1] if pieces and pieces[0][0] == "text" else ""
                    marker: str | None = None
                    if lead is not None:
                        marker = lead[1] or str(last_marker + 1)
                        pieces = pieces[1:]
                    elif note is not None and g["key"][:2] != note_key and first == str(last_marker + 1):
                        marker, pieces = first, pieces[1:]
                    if marker is not None:
                        note = ParaBuilder(Kind.FOOTNOTE, i + 1, marker=marker)
                        order.append(note)
                        last_note = note
                        last_marker = int(marker) if marker.isdigit() else last_marker + 1
                    elif note is None:
                        note = last_note or ParaBuilder(Kind.FOOTNOTE, i + 1, marker=str(last_marker + 1))
                        if note not in order:
                            order.append(note)
                        last_note = note
                    note_key = g["key"][:2]
                    _add(note, pieces, line_no)
                    continue
                key = g["key"][:2]
                if cur is None or key != prev_key:
                    cur = ParaBuilder(Kind.BODY, i + 1)
                    order.append(cur)
                prev_key = key
                _add(cur, pieces, line_no)
            if progress is not None:
                progress(done, len(indices))
    for b in order:
        p = b.build()
        if p is None:
            continue
        if p.kind is Kind.BODY and looks_like_heading(p.text):
            p = b.build(Kind.HEADING) or p
        paras.append(p)
    paras = link_glued_markers(paras, warnings, years=True)
    if not paras:
        warnings.append("OCR không nhận ra chữ nào trên các trang quét.")
    return paras, warnings


def _add(b: ParaBuilder, pieces: list[tuple[str, str]], line: int) -> None:
    first = True
    for kind, value in pieces:
        if kind == "ref":
            b.add_ref(value)
        elif kind == "lead":
            continue
        elif kind == "glue":
            b.strip_tail()
            b.add_raw(value, line)
        elif kind == "text":
            if b.parts and not (first is False and b.tail(1) in "²³" and value[:1] in ".,;:)"):
                b.strip_tail()
                if not re.search(r"\d-$", b.tail(3)):
                    b.add_raw(" ", line)
            b.add_raw(value, line)
            first = False


def read_scanned(path: Path, *, progress: Callable[[int, int], None] | None = None) -> Document:
    """A Document from a PDF whose pages are pictures only."""
    check_tesseract()
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        n = len(pdf.pages)
    paras, warnings = ocr_pages(path, list(range(n)), progress=progress)
    if not any(p.text.strip() for p in paras):
        raise ReadError(
            f"Tệp «{path.name}» là bản quét nhưng OCR không nhận ra chữ nào (ảnh quá mờ hoặc trống?)."
        )
    warnings.insert(0, "Tài liệu là bản quét: chữ được nhận dạng bằng OCR, cần đối chiếu lại các con số.")
    return Document(path=str(path), format="pdf-ocr", paragraphs=paras, pages=n, warnings=warnings)
