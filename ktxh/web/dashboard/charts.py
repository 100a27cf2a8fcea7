"""Chart data for dashboard.js: plain dicts passed through ``json_script``.

Every label and tooltip figure is formatted here, the Vietnamese way (14.739; 103,4%), so the
browser only draws; the tables next to the charts carry the same numbers for readers without
JavaScript. Values to plot are floats (drawing only, never computed with).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Protocol

from django.utils.translation import gettext as _

from ktxh import core
from ktxh.core.summary import PCT_DECIMALS, IndicatorRow

from . import cells
from .selectors import STATUSES, Ranking, Trend

COLORS = {"vượt": "#1b6e2d", "đạt": "#1d4f91", "không đạt": "#a4161a", "": "#7a8793"}
GOOD, BAD, NEUTRAL = "#1b6e2d", "#a4161a", "#1d4f91"


def _f(value: Decimal) -> float:
    return float(value)


class _Counted(Protocol):
    @property
    def sector(self) -> core.Sector: ...
    @property
    def counts(self) -> dict[str, int]: ...
    @property
    def assessed(self) -> int: ...


def attainment_by_sector(sectors: Sequence[_Counted], link: Callable[[str], str]) -> dict[str, Any]:
    """Stacked bars: per sector, how many indicators exceeded, met or missed their plan."""
    shown = [s for s in sectors if s.assessed]
    return {
        "type": "stacked",
        "categories": [s.sector.name for s in shown],
        "links": [link(s.sector.code) for s in shown],
        "series": [
            {"name": status, "color": COLORS[status], "data": [s.counts[status] for s in shown]}
            for status in STATUSES
        ],
        "axis": _("Số chỉ tiêu"),
    }


def plan_attainment(rows: list[IndicatorRow]) -> dict[str, Any]:
    """% of plan per indicator, with the 100% line."""
    items = []
    for r in rows:
        pct = r.pct_plan
        if pct is None or r.value is None or r.plan is None:
            continue
        c = cells.pct_plan_cell(r, "")
        items.append(
            {
                "name": r.indicator.name,
                "value": round(_f(pct), 1),
                "label": core.format_pct(pct, PCT_DECIMALS),
                "tip": f"{r.status or _('chưa đánh giá')} · {c.formula if c else ''}",
                "color": COLORS[r.status],
            }
        )
    return {"type": "bars", "items": items, "mark": 100, "mark_label": "100%", "suffix": "%"}


def _good(change: Decimal, direction: core.Direction) -> str:
    if direction is core.Direction.NONE or change == 0:
        return NEUTRAL
    return GOOD if (change > 0) == (direction is core.Direction.UP) else BAD


def yoy_change(rows: list[IndicatorRow]) -> dict[str, Any]:
    """% change on the previous year; rates in % move in percentage points, so they are left to
    the table (one axis cannot hold both)."""
    items = []
    for r in rows:
        if r.pp_change is not None:
            continue
        pct = r.pct_change
        c = cells.change_cell(r, "")
        if pct is None or c is None:
            continue
        items.append(
            {
                "name": r.indicator.name,
                "value": round(_f(pct), 1),
                "label": c.text,
                "tip": c.formula,
                "color": _good(pct, r.indicator.direction),
            }
        )
    return {"type": "bars", "items": items, "mark": 0, "mark_label": "0", "suffix": "%"}


def trend_chart(trend: Trend, indicators: list[core.Indicator], symbols: dict[str, str]) -> dict[str, Any]:
    """One line per indicator (the page picks which), actual and plan over the stored years."""

    def point(v: core.Value | None, decimals: int) -> dict[str, Any] | None:
        if v is None:
            return None
        return {
            "value": _f(v.value),
            "label": cells.number(v.value, decimals),
            "derived": v.derived,
        }

    options = []
    for ind in indicators:
        actual = trend.actual.get(ind.code, {})
        plan = trend.plan.get(ind.code, {})
        options.append(
            {
                "code": ind.code,
                "name": ind.name,
                "unit": symbols.get(ind.code, ""),
                "actual": [point(actual.get(y), ind.decimals) for y in trend.years],
                "plan": [point(plan.get(y), ind.decimals) for y in trend.years],
            }
        )
    return {
        "type": "lines",
        "years": [str(y) for y in trend.years],
        "options": options,
        "actual_name": _("Thực hiện"),
        "plan_name": _("Kế hoạch"),
        "derived_note": _("số suy ra"),
    }


def ranking_chart(r: Ranking) -> dict[str, Any]:
    d = r.indicator.decimals
    items = [
        {
            "name": e.unit.name,
            "value": _f(e.value),
            "label": cells.number(e.value, d),
            "tip": f"{e.rank}. {e.unit.name}",
            "color": NEUTRAL,
        }
        for e in r.ranked
        if e.value is not None
    ]
    suffix = r.unit_symbol if r.unit_symbol in ("", "%") else " " + r.unit_symbol
    return {"type": "bars", "items": items, "suffix": suffix}
