"""STATED_PCT and RESTATED (built in): what a document states about a value must match the values.

- A stated "% kế hoạch", "% dự toán", "% so với năm trước", points or absolute change is
  recomputed from the two values it relates. Where one of them was implied by that very
  statement (a plan derived from "đạt 103,4% kế hoạch"), there is nothing to check.
- A quantity stated twice ("2.604.315,77 m² (trên 260,436 ha)") must agree after conversion.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import numpy as np

from ..cube import ACTUAL, Cells, SeriesKey
from ..numbers import half_unit
from ..types import Measure, StatedFigure, ValueKind
from ._common import dec, nice, vi
from .intervals import allow_truncation, differ
from .model import Finding, FindingValue, Rule, RuleContext
from .suggest import explain_value

WORDS = {
    Measure.PCT_PLAN: "% kế hoạch",
    Measure.PCT_BUDGET: "% dự toán",
    Measure.PCT_CHANGE: "% tăng/giảm",
    Measure.PP_CHANGE: "điểm phần trăm tăng/giảm",
    Measure.ABS_CHANGE: "mức tăng/giảm",
}


def _cell(ctx: RuleContext, kind: str, s: int, u: int, p: int) -> Cells:
    c = ctx.cube.kind(kind)
    return Cells(*(np.array(a[s, u, p]) for a in c))


def _stated_cells(sf: StatedFigure) -> Cells:
    x = float(sf.value)
    h = float(half_unit(sf.decimals))
    return Cells(np.array(x), np.array(x - h), np.array(x + h))


def _circular(ctx: RuleContext, kind: str, s: int, u: int, p: int, sf: StatedFigure) -> bool:
    stored = ctx.cube.source(kind, s, u, p)
    return bool(
        stored is not None
        and stored.derived
        and stored.provenance.line == sf.provenance.line
        and stored.provenance.text == sf.provenance.text
    )


def _stated_value(ctx: RuleContext, sf: StatedFigure) -> FindingValue:
    ind = ctx.catalog.get(sf.indicator)
    unit = (
        "%"
        if sf.measure in (Measure.PCT_PLAN, Measure.PCT_BUDGET, Measure.PCT_CHANGE)
        else ctx.unit_symbol(sf.indicator)
    )
    if sf.measure is Measure.PP_CHANGE:
        unit = "điểm %"
    if sf.measure is Measure.RESTATED and sf.unit:
        unit = ctx.catalog.units[sf.unit].symbol
    return FindingValue(
        indicator=sf.indicator,
        name=(ind.name if ind else sf.indicator)
        + (f" ({WORDS[sf.measure]})" if sf.measure in WORDS else " (nêu lại)"),
        unit=unit,
        org_unit=sf.org_unit,
        org_name=ctx.unit_names.get(sf.org_unit, sf.org_unit),
        period=sf.period,
        kind="stated",
        value=sf.value,
        decimals=sf.decimals,
        category=sf.category,
        option=sf.option,
        document=sf.provenance.document,
        line=sf.provenance.line,
        text=sf.provenance.text,
        role="stated",
    )


def run(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    cube = ctx.cube
    for sf in ctx.stated:
        if sf.measure is Measure.RESTATED:
            continue
        s = cube.series_index.get(SeriesKey(sf.indicator, sf.category, sf.option))
        u = cube.unit_index.get(sf.org_unit)
        p = cube.period_index.get(sf.period)
        if s is None or u is None or p is None or not ctx.reported(u, p):
            continue
        if sf.measure in (Measure.PCT_PLAN, Measure.PCT_BUDGET):
            other_kind = (
                ValueKind.PLAN.value if sf.measure is Measure.PCT_PLAN else ValueKind.BUDGET_ESTIMATE.value
            )
            op = p
        else:
            other_kind = ACTUAL
            op = cube.period_index.get(sf.base_period or "", -1)
            if op < 0:
                continue
        actual, other = _cell(ctx, ACTUAL, s, u, p), _cell(ctx, other_kind, s, u, op)
        if np.isnan(actual.value) or np.isnan(other.value) or _circular(ctx, other_kind, s, u, op, sf):
            continue
        if sf.measure in (Measure.PCT_PLAN, Measure.PCT_BUDGET):
            computed = (actual / other).scale(100.0)
        elif sf.measure is Measure.PCT_CHANGE:
            computed = ((actual - other) / Cells(*(np.abs(a) for a in other))).scale(100.0)
        else:
            computed = actual - other
        stated = _stated_cells(sf)
        if not bool(differ(allow_truncation(stated), computed, rule.tol_abs, rule.tol_rel)):
            continue
        a_v = ctx.value_at(ACTUAL, s, u, p, "value")
        o_v = ctx.value_at(other_kind, s, u, op, "base")
        stated_v = _stated_value(ctx, sf)
        expected = nice(float(computed.value), max(sf.decimals, 1))
        half = float(half_unit(sf.decimals)) * 2 + float(computed.hi - computed.lo) / 2
        suggestion = explain_value(stated_v.name, sf.value, _within(expected, half))
        yield Finding(
            code=f"{rule.code}:{sf.indicator}:{sf.measure.value}:{sf.provenance.line}",
            check="stated_pct",
            severity=rule.severity,
            message=(
                f"{WORDS[sf.measure].capitalize()} của «{a_v.name if a_v else sf.indicator}» "
                f"({ctx.place(u, p)}) ghi {stated_v.shown} (dòng {sf.provenance.line}), nhưng tính từ "
                f"{a_v.shown if a_v else '?'} và {o_v.shown if o_v else '?'} được {vi(expected, stated_v.unit)}."
            ),
            values=tuple(v for v in (stated_v, a_v, o_v) if v is not None),
            expected=expected,
            suggestion=suggestion,
            org_unit=cube.units[u],
            period=cube.periods[p],
            title="Tỷ lệ nêu trong báo cáo khớp với số liệu",
        )


def _within(expected: Decimal, half: float) -> Callable[[Decimal], bool]:
    def within(candidate: Decimal) -> bool:
        return abs(float(candidate) - float(expected)) <= half

    return within


def _near(expected: Decimal, decimals: int) -> Callable[[Decimal], bool]:
    def near(candidate: Decimal) -> bool:
        return abs(candidate - expected) <= dec(0.5 * 10**-decimals)

    return near


def run_restated(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    cube = ctx.cube
    units = ctx.catalog.units
    for sf in ctx.stated:
        if sf.measure is not Measure.RESTATED:
            continue
        s = cube.series_index.get(SeriesKey(sf.indicator, sf.category, sf.option))
        u = cube.unit_index.get(sf.org_unit)
        p = cube.period_index.get(sf.period)
        ind = ctx.catalog.get(sf.indicator)
        if s is None or u is None or p is None or ind is None or not ctx.reported(u, p):
            continue
        actual = _cell(ctx, ACTUAL, s, u, p)
        if np.isnan(actual.value):
            continue
        stated = _stated_cells(sf)
        factor = float(units.convert(Decimal(1), sf.unit or ind.unit, ind.unit))
        in_unit = stated.scale(factor)
        if not bool(differ(in_unit, actual, rule.tol_abs, rule.tol_rel)):
            continue
        a_v = ctx.value_at(ACTUAL, s, u, p, "value")
        assert a_v is not None
        back = Decimal(repr(float(actual.value) / factor))
        expected = nice(float(back), sf.decimals + 1)
        stated_v = _stated_value(ctx, sf)
        yield Finding(
            code=f"{rule.code}:{sf.indicator}:{sf.provenance.line}",
            check="restated",
            severity=rule.severity,
            message=(
                f"«{a_v.name}» ({ctx.place(u, p)}) ghi {a_v.shown}, nhưng chỗ khác (dòng {sf.provenance.line}) "
                f"nêu lại là {stated_v.shown}; quy đổi đúng phải là {vi(expected, stated_v.unit)}."
            ),
            values=(a_v, stated_v),
            expected=expected,
            suggestion=explain_value(stated_v.name, sf.value, _near(expected, sf.decimals)),
            org_unit=cube.units[u],
            period=cube.periods[p],
            title="Cùng một số liệu nêu hai lần phải khớp nhau",
        )
