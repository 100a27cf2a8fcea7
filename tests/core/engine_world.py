"""A tiny hand-made world for engine tests: a district (D) with three communes (A, B, C)."""

from __future__ import annotations

from decimal import Decimal

from ktxh import core
from ktxh.core.cube import ValueCube, build_cube
from ktxh.core.rules import Rule, RuleContext, run_rules
from ktxh.core.types import Aggregation, Direction, Indicator, IndicatorKind, Qualifier, Value, ValueKind

UNITS = [("D", "district", None), ("A", "commune", "D"), ("B", "commune", "D"), ("C", "commune", "D")]
NAMES = {"D": "Huyện D", "A": "Xã A", "B": "Xã B", "C": "Xã C"}


def ind(code: str, unit: str = "ha", kind: IndicatorKind = IndicatorKind.FLOW, **kw: object) -> Indicator:
    agg = (
        Aggregation.SUM
        if kind in (IndicatorKind.FLOW, IndicatorKind.STOCK, IndicatorKind.COUNT)
        else Aggregation.NONE
    )
    defaults: dict[str, object] = dict(
        name=f"Chỉ tiêu {code}",
        unit=unit,
        sector="nong_nghiep",
        office="NNPTNT",
        kind=kind,
        decimals=1,
        direction=Direction.UP,
        aggregation=agg,
    )
    defaults.update(kw)
    return Indicator(code=code, **defaults)  # type: ignore[arg-type]


def catalog(*indicators: Indicator) -> core.Catalog:
    real = core.load_catalog()
    return core.Catalog(
        offices=list(real.offices.values()),
        sectors=list(real.sectors.values()),
        indicators=list(indicators),
        units=real.units,
    )


def v(
    code: str,
    value: str,
    *,
    unit: str = "D",
    period: str = "2023",
    kind: ValueKind = ValueKind.ESTIMATE,
    error: str | None = None,
    option: str = "",
    category: str = "",
    qualifier: Qualifier = Qualifier.NONE,
    derived: bool = False,
    line: int | None = None,
    text: str | None = None,
) -> Value:
    """A value; its rounding error defaults to half its last written digit."""
    if error is None:
        decimals = len(value.split(".")[1]) if "." in value else 0
        error = str(core.numbers.half_unit(decimals))
    return Value(
        indicator=code,
        org_unit=unit,
        period=period,
        kind=kind,
        value=Decimal(value),
        error=Decimal(error),
        option=option,
        category=category,
        qualifier=qualifier,
        derived=derived,
        provenance=core.Provenance(document="doc", line=line, text=text),
    )


def cube(*values: Value) -> ValueCube:
    return build_cube(values, units=UNITS)


def run(
    cat: core.Catalog, rules: list[Rule], *values: Value, stated: list[core.StatedFigure] | None = None
) -> list:
    ctx = RuleContext(cube=cube(*values), catalog=cat, stated=stated or [], unit_names=NAMES)
    return run_rules(rules, ctx)
