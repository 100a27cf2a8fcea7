"""sum_parts: the parts add up to the total (or, for "trong đó" lists, to no more than it)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import numpy as np

from ..cube import Cells
from ._common import cells_where, level_mask, nice, series_cells, vi
from .intervals import differ, exceeds
from .model import Finding, FindingValue, Missing, Rule, RuleContext
from .suggest import explain_sum


def _nan(ctx: RuleContext) -> Cells:
    nan = np.full((len(ctx.cube.units), len(ctx.cube.periods)), np.nan)
    return Cells(nan, nan, nan)


def _sum_series(ctx: RuleContext, kind: str, ids: list[int], skip_missing: bool) -> Cells:
    """Σ of several series, units × periods; NaN where all are missing (or any, with skip)."""
    stack = [arr[ids] for arr in ctx.cube.kind(kind)]
    missing = np.isnan(stack[0])
    sums = [np.nansum(a, axis=0) for a in stack]
    bad = missing.any(axis=0) if skip_missing else missing.all(axis=0)
    return Cells(*(np.where(bad, np.nan, a) for a in sums))


def _parts(rule: Rule, ctx: RuleContext, kind: str) -> tuple[Cells, list[tuple[int, int | None]]]:
    """Σ parts as Cells, and the series they came from.

    ``parts`` with ``over: category:X``: each part is the sum of its own options of X
    (for parts reported only by breakdown, e.g. gifts by source).
    """
    over = str(rule.params.get("over") or "")
    skip = rule.missing is Missing.SKIP
    listed = [str(c) for c in rule.params.get("parts", []) or []]
    category = over.split(":", 1)[1] if over.startswith("category:") else None
    if category and listed:
        per_part = []
        ids_all: list[int] = []
        for code in listed:
            ids = ctx.cube.options(code, category)
            if not ids:
                if skip:
                    return _nan(ctx), []
                continue
            per_part.append(_sum_series(ctx, kind, ids, skip_missing=False))
            ids_all += ids
        if not per_part:
            return _nan(ctx), []
        total = per_part[0]
        for part in per_part[1:]:
            total = total + part
        return total, [(s, 0) for s in ids_all]
    if category:
        ids = ctx.cube.options(str(rule.params["total"]), category)
        return (
            (_sum_series(ctx, kind, ids, skip_missing=False), [(s, 0) for s in ids])
            if ids
            else (_nan(ctx), [])
        )
    ids = [s for s in (ctx.cube.total_series(c) for c in listed) if s is not None]
    if not ids or (len(ids) < len(listed) and skip):
        return _nan(ctx), []
    return _sum_series(ctx, kind, ids, skip_missing=skip), [(s, 0) for s in ids]


def run(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    mode = str(rule.params.get("mode") or "equal")
    total_code = str(rule.params["total"])
    levels = level_mask(rule, ctx)
    if rule.params.get("over") == "children":
        # the indicator itself and each of its breakdown options, against the child units
        targets = [i for i, key in enumerate(ctx.cube.series) if key.indicator == total_code]
        for kind in rule.kinds:
            for s in targets:
                total = series_cells(ctx, kind, s)
                parts, counts = ctx.cube.children_sum(total)
                if rule.missing is Missing.SKIP:
                    n_children = np.bincount(
                        ctx.cube.parent[ctx.cube.parent >= 0], minlength=len(ctx.cube.units)
                    )
                    parts = Cells(*(np.where(counts == n_children[:, None], a, np.nan) for a in parts))
                bad = (
                    exceeds(parts, total, rule.tol_abs, rule.tol_rel)
                    if mode == "at_most"
                    else differ(parts, total, rule.tol_abs, rule.tol_rel)
                )
                for u, p in cells_where(bad & levels, ctx):
                    yield finding_for(rule, ctx, kind, s, u, p, parts, [(s, None)], "children", mode)
        return
    total_s = ctx.cube.total_series(total_code)
    if total_s is None:
        return
    for kind in rule.kinds:
        total = series_cells(ctx, kind, total_s)
        parts, members = _parts(rule, ctx, kind)
        if not members:
            continue
        if mode == "at_most":
            bad = exceeds(parts, total, rule.tol_abs, rule.tol_rel)
        else:
            bad = differ(parts, total, rule.tol_abs, rule.tol_rel)
        for u, p in cells_where(bad & levels, ctx):
            yield finding_for(rule, ctx, kind, total_s, u, p, parts, members, "list", mode)


def finding_for(
    rule: Rule,
    ctx: RuleContext,
    kind: str,
    total_s: int,
    u: int,
    p: int,
    parts: Cells,
    members: list[tuple[int, int | None]],
    how: str,
    mode: str,
) -> Finding:
    cube = ctx.cube
    total_v = ctx.value_at(kind, total_s, u, p, "total")
    assert total_v is not None
    values: list[FindingValue] = [total_v]
    if how == "children":
        values += ctx.values_at(kind, total_s, np.nonzero(cube.parent == u)[0].tolist(), p, "part")
    else:
        for s, _ in members:
            fv = ctx.value_at(kind, s, u, p, "part")
            if fv is not None:
                values.append(fv)
    part_values = [v for v in values if v.role == "part"]
    decimals = max(v.decimals for v in values)
    expected = nice(parts.value[u, p], decimals)
    unit = total_v.unit
    gap = expected - total_v.value
    what = "tổng các thành phần" if how != "children" else "tổng các đơn vị cấp dưới"
    if mode == "at_most":
        message = (
            f"{rule.title or 'Tổng các mục «trong đó»'} ({ctx.place(u, p)}): {what} là {vi(expected, unit)}, "
            f"lớn hơn số tổng {total_v.shown} ({vi(abs(gap), unit)})."
        )
    else:
        message = (
            f"{rule.title or 'Tổng không khớp'} ({ctx.place(u, p)}): {what} là {vi(expected, unit)}, "
            f"khác số tổng {total_v.shown} (chênh {vi(abs(gap), unit)})."
        )
    slack = Decimal(repr(_rounding(ctx, kind, total_s, u, p, parts)))
    labels = [
        (v.org_name if how == "children" else (f"{v.name}: {v.option}" if v.option else v.name), v.value)
        for v in part_values
    ]
    suggestion = explain_sum((total_v.name, total_v.value), labels, slack) if mode == "equal" else None
    return Finding(
        code=rule.code,
        check="sum_parts",
        severity=rule.severity,
        message=message,
        values=tuple(values),
        expected=expected,
        suggestion=suggestion,
        org_unit=cube.units[u],
        period=cube.periods[p],
        title=rule.title,
    )


def _rounding(ctx: RuleContext, kind: str, total_s: int, u: int, p: int, parts: Cells) -> float:
    t = ctx.cube.kind(kind)
    width = (t.hi[total_s, u, p] - t.lo[total_s, u, p]) + (parts.hi[u, p] - parts.lo[u, p])
    return float(width / 2) if np.isfinite(width) else 0.0
