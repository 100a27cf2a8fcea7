"""Parts of pages kept between requests, under keys that say exactly what they show.

A key is made of the data a fragment was drawn from: the caller's parts (unit, period, the
stamp of the values it reads, whether the reader may edit…), plus the page language and the
catalog's stamp, which every fragment depends on. When anything it shows changes, its key
changes, so a kept fragment is never stale and nothing needs invalidating; old entries just
age out of the cache (settings.CACHES, shared by the server's processes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

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


def cached(namespace: str, parts: tuple[object, ...], make: Callable[[], T]) -> T:
    """The fragment kept under ``parts``, or ``make()`` drawn now and kept."""
    k = key(namespace, parts)
    found = cache.get(k)
    if found is None:
        found = make()
        cache.set(k, found)
    return found  # type: ignore[no-any-return]
