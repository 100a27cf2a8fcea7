"""Derived figures for whole cubes at once: % of plan, % change, points, shares, year-to-date, status.

Each returns arrays shaped like the cube (series × units × periods), NaN where a figure
cannot be computed. ``compute`` has the same arithmetic for one exact Decimal cell.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import numpy.typing as npt

from .catalog import Catalog
from .cube import ACTUAL, Cells, ValueCube
from .periods import Period, PeriodType
from .types import Direction, IndicatorKind, ValueKind


class Status(StrEnum):
    EXCEEDED = "vuot"  # vượt kế hoạch
    REACHED = "dat"  # đạt kế hoạch
    NOT_REACHED = "khong_dat"  # không đạt
    UNKNOWN = ""


STATUS_LABELS = {
    Status.EXCEEDED: "vượt",
    Status.REACHED: "đạt",
    Status.NOT_REACHED: "không đạt",
    Status.UNKNOWN: "",
}


class Trend(StrEnum):
    IMPROVED = "tot_len"  # improved, by the indicator's good direction
    WORSENED = "xau_di"
    UNCHANGED = "khong_doi"
    UNKNOWN = ""


def _series_flags(cube: ValueCube, catalog: Catalog, test: object) -> npt.NDArray[np.bool_]:
    flags = np.zeros(len(cube.series), dtype=bool)
    for i, key in enumerate(cube.series):
        ind = catalog.get(key.indicator)
        flags[i] = bool(ind is not None and test(ind))  # type: ignore[operator]
    return flags


def plan_cells(cube: ValueCube, catalog: Catalog) -> Cells:
    """The plan each actual is compared with: the budget estimate for budgeted indicators,
    else the plan; the other kind when the preferred one is missing."""
    budgeted = _series_flags(cube, catalog, lambda i: i.budgeted)[:, None, None]
    plan, budget = cube.kind(ValueKind.PLAN.value), cube.kind(ValueKind.BUDGET_ESTIMATE.value)
    first = Cells(*(np.where(budgeted, b, p) for p, b in zip(plan, budget, strict=True)))
    second = Cells(*(np.where(budgeted, p, b) for p, b in zip(plan, budget, strict=True)))
    use = np.isnan(first.value)
    return Cells(*(np.where(use, s, f) for f, s in zip(first, second, strict=True)))


def pct_of_plan(cube: ValueCube, catalog: Catalog, kind: str = ACTUAL) -> Cells:
    """actual ÷ plan × 100: "đạt 103,4% kế hoạch", "bằng 107,2% dự toán"."""
    return (cube.kind(kind) / plan_cells(cube, catalog)).scale(100.0)


def pct_change(cube: ValueCube, kind: str = ACTUAL) -> Cells:
    """(this year − last year) ÷ |last year| × 100, for every period with last year in the cube.

    Only the periods that have a previous year are computed, reading both years as views.
    """
    now = cube.kind(kind)
    cur = np.nonzero(cube.prev_year >= 0)[0]
    prev = cube.prev_year[cur]
    out = [np.full(now.value.shape, np.nan) for _ in range(3)]
    if not cur.size:
        return Cells(*out)

    def take(arr: np.ndarray, idx: np.ndarray) -> np.ndarray:
        if np.array_equal(idx, np.arange(idx[0], idx[0] + idx.size)):
            return arr[..., idx[0] : idx[0] + idx.size]  # a view, no copy
        return arr[..., idx]

    a = Cells(*(take(x, cur) for x in now))
    b = Cells(*(take(x, prev) for x in now))
    lo_abs = np.where(b.lo > 0, b.lo, np.where(b.hi < 0, -b.hi, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (a - b) / Cells(np.abs(b.value), lo_abs, np.fmax(np.abs(b.lo), np.abs(b.hi)))
    for dst, src in zip(out, ratio.scale(100.0), strict=True):
        dst[..., cur] = src
    return Cells(*out)


def pp_change(cube: ValueCube, catalog: Catalog, kind: str = ACTUAL) -> Cells:
    """Change in percentage points, for rates and ratios measured in %; NaN elsewhere."""
    now = cube.kind(kind)
    diff = now - cube.shift_years(now)
    is_rate = _series_flags(
        cube, catalog, lambda i: i.kind in (IndicatorKind.RATE, IndicatorKind.RATIO) and i.unit == "pct"
    )[:, None, None]
    return Cells(*(np.where(is_rate, a, np.nan) for a in diff))


def share_of_parent(cube: ValueCube, catalog: Catalog, kind: str = ACTUAL) -> Cells:
    """An "of which" part as a % of its parent indicator (same unit, same period)."""
    cells = cube.kind(kind)
    parent_idx = np.full(len(cube.series), -1, dtype=np.int64)
    for i, key in enumerate(cube.series):
        ind = catalog.get(key.indicator)
        if ind is not None and ind.parent and not key.category:
            j = cube.total_series(ind.parent)
            parent_idx[i] = -1 if j is None else j
    ok = parent_idx >= 0
    out = []
    for arr in cells:
        parent = np.full_like(arr, np.nan)
        parent[ok] = arr[parent_idx[ok]]
        out.append(parent)
    return (cells / Cells(*out)).scale(100.0)


def ytd(cube: ValueCube, cells: Cells) -> Cells:
    """Year-to-date sums along the period axis: each month or quarter plus the earlier ones of its year."""
    periods = [Period.parse(c) for c in cube.periods]
    n = len(periods)
    include = np.zeros((n, n), dtype=bool)
    for i, p in enumerate(periods):
        for j, q in enumerate(periods):
            if p.type in (PeriodType.YEAR, PeriodType.TERM):
                include[i, j] = i == j
            else:
                include[i, j] = q.type == p.type and q.start.year == p.start.year and q.start <= p.start
    out = []
    for arr in cells:
        acc = np.zeros_like(arr)
        seen = np.zeros(arr.shape, dtype=bool)
        for i in range(n):
            cols = include[i]
            acc[..., i] = np.nansum(arr[..., cols], axis=-1)
            seen[..., i] = (~np.isnan(arr[..., cols])).any(axis=-1)
        out.append(np.where(seen, acc, np.nan))
    return Cells(*out)


def status(pct: npt.NDArray[np.float64], direction: Direction, decimals: int = 1) -> list[Status]:
    """Status against plan from % of plan as it is printed (rounded): 100,0% is đạt, 100,1% vượt.

    For an indicator where less is better the comparison turns round.
    """
    out = []
    for value in np.asarray(pct, dtype=np.float64).ravel():
        if np.isnan(value):
            out.append(Status.UNKNOWN)
            continue
        shown = np.floor(abs(value) * 10**decimals + 0.5) / 10**decimals * np.sign(value)
        if shown == 100:
            out.append(Status.REACHED)
        elif (shown > 100) == (direction is not Direction.DOWN):
            out.append(Status.EXCEEDED)
        else:
            out.append(Status.NOT_REACHED)
    return out


def trend(change: npt.NDArray[np.float64], direction: Direction) -> list[Trend]:
    """Improved or worsened against last year, by the indicator's good direction."""
    out = []
    for value in np.asarray(change, dtype=np.float64).ravel():
        if np.isnan(value) or direction is Direction.NONE:
            out.append(Trend.UNKNOWN)
        elif value == 0:
            out.append(Trend.UNCHANGED)
        elif (value > 0) == (direction is Direction.UP):
            out.append(Trend.IMPROVED)
        else:
            out.append(Trend.WORSENED)
    return out
