"""Hand-made documents and facts for the checker tests.

``Doc`` builds a Document paragraph by paragraph (body text, footnotes with their markers,
references placed after a given text); ``Doc.fact`` finds a number in a paragraph and
returns the Fact an extractor would produce for it (value, decimals as printed, offsets,
line). ``gold_facts`` places the seed's hand-built gold rows in the seed's paragraphs the
same way, so the checker can be measured on the seed without any extractor.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from ktxh.core.numbers import parse_vi, printed_decimals
from ktxh.extract.model import Document, Fact, FootnoteRef, Kind, Paragraph

GOLD = Path(__file__).parent / "gold" / "thanh_mien_2023.csv"


class Doc:
    def __init__(self) -> None:
        self.paragraphs: list[Paragraph] = []
        self.line = 1

    def body(self, text: str, refs: dict[str, str] | None = None) -> int:
        """A body paragraph; ``refs`` maps a footnote marker to the text it follows."""
        found = tuple(FootnoteRef(m, text.index(after) + len(after)) for m, after in (refs or {}).items())
        return self._add(Paragraph(text, Kind.BODY, 1, ((0, self.line),), found))

    def footnote(self, marker: str, text: str) -> int:
        return self._add(Paragraph(text, Kind.FOOTNOTE, 1, ((0, self.line),), marker=marker))

    def _add(self, p: Paragraph) -> int:
        self.paragraphs.append(p)
        self.line += 2
        return len(self.paragraphs) - 1

    def doc(self) -> Document:
        return Document("test.txt", "txt", self.paragraphs)

    def fact(self, index: int, number: str, role: str, unit: str, nth: int = 0, **kw: Any) -> Fact:
        p = self.paragraphs[index]
        starts = [m.start() for m in re.finditer(rf"(?<![\d.,]){re.escape(number)}(?![\d]|,\d)", p.text)]
        start = starts[nth]
        value = parse_vi(number)
        decimals = len(number.split(",", 1)[1]) if "," in number else 0
        return Fact(
            line=p.line_at(start),
            quote=p.text[max(0, start - 30) : start + len(number) + 30],
            value=value,
            unit=unit,
            role=role,
            decimals=decimals,
            paragraph=index,
            start=start,
            end=start + len(number),
            footnote=p.marker if p.kind is Kind.FOOTNOTE else None,
            **kw,
        )


def _printed(value: str) -> list[str]:
    """How a gold value ("14739", "0.0302", "830.0") may be printed: "14.739", "0,0302", "830,0"."""
    d = Decimal(value)
    places = printed_decimals(value)
    whole, _, frac = f"{abs(d):.{places}f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    out = [grouped + ("," + frac if frac else "")]
    if grouped != whole:
        out.append(whole + ("," + frac if frac else ""))
    return out


def gold_facts(doc: Document) -> list[Fact]:
    """The seed's gold rows as facts placed in ``doc`` (rows that cannot be placed are left out)."""
    facts: list[Fact] = []
    taken: set[tuple[int, int]] = set()
    with GOLD.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            line = int(row["line"])
            for index, p in enumerate(doc.paragraphs):
                lines = [s[1] for s in p.spans]
                if line not in lines:
                    continue
                for shown in _printed(row["value"]):
                    pattern = rf"(?<![\d.,/])0*{re.escape(shown)}(?![\d]|,\d|/\d)"
                    hits = [m for m in re.finditer(pattern, p.text) if p.line_at(m.start()) == line]
                    hits = [m for m in hits if (index, m.start()) not in taken] or hits
                    if hits:
                        m = hits[0]
                        taken.add((index, m.start()))
                        facts.append(
                            Fact(
                                line=line,
                                quote=row["quote"],
                                value=Decimal(row["value"]),
                                unit=row["unit"],
                                role=row["role"],
                                decimals=printed_decimals(row["value"]),
                                paragraph=index,
                                start=m.start(),
                                end=m.end(),
                                footnote=p.marker if p.kind is Kind.FOOTNOTE else None,
                            )
                        )
                        break
                else:
                    continue
                break
    return facts
