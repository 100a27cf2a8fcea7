"""UNIT_CONVERSION: one quantity written twice in two units agrees after conversion.

"2.604.315,77 m² (trên 260,436 ha)", "1.250 triệu đồng (1,25 tỷ đồng)": the second figure
restates the first right after it, in parentheses or after "tương đương", "tức", "hay".
The restatement may be rounded or truncated; it is reported only when neither explains it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from ktxh.core.rules.suggest import explain_value

from ._check_common import (
    PERCENT_ROLES,
    Ctx,
    Finding,
    Severity,
    cells,
    dec,
    disagree,
    exact,
    fact_cells,
    fact_shown,
    factor,
    lines_of,
    norm_unit,
    places,
    quote_of,
    shown,
)

CODE = "UNIT_CONVERSION"
_RESTATE = re.compile(
    r"^\s*[\w²³/ .]{0,12}?\s*(?:\(\s*|,?\s*(?:tương đương|tức là|tức|hay|khoảng|bằng)\s*)"
    r"(?:trên|khoảng|gần|dưới|hơn|tương đương|tức|=|~|≈)?\s*$"
)


def run(ctx: Ctx) -> Iterator[Finding]:
    for facts in ctx.by_paragraph.values():
        for a, b in zip(facts, facts[1:], strict=False):
            if a.role in PERCENT_ROLES or b.role in PERCENT_ROLES or not a.unit or not b.unit:
                continue
            if norm_unit(a.unit) == norm_unit(b.unit):
                continue
            k = factor(a.unit, b.unit)
            if k is None:
                continue
            between = ctx.where.between(a, b)
            if len(between) > 40 or not _RESTATE.match(between.lower()):
                continue
            converted = fact_cells(a, k)
            restated = fact_cells(b)
            if not disagree(restated, converted, truncation=True):
                continue
            wanted = b.decimals + 1
            expected = dec(float(a.value * k), wanted)
            target = a.value * k

            def fits(c: Decimal, t: Decimal = target, d: int = b.decimals, q: str = b.qualifier) -> bool:
                return not disagree(cells(c, places(c, d), q), exact(float(t)), truncation=True)

            yield Finding(
                code=CODE,
                severity=Severity.ERROR,
                message=(
                    f"{fact_shown(a)} quy đổi ra {norm_unit(b.unit)} là {shown(expected, b.unit)}, "
                    f"nhưng văn bản ghi {fact_shown(b)} (dòng {b.line})."
                ),
                lines=lines_of([a, b]),
                quote=quote_of([a, b], ctx.where),
                stated=fact_shown(b),
                expected=shown(expected, b.unit),
                suggestion=None if b.qualifier.strip() else explain_value(norm_unit(b.unit), b.value, fits),
                facts=(a, b),
            )
