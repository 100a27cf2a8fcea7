"""Values as columns: a cube of series × org units × periods per value kind.

The engine computes whole columns at once with numpy, never value by value.
Every cell is an interval [lo, hi] around its value: a number printed as "14.739"
stands for [14.738,5; 14.739,5]; "trên 81,381" is a lower bound; a value implied by
"đạt 103,4% kế hoạch" carries the rounding of that 103,4. Rules compare intervals,
so a report is never blamed for its own rounding. Missing cells are NaN.

A *series* is an indicator, or one option of a breakdown of it (bank, channel, …).
Breakdowns by commune are not series: they are the child org units.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from .periods import Period
from .types import Qualifier, Value, ValueKind

Array = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

ACTUAL = "actual"  # final where there is one, else estimate
KINDS = (ValueKind.ESTIMATE, ValueKind.FINAL, ValueKind.PLAN, ValueKind.BUDGET_ESTIMATE)

# How far a qualified number may stand from what is printed, as (below, above) fractions.
QUALIFIER_SPAN: dict[Qualifier, tuple[float, float]] = {
    Qualifier.OVER: (0.0, np.inf),  # "trên X": X is a lower bound
    Qualifier.UNDER: (np.inf, 0.0),  # "dưới X": an upper bound
    Qualifier.ABOUT: (0.1, 0.1),  # "khoảng X": ±10 %
    Qualifier.NEARLY: (0.1, 0.0),  # "gần X": up to 10 % below
}


class SeriesKey(NamedTuple):
    indicator: str
    category: str = ""
    option: str = ""


class Cells(NamedTuple):
    """Values with their interval bounds; all three have the same shape."""

    value: Array
    lo: Array
    hi: Array

    @classmethod
    def exact(cls, value: Array) -> Cells:
        return cls(value, value, value)

    def __add__(self, other: object) -> Cells:
        o = _cells(other)
        return Cells(self.value + o.value, self.lo + o.lo, self.hi + o.hi)

    def __sub__(self, other: object) -> Cells:
        o = _cells(other)
        return Cells(self.value - o.value, self.lo - o.hi, self.hi - o.lo)

    def __mul__(self, other: object) -> Cells:
        o = _cells(other)
        value = self.value * o.value
        with np.errstate(invalid="ignore"):
            # both factors non-negative (the usual case): the bounds multiply directly
            lo, hi = self.lo * o.lo, self.hi * o.hi
            odd = ~((self.lo >= 0) & (o.lo >= 0)) & ~np.isnan(value)
            if odd.any():
                a, b = _at(self, odd), _at(o, odd)
                c1, c2, c3, c4 = a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi
                # fmin/fmax skip a NaN corner (0 × ∞)
                lo = _put(lo, odd, np.fmin(np.fmin(c1, c2), np.fmin(c3, c4)))
                hi = _put(hi, odd, np.fmax(np.fmax(c1, c2), np.fmax(c3, c4)))
        return Cells(value, lo, hi)

    def __truediv__(self, other: object) -> Cells:
        o = _cells(other)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = self.value / o.value
            # a positive divisor (the usual case): two divisions give the bounds
            lo = np.where(self.lo >= 0, self.lo / o.hi, self.lo / o.lo)
            hi = np.where(self.hi >= 0, self.hi / o.lo, self.hi / o.hi)
            odd = ~(o.lo > 0) & ~np.isnan(value)
            if odd.any():
                a, b = _at(self, odd), _at(o, odd)
                c1, c2, c3, c4 = a.lo / b.lo, a.lo / b.hi, a.hi / b.lo, a.hi / b.hi
                lo = _put(lo, odd, np.fmin(np.fmin(c1, c2), np.fmin(c3, c4)))
                hi = _put(hi, odd, np.fmax(np.fmax(c1, c2), np.fmax(c3, c4)))
                # a divisor interval that contains 0 makes the quotient unbounded
                straddles = (o.lo <= 0) & (o.hi >= 0) & odd
                lo = np.where(straddles, -np.inf, lo)
                hi = np.where(straddles, np.inf, hi)
        zero = o.value == 0
        if zero.any():
            value = np.where(zero, np.nan, value)
        missing = np.isnan(value)
        if missing.any():
            lo, hi = np.where(missing, np.nan, lo), np.where(missing, np.nan, hi)
        return Cells(value, lo, hi)

    def scale(self, factor: float) -> Cells:
        if factor >= 0:
            return Cells(self.value * factor, self.lo * factor, self.hi * factor)
        return Cells(self.value * factor, self.hi * factor, self.lo * factor)

    def missing(self) -> npt.NDArray[np.bool_]:
        return np.isnan(self.value)


def _at(c: Cells, mask: npt.NDArray[np.bool_]) -> Cells:
    return Cells(*(np.broadcast_to(a, mask.shape)[mask] for a in c))


def _put(arr: Array, mask: npt.NDArray[np.bool_], values: Array) -> Array:
    out = np.array(np.broadcast_to(arr, mask.shape), dtype=np.float64)
    out[mask] = values
    return out


def _cells(other: object) -> Cells:
    if isinstance(other, Cells):
        return other
    arr = np.asarray(other, dtype=np.float64)
    return Cells(arr, arr, arr)


@dataclass
class ValueCube:
    """Series × units × periods, one Cells per value kind.

    ``parent[u]`` is the index of unit u's parent in ``units`` (-1: none in the cube);
    ``prev_year[p]`` the index of the same period one year earlier (-1: not in the cube).
    ``sources`` maps (kind, s, u, p) to the stored Value, for messages and provenance
    (left empty for synthetic data).
    """

    series: list[SeriesKey]
    units: list[str]
    unit_levels: list[str]
    parent: IntArray
    periods: list[str]
    prev_year: IntArray
    data: dict[str, Cells]
    sources: dict[tuple[str, int, int, int], Value] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.series_index = {k: i for i, k in enumerate(self.series)}
        self.unit_index = {u: i for i, u in enumerate(self.units)}
        self.period_index = {p: i for i, p in enumerate(self.periods)}
        self._by_indicator: dict[str, list[int]] = {}
        for i, key in enumerate(self.series):
            self._by_indicator.setdefault(key.indicator, []).append(i)

    @property
    def shape(self) -> tuple[int, int, int]:
        return (len(self.series), len(self.units), len(self.periods))

    def kind(self, kind: str) -> Cells:
        """Cells of a kind; ``actual`` is final where present, else estimate."""
        if kind == ACTUAL:
            if ACTUAL not in self.data:
                self.data[ACTUAL] = _coalesce(
                    self.data[ValueKind.FINAL.value], self.data[ValueKind.ESTIMATE.value]
                )
            return self.data[ACTUAL]
        return self.data[kind]

    def total_series(self, indicator: str) -> int | None:
        return self.series_index.get(SeriesKey(indicator))

    def options(self, indicator: str, category: str) -> list[int]:
        """Series indices of every option of one breakdown of an indicator."""
        return [
            i for i in self._by_indicator.get(indicator, []) if self.series[i].category == category and i >= 0
        ]

    def source(self, kind: str, s: int, u: int, p: int) -> Value | None:
        if kind == ACTUAL:
            return self.sources.get((ValueKind.FINAL.value, s, u, p)) or self.sources.get(
                (ValueKind.ESTIMATE.value, s, u, p)
            )
        return self.sources.get((kind, s, u, p))

    def _child_groups(self) -> tuple[IntArray, IntArray, IntArray]:
        """Children ordered by parent, where each parent's run starts, and the parents."""
        if not hasattr(self, "_groups"):
            children = np.nonzero(self.parent >= 0)[0]
            order = children[np.argsort(self.parent[children], kind="stable")]
            parents_sorted = self.parent[order]
            starts = (
                np.nonzero(np.r_[True, parents_sorted[1:] != parents_sorted[:-1]])[0] if order.size else order
            )
            self._groups = (order, starts.astype(np.int64), parents_sorted[starts] if order.size else order)
        return self._groups

    def parent_sums(self, cells: Cells) -> tuple[IntArray, Cells, IntArray]:
        """Σ over child units for the units that have children only: (parent indices,
        Cells shaped (…, parents, periods), how many children had a value).

        One segmented reduction per array; children stored together in parent order are
        read as a view, not gathered.
        """
        order, starts, parents = self._child_groups()
        if not order.size:
            empty = np.zeros(cells.value.shape[:-2] + (0,) + cells.value.shape[-1:])
            return parents, Cells(empty, empty, empty), empty.astype(np.int64)
        run = slice(int(order[0]), int(order[0]) + order.size)
        contiguous = bool(np.array_equal(order, np.arange(run.start, run.stop)))

        def kids(arr: Array) -> Array:
            return arr[..., run, :] if contiguous else arr[..., order, :]

        present = ~np.isnan(kids(cells.value))
        counts = np.add.reduceat(present.astype(np.int64), starts, axis=-2)
        sums = [np.add.reduceat(np.where(present, kids(arr), 0.0), starts, axis=-2) for arr in cells]
        none = counts == 0
        return parents, Cells(*(np.where(none, np.nan, a) for a in sums)), counts

    def children_sum(self, cells: Cells) -> tuple[Cells, IntArray]:
        """Sum over child units into their parents, shaped like ``cells`` (NaN for units
        without children), and how many children had a value."""
        parents, sums, counts = self.parent_sums(cells)
        shape = cells.value.shape
        full_counts = np.zeros(shape, dtype=np.int64)
        out = [np.full(shape, np.nan) for _ in range(3)]
        if parents.size:
            full_counts[..., parents, :] = counts
            for acc, arr in zip(out, sums, strict=True):
                acc[..., parents, :] = arr
        return Cells(*out), full_counts

    def shift_years(self, cells: Cells, years: int = -1) -> Cells:
        """The same cells one year earlier, aligned on this period axis (NaN where absent)."""
        if years != -1:
            raise ValueError("only the previous year is indexed")
        idx = self.prev_year
        ok = idx >= 0
        out = []
        for arr in cells:
            shifted = np.full_like(arr, np.nan)
            shifted[..., ok] = arr[..., idx[ok]]
            out.append(shifted)
        return Cells(*out)


def _coalesce(first: Cells, second: Cells) -> Cells:
    use = np.isnan(first.value)
    return Cells(*(np.where(use, b, a) for a, b in zip(first, second, strict=True)))


def _empty(shape: tuple[int, int, int]) -> Cells:
    return Cells(np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan))


def build_cube(
    values: Iterable[Value],
    *,
    units: Sequence[tuple[str, str, str | None]],
    periods: Sequence[str] | None = None,
) -> ValueCube:
    """A cube from stored values. ``units`` are (code, level, parent code) for the units to include."""
    values = [v for v in values if v.kind != ValueKind.TARGET]
    series = sorted({SeriesKey(v.indicator, v.category, v.option) for v in values})
    unit_codes = [u[0] for u in units]
    unit_index = {c: i for i, c in enumerate(unit_codes)}
    parent = np.array([unit_index.get(p, -1) if p else -1 for _c, _l, p in units], dtype=np.int64)
    period_codes = sorted(set(periods or ()) | {v.period for v in values}, key=lambda c: Period.parse(c))
    prev = np.array(
        [
            period_codes.index(Period.parse(c).previous_year().code) if _has_prev(c, period_codes) else -1
            for c in period_codes
        ],
        dtype=np.int64,
    )
    shape = (len(series), len(unit_codes), len(period_codes))
    data = {k.value: _empty(shape) for k in KINDS}
    s_index = {k: i for i, k in enumerate(series)}
    p_index = {c: i for i, c in enumerate(period_codes)}
    sources: dict[tuple[str, int, int, int], Value] = {}
    for v in values:
        u = unit_index.get(v.org_unit)
        if u is None:
            continue
        key = (s_index[SeriesKey(v.indicator, v.category, v.option)], u, p_index[v.period])
        cells = data[v.kind.value]
        x = float(v.value)
        err = float(v.error or Decimal(0))
        below, above = QUALIFIER_SPAN.get(v.qualifier, (0.0, 0.0))
        cells.value[key] = x
        cells.lo[key] = x - err - (below * abs(x) if below != np.inf else np.inf)
        cells.hi[key] = x + err + (above * abs(x) if above != np.inf else np.inf)
        sources[(v.kind.value, *key)] = v
    return ValueCube(
        series=series,
        units=unit_codes,
        unit_levels=[u[1] for u in units],
        parent=parent,
        periods=period_codes,
        prev_year=prev,
        data=data,
        sources=sources,
    )


def cube_from_columns(
    *,
    series: Sequence[SeriesKey],
    units: Sequence[str],
    unit_levels: Sequence[str],
    parent: IntArray,
    periods: Sequence[str],
    columns: dict[str, tuple[IntArray, IntArray, IntArray, Array]],
    half_unit: Array | None = None,
) -> ValueCube:
    """A cube straight from long-format columns, for large data (no Value objects).

    ``columns[kind] = (series index, unit index, period index, value)``; ``half_unit[s]``
    is the rounding uncertainty of series s (half its last printed digit), 0 when None.
    """
    period_list = list(periods)
    index = {c: i for i, c in enumerate(period_list)}
    prev = np.array(
        [index.get(Period.parse(c).previous_year().code, -1) for c in period_list], dtype=np.int64
    )
    shape = (len(series), len(units), len(period_list))
    data: dict[str, Cells] = {}
    for kind in KINDS:
        if kind.value not in columns:
            # a kind with no data costs no memory: a read-only all-NaN view
            empty = np.broadcast_to(np.float64(np.nan), shape)
            data[kind.value] = Cells(empty, empty, empty)
            continue
        value = np.full(shape, np.nan)
        if kind.value in columns:
            s_idx, u_idx, p_idx, vals = columns[kind.value]
            value[s_idx, u_idx, p_idx] = vals
        if half_unit is None:
            data[kind.value] = Cells(value, value, value)
        else:
            h = half_unit[:, None, None]
            data[kind.value] = Cells(value, value - h, value + h)
    return ValueCube(
        series=list(series),
        units=list(units),
        unit_levels=list(unit_levels),
        parent=np.asarray(parent, dtype=np.int64),
        periods=period_list,
        prev_year=prev,
        data=data,
    )


def _has_prev(code: str, codes: list[str]) -> bool:
    return Period.parse(code).previous_year().code in codes
