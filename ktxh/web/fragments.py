"""Parts of pages kept between requests, under keys that say exactly what they show.

A key is made of the data a fragment was drawn from: the caller's parts (unit, period, the
stamp of the values it reads, whether the reader may edit…), plus the page language and the
catalog's stamp, which every fragment depends on. When anything it shows changes, its key
changes, so a kept fragment is never stale and nothing needs invalidating; old entries just
age out of the cache (settings.CACHES, shared by the server's processes).

Because a key never comes to mean other content, each process also keeps the fragments it
used last in memory, in front of the shared cache: a hit there skips reading and unpickling
a file.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache
from django.utils.translation import get_language

from ktxh.web.datavalues import selectors as dv

T = TypeVar("T")


def scope(catalog_stamp: tuple[object, ...] | None = None) -> tuple[object, ...]:
    """What every fragment depends on: the language and the catalog (its stamp is read unless
    the caller has it already)."""
    if catalog_stamp is None:
        _catalog, catalog_stamp = dv.stored_catalog_stamped()
    return (get_language(), catalog_stamp)


def key(namespace: str, parts: tuple[object, ...], within: tuple[object, ...] | None = None) -> str:
    """The cache key of a fragment drawn from ``parts`` in ``within`` (default: ``scope()``)."""
    whole = (namespace, within if within is not None else scope(), parts)
    return f"ktxh:{namespace}:" + hashlib.sha256(repr(whole).encode("utf-8")).hexdigest()


class _Recent:
    """The fragments this process used last, up to ``budget`` characters of text in all."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self.items: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self.lock = threading.Lock()

    def get_many(self, keys: Iterable[str]) -> dict[str, Any]:
        out = {}
        with self.lock:
            for k in keys:
                item = self.items.get(k)
                if item is not None:
                    self.items.move_to_end(k)
                    out[k] = item[0]
        return out

    def set_many(self, found: dict[str, Any]) -> None:
        with self.lock:
            for k, value in found.items():
                cost = len(str(value)) + len(k)
                old = self.items.pop(k, None)
                if old is not None:
                    self.size -= old[1]
                self.items[k] = (value, cost)
                self.size += cost
            while self.size > self.budget and self.items:
                _k, (_value, cost) = self.items.popitem(last=False)
                self.size -= cost

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.size = 0


# About 8 MB of text per process: the tables of some forty entry forms or a few hundred overview
# sectors, the ones in use at the moment.
recent = _Recent(budget=8_000_000)


def get_many(keys: list[str]) -> dict[str, Any]:
    """The fragments kept under these keys (in this process's memory, else the shared cache)."""
    found = recent.get_many(keys)
    missing = [k for k in keys if k not in found]
    if missing:
        shared = cache.get_many(missing)
        if shared:
            recent.set_many(shared)
            found.update(shared)
    return found


def set_many(fresh: dict[str, Any]) -> None:
    """Keep these fragments, here and in the shared cache."""
    recent.set_many(fresh)
    cache.set_many(fresh)


def clear() -> None:
    """Forget every kept fragment, in this process and in the shared cache (tests, benchmarks).
    The shared cache also holds copies of sessions; they are read again from the database."""
    recent.clear()
    cache.clear()


def cached(namespace: str, parts: tuple[object, ...], make: Callable[[], T]) -> T:
    """The fragment kept under ``parts``, or ``make()`` drawn now and kept."""
    k = key(namespace, parts)
    found = get_many([k])
    if k in found:
        return found[k]  # type: ignore[no-any-return]
    value = make()
    set_many({k: value})
    return value
