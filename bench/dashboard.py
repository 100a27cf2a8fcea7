"""Benchmark: dashboard render times, with the demo alone and with ten years of data.

Creates a temporary SQLite database (its own KTXH_HOME), loads "Thanh Miện 2023", renders the
overview, a sector page, a ranking, the findings list and an entry form ``--repeat`` times
through Django's test client (logged in as the planning office), then adds the perf world
(tests/web/perf_world.py: 10 years × the district and its 17 communes × four sectors'
indicators) and renders again. Pages with kept fragments (the overview's sector tables, the
entry table: ktxh.web.fragments) are timed twice, interleaved: "kept" as a second visit finds
them, "redrawn" with the cache emptied first, as after a save to every sector.
Prints, per page and world, the median and best time in ms, the queries per render and the
page size, and ends with one line of JSON.

    .venv/bin/python bench/dashboard.py                # 15 renders per page
    .venv/bin/python bench/dashboard.py --repeat 5 --keep
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "overview": "/?unit=300&year=2023",
    "sector nong_nghiep": "/linh-vuc/nong_nghiep/?unit=300&year=2023",
    "sector tai_chinh": "/linh-vuc/tai_chinh/?unit=300&year=2023",
    "ranking NN.DT_LUA": "/xep-hang/NN.DT_LUA/?unit=300&year=2023",
    "findings": "/phat-hien/?unit=300&year=2023",
    "entry nong_nghiep": "/nhap-lieu/300/2023/nong_nghiep/",
}
CACHED = {"overview", "entry nong_nghiep"}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=15, help="renders per page (default 15)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database folder")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="ktxh-bench-dash-"))
    os.environ["KTXH_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ktxh.web.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from ktxh.web import fragments
    from ktxh.web.accounts.services import DEMO_ACCOUNTS, account_ensure
    from ktxh.web.datavalues.services import demo_load
    from tests.web.perf_world import build_perf_world

    setup_test_environment()  # the test client's host and template signals
    try:
        print(f"Cơ sở dữ liệu tạm: {home}", file=sys.stderr)
        call_command("migrate", verbosity=0)
        demo_load()
        for spec in DEMO_ACCOUNTS:
            account_ensure(spec=spec, password="bench-Mat-khau-2023")
        client = Client()
        client.force_login(get_user_model().objects.get(username="tckh"))

        def measure(world: str) -> list[dict[str, Any]]:
            out = []
            for name, url in PAGES.items():
                client.get(url)  # warm: templates compiled, catalog pages cached by the OS
                modes = ("kept", "redrawn") if name in CACHED else ("",)
                times: dict[str, list[float]] = {m: [] for m in modes}
                queries: dict[str, int] = {}
                for _ in range(args.repeat):
                    for mode in modes:  # interleaved, so both see the same machine
                        if mode == "redrawn":
                            fragments.clear()
                        with CaptureQueriesContext(connection) as q:
                            t = time.perf_counter()
                            response = client.get(url)
                            times[mode].append((time.perf_counter() - t) * 1000)
                        queries[mode] = len(q)
                        assert response.status_code == 200, (url, response.status_code)
                for mode in modes:
                    label = f"{name} ({mode})" if mode else name
                    row = {
                        "world": world,
                        "page": label,
                        "median_ms": round(statistics.median(times[mode]), 1),
                        "best_ms": round(min(times[mode]), 1),
                        "queries": queries[mode],
                        "kb": round(len(response.content) / 1024),
                    }
                    print(
                        f"{world:<10} {label:<30} median {row['median_ms']:>7.1f} ms  "
                        f"best {row['best_ms']:>7.1f} ms  {row['queries']:>2} truy vấn  {row['kb']:>4} KB"
                    )
                    out.append(row)
            return out

        results = measure("demo")
        t = time.perf_counter()
        world = build_perf_world()
        print(
            f"perf world: {world.created} số liệu ({len(world.years)} năm × {world.units} đơn vị × "
            f"{world.indicators} chỉ tiêu) trong {time.perf_counter() - t:.1f} s",
            file=sys.stderr,
        )
        results += measure("10 năm")
        print(json.dumps({"repeat": args.repeat, "values_added": world.created, "results": results}))
    finally:
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
