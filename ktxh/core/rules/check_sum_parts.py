"""sum_parts: the parts add up to the total (or, for "trong đó" lists, to no more than it)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import numpy as np

from ..cube import Cells
from ._common import cells_where, dec, level_mask, nice, series_cells, vi
from .intervals import differ, exceeds
from .model import Finding, FindingValue, Missing, Rule, RuleContext
from .suggest import explain_sum


def _parts(rule: Rule, ctx: RuleContext, kind: str) -> tuple[Cells, list[tuple[int, int | None]], str]:
    """Σ parts as Cells, and how to find each part again: (series, unit offset or None)."""
    over = str(rule.params.get("over") or "")
    total_s = ctx.cube.total_series(str(rule.params["total"]))
    if over == "children":
        base = series_cells(ctx, kind, total_s)
        summed, _counts = ctx.cube.children_sum(base)
        return summed, [(total_s if total_s is not None else -1, None)], "children"
    if over.startswith("category:"):
        ids = ctx.cube.options(str(rule.params["total"]), over.split(":", 1)[1])
    else:
        ids = [
            s for s in (ctx.cube.total_series(str(c)) for c in rule.params.get("parts", [])) if s is not None
        ]
        if len(ids) < len(rule.params.get("parts", [])) and rule.missing is Missing.SKIP:
            shape = (len(ctx.cube.units), len(ctx.cube.periods))
            nan = np.full(shape, np.nan)
            return Cells(nan, nan, nan), [], "list"
    if not ids:
        shape = (len(ctx.cube.units), len(ctx.cube.periods))
        nan = np.full(shape, np.nan)
        return Cells(nan, nan, nan), [], "list"
    stack = [arr[ids] for arr in ctx.cube.kind(kind)]
    missing = np.isnan(stack[0])
    sums = [np.nansum(a, axis=0) for a in stack]
    none = missing.all(axis=0)
    if rule.missing is Missing.SKIP and not over:
        bad = missing.any(axis=0)
    else:
        bad = none
    return Cells(*(np.where(bad, np.nan, a) for a in sums)), [(s, 0) for s in ids], "list"


def run(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    mode = str(rule.params.get("mode") or "equal")
    total_code = str(rule.params["total"])
    total_s = ctx.cube.total_series(total_code)
    if total_s is None:
        return
    levels = level_mask(rule, ctx)
    for kind in rule.kinds:
        total = series_cells(ctx, kind, total_s)
        parts, members, how = _parts(rule, ctx, kind)
        if not members:
            continue
        if mode == "at_most":
            bad = exceeds(parts, total, rule.tol_abs, rule.tol_rel)
        else:
            bad = differ(parts, total, rule.tol_abs, rule.tol_rel)
        for u, p in cells_where(bad & levels, ctx):
            yield finding_for(rule, ctx, kind, total_s, u, p, parts, members, how, mode)


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
        for c in np.nonzero(cube.parent == u)[0]:
            fv = ctx.value_at(kind, total_s, int(c), p, "part")
            if fv is not None:
                values.append(fv)
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
    labels = [(v.org_name if how == "children" else (v.option or v.name), v.value) for v in part_values]
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


__all__ = ["run", "dec"]
