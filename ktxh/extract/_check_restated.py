"""RESTATED: the same quantity stated in two places agrees.

Two facts are the same quantity when they map to the same indicator, for the same period,
org unit, role and comparison base (and are not items of one list). They must agree after
unit conversion, within the rounding of both. An error when both mappings are confident
and the subjects read the same; otherwise a warning (the mapping may be the slip).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from ._check_common import (
    Ctx,
    Finding,
    Severity,
    comparable,
    dec,
    disagree,
    fact_cells,
    fact_shown,
    lines_of,
    quote_of,
    shown,
)
from .model import Fact

CODE = "RESTATED"
CONFIDENT = 0.8
_ROLES = ("value", "plan", "target", "prior")


def _subject(f: Fact) -> str:
    s = unicodedata.normalize("NFC", f.subject).lower()
    s = re.sub(r"\b(ước|thực hiện|đạt|tổng|là|được)\b", " ", s)
    return " ".join(re.findall(r"\w+", s))


def run(ctx: Ctx) -> Iterator[Finding]:
    cells: dict[tuple[str, str, str, str, str, str], list[Fact]] = {}
    for f in ctx.facts:
        if not f.indicator or f.role not in _ROLES or f.confidence < 0.5:
            continue
        key = (f.indicator, f.period or "", f.org_unit or "", f.role, f.compared_to or "", _bound(f))
        cells.setdefault(key, []).append(f)
    for facts in cells.values():
        reported: set[int] = set()
        for i, a in enumerate(facts):
            for b in facts[i + 1 :]:
                if id(b) in reported or (a.group and a.group == b.group) or a.paragraph == b.paragraph:
                    continue
                if not _subject(a) or _subject(a) != _subject(b):
                    continue  # the mapping alone is too weak a proof that it is one quantity
                k = comparable(a, b)
                if k is None:
                    continue
                if not disagree(fact_cells(b), fact_cells(a, k), truncation=True):
                    continue
                reported.add(id(b))
                sure = min(a.confidence, b.confidence) >= CONFIDENT
                expected = dec(float(a.value * k), max(b.decimals, 0))
                name = a.subject.strip() or a.indicator or ""
                yield Finding(
                    code=CODE,
                    severity=Severity.ERROR if sure else Severity.WARNING,
                    message=(
                        f"«{name}» ghi {fact_shown(a)} ở dòng {a.line} nhưng {fact_shown(b)} "
                        f"ở dòng {b.line}: cùng một số liệu nêu hai lần phải khớp nhau."
                    ),
                    lines=lines_of([a, b]),
                    quote=quote_of([b], ctx.where),
                    stated=fact_shown(b),
                    expected=shown(expected, b.unit),
                    suggestion=None,
                    facts=(a, b),
                )


def _bound(f: Fact) -> str:
    """A lower bound and an estimate are different statements of a quantity."""
    return "bound" if f.qualifier in ("trên", "dưới", "khoảng", "gần", "hơn") else ""
