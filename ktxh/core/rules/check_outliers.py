"""Outliers by modified z-score (median and MAD), against sibling units and against the unit's
own history, and order-of-magnitude slips (a value ×10, ×100 or ×1000 off). Warnings only:
an outlier is a question to the office, not a proof of error."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from ..cube import ACTUAL
from ._common import nice, vi
from .model import Finding, Rule, RuleContext

Z_LIMIT = 3.5
MIN_GROUP = 5
MAGNITUDE_SLACK = 0.15  # |log10(ratio) − k| below this counts as a ×10^k slip


def modified_z(
    x: npt.NDArray[np.float64], axis: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Modified z-scores along ``axis`` and the medians. MAD 0 falls back to the mean absolute deviation."""
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN, as wanted
        med = np.nanmedian(x, axis=axis, keepdims=True)
        dev = np.abs(x - med)
        mad = np.nanmedian(dev, axis=axis, keepdims=True)
        mean_ad = np.nanmean(dev, axis=axis, keepdims=True)
        z = np.where(mad > 0, 0.6745 * (x - med) / mad, (x - med) / (1.253314 * mean_ad))
        z = np.where((mad == 0) & (mean_ad == 0), 0.0, z)
    return z, np.broadcast_to(med, x.shape)


def magnitude(x: npt.NDArray[np.float64], med: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """k where x ≈ med × 10^k for |k| in 1..3, else 0."""
    # A zero or missing median gives ±inf or NaN: never a magnitude slip (isfinite below), and
    # not worth a warning printed into the server's log for each of them.
    with np.errstate(invalid="ignore", divide="ignore"):
        lg = np.log10(np.abs(x) / np.abs(med))
        k = np.rint(lg)
        ok = np.isfinite(lg) & (np.abs(lg - k) < MAGNITUDE_SLACK) & (np.abs(k) >= 1) & (np.abs(k) <= 3)
    return np.where(ok, k, 0).astype(np.int64)


def _shift_hint(x: Decimal, med: float, z: float, unit: str, whole: bool) -> str | None:
    """A misplaced decimal point that would bring x back among its peers (a count stays whole)."""
    if z == 0 or x == 0:
        return None
    scale = (float(x) - med) / z  # z = (x − med) / scale
    best = None
    for k in (-3, -2, -1, 1, 2, 3):
        candidate = x * Decimal(10) ** k
        if whole and candidate != candidate.to_integral_value():
            continue
        cz = abs((float(candidate) - med) / scale)
        if cz < Z_LIMIT and (best is None or cz < best[0]):
            best = (cz, candidate)
    if best is None:
        return None
    return f"Có thể đặt sai dấu thập phân: {vi(x, unit)} → {vi(best[1].normalize(), unit)} thì nằm trong khoảng thường gặp."


def _sibling_groups(ctx: RuleContext) -> list[npt.NDArray[np.int64]]:
    parents = ctx.cube.parent
    groups = []
    for q in np.unique(parents[parents >= 0]):
        members = np.nonzero(parents == q)[0]
        if members.size >= MIN_GROUP:
            groups.append(members)
    return groups


def _finding(
    rule: Rule, ctx: RuleContext, s: int, u: int, p: int, med: float, z: float, k: int, against: str
) -> Finding | None:
    v = ctx.value_at(ACTUAL, s, u, p, "value")
    if v is None:
        return None
    ind = ctx.catalog.get(v.indicator)
    typical = nice(med, max(v.decimals, ind.decimals if ind else 0))
    if k:
        fixed = v.value / (10**k) if k > 0 else v.value * (10**-k)
        message = (
            f"«{v.name}» ({ctx.place(u, p)}) là {v.shown}, gấp khoảng {10 ** abs(k):n} lần "
            f"{'nhỏ hơn ' if k < 0 else ''}mức thường gặp {vi(typical, v.unit)} ({against}): có thể sai đơn vị hoặc dấu thập phân."
        )
        if k < 0:
            message = (
                f"«{v.name}» ({ctx.place(u, p)}) là {v.shown}, chỉ bằng khoảng 1/{10 ** abs(k):n} "
                f"mức thường gặp {vi(typical, v.unit)} ({against}): có thể sai đơn vị hoặc dấu thập phân."
            )
        suggestion: str | None = f"Kiểm tra lại: có thể là {vi(fixed, v.unit)}."
    else:
        message = (
            f"«{v.name}» ({ctx.place(u, p)}) là {v.shown}, khác thường so với {against} "
            f"(trung vị {vi(typical, v.unit)}, chỉ số z hiệu chỉnh {vi(nice(z, 1))})."
        )
        whole = bool(ind is not None and ctx.catalog.units[ind.unit].dimension.startswith("count:"))
        suggestion = _shift_hint(v.value, med, z, v.unit, whole) if abs(z) > 3 * Z_LIMIT else None
    return Finding(
        code=f"{rule.code}:{v.indicator}",
        check=rule.kind,
        severity=rule.severity,
        message=message,
        values=(v,),
        expected=typical,
        suggestion=suggestion,
        org_unit=ctx.cube.units[u],
        period=ctx.cube.periods[p],
        title=rule.title,
    )


def run_siblings(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    """OUTLIER_SIBLINGS: against the other units under the same parent (a magnitude slip is left to MAGNITUDE)."""
    x_all = ctx.cube.kind(ACTUAL).value
    for members in _sibling_groups(ctx):
        x = x_all[:, members, :]
        count = (~np.isnan(x)).sum(axis=1, keepdims=True)
        z, med = modified_z(x, axis=1)
        flag = (np.abs(z) > Z_LIMIT) & (count >= MIN_GROUP) & (magnitude(x, med) == 0)
        for s, i, p in zip(*np.nonzero(flag), strict=True):
            u = int(members[i])
            if ctx.reported(u, int(p)):
                f = _finding(
                    rule,
                    ctx,
                    int(s),
                    u,
                    int(p),
                    float(med[s, i, p]),
                    float(z[s, i, p]),
                    0,
                    "các đơn vị cùng cấp",
                )
                if f:
                    yield f


def run_history(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    """OUTLIER_HISTORY: against the same unit's other years (needs five years)."""
    x = ctx.cube.kind(ACTUAL).value
    if x.shape[2] < MIN_GROUP:
        return
    count = (~np.isnan(x)).sum(axis=2, keepdims=True)
    z, med = modified_z(x, axis=2)
    flag = (np.abs(z) > Z_LIMIT) & (count >= MIN_GROUP) & (magnitude(x, med) == 0)
    for s, u, p in zip(*np.nonzero(flag), strict=True):
        if ctx.reported(int(u), int(p)):
            f = _finding(
                rule, ctx, int(s), int(u), int(p), float(med[s, u, p]), float(z[s, u, p]), 0, "các năm trước"
            )
            if f:
                yield f


def run_magnitude(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    """MAGNITUDE: ×10^k off the siblings' median, or off the unit's own history."""
    x_all = ctx.cube.kind(ACTUAL).value
    seen: set[tuple[int, int, int]] = set()
    for members in _sibling_groups(ctx):
        x = x_all[:, members, :]
        count = (~np.isnan(x)).sum(axis=1, keepdims=True)
        z, med = modified_z(x, axis=1)
        k = magnitude(x, med)
        flag = (k != 0) & (np.abs(z) > Z_LIMIT) & (count >= MIN_GROUP)
        for s, i, p in zip(*np.nonzero(flag), strict=True):
            u = int(members[i])
            if ctx.reported(u, int(p)):
                seen.add((int(s), u, int(p)))
                f = _finding(
                    rule,
                    ctx,
                    int(s),
                    u,
                    int(p),
                    float(med[s, i, p]),
                    float(z[s, i, p]),
                    int(k[s, i, p]),
                    "các đơn vị cùng cấp",
                )
                if f:
                    yield f
    if x_all.shape[2] >= MIN_GROUP:
        count = (~np.isnan(x_all)).sum(axis=2, keepdims=True)
        z, med = modified_z(x_all, axis=2)
        k = magnitude(x_all, med)
        flag = (k != 0) & (np.abs(z) > Z_LIMIT) & (count >= MIN_GROUP)
        for s, u, p in zip(*np.nonzero(flag), strict=True):
            key = (int(s), int(u), int(p))
            if key in seen or not ctx.reported(int(u), int(p)):
                continue
            f = _finding(rule, ctx, *key, float(med[key]), float(z[key]), int(k[key]), "các năm trước")
            if f:
                yield f
