"""The catalog's relations, applied to the facts an extractor mapped to indicators.

The same engine that validates entered data (``ktxh.core.validate``) runs here on a cube
made of the document's own figures: each fact with an indicator becomes a value of one
synthetic unit ("the document") for its period, each stated percentage a stated figure.
The shipped rules then pair figures through the catalog (sản lượng thóc = năng suất ×
diện tích lúa; a rate = its numerator / denominator; parts of an indicator sum to it),
which the text alone cannot always do. A relation is only as sure as the mappings under
it: only facts mapped with ``CONFIDENT`` confidence take part, and a finding is at most a
warning (a wrong mapping must not pass for an arithmetic slip).

Findings come back under the document checker's codes (PARTS_SUM, STATED_PCT,
YIELD_AREA_OUTPUT, RESTATED); the sibling and history outliers are left out (one document
has no siblings or history in this sense).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache

from ktxh.core.catalog import Catalog, load_catalog
from ktxh.core.errors import KtxhError
from ktxh.core.numbers import half_unit
from ktxh.core.rules import Finding as EngineFinding
from ktxh.core.rules import Rule, load_rules
from ktxh.core.rules.model import with_unit
from ktxh.core.types import Measure, Provenance, Qualifier, StatedFigure, Value, ValueKind
from ktxh.core.validate import UnitInfo, validate_values

from ._check_common import Ctx, Finding, Severity, norm_unit, shown
from .model import Fact

CONFIDENT = 0.8
UNIT = "__doc__"
_SKIP_KINDS = {"outlier_siblings", "outlier_history", "magnitude", "children_sum"}
_CODES = {
    "sum_parts": "PARTS_SUM",
    "part_le_total": "PARTS_SUM",
    "compare": "PARTS_SUM",
    "product": "YIELD_AREA_OUTPUT",
    "ratio": "STATED_PCT",
    "formula": "STATED_PCT",
    "stated_pct": "STATED_PCT",
    "restated": "RESTATED",
}
_QUALIFIERS = {
    "trên": Qualifier.OVER,
    "hơn": Qualifier.OVER,
    "khoảng": Qualifier.ABOUT,
    "gần": Qualifier.NEARLY,
}
_MEASURES = {
    "pct_plan": Measure.PCT_PLAN,
    "pct_budget": Measure.PCT_BUDGET,
    "pct_change": Measure.PCT_CHANGE,
    "pp_change": Measure.PP_CHANGE,
}


@lru_cache(maxsize=1)
def _catalog() -> Catalog:
    return load_catalog()


@lru_cache(maxsize=1)
def _rules() -> tuple[Rule, ...]:
    return tuple(r for r in load_rules() if r.kind not in _SKIP_KINDS)


def _year(facts: list[Fact]) -> str | None:
    years = Counter(f.period for f in facts if f.period and len(f.period) == 4 and f.role == "value")
    return years.most_common(1)[0][0] if years else None


def run(ctx: Ctx, catalog: Catalog | None = None) -> Iterator[Finding]:
    catalog = catalog or _catalog()
    mapped = [
        f
        for f in ctx.facts
        if f.indicator and f.indicator in catalog and not f.org_unit and f.confidence >= CONFIDENT
    ]
    year = _year(mapped)
    if year is None:
        return
    values: dict[tuple[str, str, str], tuple[Value, Fact]] = {}
    stated: list[StatedFigure] = []
    by_line: dict[int, list[Fact]] = {}
    for f in mapped:
        by_line.setdefault(f.line, []).append(f)
        period = f.period or year
        if f.role in _MEASURES:
            base = (
                str(int(period) - 1) if f.role in ("pct_change", "pp_change") and period.isdigit() else None
            )
            stated.append(
                StatedFigure(
                    indicator=str(f.indicator),
                    org_unit=UNIT,
                    period=period,
                    measure=_MEASURES[f.role],
                    value=-f.value if _falls(ctx, f) else f.value,
                    base_period=base,
                    provenance=Provenance(document="doc", line=f.line, text=f.quote[:80]),
                    decimals=f.decimals,
                )
            )
            continue
        made = _value(f, period, catalog)
        if made is None:
            continue
        key = (made.indicator, made.period, made.kind.value)
        if key not in values or f.confidence > values[key][1].confidence:
            values[key] = (made, f)
    if not values:
        return
    try:
        found = validate_values(
            catalog=catalog,
            values=[v for v, _f in values.values()],
            units=[UnitInfo(UNIT, "văn bản", "district", None)],
            stated=stated,
            rules=list(_rules()),
            report_periods={year},
        )
    except (KtxhError, ValueError, ZeroDivisionError):
        return
    for e in found:
        yield _translate(ctx, e, by_line)


def _falls(ctx: Ctx, f: Fact) -> bool:
    before = ctx.where.before(f, 20)
    return f.value > 0 and any(w in before for w in ("giảm", "thấp hơn", "ít hơn"))


def _value(f: Fact, period: str, catalog: Catalog) -> Value | None:
    ind = catalog[str(f.indicator)]
    if f.role in ("value", "part"):
        kind = ValueKind.ESTIMATE
    elif f.role == "plan":
        kind = ValueKind.PLAN
    elif f.role == "prior" and period.isdigit():
        kind, period = ValueKind.FINAL, str(int(period) - 1) if f.period is None else period
    else:
        return None
    units = catalog.units
    try:
        unit = units.by_symbol(norm_unit(f.unit)) if f.unit else units[ind.unit]
        value = units.convert(f.value, unit.code, ind.unit)
        error = units.convert(half_unit(f.decimals), unit.code, ind.unit)
    except KtxhError:
        if f.unit and not units[ind.unit].dimension.startswith("count:"):
            return None
        value, error = f.value, Decimal(0)
    if units[ind.unit].dimension.startswith("count:") and f.decimals == 0:
        error = Decimal(0)
    return Value(
        indicator=ind.code,
        org_unit=UNIT,
        period=period,
        kind=kind,
        value=value,
        qualifier=_QUALIFIERS.get(f.qualifier.strip().lower(), Qualifier.NONE),
        provenance=Provenance(document="doc", line=f.line, text=f.quote[:80]),
        error=error,
    )


def _translate(ctx: Ctx, e: EngineFinding, by_line: dict[int, list[Fact]]) -> Finding:
    lines = tuple(sorted({v.line for v in e.values if v.line}))
    involved = [
        f for n in lines for f in by_line.get(n, []) if f.indicator in {v.indicator for v in e.values}
    ]
    # the pairing rests on mapping words to indicators: a question to the office, never a proof
    severity = Severity.INFO if e.severity.value == "info" else Severity.WARNING
    head = e.values[0] if e.values else None
    unit = head.unit if head else ""
    return Finding(
        code=_CODES.get(e.check, "PARTS_SUM"),
        severity=severity,
        message=e.message,
        lines=lines,
        quote=" … ".join(dict.fromkeys(v.text or "" for v in e.values if v.text))[:200],
        stated=head.shown if head else None,
        expected=None if e.expected is None else with_unit(shown(e.expected), unit),
        suggestion=e.suggestion,
        facts=tuple(involved),
    )
