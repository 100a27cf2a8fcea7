"""Upsert helper shared by the sync services: write only what changed.

Running a sync twice must change nothing, so each row is compared field by field
with what is stored and saved only when it differs.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


@dataclass
class SyncCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changed_keys: list[Hashable] = field(default_factory=list)
    created_keys: list[Hashable] = field(default_factory=list)

    def absorb_links(self, links: SyncCounts) -> None:
        """Count a second pass (links to parents) as updates only for rows that existed before."""
        fresh = set(self.created_keys)
        extra = [k for k in links.changed_keys if k not in fresh]
        self.updated += len(extra)
        self.changed_keys += extra

    def __iadd__(self, other: SyncCounts) -> SyncCounts:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.changed_keys += other.changed_keys
        self.created_keys += other.created_keys
        return self


def upsert(
    model: type[M],
    rows: Iterable[tuple[Hashable, dict[str, Any]]],
    existing: dict[Hashable, M],
    *,
    make: Callable[[dict[str, Any]], M] | None = None,
) -> SyncCounts:
    """Create the rows whose key is not in ``existing``; update those whose fields differ."""
    counts = SyncCounts()
    to_create: list[M] = []
    to_update: list[M] = []
    fields: set[str] = set()
    for key, values in rows:
        obj = existing.get(key)
        if obj is None:
            new = make(values) if make else model(**values)
            to_create.append(new)
            existing[key] = new
            counts.created += 1
            counts.created_keys.append(key)
            continue
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            fields.update(changed)
            to_update.append(obj)
            counts.updated += 1
            counts.changed_keys.append(key)
        else:
            counts.unchanged += 1
    if to_create:
        model.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        # bulk_update does not run auto_now: set it here, so "updated at" tells the truth
        # (the web processes' caches compare it to notice a change).
        stamps = [f for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
        for obj in to_update:
            for f in stamps:
                f.pre_save(obj, add=False)
        fields.update(f.name for f in stamps)
        model.objects.bulk_update(to_update, sorted(fields), batch_size=500)
    return counts
