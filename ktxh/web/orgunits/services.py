"""Writes to org units."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction

from ktxh import core
from ktxh.core import reorg
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


@transaction.atomic
def allocation_record(
    *,
    source: core.OrgUnit,
    parts: dict[core.OrgUnit, Decimal],
    key: str,
    recorded_by: str,
    note: str = "",
) -> list[reorg.Allocation]:
    """Record how a split unit is shared among its successors. Replaces any earlier key.

    ``parts`` gives, for each receiving unit, the population or area of the part (``key``
    population/area) or the share itself (``key`` share; the shares must add up to 1).
    """
    from .models import SplitAllocation

    kind = reorg.KeyKind(key)
    src = reorg.UnitRef.of(source)
    if kind is reorg.KeyKind.SHARE:
        total = sum(parts.values(), Decimal(0))
        if abs(total - 1) > Decimal("0.0001"):
            raise core.OrgUnitError(f"Các tỷ lệ phải cộng lại bằng 1 (đang là {total}).")
        allocations = [
            reorg.Allocation(src, reorg.UnitRef.of(t), s, kind, None, note) for t, s in parts.items()
        ]
    else:
        allocations = reorg.shares_from_basis(
            src, {reorg.UnitRef.of(t): b for t, b in parts.items()}, kind, note
        )
    SplitAllocation.objects.filter(source_code=src.code, source_valid_from=src.valid_from).delete()
    SplitAllocation.objects.bulk_create(
        SplitAllocation(
            source_code=a.source.code,
            source_valid_from=a.source.valid_from,
            target_code=a.target.code,
            target_valid_from=a.target.valid_from,
            key=a.key.value,
            basis=a.basis,
            share=a.share.quantize(Decimal("0.0000000001")),
            note=note,
            recorded_by=recorded_by,
        )
        for a in allocations
    )
    return allocations
