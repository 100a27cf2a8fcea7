"""Helpers the checks share: level filters, series lookup, the closeness test for suggestions."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from ..cube import Cells
from ..numbers import format_vi
from .model import Rule, RuleContext, with_unit


def level_mask(rule: Rule, ctx: RuleContext) -> npt.NDArray[np.bool_]:
    """(units × 1) mask of the units the rule applies to."""
    units = np.ones(len(ctx.cube.units), dtype=bool)
    if rule.levels:
        units = np.array([lvl in rule.levels for lvl in ctx.cube.unit_levels], dtype=bool)
    return units[:, None]


def cells_where(mask: npt.NDArray[np.bool_], ctx: RuleContext) -> Iterator[tuple[int, int]]:
    """(unit, period) of every flagged cell that is within what is being reported."""
    for u, p in zip(*np.nonzero(mask), strict=True):
        if ctx.reported(int(u), int(p)):
            yield int(u), int(p)


def series_cells(ctx: RuleContext, kind: str, s: int | None) -> Cells:
    """Units × periods Cells of one series (all NaN when the series is absent)."""
    shape = (len(ctx.cube.units), len(ctx.cube.periods))
    if s is None:
        nan = np.full(shape, np.nan)
        return Cells(nan, nan, nan)
    cells = ctx.cube.kind(kind)
    return Cells(cells.value[s], cells.lo[s], cells.hi[s])


def dec(x: float) -> Decimal:
    return Decimal(repr(float(x)))


def vi(x: Decimal, unit: str = "", decimals: int | None = None) -> str:
    return with_unit(format_vi(x, decimals if decimals is not None else _decimals(x)), unit)


def _decimals(x: Decimal) -> int:
    exp = x.normalize().as_tuple().exponent
    return min(max(0, -exp), 6) if isinstance(exp, int) else 0


def nice(x: float, decimals: int) -> Decimal:
    """A float result rounded for people (never more decimals than the data had, plus one)."""
    return dec(round(float(x), decimals))
