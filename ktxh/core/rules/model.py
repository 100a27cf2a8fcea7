"""Rules, findings and the context checks run in."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ..catalog import Catalog
from ..cube import ACTUAL, ValueCube
from ..numbers import format_vi, plain
from ..periods import Period
from ..types import StatedFigure, Value


def with_unit(number: str, unit: str) -> str:
    """ "103,4%", "14.739 ha": a percent sign sticks to the number, other units do not."""
    if not unit:
        return number
    return number + unit if unit == "%" else f"{number} {unit}"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


SEVERITY_LABELS = {Severity.ERROR: "Lỗi", Severity.WARNING: "Cảnh báo", Severity.INFO: "Lưu ý"}


class Missing(StrEnum):
    SKIP = "skip"  # do not run the rule on a cell where a value is missing
    ZERO = "zero"  # count a missing part as 0 (at least one must be present)


@dataclass(frozen=True, slots=True)
class Rule:
    """A validation rule: data, not code. ``params`` holds the kind's own fields."""

    code: str
    kind: str
    title: str
    severity: Severity = Severity.ERROR
    missing: Missing = Missing.SKIP
    levels: tuple[str, ...] = ()
    kinds: tuple[str, ...] = (ACTUAL,)
    tol_abs: float = 0.0
    tol_rel: float = 0.0
    params: Mapping[str, Any] = field(default_factory=dict)
    note: str | None = None
    source: str = ""  # the file it came from, or "built-in"


@dataclass(frozen=True, slots=True)
class FindingValue:
    """One value a finding is about, with enough to show it and trace it."""

    indicator: str
    name: str
    unit: str
    org_unit: str
    org_name: str
    period: str
    kind: str
    value: Decimal
    decimals: int
    category: str = ""
    option: str = ""
    derived: bool = False
    document: str | None = None
    line: int | None = None
    text: str | None = None
    role: str = ""  # total, part, result, numerator, stated, …

    @property
    def shown(self) -> str:
        return with_unit(format_vi(self.value, self.decimals), self.unit)

    def as_json(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "indicator": self.indicator,
            "name": self.name,
            "unit": self.unit,
            "org_unit": self.org_unit,
            "org_name": self.org_name,
            "period": self.period,
            "kind": self.kind,
            "category": self.category,
            "option": self.option,
            "value": plain(self.value),
            "display": self.shown,
            "derived": self.derived,
            "source": {"document": self.document, "line": self.line, "text": self.text},
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule's result on one cell: what is wrong, the numbers, what was expected, a likely typo."""

    code: str
    check: str
    severity: Severity
    message: str
    values: tuple[FindingValue, ...]
    expected: Decimal | None
    suggestion: str | None
    org_unit: str
    period: str
    title: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "check": self.check,
            "severity": self.severity.value,
            "title": self.title,
            "message": self.message,
            "org_unit": self.org_unit,
            "period": self.period,
            "values": [v.as_json() for v in self.values],
            "expected": None if self.expected is None else plain(self.expected),
            "suggestion": self.suggestion,
        }


@dataclass
class RuleContext:
    """What checks read: the cube, the catalog, the stated figures and unit names."""

    cube: ValueCube
    catalog: Catalog
    stated: list[StatedFigure] = field(default_factory=list)
    unit_names: Mapping[str, str] = field(default_factory=dict)
    # only cells of these units and periods are reported (None: all)
    report_units: set[str] | None = None
    report_periods: set[str] | None = None

    def reported(self, u: int, p: int) -> bool:
        return (self.report_units is None or self.cube.units[u] in self.report_units) and (
            self.report_periods is None or self.cube.periods[p] in self.report_periods
        )

    def unit_symbol(self, indicator: str) -> str:
        ind = self.catalog.get(indicator)
        if ind is None:
            return ""
        return self.catalog.units[ind.unit].symbol if ind.unit in self.catalog.units else ind.unit

    def place(self, u: int, p: int) -> str:
        code = self.cube.units[u]
        return f"{self.unit_names.get(code, code)}, {Period.parse(self.cube.periods[p]).label}"

    def _series_info(self, s: int) -> tuple[str, int, str]:
        """(name, decimals, unit symbol) of a series, looked up once."""
        cache: dict[int, tuple[str, int, str]] = self.__dict__.setdefault("_info", {})
        if s not in cache:
            key = self.cube.series[s]
            ind = self.catalog.get(key.indicator)
            cache[s] = (
                ind.name if ind else key.indicator,
                ind.decimals if ind else 2,
                self.unit_symbol(key.indicator),
            )
        return cache[s]

    def values_at(self, kind: str, s: int, units: list[int], p: int, role: str = "") -> list[FindingValue]:
        """FindingValues of one series in many units (a province's communes), in one pass."""
        vals = self.cube.kind(kind).value[s, units, p].tolist()
        if self.cube.sources:
            return [fv for u in units if (fv := self.value_at(kind, s, u, p, role)) is not None]
        key = self.cube.series[s]
        name, decimals, symbol = self._series_info(s)
        period = self.cube.periods[p]
        codes = self.cube.units
        return [
            FindingValue(
                indicator=key.indicator,
                name=name,
                unit=symbol,
                org_unit=codes[u],
                org_name=self.unit_names.get(codes[u], codes[u]),
                period=period,
                kind=kind,
                value=Decimal(repr(x)),
                decimals=decimals,
                category=key.category,
                option=key.option,
                role=role,
            )
            for u, x in zip(units, vals, strict=True)
            if x == x  # not NaN
        ]

    def value_at(self, kind: str, s: int, u: int, p: int, role: str = "") -> FindingValue | None:
        """The FindingValue of one cube cell, from its stored Value when there is one."""
        cells = self.cube.kind(kind)
        x = cells.value[s, u, p]
        if x != x:  # NaN
            return None
        key = self.cube.series[s]
        stored = self.cube.source(kind, s, u, p) if self.cube.sources else None
        name, decimals, symbol = self._series_info(s)
        if stored is not None:
            return from_value(self, stored, role, decimals)
        return FindingValue(
            indicator=key.indicator,
            name=name,
            unit=symbol,
            org_unit=self.cube.units[u],
            org_name=self.unit_names.get(self.cube.units[u], self.cube.units[u]),
            period=self.cube.periods[p],
            kind=kind,
            value=Decimal(repr(float(x))),
            decimals=decimals,
            category=key.category,
            option=key.option,
            role=role,
        )


def from_value(ctx: RuleContext, v: Value, role: str, decimals: int | None = None) -> FindingValue:
    ind = ctx.catalog.get(v.indicator)
    shown_decimals = decimals if decimals is not None else (ind.decimals if ind else 2)
    if v.error is not None and v.error > 0 and not v.derived:
        # show a reported number with the decimals it was printed with
        shown_decimals = max(0, -(v.error * 2).normalize().as_tuple().exponent)  # type: ignore[operator]
    return FindingValue(
        indicator=v.indicator,
        name=ind.name if ind else v.indicator,
        unit=ctx.unit_symbol(v.indicator),
        org_unit=v.org_unit,
        org_name=ctx.unit_names.get(v.org_unit, v.org_unit),
        period=v.period,
        kind=v.kind.value,
        value=v.value,
        decimals=shown_decimals,
        category=v.category,
        option=v.option,
        derived=v.derived,
        document=v.provenance.document,
        line=v.provenance.line,
        text=v.provenance.text,
        role=role,
    )


Check = Callable[[Rule, RuleContext], Iterable[Finding]]
