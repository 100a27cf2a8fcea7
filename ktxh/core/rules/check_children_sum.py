"""CHILDREN_SUM (built in): for an additive indicator, a unit's total equals the sum of its
child units (a district and its communes, a province and its communes), wherever every
child has a value. Runs over every series at once."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..cube import Cells
from ..types import Aggregation
from .check_sum_parts import finding_for
from .intervals import differ
from .model import Finding, Missing, Rule, RuleContext


def run(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    cube = ctx.cube
    additive = np.array(
        [
            (ind := ctx.catalog.get(k.indicator)) is not None and ind.aggregation is Aggregation.SUM
            for k in cube.series
        ],
        dtype=bool,
    )
    if not additive.any():
        return
    n_children = np.bincount(cube.parent[cube.parent >= 0], minlength=len(cube.units))
    has_children = (n_children > 0)[None, :, None]
    for kind in rule.kinds:
        cells = cube.kind(kind)
        sums, counts = cube.children_sum(cells)
        if rule.missing is Missing.SKIP:
            complete = counts == n_children[None, :, None]
        else:
            complete = counts > 0
        bad = (
            differ(sums, cells, rule.tol_abs, rule.tol_rel)
            & complete
            & has_children
            & additive[:, None, None]
        )
        for s, u, p in zip(*np.nonzero(bad), strict=True):
            if not ctx.reported(int(u), int(p)):
                continue
            parts = Cells(sums.value[s], sums.lo[s], sums.hi[s])
            yield finding_for(
                rule, ctx, kind, int(s), int(u), int(p), parts, [(int(s), None)], "children", "equal"
            )
