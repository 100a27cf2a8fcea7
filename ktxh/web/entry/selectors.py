"""Reads for the data-entry screens: one row per indicator of a sector."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ktxh import core
from ktxh.core import compute
from ktxh.web.catalog.models import Indicator, Sector
from ktxh.web.datavalues import selectors as dv
from ktxh.web.datavalues.choices import ValueKind
from ktxh.web.datavalues.models import DataValue, Period
from ktxh.web.orgunits.models import OrgUnit

ACTUAL = (ValueKind.FINAL, ValueKind.ESTIMATE)


@dataclass(frozen=True, slots=True)
class Cell:
    """What the entry screens show of a stored value."""

    value: Decimal
    kind: str
    version: int
    note: str


@dataclass
class EntryRow:
    indicator: Indicator
    previous: Cell | None
    plan: Cell | None
    current: Cell | None  # the final value if there is one, else the estimate

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def dom_id(self) -> str:
        """The code as an HTML id usable in CSS selectors (no dots)."""
        return "".join(ch if ch.isalnum() or ch in "_-" else "-" for ch in self.indicator.code)

    @property
    def version(self) -> int:
        return self.current.version if self.current else 0

    @property
    def kind(self) -> str:
        return self.current.kind if self.current else ValueKind.ESTIMATE

    def pct_plan(self, value: Decimal | None) -> Decimal | None:
        return compute.pct_of(value, self.plan.value if self.plan else None)

    def change(self, value: Decimal | None) -> tuple[Decimal | None, bool]:
        """(change, in percentage points?) against the previous year."""
        prev = self.previous.value if self.previous else None
        if self.indicator.unit.code == "pct" and self.indicator.kind in ("rate", "ratio"):
            return compute.pp_change(value, prev), True
        return compute.pct_change(value, prev), False


def _pick(
    cells: dict[tuple[str, str, str], Cell], code: str, period: str, kinds: tuple[str, ...]
) -> Cell | None:
    for kind in kinds:
        found = cells.get((code, period, kind))
        if found is not None:
            return found
    return None


_indicators: dict[int, tuple[tuple[object, ...], list[Indicator]]] = {}


def sector_indicators(sector: Sector) -> list[Indicator]:
    """The indicators of ``sector`` in catalog order, with their unit and sector: read once per
    process and kept while the catalog's stamp is unchanged (they are only read, never saved)."""
    stamp = dv.catalog_stamp()
    kept = _indicators.get(sector.pk)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    found = list(Indicator.objects.filter(sector=sector).select_related("unit", "sector").order_by("order"))
    _indicators[sector.pk] = (stamp, found)
    return found


def entry_rows(
    *, org_unit: OrgUnit, period: Period, sector: Sector, codes: list[str] | None = None
) -> list[EntryRow]:
    """Every indicator of ``sector`` (or just ``codes``) with last year's value, the plan and the value now.

    Three small queries whatever the number of indicators; the values are read as plain columns.
    """
    indicators = sector_indicators(sector)
    if codes is not None:
        wanted = set(codes)
        indicators = [i for i in indicators if i.code in wanted]
    previous = previous_code(period)
    periods = [period.code] + ([previous] if previous else [])
    by_id = {i.pk: i.code for i in indicators}
    period_codes = dict(Period.objects.filter(code__in=periods).values_list("pk", "code"))
    cells = {
        (by_id[ind], period_codes[per], kind): Cell(value, kind, version, note)
        for ind, per, kind, value, version, note in DataValue.objects.filter(
            org_unit=org_unit,
            period_id__in=list(period_codes),
            indicator_id__in=list(by_id),
            category="",
            option="",
        ).values_list("indicator_id", "period_id", "kind", "value", "version", "note")
    }
    rows = []
    for ind in indicators:
        plan_kinds = ("budget_estimate", "plan") if ind.budgeted else ("plan", "budget_estimate")
        rows.append(
            EntryRow(
                indicator=ind,
                previous=_pick(cells, ind.code, previous, ACTUAL) if previous else None,
                plan=_pick(cells, ind.code, period.code, plan_kinds),
                current=_pick(cells, ind.code, period.code, ACTUAL),
            )
        )
    return rows


def previous_code(period: Period) -> str | None:
    try:
        return core.Period.parse(period.code).previous_year().code
    except (core.KtxhError, AttributeError):
        return None
