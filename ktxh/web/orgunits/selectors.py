"""Reads of org units and recorded allocation keys."""

from __future__ import annotations

from ktxh.core import reorg

from .models import SplitAllocation


def recorded_allocations() -> list[reorg.Allocation]:
    return [
        reorg.Allocation(
            reorg.UnitRef(a.source_code, a.source_valid_from),
            reorg.UnitRef(a.target_code, a.target_valid_from),
            a.share,
            reorg.KeyKind(a.key),
            a.basis,
            a.note,
        )
        for a in SplitAllocation.objects.all()
    ]
