"""The document checker: arithmetic slips in one report, found from its text alone.

``check(doc, facts)`` runs every check over the facts extracted from one document and
returns findings, first line first. One check per module (``_check_*.py``):

==================  ===========================================================
PARTS_SUM           list items, a parenthesised breakdown or a footnote vs the total
STATED_PCT          a printed % vs its two numbers (x/y, % of plan, % change, share)
YIELD_AREA_OUTPUT   yield × area vs output
UNIT_CONVERSION     one quantity in two units (m² and ha, triệu and tỷ đồng)
MAGNITUDE           one list item 10×, 100×, 1.000× its siblings
RESTATED            the same quantity stated differently in two places
PLAN_CLAIM          "vượt kế hoạch", "đạt x/y chỉ tiêu" vs the numbers
==================  ===========================================================

Then the catalog's relations (shipped rule files) run over the facts mapped to indicators
(``_check_engine``): warnings only, under the same codes, where the text did not already
explain the slip.

Every comparison is rounding-aware (the engine's interval arithmetic): a figure printed with
one decimal stands for its half-unit interval, a percentage may also have been truncated.
Severity: ``error`` only when the arithmetic is certainly wrong and the pairing certain;
``warning`` when the pairing was inferred; ``info`` for a question worth asking.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from . import (
    _check_engine,
    _check_magnitude,
    _check_parts,
    _check_pct,
    _check_plan_claim,
    _check_restated,
    _check_units,
    _check_yield,
)
from ._check_common import Ctx, Finding, Severity
from .model import Document, Fact

__all__ = ["CHECKS", "CODES", "Finding", "Severity", "check", "summary"]

Check = Callable[[Ctx], Iterable[Finding]]

CHECKS: tuple[tuple[str, Check], ...] = (
    (_check_parts.CODE, _check_parts.run),
    (_check_pct.CODE, _check_pct.run),
    (_check_yield.CODE, _check_yield.run),
    (_check_units.CODE, _check_units.run),
    (_check_magnitude.CODE, _check_magnitude.run),
    (_check_restated.CODE, _check_restated.run),
    (_check_plan_claim.CODE, _check_plan_claim.run),
)
# the catalog's relations over mapped facts: reported under the codes above, after them
CATALOG_CHECK: Check = _check_engine.run
CODES = tuple(code for code, _run in CHECKS)

TITLES = {
    "PARTS_SUM": "Tổng các thành phần khớp với số tổng",
    "STATED_PCT": "Tỷ lệ nêu trong văn bản khớp với số liệu",
    "YIELD_AREA_OUTPUT": "Năng suất × diện tích khớp với sản lượng",
    "UNIT_CONVERSION": "Số liệu quy đổi đơn vị khớp nhau",
    "MAGNITUDE": "Số liệu có thể sai hàng đơn vị",
    "RESTATED": "Cùng một số liệu nêu hai lần phải khớp nhau",
    "PLAN_CLAIM": "Nhận định đạt, vượt kế hoạch khớp với số liệu",
}
_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def check(doc: Document, facts: Sequence[Fact]) -> list[Finding]:
    """Every finding of every check over one document's facts, in reading order."""
    ctx = Ctx(doc, facts)
    found: list[Finding] = []
    seen: set[tuple[str, tuple[int, ...], str | None, str | None]] = set()
    for _code, run in CHECKS:
        for f in run(ctx):
            key = (f.code, f.lines, f.stated, f.expected)
            if key in seen:
                continue
            seen.add(key)
            found.append(f)
    covered = {(f.code, n) for f in found for n in f.lines}
    for f in CATALOG_CHECK(ctx):
        # the text already explained this slip (its own pairing is the surer one)
        if not any((f.code, n) in covered for n in f.lines):
            found.append(f)
    return sorted(found, key=lambda f: (f.lines[0] if f.lines else 0, _ORDER[f.severity], f.code))


def summary(findings: Sequence[Finding]) -> str:
    """ "2 lỗi, 1 cảnh báo, 0 lưu ý" """
    n = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    return f"{n[Severity.ERROR]} lỗi, {n[Severity.WARNING]} cảnh báo, {n[Severity.INFO]} lưu ý"
