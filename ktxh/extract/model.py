"""The text model every reader produces, and the facts extraction finds in it.

No Django here. Readers (``ktxh.extract.readers``) turn a .txt, .docx, text PDF or
scanned PDF into one :class:`Document`; extraction (``ktxh.extract.facts``) turns a
Document into :class:`Fact` s; the checker (``ktxh.extract.checker``) turns facts into
findings.

Line numbers
    Every paragraph keeps the source line of each piece of its text (``spans``), so a
    fact or a finding can name the line a user sees: for .txt the line in the file; for
    .docx the paragraph's ordinal among all paragraphs, table cells and footnotes as
    they are read (1-based); for PDFs the line counted through the whole document.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Kind(StrEnum):
    BODY = "body"
    HEADING = "heading"
    TABLE = "table"  # one table row; cells joined with " | "
    FOOTNOTE = "footnote"


@dataclass(frozen=True)
class FootnoteRef:
    """A footnote marker in the body: ``offset`` is where it sat in ``Paragraph.text``."""

    marker: str
    offset: int


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: Kind
    page: int | None
    # (char offset in text, source line) pairs, sorted by offset; the first is (0, first line)
    spans: tuple[tuple[int, int], ...]
    refs: tuple[FootnoteRef, ...] = ()
    marker: str | None = None  # for a footnote: its number

    @property
    def line(self) -> int:
        return self.spans[0][1]

    def line_at(self, offset: int) -> int:
        """The source line holding character ``offset`` of ``text``."""
        i = bisect.bisect_right([s[0] for s in self.spans], offset) - 1
        return self.spans[max(i, 0)][1]


@dataclass
class Document:
    path: str
    format: str  # "txt" | "docx" | "pdf" | "pdf-ocr"
    paragraphs: list[Paragraph]
    pages: int = 1
    warnings: list[str] = field(default_factory=list)

    def body(self) -> list[Paragraph]:
        return [p for p in self.paragraphs if p.kind is not Kind.FOOTNOTE]

    def footnotes(self) -> dict[str, Paragraph]:
        return {p.marker: p for p in self.paragraphs if p.kind is Kind.FOOTNOTE and p.marker}


class ReadError(Exception):
    """The file cannot be read: the message says why in Vietnamese (exit code 2)."""


# What a number is, in the sentence it sits in. Gold set, extractor and checker share these.
ROLES: dict[str, str] = {
    "value": "the subject's quantity for the period reported (ước, thực hiện, đạt …)",
    "part": "a component: 'trong đó' sub-item, an item of 'gồm: A 10 ha, B 4 ha', a footnote breakdown item",
    "plan": "a plan or budget estimate stated as an amount (KH 41.000 tấn, dự toán 120 tỷ đồng)",
    "target": "a target for a later period (Part II, next year, the 5-year term), incl. 'trở lên', 'không quá'",
    "prior": "a previous period's value stated for comparison (cùng kỳ 12.000 tấn, năm 2022 là …)",
    "pct_plan": "% of plan (đạt 103,4% kế hoạch / KH / chỉ tiêu)",
    "pct_budget": "% of budget estimate (đạt 120% dự toán)",
    "pct_change": "% change against a base (tăng 5,2% so với cùng kỳ / năm 2022)",
    "pp_change": "change in percentage points (giảm 0,5 điểm phần trăm)",
    "share": "any other percentage: a rate or share (tỷ lệ hộ nghèo 2,1%, chiếm 45%)",
    "count_of": "x in 'x/y' (20 in 'đạt 20/21 chỉ tiêu')",
    "count_total": "y in 'x/y'",
    "range_low": "lower bound of a range (41.000 in 'KH 41.000-42.000 tấn', 8 in 'tăng 8-9%')",
    "range_high": "upper bound of a range",
    "rank": "a rank (xếp thứ 3, đứng thứ 5/12: 5 is rank, 12 is count_total)",
}


@dataclass(frozen=True)
class Fact:
    """One quantity found in a document."""

    line: int
    quote: str  # the words around the number, as written (≤ 200 chars)
    value: Decimal
    unit: str  # as written in Vietnamese, normalised spelling: "ha", "tấn", "tạ/ha", "tỷ đồng", "%", "hộ", ""
    role: str  # one of ROLES
    subject: str = ""  # the subject phrase ("diện tích gieo trồng lúa")
    indicator: str | None = None  # catalog code when the subject maps to one
    confidence: float = 0.0  # of the indicator mapping, 0–1
    qualifier: str = ""  # "ước" | "trên" | "khoảng" | "gần" | "dưới" | ""
    period: str | None = None  # period code when stated or implied ("2023", "2023S1", "2021-2025")
    org_unit: str | None = None  # commune / unit name when the fact is about one
    compared_to: str | None = None  # for pct_* and pp_change: "plan" | "budget" | "prior" | a period code
    decimals: int = 0  # decimals as printed ("103,4" -> 1), for rounding-aware checks
    paragraph: int = 0  # index of the paragraph in Document.paragraphs
    start: int = 0  # char offset of the number in the paragraph text
    end: int = 0
    group: str | None = None  # id shared by the facts of one list / x/y pair / range / footnote breakdown
    footnote: str | None = None  # the footnote marker when the fact sits in a footnote
    page: int | None = None
