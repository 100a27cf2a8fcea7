"""The shared file cache, with culling checked now and then instead of on every write.

Django's FileBasedCache lists its whole folder on every ``set`` to see whether it is over
MAX_ENTRIES. Under load, with a few thousand kept fragments, that listing was about 4% of the
server's time (py-spy, bench/load.py). Here each process looks once every CULL_EVERY writes,
so the folder may go past MAX_ENTRIES by at most CULL_EVERY entries per process before it is
culled as usual.

The folder is made on the first write, not when a process opens the cache (Django's does it
then, in every new thread): with SQLite, a KTXH_HOME that has gone away (a disk unmounted)
must stay gone, so the app answers 503 instead of a new, empty database being made there.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY = 50


class SharedFileCache(FileBasedCache):
    def __init__(self, dir: str, params: dict[str, Any]) -> None:  # noqa: A002  (Django's name)
        BaseCache.__init__(self, params)  # as FileBasedCache, less making the folder (set does)
        self._dir = os.path.abspath(dir)
        self._writes = 0

    def _cull(self) -> None:
        self._writes += 1
        if self._writes % CULL_EVERY == 0:
            super()._cull()
