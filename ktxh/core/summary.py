"""One row per indicator for an org unit and a year: value, plan, % of plan, change.

This is what the ``ktxh values`` command prints and what the first web page shows.
Every figure is either a stored value (with its provenance) or computed here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from . import compute
from .catalog import Catalog
from .numbers import plain
from .periods import Period
from .types import Direction, Indicator, IndicatorKind, Value, ValueKind

PCT_DECIMALS = 1
_ACTUAL_ORDER = (ValueKind.FINAL, ValueKind.ESTIMATE)


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    indicator: Indicator
    unit_symbol: str
    value: Value | None
    plan: Value | None
    previous: Value | None

    @property
    def pct_plan(self) -> Decimal | None:
        return compute.pct_of(_v(self.value), _v(self.plan))

    @property
    def pct_change(self) -> Decimal | None:
        return compute.pct_change(_v(self.value), _v(self.previous))

    @property
    def pp_change(self) -> Decimal | None:
        """Percentage-point change, only for rates and ratios measured in %."""
        if (
            self.indicator.kind not in (IndicatorKind.RATE, IndicatorKind.RATIO)
            or self.indicator.unit != "pct"
        ):
            return None
        return compute.pp_change(_v(self.value), _v(self.previous))

    @property
    def status(self) -> str:
        """ "vượt", "đạt" or "không đạt" kế hoạch, by the indicator's good direction ("" if unknown)."""
        return status_label(self.pct_plan, self.indicator.direction)

    def sources(self) -> list[dict[str, Any]]:
        out = []
        for role, value in (("value", self.value), ("plan", self.plan), ("previous", self.previous)):
            if value is None:
                continue
            p = value.provenance
            out.append(
                {
                    "role": role,
                    "kind": str(value.kind),
                    "period": value.period,
                    "derived": value.derived,
                    "document": p.document,
                    "line": p.line,
                    "text": p.text,
                    "formula": p.formula,
                    "entered_by": p.entered_by,
                }
            )
        return out

    def as_json(self) -> dict[str, Any]:
        d = self.indicator.decimals

        def num(value: Decimal | None, places: int) -> str | None:
            return None if value is None else plain(value, places)

        return {
            "code": self.indicator.code,
            "name": self.indicator.name,
            "unit": self.unit_symbol,
            "unit_code": self.indicator.unit,
            "sector": self.indicator.sector,
            "value": num(_v(self.value), d),
            "value_kind": str(self.value.kind) if self.value else None,
            "plan": num(_v(self.plan), d),
            "plan_kind": str(self.plan.kind) if self.plan else None,
            "pct_plan": num(self.pct_plan, PCT_DECIMALS),
            "status": self.status or None,
            "previous": num(_v(self.previous), d),
            "pct_change": num(self.pct_change, PCT_DECIMALS),
            "pp_change": num(self.pp_change, max(d, 2)),
            "derived": sorted({role for role, v in self._parts() if v is not None and v.derived}),
            "sources": self.sources(),
        }

    def _parts(self) -> list[tuple[str, Value | None]]:
        return [("value", self.value), ("plan", self.plan), ("previous", self.previous)]


def status_label(pct_plan: Decimal | None, direction: Direction) -> str:
    """ "vượt", "đạt" or "không đạt" for a % of plan, by the good direction ("" without a plan)."""
    from .derive import STATUS_LABELS, status

    if pct_plan is None:
        return ""
    return STATUS_LABELS[status(np.array([float(pct_plan)]), direction)[0]]


def _v(value: Value | None) -> Decimal | None:
    return None if value is None else value.value


def _pick(
    cells: dict[tuple[str, str, ValueKind], Value], code: str, period: str, kinds: Iterable[ValueKind]
) -> Value | None:
    for kind in kinds:
        found = cells.get((code, period, kind))
        if found is not None:
            return found
    return None


def indicator_rows(
    catalog: Catalog, values: Iterable[Value], *, org_unit: str, period: Period
) -> list[IndicatorRow]:
    """Rows, in catalog order, for every indicator with a value or a plan in ``period``.

    Only totals count here (no breakdown by bank, channel...). A reported value
    always wins over a derived one of the same cell, which the loader guarantees.
    """
    previous = period.previous_year().code
    cells: dict[tuple[str, str, ValueKind], Value] = {}
    for v in values:
        if v.org_unit != org_unit or v.category or v.option or v.period not in (period.code, previous):
            continue
        cells[(v.indicator, v.period, v.kind)] = v
    rows = []
    for code, ind in catalog.items():
        value = _pick(cells, code, period.code, _ACTUAL_ORDER)
        plan_kinds = (
            (ValueKind.BUDGET_ESTIMATE, ValueKind.PLAN)
            if ind.budgeted
            else (ValueKind.PLAN, ValueKind.BUDGET_ESTIMATE)
        )
        plan = _pick(cells, code, period.code, plan_kinds)
        if value is None and plan is None:
            continue
        prev = _pick(cells, code, previous, _ACTUAL_ORDER)
        symbol = catalog.units[ind.unit].symbol if ind.unit in catalog.units else ind.unit
        rows.append(IndicatorRow(ind, symbol, value, plan, prev))
    return rows
