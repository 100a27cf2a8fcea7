"""Benchmark: the server's CPU time per request, endpoint by endpoint, one request at a time.

Starts ``ktxh serve --production`` with one process on its own PostgreSQL database (as
bench/load.py does: ``ktxh_load``, dropped and made again), logs in as the district's
planning office and as a commune, and sends each request ``--repeat`` times in a row. For
each endpoint it prints the CPU the server process used per request (user + system time from
/proc, so other work on the machine hardly moves it) and the time the client waited.

Pages that keep drawn tables (the overview, the entry form) are measured as a second visit
finds them ("kept"); the last line measures a save followed by the two pages it makes redraw.

    .venv/bin/python bench/request_cost.py
    .venv/bin/python bench/request_cost.py --repeat 100

The last line is JSON with every figure.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402  (bench/load.py: the database, the accounts, the server's CPU)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=60, help="requests per endpoint (default 60)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("KTXH_LOAD_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server on this machine; the database ktxh_load is dropped and made there",
    )
    opts = parser.parse_args()
    work = tempfile.mkdtemp(prefix="ktxh-cost-")
    password = secrets.token_urlsafe(12)
    url = load._recreate_database(opts.postgres)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KTXH_", "DJANGO_"))}
    env.update(
        DATABASE_URL=url,
        KTXH_HOME=work,
        KTXH_SECRET_KEY=secrets.token_urlsafe(50),
        KTXH_SECURE_COOKIES="0",
        KTXH_LOG_LEVEL="WARNING",
        KTXH_LOAD_PASSWORD=password,
    )
    ktxh = [sys.executable, "-m", "ktxh.cli"]
    print(f"… cơ sở dữ liệu {url} (tạo mới), thư mục {work}", file=sys.stderr, flush=True)
    load._run([*ktxh, "init"], env)
    load._run([*ktxh, "load-demo"], env)
    world = json.loads(load._run([sys.executable, load.__file__, "prepare"], env))
    port = load._free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(work, "server.log").open("wb")
    serve = [*ktxh, "serve", "--production", "--port", str(port), "--workers", "1"]
    server = subprocess.Popen(
        serve, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=load.REPO, start_new_session=True
    )
    try:
        load._wait(f"{base}/dang-nhap/", server)
        figures = _measure(opts, base, world, password, lambda: load._cpu_seconds(server.pid)["server"])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=40)
        log.close()
    print(json.dumps({"repeat": opts.repeat, "endpoints": figures}, ensure_ascii=False))
    return 0


class _Browser:
    """A logged-in person: cookies, the CSRF token, plain GETs and JSON POSTs."""

    def __init__(self, base: str, username: str | None, password: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        if username is None:
            return
        page = self.get("/dang-nhap/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        form = {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": token.group(1) if token else "",
        }
        self.send("/dang-nhap/", urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded")

    def get(self, path: str) -> str:
        return self._open(urllib.request.Request(self.base + path))

    def send(self, path: str, body: bytes, content_type: str = "application/json") -> str:
        csrf = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        headers = {"Content-Type": content_type, "X-CSRFToken": csrf, "Referer": self.base + path}
        return self._open(urllib.request.Request(self.base + path, data=body, headers=headers))

    def _open(self, request: urllib.request.Request) -> str:
        try:
            with self.opener.open(request) as response:
                return str(response.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as exc:
            raise SystemExit(f"{request.full_url}: {exc.code} {exc.read()[:300]!r}") from None


def _measure(
    opts: argparse.Namespace, base: str, world: dict[str, object], password: str, cpu: Callable[[], float]
) -> dict[str, dict[str, float]]:
    communes = list(world["communes"])  # type: ignore[call-overload]
    commune = communes[0]
    office = _Browser(base, "tckh", password)
    village = _Browser(base, f"xa_{commune}", password)
    anonymous = _Browser(base, None, password)
    step = iter(range(1, 10**9))

    def save() -> None:  # one row, no version check: an overwrite, audited like any other
        row = {"indicator": "NN.DT_LUA", "value": str(1000 + next(step)), "kind": "estimate"}
        body = {"unit": commune, "period": load.PERIOD, "rows": [row]}
        office.send("/api/values/bulk", json.dumps(body).encode())

    def save_and_redraw() -> None:
        save()
        office.get(f"/nhap-lieu/{commune}/{load.PERIOD}/nong_nghiep/")
        office.get(f"/?unit={commune}&year={load.PERIOD}")

    cases: list[tuple[str, Callable[[], object]]] = [
        ("tệp tĩnh", lambda: anonymous.get("/static/ktxh/site.css")),
        ("trang đăng nhập (chưa đăng nhập)", lambda: anonymous.get("/dang-nhap/")),
        ("tổng quan huyện (bảng giữ sẵn)", lambda: office.get("/")),
        ("tổng quan xã (bảng giữ sẵn)", lambda: village.get("/")),
        ("danh sách nhập liệu, huyện", lambda: office.get("/nhap-lieu/")),
        ("danh sách nhập liệu, xã", lambda: village.get("/nhap-lieu/")),
        ("trang nhập liệu huyện (giữ sẵn)", lambda: office.get(f"/nhap-lieu/300/{load.PERIOD}/nong_nghiep/")),
        (
            "trang nhập liệu xã (giữ sẵn)",
            lambda: village.get(f"/nhap-lieu/{commune}/{load.PERIOD}/nong_nghiep/"),
        ),
        (
            "API số liệu huyện (500 dòng)",
            lambda: office.get(f"/api/values?unit=300&period={load.PERIOD}&limit=500"),
        ),
        ("API số liệu xã", lambda: village.get(f"/api/values?unit={commune}&period={load.PERIOD}&limit=500")),
        ("API trạng thái duyệt", lambda: village.get(f"/api/workflow/{commune}/{load.PERIOD}")),
        ("API lưu 1 số liệu (xã)", save),
        ("lưu + vẽ lại trang nhập liệu + tổng quan", save_and_redraw),
    ]
    out: dict[str, dict[str, float]] = {}
    print(f"{'yêu cầu':44} {'CPU máy chủ':>12} {'chờ':>10}")
    for name, run in cases:
        for _ in range(3):  # warm: templates compiled, tables kept
            run()
        used, started = cpu(), time.perf_counter()
        for _ in range(opts.repeat):
            run()
        per = {
            "cpu_ms": round(1000 * (cpu() - used) / opts.repeat, 2),
            "wall_ms": round(1000 * (time.perf_counter() - started) / opts.repeat, 2),
        }
        out[name] = per
        print(f"{name:44} {per['cpu_ms']:9.2f} ms {per['wall_ms']:7.2f} ms", flush=True)
    return out


if __name__ == "__main__":
    sys.exit(main())
