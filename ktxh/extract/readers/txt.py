"""Plain text, in particular the text dump of a PDF report.

Such a dump (the seed is one) has a shape of its own, and these rules follow that shape
rather than any particular lines:

* every text line is followed by a blank line; blank lines therefore carry no meaning;
* a footnote marker sits alone on the line right after the text it follows ("…năm 2022",
  "1", ". Năng suất…"): the text after it continues the same printed line. Two markers
  printed together come out as one number ("78" for 7 and 8); some carry brackets ("(23)");
  a few are glued to the word before them ("đề ra4."), found afterwards by their number;
* a superscript is a digit alone on a line after a unit ("135.364 m", "3" → m³);
* the footnotes of a page follow its body after a line made of spaces; each starts with its
  number alone on a line (a few have lost it and start with two spaces), and the next
  page's body starts with a line that begins with one space right after a text line;
* page numbers stand alone on a line with blank lines around them; link residue such as
  "javascript:void(0)" is dropped.

Paragraphs are rebuilt from the printed lines: a short line ending a sentence, or a line
followed by a heading or a list item, ends a paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..model import Document, Kind, Paragraph
from ._common import (
    BLOCK_START,
    SUPERSCRIPT_HOST,
    ParaBuilder,
    link_glued_markers,
    looks_like_heading,
    power,
    split_markers,
)

_NUM = re.compile(r"^\s*\(?(\d{1,3})\)?(\s*)$")
_JUNK = re.compile(r"^\s*(?:javascript:|about:blank|file:///)", re.IGNORECASE)
_TERMINAL = (".", ":", "!", "?", "…", '."', ".”", ".)")
_GLUE_START = re.compile(r"^\s*[.,;:)\]]")
_LETTERS = re.compile(r"[^\W\d_]")
_PART = re.compile(r"^(?:Phần|PHẦN|Chương|CHƯƠNG)\s+(?:[IVXLC]+|\d+)\s*$")
_UPPER = re.compile(r"[A-ZÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ]")

BLANK, SPACES, JUNK, NUM, TEXT = range(5)


def _kind(line: str) -> int:
    if not line.strip():
        return SPACES if len(line) >= 4 else BLANK
    if _JUNK.match(line):
        return JUNK
    if _NUM.match(line):
        return NUM
    return TEXT


def _width(lines: list[str], kinds: list[int]) -> float:
    lengths = sorted(len(s.strip()) for s, k in zip(lines, kinds, strict=True) if k == TEXT)
    lengths = [n for n in lengths if n >= 20] or lengths or [80]
    return float(lengths[int(len(lengths) * 0.8) - 1 if len(lengths) > 1 else 0])


def _all_caps(text: str) -> bool:
    if text != text.upper():  # any small letter: a quick no
        return False
    return len(_LETTERS.findall(text)) >= 12


class _Reader:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.kinds = [_kind(s) for s in lines]
        self.width = _width(lines, self.kinds)
        # a PDF dump puts a blank line after nearly every line; elsewhere a blank line ends a paragraph
        texts = [i for i, k in enumerate(self.kinds) if k == TEXT]
        spaced = sum(1 for i in texts if i + 1 < len(lines) - 1 and self.kinds[i + 1] == BLANK)
        self.dump = len(texts) > 0 and spaced > 0.7 * len(texts)
        self.blank_seen = False
        self.order: list[ParaBuilder] = []  # every paragraph, in the order it started
        self.footnotes: dict[str, ParaBuilder] = {}
        self.cur: ParaBuilder | None = None  # body paragraph being built
        self.fn: ParaBuilder | None = None  # footnote being built
        self.last_fn: ParaBuilder | None = None
        self.zone = False
        self.glue = False
        self.glue_space = False
        self.vis_len = 0  # length of the current printed line of the body paragraph
        self.vis_text = ""
        self.cur_lines = 0  # printed lines in the current body paragraph
        self.page = 1
        self.expected = 1  # next footnote marker expected in the body
        self.last_marker = 0  # last footnote number seen in a footnote zone
        self.warnings: list[str] = []

    # -- helpers ---------------------------------------------------------------
    def _prev_kind(self, i: int) -> int:
        return self.kinds[i - 1] if i > 0 else BLANK

    def _next_nonblank(self, i: int) -> int | None:
        j = i + 1
        while j < len(self.lines) and self.kinds[j] in (BLANK, SPACES):
            j += 1
        return j if j < len(self.lines) else None

    def _new_body(self, line: int) -> ParaBuilder:
        b = ParaBuilder(Kind.BODY, self.page)
        self.order.append(b)
        self.cur = b
        self.cur_lines = 0
        return b

    def _new_footnote(self, marker: str) -> ParaBuilder:
        b = ParaBuilder(Kind.FOOTNOTE, self.page, marker=marker)
        if marker in self.footnotes:
            self.warnings.append(f"Chú thích số {marker} xuất hiện hai lần; giữ cả hai.")
        else:
            self.footnotes[marker] = b
        self.order.append(b)
        self.fn = self.last_fn = b
        if marker.isdigit():
            self.last_marker = int(marker)
        return b

    def _breaks(self, text: str) -> bool:
        """Does the printed line ``text`` start a new paragraph after the current one?"""
        prev = self.vis_text.rstrip()
        nxt = text.strip()
        if not prev:
            return False
        if not self.dump:
            if self.blank_seen:
                return True
            if prev.endswith(_TERMINAL) and (nxt[:1].isupper() or BLOCK_START.match(nxt)):
                return True
        short = self.vis_len < 0.8 * self.width
        block = bool(BLOCK_START.match(nxt))
        if prev.endswith("./.") or (prev.endswith(_TERMINAL) and (short or block)):
            return True
        if prev.endswith(";") and block:
            return True
        first = nxt[:1]
        if short and block:
            return True
        if _PART.match(nxt) or _all_caps(nxt) and not _all_caps(prev):
            return True  # "Phần II", "NHIỆM VỤ NĂM 2024": a title starts here
        # a short line without a full stop: a title, unless it is a wrapped line cut short
        # by wide capitals ("… xây dựng lực lượng" + "PCTT&TKCN năm 2023")
        if not (first.isupper() or first in '“"('):
            return False
        if self.vis_len < 0.6 * self.width:
            return True
        if short and self.cur is not None and self.cur_lines == 1 and BLOCK_START.match(self.cur.parts[0]):
            return True  # a numbered title on one line: "4. Lao động, việc làm …"
        letters = len(_LETTERS.findall(prev))
        return letters > 0 and len(_UPPER.findall(prev)) > 0.6 * letters

    def _superscript(self, b: ParaBuilder | None, value: str, i: int) -> bool:
        return b is not None and value in ("2", "3") and bool(SUPERSCRIPT_HOST.search(b.tail()))

    # -- the pass --------------------------------------------------------------
    def run(self) -> None:
        for i, raw in enumerate(self.lines):
            kind = self.kinds[i]
            line = i + 1
            if kind == BLANK or kind == JUNK:
                self.blank_seen = self.blank_seen or kind == BLANK
                continue
            if kind == SPACES:
                self._spaces(i, raw)
            elif kind == NUM:
                self._number(i, raw, line)
            elif self.zone:
                self._zone_text(i, raw, line)
            else:
                self._body_text(i, raw, line)

    def _spaces(self, i: int, raw: str) -> None:
        if self.zone:
            self.fn = None if len(raw) >= 20 else self.fn
            self.glue = False
            return
        nxt = self._next_nonblank(i)
        if len(raw) >= 20 or (nxt is not None and self.kinds[nxt] == NUM):
            self.zone = True
            self.fn = None
            self.glue = False

    def _number(self, i: int, raw: str, line: int) -> None:
        m = _NUM.match(raw)
        assert m is not None
        value, trailing = m.group(1), bool(m.group(2))
        attached = self._prev_kind(i) in (TEXT, NUM)
        host = self.fn if self.zone else self.cur
        if self._superscript(host, value, i):
            assert host is not None
            host.strip_tail()
            host.add_raw(power(value), line)
            self.glue, self.glue_space = True, trailing
            if not self.zone:
                self.vis_text += power(value)
                self.vis_len += 1
            return
        if self.zone:
            self._new_footnote(str(int(value)))
            self.glue = False
            return
        if not attached:
            nxt = self._next_nonblank(i)
            follows = nxt is not None and self.kinds[nxt] == TEXT and _GLUE_START.match(self.lines[nxt])
            if not (int(value) == self.expected and follows and self.cur is not None):
                self._page_number(int(value))
                return
        if self.cur is None:
            self._page_number(int(value))
            return
        for marker in split_markers(value, self.expected):
            self.cur.add_ref(marker)
            if marker.isdigit():
                self.expected = int(marker) + 1
        self.glue, self.glue_space = True, trailing

    def _page_number(self, value: int) -> None:
        if value == self.page + 1:
            self.page = value

    def _body_text(self, i: int, raw: str, line: int) -> None:
        if self.glue and self.cur is not None:
            self.glue = False
            before = self.cur.tail(2).rstrip()
            # a marker after a finished sentence, then a new line: not the same printed line
            if not (before.endswith(_TERMINAL) and not raw[:1].isspace() and not _GLUE_START.match(raw)):
                self.cur.add_glued(raw, line, space=self.glue_space)
                self.vis_text += raw
                self.vis_len += len(raw.strip())
                return
        if raw.startswith(" ") and not raw.startswith("  ") and self._prev_kind(i) in (TEXT, JUNK):
            self.page += 1  # a new page starts right after the last line of the one before
        if self.cur is None or self._breaks(raw):
            self.cur = self._new_body(line)
        self.blank_seen = False
        self.cur.add_line(raw, line)
        self.cur_lines += 1
        self.vis_text = raw
        self.vis_len = len(raw.strip())

    def _zone_text(self, i: int, raw: str, line: int) -> None:
        prev = self._prev_kind(i)
        if raw.startswith(" ") and not raw.startswith("  ") and prev in (TEXT, JUNK):
            # the next page's body
            self.zone = False
            self.fn = None
            self.glue = False
            self.page += 1
            if self.cur is None or self._breaks(raw):
                self.cur = self._new_body(line)
            self.cur.add_line(raw, line)
            self.cur_lines += 1
            self.vis_text = raw
            self.vis_len = len(raw.strip())
            return
        if self.glue and self.fn is not None:
            self.glue = False
            self.fn.add_glued(raw, line, space=self.glue_space)
            return
        if raw.startswith("  ") and prev == TEXT and raw[2:3] != " ":
            marker = str(self.last_marker + 1)
            self.warnings.append(f"Dòng {line}: chú thích không có số; coi là chú thích {marker}.")
            self._new_footnote(marker).add_line(raw, line)
            return
        if self.fn is None:
            if self.last_fn is None:
                self._new_footnote(str(self.last_marker + 1))
            else:
                self.fn = self.last_fn  # a footnote carried over from the page before
        assert self.fn is not None
        self.fn.add_line(raw, line)

    # -- the result ------------------------------------------------------------
    def paragraphs(self) -> list[Paragraph]:
        out: list[Paragraph] = []
        for b in self.order:
            p = b.build()
            if p is None:
                continue
            if p.kind is Kind.BODY and looks_like_heading(p.text):
                p = b.build(Kind.HEADING)
                assert p is not None
            out.append(p)
        return link_glued_markers(out, self.warnings)


def read_text(text: str, path: str, *, progress: Callable[[int, int], None] | None = None) -> Document:
    """A Document from the decoded text of a .txt file; line numbers are the file's lines."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    reader = _Reader(lines)
    reader.run()
    paras = reader.paragraphs()
    if progress is not None:
        progress(1, 1)
    return Document(path=path, format="txt", paragraphs=paras, pages=reader.page, warnings=reader.warnings)
