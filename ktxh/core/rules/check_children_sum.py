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
    for kind in rule.kinds:
        cells = cube.kind(kind)
        # only the units that have children are compared: a province, not its hundred communes
        parents, sums, counts = cube.parent_sums(cells)
        if not parents.size:
            return
        totals = Cells(*(a[:, parents, :] for a in cells))
        if rule.missing is Missing.SKIP:
            complete = counts == n_children[parents][None, :, None]
        else:
            complete = counts > 0
        bad = differ(sums, totals, rule.tol_abs, rule.tol_rel) & complete & additive[:, None, None]
        for s, i, p in zip(*np.nonzero(bad), strict=True):
            u = int(parents[i])
            if not ctx.reported(u, int(p)):
                continue
            shape = (len(cube.units), len(cube.periods))
            row = [np.full(shape, np.nan) for _ in range(3)]
            for r, a in zip(row, sums, strict=True):
                r[u, p] = a[s, i, p]
            yield finding_for(
                rule, ctx, kind, int(s), u, int(p), Cells(*row), [(int(s), None)], "children", "equal"
            )
