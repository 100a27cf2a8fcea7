"""What the document checks share: the finding type, a fact's rounding interval, unit factors,
and where a fact sits in its paragraph (sentence, parentheses, the words just before it).

The arithmetic is the rule engine's: a fact is an interval (``ktxh.core.cube.Cells``) as wide
as its printed precision and qualifier, and two numbers disagree only when no rounding of
either reconciles them (``ktxh.core.rules.intervals``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

import numpy as np

from ktxh.core.cube import QUALIFIER_SPAN, Cells
from ktxh.core.errors import UnitError
from ktxh.core.numbers import format_vi, half_unit
from ktxh.core.rules import Severity
from ktxh.core.rules.intervals import allow_truncation, differ, exceeds
from ktxh.core.rules.model import with_unit
from ktxh.core.types import Qualifier
from ktxh.core.units import UnitRegistry, load_units

from .model import Document, Fact, Kind

__all__ = ["Finding", "Severity"]

PERCENT_ROLES = frozenset({"pct_plan", "pct_budget", "pct_change", "pp_change", "share"})
AMOUNT_ROLES = frozenset({"value", "part", "plan", "target", "prior", "count_of", "count_total"})


@dataclass(frozen=True)
class Finding:
    """One slip (or question) the checker found in a document.

    ``code`` is stable (PARTS_SUM, STATED_PCT, …); ``stated`` and ``expected`` are shown the
    Vietnamese way ("14.739 ha", "103,4%") or None; ``lines`` are the source lines involved.
    """

    code: str
    severity: Severity
    message: str
    lines: tuple[int, ...]
    quote: str
    stated: str | None = None
    expected: str | None = None
    suggestion: str | None = None
    facts: tuple[Fact, ...] = field(default=(), compare=False, repr=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "lines": list(self.lines),
            "quote": self.quote,
            "stated": self.stated,
            "expected": self.expected,
            "suggestion": self.suggestion,
        }


# -- numbers ---------------------------------------------------------------------------------

_QUALIFIERS = {
    "trên": Qualifier.OVER,
    "hơn": Qualifier.OVER,
    "dưới": Qualifier.UNDER,
    "khoảng": Qualifier.ABOUT,
    "gần": Qualifier.NEARLY,
}


def cells(x: Decimal, decimals: int, qualifier: str = "") -> Cells:
    """The interval a printed number stands for: ± half its last digit, widened by its qualifier."""
    v = float(x)
    h = float(half_unit(decimals))  # negative decimals: rounded to tens, hundreds, …
    below, above = QUALIFIER_SPAN.get(_QUALIFIERS.get(qualifier.strip().lower(), Qualifier.NONE), (0.0, 0.0))
    lo = v - h - (below * abs(v) if below != np.inf else np.inf)
    hi = v + h + (above * abs(v) if above != np.inf else np.inf)
    return Cells(np.array(v), np.array(lo), np.array(hi))


def fact_cells(f: Fact, factor: Decimal = Decimal(1)) -> Cells:
    """A fact's interval, in another unit when ``factor`` converts it.

    A whole count ("855 hồ sơ", "17 xã") is exact: nobody rounds a count of files to units.
    """
    if f.decimals == 0 and not f.qualifier.strip() and is_count(f.unit) and f.value == f.value.to_integral():
        digits = str(abs(int(f.value)))
        zeros = len(digits) - len(digits.rstrip("0"))
        # "1.107.000 con" is plainly rounded to thousands; "855 hồ sơ" is not
        c = cells(f.value, -zeros) if zeros >= 3 and f.value != 0 else exact(float(f.value))
    else:
        c = cells(f.value, f.decimals, f.qualifier)
    return c.scale(float(factor)) if factor != 1 else c


def exact(x: float) -> Cells:
    return Cells.exact(np.array(x))


def disagree(a: Cells, b: Cells, *, truncation: bool = False, tol_rel: float = 0.0) -> bool:
    """No rounding (nor, with ``truncation``, cutting off) of ``a`` reconciles it with ``b``."""
    return bool(differ(allow_truncation(a) if truncation else a, b, 0.0, tol_rel))


def more_than(a: Cells, b: Cells) -> bool:
    """``a`` is certainly greater than ``b``."""
    return bool(exceeds(a, b))


def sum_cells(items: Iterable[Cells]) -> Cells:
    total = exact(0.0)
    for c in items:
        total = total + c
    return total


def dec(x: float, decimals: int) -> Decimal:
    """A float result for people, with ``decimals`` places."""
    return Decimal(repr(round(float(x), decimals)))


def shown(x: Decimal, unit: str = "", decimals: int | None = None) -> str:
    """ "14.739 ha", "103,4%": Vietnamese format with the unit as written."""
    return with_unit(format_vi(x, decimals), unit)


def fact_shown(f: Fact) -> str:
    return shown(f.value, f.unit, f.decimals)


def signed(f: Fact, text: str) -> Decimal:
    """A change read with its direction: "giảm 1,5%" is −1,5 (the extractor may keep 1,5)."""
    if f.value < 0:
        return f.value
    before = text[max(0, f.start - 20) : f.start].lower()
    words = re.findall(r"tăng|giảm|thấp hơn|cao hơn|ít hơn|nhiều hơn", before)
    if words and words[-1] in ("giảm", "thấp hơn", "ít hơn"):
        return -f.value
    return f.value


# -- units -----------------------------------------------------------------------------------

_ALIASES = {
    "m2": "m²",
    "km2": "km²",
    "m3": "m³",
    "tỷ": "tỷ đồng",
    "tỷđ": "tỷ đồng",
    "tỷ đ": "tỷ đồng",
    "tỉ đồng": "tỷ đồng",
    "triệu": "triệu đồng",
    "trđ": "triệu đồng",
    "tr.đ": "triệu đồng",
    "triệu đ": "triệu đồng",
    "đ": "đồng",
    "ha.": "ha",
    "hécta": "ha",
}


@lru_cache(maxsize=1)
def units() -> UnitRegistry:
    return load_units()


def norm_unit(unit: str) -> str:
    u = unicodedata.normalize("NFC", unit).strip().lower()
    return _ALIASES.get(u, u)


def dimension(unit: str) -> tuple[str, Decimal] | None:
    u = norm_unit(unit)
    if not u:
        return None
    try:
        found = units().by_symbol(u)
    except UnitError:
        return None
    return found.dimension, found.factor


def factor(from_unit: str, to_unit: str) -> Decimal | None:
    """How many ``to_unit`` one ``from_unit`` is (m² → ha: 0,0001); None when they do not convert."""
    a, b = norm_unit(from_unit), norm_unit(to_unit)
    if a == b:
        return Decimal(1)
    da, db = dimension(a), dimension(b)
    if da is None or db is None or da[0] != db[0]:
        return None
    return da[1] / db[1]


def is_count(unit: str) -> bool:
    """A count noun (hộ, hồ sơ, trường hợp …), or a noun the unit list does not know."""
    u = norm_unit(unit)
    if not u or u == "%":
        return False
    d = dimension(u)
    return d is None or d[0].startswith("count:")


def comparable(a: Fact, b: Fact, *, counts_loose: bool = False) -> Decimal | None:
    """The factor from ``a``'s unit to ``b``'s, when the two measure the same kind of thing.

    With ``counts_loose`` any two count nouns compare 1:1 ("382 hồ sơ" gồm "310 trường hợp …").
    """
    f = factor(a.unit, b.unit)
    if f is not None:
        return f
    if counts_loose and is_count(a.unit) and is_count(b.unit):
        return Decimal(1)
    return None


# -- where a fact sits -------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.;!?](?=\s)|\n\s*\n")


class Where:
    """Positions in the document's paragraphs: sentences, parentheses, text between facts."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self._breaks: dict[int, list[int]] = {}

    def text(self, f: Fact) -> str:
        if 0 <= f.paragraph < len(self.doc.paragraphs):
            return self.doc.paragraphs[f.paragraph].text
        return f.quote

    def kind(self, f: Fact) -> Kind | None:
        if 0 <= f.paragraph < len(self.doc.paragraphs):
            return self.doc.paragraphs[f.paragraph].kind
        return None

    def _sentence_breaks(self, p: int) -> list[int]:
        if p not in self._breaks:
            text = self.doc.paragraphs[p].text if 0 <= p < len(self.doc.paragraphs) else ""
            self._breaks[p] = [m.start() for m in _SENTENCE_END.finditer(text)]
        return self._breaks[p]

    def sentence(self, f: Fact) -> tuple[int, int]:
        """(paragraph, sentence number) of a fact."""
        breaks = self._sentence_breaks(f.paragraph)
        return f.paragraph, sum(1 for b in breaks if b < f.start)

    def same_sentence(self, a: Fact, b: Fact) -> bool:
        return self.sentence(a) == self.sentence(b)

    def between(self, a: Fact, b: Fact) -> str:
        """The text from the end of ``a`` to the start of ``b`` (same paragraph), else ""."""
        if a.paragraph != b.paragraph or b.start < a.end:
            return ""
        return self.text(a)[a.end : b.start]

    def before(self, f: Fact, n: int = 40) -> str:
        return self.text(f)[max(0, f.start - n) : f.start].lower()

    def after(self, f: Fact, n: int = 40) -> str:
        return self.text(f)[f.end : f.end + n].lower()

    def depth(self, f: Fact) -> int:
        """How many parentheses are open where the fact sits."""
        text = self.text(f)[: f.start]
        return max(0, text.count("(") - text.count(")"))


def lines_of(facts: Sequence[Fact]) -> tuple[int, ...]:
    return tuple(sorted({f.line for f in facts}))


_CLAUSE_END = re.compile(r"[.;!?](?=\s|$)")


def quote_of(facts: Sequence[Fact], where: Where, limit: int = 200) -> str:
    """The text a finding is about: the sentence(s) holding its facts when short enough, else a
    window around them cut at word boundaries; facts in several paragraphs give their quotes."""
    paragraphs = {f.paragraph for f in facts}
    if len(paragraphs) == 1 and facts:
        text = where.text(facts[0])
        start = min(f.start for f in facts)
        end = max(f.end for f in facts)
        if 0 <= start < end <= len(text):
            ends = [m.end() for m in _CLAUSE_END.finditer(text)]
            lo = max([e for e in ends if e <= start], default=0)
            hi = min([e for e in ends if e >= end], default=len(text))
            snippet = " ".join(text[lo:hi].split())
            if len(snippet) <= limit:
                return snippet
            lo = max(lo, start - 60)
            lo = text.rfind(" ", 0, lo + 1) + 1 if lo > 0 else 0
            hi = min(hi, end + 40)
            cut = text.find(" ", hi)
            hi = cut if cut != -1 else len(text)
            snippet = " ".join(text[lo:hi].split())
            return snippet if len(snippet) <= limit else snippet[: limit - 1] + "…"
    seen: list[str] = []
    for f in facts:
        q = " ".join(f.quote.split())
        if q and q not in seen:
            seen.append(q)
    joined = " … ".join(seen)
    return joined if len(joined) <= limit else joined[: limit - 1] + "…"


def label(f: Fact) -> str:
    """How a fact is named in a message: its subject or commune, else its number."""
    name = f.org_unit or f.subject
    return name.strip() if name and name.strip() else fact_shown(f)


_FULL_STOP = re.compile(r"\.(?=\s)|\n\s*\n")


class Ctx:
    """The document, its facts, and indexes the checks share."""

    def __init__(self, doc: Document, facts: Sequence[Fact]) -> None:
        self.doc = doc
        self.where = Where(doc)
        self.facts = sorted(facts, key=lambda f: (f.paragraph, f.start, f.line))
        self.groups: dict[str, list[Fact]] = {}
        self.by_paragraph: dict[int, list[Fact]] = {}
        for f in self.facts:
            if f.group:
                self.groups.setdefault(f.group, []).append(f)
            self.by_paragraph.setdefault(f.paragraph, []).append(f)
        self._stops: dict[int, list[int]] = {}
        self._notes: dict[str, list[Fact]]

    def statement(self, f: Fact) -> tuple[int, int]:
        """(paragraph, number of the full stop before it): a list may run over ";"."""
        if f.paragraph not in self._stops:
            self._stops[f.paragraph] = [m.start() for m in _FULL_STOP.finditer(self.where.text(f))]
        return f.paragraph, sum(1 for b in self._stops[f.paragraph] if b < f.start)

    def footnote_facts(self, marker: str) -> list[Fact]:
        """The facts of footnote ``marker`` (by the fact's own marker or the paragraph it sits in)."""
        if not hasattr(self, "_notes"):
            where = {
                i: p.marker for i, p in enumerate(self.doc.paragraphs) if p.kind is Kind.FOOTNOTE and p.marker
            }
            notes: dict[str, list[Fact]] = {}
            for f in self.facts:
                m = f.footnote or where.get(f.paragraph)
                if m:
                    notes.setdefault(m, []).append(f)
            self._notes = notes
        return list(self._notes.get(marker, []))


_CHANGE_BEFORE = re.compile(r"(?:tăng|giảm|thêm|bớt|hơn)\s*(?:thêm\s*)?(?:khoảng|gần|trên)?\s*$")


def is_change(f: Fact, where: Where) -> bool:
    """ "tăng 1.162 m³ so với …": an amount of change, not a quantity."""
    return bool(_CHANGE_BEFORE.search(where.before(f, 16))) or "so với" in where.after(f, 14)


def places(x: Decimal, at_least: int = 0) -> int:
    """Decimals a candidate correction carries: 0,996 → 3."""
    exp = x.normalize().as_tuple().exponent
    return max(at_least, -exp if isinstance(exp, int) else 0)
