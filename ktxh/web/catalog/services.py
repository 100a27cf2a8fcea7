"""Writes to the catalog. Each runs in a transaction and changes only what differs."""

from __future__ import annotations

from django.db import transaction

from ktxh import core
from ktxh.web.sync import SyncCounts, upsert

from .models import Indicator, Office, Sector, Unit


@transaction.atomic
def catalog_sync(*, catalog: core.Catalog) -> SyncCounts:
    """Make the stored catalog match ``catalog`` (offices, sectors, units, indicators).

    Indicators missing from ``catalog`` are kept: values may still point at them.
    """
    problems = catalog.problems()
    if problems:
        raise core.CatalogError("Danh mục chỉ tiêu có lỗi:\n- " + "\n- ".join(problems))
    counts = SyncCounts()
    offices = {o.code: o for o in Office.objects.all()}
    counts += upsert(
        Office, ((o.code, {"code": o.code, "name": o.name}) for o in catalog.offices.values()), offices
    )
    sectors = {s.code: s for s in Sector.objects.all()}
    counts += upsert(
        Sector,
        (
            (
                s.code,
                {"code": s.code, "prefix": s.prefix, "name": s.name, "office": offices[s.office], "order": i},
            )
            for i, s in enumerate(catalog.sectors.values())
        ),
        sectors,
    )
    units = {u.code: u for u in Unit.objects.all()}
    counts += upsert(
        Unit,
        (
            (u.code, {"code": u.code, "symbol": u.symbol, "dimension": u.dimension, "factor": u.factor})
            for u in catalog.units.values()
        ),
        units,
    )
    indicators = {i.code: i for i in Indicator.objects.all()}
    rows = []
    for order, ind in enumerate(catalog.values()):
        rows.append(
            (
                ind.code,
                {
                    "code": ind.code,
                    "name": ind.name,
                    "unit": units[ind.unit],
                    "sector": sectors[ind.sector],
                    "office": offices[ind.office],
                    "kind": ind.kind.value,
                    "decimals": ind.decimals,
                    "direction": ind.direction.value,
                    "aggregation": ind.aggregation.value,
                    "price_base": ind.price_base or "",
                    "budgeted": ind.budgeted,
                    "formula": ind.formula or "",
                    "tags": list(ind.tags),
                    "note": ind.note or "",
                    "order": order,
                },
            )
        )
    counts += upsert(Indicator, rows, indicators)
    # parents in a second pass: every indicator exists by now
    parent_rows = [
        (ind.code, {"parent_id": indicators[ind.parent].pk if ind.parent else None})
        for ind in catalog.values()
    ]
    parents = upsert(Indicator, parent_rows, indicators)
    counts.absorb_links(parents)
    return counts
