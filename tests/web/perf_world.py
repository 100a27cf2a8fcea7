"""The performance world: ten years of values for a district and its communes.

``build_perf_world()`` adds, on top of "Thanh Miện 2023 loaded", an actual value and a plan
for every indicator of a few sectors, every year of ten, for the district and each of its
units below (17 communes in the demo): about 30,000 rows, written with ``bulk_create``.
Cells the demo already holds are left alone, so the demo's figures (and their provenance)
stay what the other tests expect.

Used by tests/web/test_dashboard_pages.py (the query count must not grow with the data) and
bench/dashboard.py (render times).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from ktxh import core

SECTORS = ("nong_nghiep", "giao_thong", "tai_chinh", "y_te")
NOTE = "Số liệu thử hiệu năng (perf world)"


@dataclass(frozen=True)
class PerfWorld:
    unit: str
    years: tuple[int, ...]
    sectors: tuple[str, ...]
    units: int
    indicators: int
    created: int


def _magnitude(ind_unit: str, rng: random.Random) -> Decimal:
    if ind_unit == "pct":
        return Decimal(rng.randint(40, 95))
    return Decimal(rng.choice((12, 85, 640, 4_800, 14_000, 96_000)))


def build_perf_world(
    *,
    unit: str = "300",
    last_year: int = 2023,
    years: int = 10,
    sectors: tuple[str, ...] = SECTORS,
    seed: int = 7,
) -> PerfWorld:
    """Write the world; returns what it made. Deterministic for a given ``seed``."""
    from ktxh.web.catalog.models import Indicator
    from ktxh.web.datavalues.models import DataValue, Period
    from ktxh.web.datavalues.selectors import org_unit_at
    from ktxh.web.orgunits.models import OrgUnit

    rng = random.Random(seed)
    span = tuple(range(last_year - years + 1, last_year + 1))
    district = org_unit_at(unit, core.Period.year(last_year).end)
    day = core.Period.year(last_year).end
    units = [district, *OrgUnit.objects.valid_at(day).filter(parent=district).order_by("code")]
    periods = {y: Period.get_for(str(y)) for y in span}
    indicators = list(Indicator.objects.filter(sector__code__in=sectors).select_related("unit"))
    taken = set(
        DataValue.objects.filter(
            org_unit__in=units, period__in=periods.values(), category="", option=""
        ).values_list("indicator_id", "org_unit_id", "period_id", "kind")
    )
    rows = []
    for ind in indicators:
        pct = ind.unit.code == "pct"
        base = _magnitude(ind.unit.code, rng)
        step = Decimal(10) ** -ind.decimals
        for i, ou in enumerate(units):
            # the district holds the total of its communes' scale; rates stay rates
            share = Decimal(1) if pct or i == 0 else Decimal(rng.randint(3, 9)) / Decimal(100)
            level = base * share
            for k, y in enumerate(span):
                growth = Decimal(1) + Decimal(rng.randint(-4, 9)) / Decimal(100)
                level = min(level * growth, Decimal(99)) if pct else level * growth
                actual = level.quantize(step)
                plan = (level * Decimal(rng.randint(94, 106)) / Decimal(100)).quantize(step)
                plan_kind = "budget_estimate" if ind.budgeted else "plan"
                for kind, value in (
                    ("estimate" if k == len(span) - 1 else "final", actual),
                    (plan_kind, plan),
                ):
                    key = (ind.pk, ou.pk, periods[y].pk, kind)
                    if key in taken:
                        continue
                    taken.add(key)
                    rows.append(
                        DataValue(
                            indicator=ind,
                            org_unit=ou,
                            period=periods[y],
                            kind=kind,
                            value=value,
                            note=NOTE,
                        )
                    )
    DataValue.objects.bulk_create(rows, batch_size=2000)
    return PerfWorld(unit, span, sectors, len(units), len(indicators), len(rows))
