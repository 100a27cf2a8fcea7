"""MAGNITUDE: one item of a list is 10, 100 or 1.000 times its siblings ("996 km" among
"1,2 km" items). Measured like the engine's MAGNITUDE rule: modified z-score against the
list's median, and a power of ten that brings the item back. A warning: the office answers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

import numpy as np

from ktxh.core.rules.check_outliers import Z_LIMIT, modified_z

from ._check_common import (
    PERCENT_ROLES,
    Ctx,
    Finding,
    Severity,
    comparable,
    dec,
    fact_shown,
    label,
    lines_of,
    quote_of,
    shown,
)
from .model import Fact

CODE = "MAGNITUDE"
MIN_ITEMS = 4


def _lists(ctx: Ctx) -> list[list[Fact]]:
    out: list[list[Fact]] = [list(m) for m in ctx.groups.values()]
    markers = {p.marker for p in ctx.doc.paragraphs if p.marker}
    for marker in markers:
        if marker:
            out.append(ctx.footnote_facts(marker))
    return out


def run(ctx: Ctx) -> Iterator[Finding]:
    seen: set[int] = set()
    for members in _lists(ctx):
        items = [f for f in members if f.role not in PERCENT_ROLES and f.unit != "%" and f.value != 0]
        by_unit: dict[str, list[Fact]] = {}
        for f in items:
            key = next((u for u in by_unit if comparable(f, by_unit[u][0]) is not None), f.unit)
            by_unit.setdefault(key, []).append(f)
        for same in by_unit.values():
            depth = min((ctx.where.depth(f) for f in same), default=0)
            siblings = [f for f in same if ctx.where.depth(f) == depth]
            for finding in _judge(ctx, siblings):
                if id(finding.facts[0]) not in seen:
                    seen.add(id(finding.facts[0]))
                    yield finding


def _judge(ctx: Ctx, items: Sequence[Fact]) -> Iterator[Finding]:
    """An item far off its siblings (modified z-score) that a power of ten brings back among them,
    when the slip shows: a factor of 100 or more, or decimals printed unlike every sibling's
    ("996 km" among "2,290 km"). A large item of a naturally uneven list (one big bank among
    small ones) stays unreported."""
    parts = [f for f in items if f.role == "part"]
    if len(parts) >= MIN_ITEMS:
        items = parts  # a list's own total is not one of its items
    if len(items) < MIN_ITEMS:
        return
    first = items[0]
    ks = [comparable(f, first) or Decimal(1) for f in items]
    x = np.array([float(f.value * k) for f, k in zip(items, ks, strict=True)], dtype=np.float64)
    z, med = modified_z(x[None, :], axis=1)
    scale = (x - med[0]) / np.where(z[0] == 0, np.nan, z[0])
    for i in np.nonzero(np.abs(z[0]) > Z_LIMIT)[0].tolist():
        f = items[i]
        others = {g.decimals for j, g in enumerate(items) if j != i}
        fits = [
            (abs((float(x[i]) / 10.0**k - float(med[0, i])) / float(scale[i])), k)
            for k in (1, -1, 2, -2, 3, -3)
        ]
        best = min(fits)
        if not best[0] < Z_LIMIT:
            continue
        power = best[1]
        fixed = (f.value / Decimal(10) ** power).normalize()
        odd_decimals = f.decimals < min(others)
        if abs(power) < 2 and not odd_decimals:
            continue
        typical = dec(float(med[0, i]) / float(ks[i]), max(g.decimals for g in items))
        times = shown(Decimal(10) ** abs(power))
        how = f"gấp khoảng {times} lần" if power > 0 else f"chỉ bằng khoảng 1/{times}"
        yield Finding(
            code=CODE,
            severity=Severity.WARNING,
            message=(
                f"«{label(f)}» ghi {fact_shown(f)} (dòng {f.line}), {how} mức thường gặp "
                f"{shown(typical, f.unit)} của {len(items)} mục cùng danh sách: "
                "có thể sai đơn vị hoặc dấu thập phân."
            ),
            lines=lines_of([f]),
            quote=quote_of([f], ctx.where),
            stated=fact_shown(f),
            expected=shown(fixed, f.unit),
            suggestion=f"Có thể đặt sai dấu thập phân: {shown(f.value)} → {shown(fixed)} {f.unit}".rstrip()
            + ".",
            facts=(f,),
        )
