"""Validate a set of values: build the cube, run the rules, return the findings.

The CLI, the web app and the document checker all come through here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .catalog import Catalog
from .cube import build_cube
from .rules import Finding, Rule, RuleContext, load_rules, run_rules
from .types import StatedFigure, Value


@dataclass(frozen=True, slots=True)
class UnitInfo:
    code: str
    name: str
    level: str
    parent: str | None


def validate_values(
    *,
    catalog: Catalog,
    values: Iterable[Value],
    units: Sequence[UnitInfo],
    stated: Iterable[StatedFigure] = (),
    rules: Sequence[Rule] | None = None,
    report_units: set[str] | None = None,
    report_periods: set[str] | None = None,
) -> list[Finding]:
    """Findings of ``rules`` (default: built-in and shipped rules) over ``values``.

    ``units`` are every unit the values may belong to, parents before or after children;
    only cells of ``report_units`` × ``report_periods`` are reported (others still count
    as parts, history and siblings).
    """
    cube = build_cube(values, units=[(u.code, u.level, u.parent) for u in units])
    ctx = RuleContext(
        cube=cube,
        catalog=catalog,
        stated=list(stated),
        unit_names={u.code: u.name for u in units},
        report_units=report_units,
        report_periods=report_periods,
    )
    return run_rules(rules if rules is not None else load_rules(), ctx)


def related_indicators(
    catalog: Catalog, rules: Sequence[Rule], codes: set[str]
) -> tuple[set[str], list[Rule]]:
    """What the rules need to judge ``codes``: the indicators they can be checked against, and
    the rules that can involve them.

    A value is checked against its "trong đó" parent and parts, the indicators of any formula
    it takes part in, and the indicators named by a rule that names it; the generic built-in
    rules (sums over communes, outliers, stated percentages) need only the value's own
    indicator. Used on save, so that one value does not re-run the whole catalog.
    """
    from .rules.registry import rule_codes

    related = set(codes)
    for code in codes:
        ind = catalog.get(code)
        if ind is not None and ind.parent:
            related.add(ind.parent)
    for code, ind in catalog.items():
        if ind.parent in codes:
            related.add(code)
        if ind.formula:
            in_formula = _formula_codes(ind.formula)
            if in_formula is None:
                continue
            if code in codes or in_formula & codes:
                related |= in_formula | {code}
    chosen = []
    for rule in rules:
        named = rule_codes(rule)
        if not named:
            chosen.append(rule)
        elif named & codes:
            chosen.append(rule)
            related |= named
    return related, chosen


@lru_cache(maxsize=4096)
def _formula_codes(formula: str) -> frozenset[str] | None:
    """The indicator codes a formula names (None if it does not parse); parsed once per process,
    since every save asks again for the whole catalog's formulas."""
    from .expr import ExpressionError, parse, refs

    try:
        return frozenset(r.code for r in refs(parse(formula)))
    except ExpressionError:
        return None
