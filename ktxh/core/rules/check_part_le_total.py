"""PART_LE_TOTAL (built in): an "of which" indicator is never more than its parent.

Rates and ratios are left out: a part's rate may well exceed the whole's.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..cube import Cells
from ..types import IndicatorKind
from ._common import level_mask
from .intervals import exceeds
from .model import Finding, Rule, RuleContext

SUMMABLE = (IndicatorKind.FLOW, IndicatorKind.STOCK, IndicatorKind.COUNT)


def pairs(ctx: RuleContext) -> list[tuple[int, int, float]]:
    """(child series, parent series, factor to the parent's unit) for every comparable pair."""
    out = []
    for s, key in enumerate(ctx.cube.series):
        ind = ctx.catalog.get(key.indicator)
        if ind is None or not ind.parent or ind.kind not in SUMMABLE:
            continue
        parent = ctx.catalog.get(ind.parent)
        if parent is None or parent.kind not in SUMMABLE:
            continue
        ps = ctx.cube.series_index.get(key._replace(indicator=ind.parent))
        if ps is None:
            continue
        units = ctx.catalog.units
        factor = float(units[ind.unit].factor / units[parent.unit].factor)
        out.append((s, ps, factor))
    return out


def run(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    found = pairs(ctx)
    if not found:
        return
    child_idx = np.array([c for c, _p, _f in found])
    parent_idx = np.array([p for _c, p, _f in found])
    factors = np.array([f for _c, _p, f in found])[:, None, None]
    levels = level_mask(rule, ctx)
    for kind in rule.kinds:
        cells = ctx.cube.kind(kind)
        child = Cells(*(a[child_idx] * factors for a in cells))
        parent = Cells(*(a[parent_idx] for a in cells))
        bad = exceeds(child, parent, rule.tol_abs, rule.tol_rel) & levels[None, :, :]
        for i, u, p in zip(*np.nonzero(bad), strict=True):
            if not ctx.reported(int(u), int(p)):
                continue
            c, ps = int(child_idx[i]), int(parent_idx[i])
            cv = ctx.value_at(kind, c, int(u), int(p), "part")
            pv = ctx.value_at(kind, ps, int(u), int(p), "total")
            assert cv is not None and pv is not None
            yield Finding(
                code=f"{rule.code}:{ctx.cube.series[c].indicator}",
                check="part_le_total",
                severity=rule.severity,
                message=(
                    f"«{cv.name}» ({cv.shown}) lớn hơn chỉ tiêu bao gồm nó «{pv.name}» ({pv.shown}) "
                    f"({ctx.place(int(u), int(p))})."
                ),
                values=(pv, cv),
                expected=None,
                suggestion=None,
                org_unit=ctx.cube.units[int(u)],
                period=ctx.cube.periods[int(p)],
                title=rule.title,
            )
