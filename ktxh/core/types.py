"""The plain domain types shared by every layer: indicator, org unit, value.

The web layer maps its models onto these; the CLI and the engine use them as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum


class IndicatorKind(StrEnum):
    FLOW = "flow"  # summed over time: output, revenue, cases in the year
    STOCK = "stock"  # a level at a date: herd size, loans outstanding
    RATE = "rate"  # a percentage or per-capita rate of two quantities
    RATIO = "ratio"  # other ratios: sex ratio, yield, land-use coefficient
    COUNT = "count"  # discrete things, neither clearly flow nor stock


class Direction(StrEnum):
    UP = "up"  # more is better
    DOWN = "down"  # less is better
    NONE = "none"


class Aggregation(StrEnum):
    SUM = "sum"
    AVERAGE = "average"
    NONE = "none"  # recompute from components, never add up


class ValueKind(StrEnum):
    ESTIMATE = "estimate"  # ước thực hiện
    FINAL = "final"  # chính thức
    PLAN = "plan"  # kế hoạch
    BUDGET_ESTIMATE = "budget_estimate"  # dự toán
    TARGET = "target"  # chỉ tiêu, mục tiêu


VALUE_KIND_LABELS: dict[ValueKind, str] = {
    ValueKind.ESTIMATE: "Ước thực hiện",
    ValueKind.FINAL: "Chính thức",
    ValueKind.PLAN: "Kế hoạch",
    ValueKind.BUDGET_ESTIMATE: "Dự toán",
    ValueKind.TARGET: "Mục tiêu",
}


class Qualifier(StrEnum):
    NONE = ""
    OVER = "tren"  # "trên 81,381 tỷ đồng": a lower bound
    ABOUT = "khoang"
    NEARLY = "gan"
    UNDER = "duoi"


class TargetForm(StrEnum):
    EXACT = "exact"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    RANGE = "range"
    GROWTH = "growth"
    GROWTH_AT_LEAST = "growth_at_least"
    GROWTH_RANGE = "growth_range"
    AVG_GROWTH_RANGE = "avg_growth_range"
    PP_CHANGE = "pp_change"


class Measure(StrEnum):
    """What a report states about a value, beside the value itself."""

    PCT_PLAN = "pct_plan"  # đạt X% kế hoạch
    PCT_BUDGET = "pct_budget"  # bằng X% dự toán
    PCT_CHANGE = "pct_change"  # tăng/giảm X% so với ...
    PP_CHANGE = "pp_change"  # tăng/giảm X điểm phần trăm
    ABS_CHANGE = "abs_change"  # tăng/giảm X (đơn vị) so với ...
    RESTATED = "restated"  # the same quantity stated again, in another unit or place


@dataclass(frozen=True, slots=True)
class Indicator:
    """A catalog entry (chỉ tiêu)."""

    code: str
    name: str
    unit: str
    sector: str
    office: str
    kind: IndicatorKind
    decimals: int
    direction: Direction
    aggregation: Aggregation
    parent: str | None = None
    price_base: str | None = None
    budgeted: bool = False
    formula: str | None = None
    tags: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True, slots=True)
class OrgUnit:
    """An administrative unit valid from ``valid_from`` to ``valid_to`` (inclusive).

    The statistics office reuses codes across the 2025 reorganisation, so a unit
    is identified by its code *and* its validity, never by code alone.
    """

    code: str
    name: str
    level: str  # province | district | commune
    parent_code: str | None
    valid_from: date
    valid_to: date | None = None
    short_name: str = ""

    def valid_at(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a value comes from: a document line, a person, or a formula."""

    document: str | None = None  # document key, e.g. "thanh_mien_2023"
    line: int | None = None
    text: str | None = None  # the literal as printed on that line
    entered_by: str | None = None
    formula: str | None = None  # for derived values: how it was computed
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Value:
    """One number in one cell: indicator × org unit × period × kind (× breakdown)."""

    indicator: str
    org_unit: str
    period: str
    kind: ValueKind
    value: Decimal
    category: str = ""
    option: str = ""
    qualifier: Qualifier = Qualifier.NONE
    derived: bool = False
    flags: tuple[str, ...] = ()
    provenance: Provenance = field(default_factory=Provenance)
    # half-width of the value's uncertainty: half the last printed digit for a reported
    # number, the propagated rounding of the stated percentage for a derived one; None = exact
    error: Decimal | None = None
    # targets only
    form: TargetForm | None = None
    value_high: Decimal | None = None
    base_period: str | None = None
    # a range's upper bound: half its last printed digit, as ``error`` is for the lower one,
    # so "từ 1,5% đến 2%" prints each bound as stated; None = not recorded
    error_high: Decimal | None = None

    @property
    def key(self) -> tuple[str, str, str, str, str, str]:
        return (self.indicator, self.org_unit, self.period, str(self.kind), self.category, self.option)


@dataclass(frozen=True, slots=True)
class StatedFigure:
    """A percentage or change a document states about a value, kept to be checked."""

    indicator: str
    org_unit: str
    period: str
    measure: Measure
    value: Decimal
    base_period: str | None
    provenance: Provenance
    category: str = ""
    option: str = ""
    decimals: int = 0  # decimals as printed: "103,4" has 1
    unit: str | None = None  # restated figures: the unit as stated (value is in the indicator's unit)
