"""Writes to org units."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from ktxh import core
from ktxh.web.sync import SyncCounts, upsert

from .models import OrgUnit


@transaction.atomic
def orgunits_sync(*, units: Iterable[core.OrgUnit]) -> SyncCounts:
    """Store ``units`` keyed by (code, valid_from).

    Parents are linked to the version valid at the child's start.
    """
    units = list(units)
    existing = {(o.code, o.valid_from): o for o in OrgUnit.objects.all()}
    rows = [
        (
            (u.code, u.valid_from),
            {
                "code": u.code,
                "name": u.name,
                "short_name": u.short_name,
                "level": u.level,
                "valid_from": u.valid_from,
                "valid_to": u.valid_to,
            },
        )
        for u in units
    ]
    counts = upsert(OrgUnit, rows, existing)
    registry = core.OrgUnitRegistry(_plain(o) for o in existing.values())
    parent_rows = []
    for u in units:
        parent_id = None
        if u.parent_code:
            parent = registry.resolve(u.parent_code, u.valid_from)
            parent_id = existing[(parent.code, parent.valid_from)].pk
        parent_rows.append(((u.code, u.valid_from), {"parent_id": parent_id}))
    links = upsert(OrgUnit, parent_rows, existing)
    counts.absorb_links(links)
    return counts


def _plain(obj: OrgUnit) -> core.OrgUnit:
    return core.OrgUnit(obj.code, obj.name, obj.level, None, obj.valid_from, obj.valid_to, obj.short_name)
