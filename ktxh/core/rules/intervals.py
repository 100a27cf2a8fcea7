"""Interval comparisons: two numbers disagree only when no rounding of either reconciles them."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..cube import Cells

Mask = npt.NDArray[np.bool_]
# float noise: a relative slack far below any printed digit
EPS = 1e-9


def slack(a: Cells, b: Cells, tol_abs: float, tol_rel: float) -> npt.NDArray[np.float64]:
    scale = np.fmax(np.abs(a.value), np.abs(b.value))
    return tol_abs + tol_rel * np.abs(b.value) + EPS * np.nan_to_num(scale)


def differ(a: Cells, b: Cells, tol_abs: float = 0.0, tol_rel: float = 0.0) -> Mask:
    """a and b cannot be equal: their intervals (widened by the tolerance) do not overlap."""
    s = slack(a, b, tol_abs, tol_rel)
    with np.errstate(invalid="ignore"):
        out = (a.lo > b.hi + s) | (a.hi < b.lo - s)
    return out & ~np.isnan(a.value) & ~np.isnan(b.value)


def exceeds(a: Cells, b: Cells, tol_abs: float = 0.0, tol_rel: float = 0.0) -> Mask:
    """a is certainly greater than b (a ≤ b is broken)."""
    s = slack(a, b, tol_abs, tol_rel)
    with np.errstate(invalid="ignore"):
        out = a.lo > b.hi + s
    return out & ~np.isnan(a.value) & ~np.isnan(b.value)


def allow_truncation(stated: Cells) -> Cells:
    """A stated figure may be rounded half-up or truncated toward zero: "99,13%" may stand for
    99,1379 and "-1,5%" for -1,57. The interval grows by another half digit away from zero."""
    extra = stated.hi - stated.value
    negative = stated.value < 0
    return Cells(
        stated.value,
        np.where(negative, stated.lo - extra, stated.lo),
        np.where(negative, stated.hi, stated.hi + extra),
    )


def compare(op: str, a: Cells, b: Cells, tol_abs: float, tol_rel: float) -> Mask:
    """Where ``a op b`` is certainly broken."""
    if op in ("=", "=="):
        return differ(a, b, tol_abs, tol_rel)
    if op == "<=":
        return exceeds(a, b, tol_abs, tol_rel)
    if op == ">=":
        return exceeds(b, a, tol_abs, tol_rel)
    s = slack(a, b, tol_abs, tol_rel)
    valid = ~np.isnan(a.value) & ~np.isnan(b.value)
    with np.errstate(invalid="ignore"):
        if op == "<":
            return valid & (a.lo >= b.hi + s)
        if op == ">":
            return valid & (a.hi <= b.lo - s)
        if op == "!=":
            same = valid & (a.lo == a.hi) & (b.lo == b.hi) & (np.abs(a.value - b.value) <= s)
            return np.asarray(same, dtype=bool)
    raise ValueError(f"unknown operator {op}")
