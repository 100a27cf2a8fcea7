"""Word .docx: body paragraphs, table rows, and real footnotes (the footnotes part).

Line numbers are ordinals as read: every body paragraph and table row in document order,
then every footnote, counted from 1. Pages come from explicit page breaks (and the breaks
Word recorded when it last laid the document out), so they are an estimate.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..model import Document, Kind, Paragraph, ReadError
from ._common import ParaBuilder, clean_fragment, looks_like_heading

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# the tags and attributes compared for every element of every paragraph, made once
_T, _TAB, _BR, _RENDERED_BREAK, _FOOTNOTE_REF = (
    f"{W}t",
    f"{W}tab",
    f"{W}br",
    f"{W}lastRenderedPageBreak",
    f"{W}footnoteReference",
)
_TYPE, _ID, _CUSTOM_MARK = f"{W}type", f"{W}id", f"{W}customMarkFollows"
_RT_FOOTNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


def _style_is_heading(ppr: Any, styles: dict[str, str]) -> bool:
    """Whether a paragraph's properties (its <w:pPr>, or None) make it a heading."""
    if ppr is None:
        return False
    if ppr.find(f"{W}outlineLvl") is not None:
        return True
    st = ppr.find(f"{W}pStyle")
    if st is None:
        return False
    name = styles.get(st.get(f"{W}val") or "", st.get(f"{W}val") or "").lower()
    return name.startswith(("heading", "title", "tiêu đề", "muc", "mục")) or name in ("tieude", "title")


def _all_bold(p: Any) -> bool:
    runs = [r for r in p.iter(f"{W}r") if "".join(t.text or "" for t in r.iter(f"{W}t")).strip()]
    if not runs:
        return False
    for r in runs:
        rpr = r.find(f"{W}rPr")
        b = rpr.find(f"{W}b") if rpr is not None else None
        if b is None or b.get(f"{W}val") in ("0", "false"):
            return False
    return True


class _Walker:
    def __init__(self, styles: dict[str, str]) -> None:
        self.styles = styles
        self.line = 0
        self.page = 1
        self.order: list[str] = []  # footnote ids in the order they are cited
        self.paras: list[Paragraph] = []
        # Word records where pages ended when it last laid the file out; when it did, those
        # marks already include the explicit breaks, so only one kind is counted
        self.rendered = False

    def _runs(self, p: Any, b: ParaBuilder, *, refs: bool) -> None:
        buf: list[str] = []

        def flush() -> None:
            if buf:
                b.add_raw(clean_fragment("".join(buf)), self.line)
                buf.clear()

        for el in p.iter(_T, _TAB, _BR, _RENDERED_BREAK, _FOOTNOTE_REF):  # lxml skips the rest itself
            tag = el.tag
            if tag == _T:
                buf.append(el.text or "")
            elif tag == _TAB:
                buf.append(" ")
            elif tag == _BR:
                if el.get(_TYPE) == "page" and not self.rendered:
                    self.page += 1
                buf.append(" ")
            elif tag == _RENDERED_BREAK and self.rendered:
                self.page += 1
            elif tag == _FOOTNOTE_REF and refs:
                fid = el.get(_ID) or ""
                if el.get(_CUSTOM_MARK) in ("1", "true"):
                    continue
                if fid not in self.order:
                    self.order.append(fid)
                flush()
                b.add_ref(str(self.order.index(fid) + 1))
        flush()

    def paragraph(self, p: Any) -> None:
        self.line += 1
        ppr = p.find(f"{W}pPr")
        if ppr is not None and ppr.find(f"{W}pageBreakBefore") is not None and not self.rendered:
            self.page += 1
        b = ParaBuilder(Kind.BODY, self.page)
        self._runs(p, b, refs=True)
        para = b.build()
        if para is None:
            return
        text = para.text
        stripped = text.strip()
        if stripped != text:  # leading spaces: move spans and refs with the text
            lead = len(text) - len(text.lstrip())
            para = Paragraph(
                stripped,
                para.kind,
                para.page,
                ((0, self.line),),
                tuple(type(r)(r.marker, max(0, min(r.offset - lead, len(stripped)))) for r in para.refs),
            )
        # boldness only counts for a short line without a final stop (see looks_like_heading):
        # no need to look at every run of every long paragraph
        t = para.text.strip()
        maybe_bold = len(t) <= 160 and not t.endswith((".", ";", ","))
        heading = _style_is_heading(ppr, self.styles) or looks_like_heading(
            para.text, bold=maybe_bold and _all_bold(p)
        )
        if heading and len(para.text) <= 200:
            para = Paragraph(para.text, Kind.HEADING, para.page, para.spans, para.refs)
        self.paras.append(para)

    def table(self, tbl: Any) -> None:
        for tr in tbl.iter(f"{W}tr"):
            if tr.getparent() is not tbl:
                continue  # rows of a nested table are read with their own table
            self.line += 1
            cells = []
            for tc in tr.findall(f"{W}tc"):
                b = ParaBuilder(Kind.TABLE, self.page)
                for p in tc.iter(f"{W}p"):
                    if b.parts:
                        b.add_raw(" ", self.line)
                    self._runs(p, b, refs=True)
                built = b.build()
                cells.append((built.text.strip(), built.refs) if built else ("", ()))
            if not any(text for text, _ in cells):
                continue
            row = ParaBuilder(Kind.TABLE, self.page)
            for k, (text, refs) in enumerate(cells):
                if k:
                    row.add_raw(" | ", self.line)
                base = row.length
                row.add_raw(text or " ", self.line)
                row.refs.extend(type(r)(r.marker, base + r.offset) for r in refs)
            built_row = row.build()
            if built_row is not None:
                self.paras.append(built_row)


def read_docx(path: Path, *, progress: Callable[[int, int], None] | None = None) -> Document:
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError:  # pragma: no cover - a dependency of ktxh
        raise ReadError("Thiếu thư viện python-docx để đọc tệp .docx (pip install python-docx).") from None
    try:
        d = docx.Document(str(path))
    except PackageNotFoundError:
        raise ReadError(f"Tệp «{path.name}» không phải tài liệu Word (.docx) hợp lệ.") from None
    except KeyError as exc:
        raise ReadError(f"Tệp «{path.name}» bị hỏng: thiếu phần {exc} của tài liệu Word.") from None

    styles = _style_names(d)
    walker = _Walker(styles)
    body = d.element.body
    walker.rendered = next(body.iter(f"{W}lastRenderedPageBreak"), None) is not None
    children = list(body)
    for k, el in enumerate(children):
        if el.tag == f"{W}p":
            walker.paragraph(el)
        elif el.tag == f"{W}tbl":
            walker.table(el)
        elif el.tag == f"{W}sdt":  # content controls wrap ordinary paragraphs
            for inner in el.iter(f"{W}p"):
                walker.paragraph(inner)
        if progress is not None and k % 200 == 0:
            progress(k, len(children))

    notes = _footnotes(d)
    warnings: list[str] = []
    for number, fid in enumerate(walker.order, start=1):
        note = notes.get(fid)
        if note is None:
            warnings.append(f"Chú thích số {number} được đánh dấu trong thân bài nhưng không có nội dung.")
            continue
        walker.line += 1
        b = ParaBuilder(Kind.FOOTNOTE, None, marker=str(number))
        for p in note.iter(f"{W}p"):
            if b.parts:
                b.add_raw(" ", walker.line)
            walker._runs(p, b, refs=False)
        para = b.build()
        if para is not None:
            text = para.text.strip()
            walker.paras.append(Paragraph(text, Kind.FOOTNOTE, None, ((0, walker.line),), marker=str(number)))
    if progress is not None:
        progress(len(children), len(children))
    if not walker.paras:
        raise ReadError(f"Tệp «{path.name}» là tài liệu Word nhưng không có chữ nào.")
    return Document(
        path=str(path), format="docx", paragraphs=walker.paras, pages=walker.page, warnings=warnings
    )


def _style_names(d: Any) -> dict[str, str]:
    """Style id → UI name ("" if none), as ``{s.style_id: s.name or "" for s in d.styles}`` gives,
    read from the <w:style> elements without a proxy object per style."""
    from docx.styles import BabelFish

    out: dict[str, str] = {}
    for s in d.styles.element.style_lst:
        name = s.name_val
        out[s.styleId] = (BabelFish.internal2ui(name) if name is not None else None) or ""
    return out


def _footnotes(d: Any) -> dict[str, Any]:
    """Footnote id → its <w:footnote> element (separators left out)."""
    from lxml import etree

    for rel in d.part.rels.values():
        if rel.reltype == _RT_FOOTNOTES and not rel.is_external:
            part = rel.target_part
            root = part.element if hasattr(part, "element") else etree.fromstring(part.blob)
            out = {}
            for fn in root.iter(f"{W}footnote"):
                if fn.get(f"{W}type") in ("separator", "continuationSeparator", "continuationNotice"):
                    continue
                out[fn.get(f"{W}id") or ""] = fn
            return out
    return {}
