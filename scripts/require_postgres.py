"""Fail loudly when PostgreSQL is not reachable: in CI a missing database is a failure, not a skip."""

from __future__ import annotations

import sys

import dj_database_url
import psycopg

url = sys.argv[1]
cfg = dj_database_url.parse(url)
try:
    with psycopg.connect(
        host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"], dbname=cfg["NAME"], connect_timeout=10
    ) as conn:
        version = conn.execute("select version()").fetchone()
except psycopg.OperationalError as exc:
    print(f"PostgreSQL không kết nối được ({url}): {exc}", file=sys.stderr)
    sys.exit(1)
print(f"PostgreSQL: {version[0] if version else '?'}")
