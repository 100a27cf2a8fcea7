"""``ktxh serve --production``: gunicorn in front of the Django app, static files collected for
WhiteNoise, and a configuration check that runs before anything is served.

Django must be set up (with KTXH_PRODUCTION=1) before these functions are called.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication
from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

from .env import env_int

DEFAULT_THREADS = 1
DEFAULT_TIMEOUT = 120  # seconds: importing a scanned report (OCR) in a request takes a while


def default_workers() -> int:
    """KTXH_WORKERS, else four processes per CPU (at least 4, at most 16), one thread each.

    Requests spend most of their time in Python (drawing pages, running the rules), not
    waiting for the database: threads of one process queue for its interpreter lock, while
    processes run side by side and take the next request from one shared queue. Measured with
    bench/load.py on 2 CPUs, 50 users: 4 processes × 4 threads gave p99 730 ms on the overview
    and 1,3 s on saves; 8 processes × 1 thread 284 ms and 296 ms, at the same throughput.
    """
    cpus = os.cpu_count() or 1
    return env_int("KTXH_WORKERS", max(4, min(4 * cpus, 16)))


def default_threads() -> int:
    return env_int("KTXH_THREADS", DEFAULT_THREADS)


@dataclass
class ServeOptions:
    host: str
    port: int
    workers: int
    threads: int
    timeout: int = DEFAULT_TIMEOUT


@dataclass
class CheckResult:
    """What ``ktxh serve --production --check`` found: errors stop the start, warnings do not."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)


def check(options: ServeOptions) -> CheckResult:
    """Check the configuration without serving: settings, database, migrations, static folder."""
    from django.conf import settings
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    result = CheckResult()
    db = settings.DATABASES["default"]
    engine = str(db["ENGINE"])
    if "sqlite" in engine:
        where = f"SQLite {db['NAME']}"
        result.warnings.append(
            "Đang dùng SQLite. Với một huyện hay tỉnh (nhiều người nhập cùng lúc) hãy dùng PostgreSQL: "
            "đặt DATABASE_URL=postgres://… (docs/deploy.md)."
        )
    else:
        where = f"PostgreSQL {db.get('HOST') or 'socket'}:{db.get('PORT') or 5432}/{db['NAME']}"
    result.facts.append(f"Cơ sở dữ liệu: {where}")
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        result.errors.append(f"Không kết nối được cơ sở dữ liệu ({where}): {str(exc).strip()}")
    else:
        if pending:
            result.errors.append(
                f"Cơ sở dữ liệu chưa được cập nhật ({len(pending)} bước chưa chạy). Hãy chạy «ktxh init»."
            )
    finally:
        connection.close()
    root = settings.STATIC_ROOT
    if not os.access(root, os.W_OK):
        result.errors.append(f"Không ghi được vào thư mục tệp tĩnh {root} (KTXH_STATIC_ROOT).")
    result.facts.append(f"Tệp tĩnh: {root}")
    result.facts.append(
        f"Lắng nghe {options.host}:{options.port}, {options.workers} tiến trình × {options.threads} luồng"
    )
    hosts = [h for h in settings.ALLOWED_HOSTS if h not in ("127.0.0.1", "localhost", "testserver", "[::1]")]
    if not hosts:
        result.warnings.append(
            "KTXH_ALLOWED_HOSTS chưa có tên máy chủ: chỉ truy cập được qua 127.0.0.1/localhost "
            "(đặt KTXH_ALLOWED_HOSTS=ktxh.ten-huyen.gov.vn)."
        )
    if not settings.SESSION_COOKIE_SECURE:
        result.warnings.append(
            "KTXH_SECURE_COOKIES=0: cookie đăng nhập được gửi cả qua HTTP không mã hóa. "
            "Chỉ dùng khi chạy thử; bật lại khi đã có HTTPS."
        )
    if settings.SECURE_HSTS_SECONDS:
        result.facts.append(f"HSTS: {settings.SECURE_HSTS_SECONDS} giây")
    else:
        result.facts.append("HSTS: tắt (đặt KTXH_HSTS_SECONDS khi HTTPS đã chạy ổn định)")
    return result


class GzipManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    """WhiteNoise's hashed, compressed files, gzip only.

    Brotli would save about a sixth more on the office network but makes the start 25 times
    slower (half a minute instead of two seconds for ~1000 files); every browser takes gzip.
    """

    def create_compressor(self, **kwargs: Any) -> Compressor:
        return Compressor(use_brotli=False, **kwargs)


STAMP = ".ktxh-static.stamp"


def static_fingerprint() -> str:
    """A digest of every static file the apps ship (name, size, time) and of the storage used."""
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256(str(settings.STORAGES["staticfiles"]["BACKEND"]).encode())
    entries = []
    for finder in get_finders():
        for path, storage in finder.list([]):
            st = os.stat(storage.path(path))
            entries.append(f"{path}\0{st.st_size}\0{st.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def collect_static() -> tuple[int, bool]:
    """Copy and compress the static files into STATIC_ROOT for WhiteNoise.

    Returns (how many files are there, whether they were collected now). Compressing a
    thousand files takes half a minute, so a restart with the same files skips it.
    """
    from django.conf import settings
    from django.core.management import call_command

    root = Path(settings.STATIC_ROOT)
    stamp = root / STAMP
    fingerprint = static_fingerprint()
    fresh = stamp.exists() and stamp.read_text(encoding="utf-8").strip() == fingerprint
    if not (fresh and (root / "staticfiles.json").exists()):
        stamp.unlink(missing_ok=True)
        call_command("collectstatic", interactive=False, verbosity=0)
        stamp.write_text(fingerprint, encoding="utf-8")
    count = sum(1 for p in root.rglob("*") if p.is_file() and p.name != STAMP)
    return count, not fresh


def gunicorn_options(options: ServeOptions) -> dict[str, Any]:
    host = f"[{options.host}]" if ":" in options.host and not options.host.startswith("[") else options.host
    # No keep-alive by default: a kept-alive connection stays with the process that took it,
    # so a few busy people pile up on one process while others idle. Behind nginx (the
    # documented set-up) nginx opens a connection per request anyway.
    keepalive = env_int("KTXH_KEEPALIVE", 0)
    # One thread and no keep-alive: gunicorn's plain "sync" worker, which answers each request
    # in the process's own thread. The threaded worker hands every request from a polling
    # thread to a pool and back, which cost CPU for nothing here (bench/load.py).
    sync = options.threads == 1 and keepalive == 0
    return {
        "bind": [f"{host}:{options.port}"],
        "workers": options.workers,
        "threads": options.threads,
        "worker_class": "sync" if sync else "gthread",
        "timeout": options.timeout,
        "graceful_timeout": 30,
        "keepalive": keepalive,
        # Load Django once in the master: a broken configuration fails at start, not in
        # every worker, and the workers share the loaded code's memory.
        "preload_app": True,
        # Bound memory growth of long-lived workers.
        "max_requests": 5000,
        "max_requests_jitter": 500,
        # One line per request on stdout (with the time taken in ms); errors on stderr.
        "accesslog": "-",
        "errorlog": "-",
        "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"',
        "loglevel": "info",
        "proc_name": "ktxh",
        # Several servers may run on one machine (tests, a second district): no shared socket.
        "control_socket_disable": True,
    }


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Callable[..., Any], config: dict[str, Any]) -> None:
        self._app = app
        self._config = config
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._config.items():
            self.cfg.set(key, value)

    def load(self) -> Callable[..., Any]:
        return self._app


def run(options: ServeOptions) -> None:
    """Serve until stopped (SIGTERM or Ctrl+C). Blocks."""
    from django.core.wsgi import get_wsgi_application
    from django.db import connections

    app = get_wsgi_application()
    connections.close_all()  # never hand an open database connection to forked workers
    _Gunicorn(app, gunicorn_options(options)).run()
