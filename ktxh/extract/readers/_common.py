"""Pieces every reader shares: a paragraph builder that keeps line spans, heading rules."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..model import FootnoteRef, Kind, Paragraph

_WS = re.compile(r"\s+")
# "12.000m2", "3 km2" typed inline: the same unit as the raised ² of a PDF dump
_INLINE_POWER = re.compile(r"(?<=\d)(\s?)((?:k|c|d|h)?m)([23])(?![\w²³])")
_POWER = {"2": "²", "3": "³"}
# a unit of length/area right after a number: "135.364 m", "12.000m", "3 km"
SUPERSCRIPT_HOST = re.compile(r"\d\s?(?:k|c|d|h)?m$")
_BROKEN_AT_HYPHEN_RE = re.compile(r"\d-$")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean_fragment(text: str) -> str:
    """One piece of a line: NFC, runs of whitespace as one space, inline m2/m3 as m²/m³."""
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "  " in text or "\t" in text or "\xa0" in text or "\r" in text:
        text = _WS.sub(" ", text)
    if "m2" not in text and "m3" not in text:
        return text
    return _INLINE_POWER.sub(lambda m: f"{m.group(1)}{m.group(2)}{_POWER[m.group(3)]}", text)


def power(digit: str) -> str:
    return _POWER[digit]


@dataclass
class ParaBuilder:
    """Text of one paragraph grown piece by piece, each piece tagged with its source line."""

    kind: Kind
    page: int | None
    marker: str | None = None
    parts: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    refs: list[FootnoteRef] = field(default_factory=list)
    length: int = 0
    bold: bool = False
    pending_space: bool = False

    def _put(self, text: str, line: int) -> None:
        if not text:
            return
        if not self.spans:
            self.spans.append((0, line))
        elif self.spans[-1][1] != line:
            self.spans.append((self.length, line))
        self.parts.append(text)
        self.length += len(text)

    def tail(self, n: int = 16) -> str:
        out = ""
        for part in reversed(self.parts):
            out = part + out
            if len(out) >= n:
                break
        return out[-n:]

    def ends_with_space(self) -> bool:
        return bool(self.parts) and self.parts[-1].endswith(" ")

    def strip_tail(self) -> None:
        while self.parts and self.parts[-1].endswith(" "):
            last = self.parts[-1].rstrip(" ")
            self.length -= len(self.parts[-1]) - len(last)
            if last:
                self.parts[-1] = last
            else:
                self.parts.pop()
                if self.spans and self.spans[-1][0] >= self.length:
                    self.spans.pop()

    def add_line(self, text: str, line: int) -> None:
        """A new visual line of wrapped text: joined to the last one with a space."""
        frag = clean_fragment(text).strip()
        if not frag:
            return
        if self.parts:
            tail = self.tail(3)
            self.strip_tail()
            # "2023-" + "2024" is one word broken at its hyphen
            if not _BROKEN_AT_HYPHEN_RE.search(tail.rstrip()):
                self._put(" ", self.spans[-1][1] if self.spans else line)
        self._put(frag, line)

    def add_glued(self, text: str, line: int, *, space: bool = False) -> None:
        """More of the same visual line (after a footnote marker or a superscript)."""
        frag = clean_fragment(text)
        lead = frag[:1] == " " or space
        frag = frag.strip()
        if not frag:
            if lead and self.parts:
                self.pending_space = True
            return
        if self.pending_space:
            lead = True
            self.pending_space = False
        if self.parts:
            self.strip_tail()
            if lead:
                self._put(" ", self.spans[-1][1])
        self._put(frag, line)

    def add_raw(self, text: str, line: int) -> None:
        self._put(text, line)

    def add_ref(self, marker: str) -> None:
        self.strip_tail()
        self.refs.append(FootnoteRef(marker=marker, offset=self.length))

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def build(self, kind: Kind | None = None) -> Paragraph | None:
        self.strip_tail()
        text = self.text
        if not text.strip() or not self.spans:
            return None
        n = len(text)
        refs = tuple(FootnoteRef(r.marker, min(r.offset, n)) for r in self.refs)
        return Paragraph(
            text=text,
            kind=kind or self.kind,
            page=self.page,
            spans=tuple(self.spans),
            refs=refs,
            marker=self.marker,
        )


_HEAD_NUM = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVXLC]{1,6}\.|[A-ZĐ]\.|[a-zđ]\))\s+\S")
_HEAD_PART = re.compile(r"^(?:Phần|PHẦN|Chương|CHƯƠNG|Mục|MỤC)\s+(?:[IVXLC]+|\d+)\b")
BLOCK_START = re.compile(
    r"^(?:Phần\s+[IVXLC\d]+\b|PHẦN\s+|[IVXLC]{1,6}\.\s|[A-ZĐ]\.\s|\d{1,2}(?:\.\d{1,2})*\.?\s"
    r"|[a-zđ]\)\s|[-–+•*]\s)"
)
_SENTENCE_INSIDE = re.compile(r"[.!?]\s+[A-ZĐÀ-Ỹ]")


def _all_capitals(t: str) -> bool:
    """At least four letters, all capitals (stops at the first small letter)."""
    letters = 0
    for c in t:
        if c.isalpha():
            if not c.isupper():
                return False
            letters += 1
    return letters >= 4


def looks_like_heading(text: str, *, bold: bool = False) -> bool:
    """Section titles: "Phần I", "I. LĨNH VỰC KINH TẾ", "1.1. Sản xuất…", "a) …", an all-caps line."""
    t = text.strip()
    if not t or len(t) > 200:
        return False
    if _HEAD_PART.match(t) and len(t) <= 120:
        return True
    if len(t) <= 160 and _all_capitals(t):
        return True
    if _HEAD_NUM.match(t):
        body = _HEAD_NUM.sub("", t, count=1)
        if t.endswith((".", ";", ",")) and not t.endswith("./."):
            return False
        if _SENTENCE_INSIDE.search(body):
            return False
        limit = 120 if re.match(r"^[a-zđ]\)", t) else 200
        return len(t) <= limit
    if bold and len(t) <= 160 and not t.endswith((".", ";", ",")):
        return True
    return False


def split_markers(value: str, expected: int) -> list[str]:
    """ "78" where 7 is expected next is the markers 7 and 8 printed together."""
    if str(expected) == value or not value.isdigit():
        return [value]
    out: list[str] = []
    rest, n = value, expected
    while rest and rest.startswith(str(n)):
        out.append(str(n))
        rest = rest[len(str(n)) :]
        n += 1
    if not rest and len(out) > 1:
        return out
    return [str(int(value))] if value.isdigit() else [value]


def remove_span(par: Paragraph, start: int, end: int, marker: str) -> Paragraph:
    """Cut text[start:end] (a marker glued into a word) and put a FootnoteRef there."""
    d = end - start
    text = par.text[:start] + par.text[end:]
    spans = tuple((o if o <= start else o - d, line) for o, line in par.spans)
    refs = [FootnoteRef(r.marker, r.offset if r.offset <= start else r.offset - d) for r in par.refs]
    refs.append(FootnoteRef(marker, start))
    refs.sort(key=lambda r: r.offset)
    return Paragraph(text, par.kind, par.page, spans, tuple(refs), par.marker)


def link_glued_markers(
    paras: list[Paragraph], warnings: list[str], *, years: bool = False
) -> list[Paragraph]:
    """Footnotes nobody cites: look for their number glued to the word before ("đề ra4.").

    With ``years`` (OCR), also a marker glued to a year ("20221" for "2022" and marker 1),
    the way Tesseract reads a raised digit after a number.
    """
    cited: dict[str, tuple[int, int]] = {}
    for pi, p in enumerate(paras):
        for r in p.refs:
            cited.setdefault(r.marker, (pi, r.offset))
    notes = [p.marker for p in paras if p.kind is Kind.FOOTNOTE and p.marker]
    for marker in notes:
        if marker in cited or not marker.isdigit():
            continue
        n = int(marker)
        lo = max((v for k, v in cited.items() if k.isdigit() and int(k) < n), default=(0, 0))
        hi = min((v for k, v in cited.items() if k.isdigit() and int(k) > n), default=(len(paras), 0))
        after = r"(?=[\s.,;:)]|$)"
        pats = [re.compile(rf"(?<=[a-zà-ỹđ]){n}{after}")]
        if years:
            pats.append(re.compile(rf"(?<=\b(?:19|20)\d\d){n}{after}"))
        found = False
        for pi in range(lo[0], min(hi[0] + 1, len(paras))):
            p = paras[pi]
            if p.kind is Kind.FOOTNOTE:
                continue
            start = lo[1] if pi == lo[0] else 0
            end = hi[1] if pi == hi[0] else len(p.text)
            for pat in pats:
                m = pat.search(p.text, start, end)
                if m and not re.search(r"(?:^|\W)(?:k|c|d|h)?m$", p.text[max(0, m.start() - 3) : m.start()]):
                    paras[pi] = remove_span(p, m.start(), m.end(), marker)
                    cited[marker] = (pi, m.start())
                    found = True
                    break
            if found:
                break
        if not found:
            warnings.append(f"Không tìm thấy chỗ đặt chú thích số {marker} trong thân bài.")
    for marker in sorted(set(cited) - set(notes), key=lambda s: (len(s), s)):
        warnings.append(f"Số chú thích {marker} trong thân bài không có nội dung chú thích.")
    return paras
