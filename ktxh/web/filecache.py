"""The shared file cache, with culling checked now and then instead of on every write.

Django's FileBasedCache lists its whole folder on every ``set`` to see whether it is over
MAX_ENTRIES. Under load, with a few thousand kept fragments, that listing was about 4% of the
server's time (py-spy, bench/load.py). Here each process looks once every CULL_EVERY writes,
so the folder may go past MAX_ENTRIES by at most CULL_EVERY entries per process before it is
culled as usual.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY = 50


class SharedFileCache(FileBasedCache):
    def __init__(self, dir: str, params: dict[str, Any]) -> None:  # noqa: A002  (Django's name)
        super().__init__(dir, params)
        self._writes = 0

    def _cull(self) -> None:
        self._writes += 1
        if self._writes % CULL_EVERY == 0:
            super()._cull()
