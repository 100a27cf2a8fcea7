"""Load test: 50 people at once on ``ktxh serve --production`` over PostgreSQL, then a check
that every save the server acknowledged is in the database exactly once.

It works on 127.0.0.1 only and on its own database, ``ktxh_load`` (dropped and made again at
each run; never ``test`` or ``test_*``):

1. ``ktxh init``, ``ktxh load-demo``, accounts for the district's offices, its leader and each
   of its communes (two people share each commune's account, so some of them collide);
2. ``ktxh serve --production`` on a free port;
3. locust (as a library) logs everybody in, lets ``--warmup`` seconds pass (the first view
   of each page after a restart fills the page cache; those requests are reported apart,
   like the logins), then runs the users for ``--duration`` seconds, at most
   ``--max-requests`` requests. About 80% of requests read (overview, entry list, entry
   forms, API values and statuses) and 20% write (API bulk saves with version numbers,
   entry-form posts, submitting a commune and returning it). A static file is fetched too,
   to compare the dashboard's p99 with a file served by the same process;
4. it prints p50/p95/p99 per endpoint, errors (5xx and transport) per endpoint, expected
   refusals (409: period submitted; version conflicts; rules asking for a reason) apart, and
   the CPU seconds the server, PostgreSQL and the load generator used while it measured
   (from /proc; the server's CPU per request is the figure least moved by a noisy machine);
5. it compares the client's log of acknowledged saves (API 200 with stored=true, entry form
   302) with DataValue and ValueChange: each acknowledged change has exactly one audit row
   with its new version and value, and no cell holds an older version than acknowledged.

    .venv/bin/python bench/load.py                 # 50 users, 2 minutes
    .venv/bin/python bench/load.py --duration 20   # a quick run

The last line is JSON with every figure. Exit code 0 when the saves check passes, 1 if not.
"""

from __future__ import annotations

import sys

_ROLE = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] in ("prepare", "verify") else None
# locust runs on gevent; patch before anything opens a socket (not when another bench script
# imports this one for its helpers)
if _ROLE is None and __name__ == "__main__":
    from gevent import monkey

    monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from decimal import Decimal  # noqa: E402
from html.parser import HTMLParser  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DB_NAME = "ktxh_load"
DISTRICT = "300"
PERIOD = "2023"
LOCAL = ("127.0.0.1", "localhost", "::1")


# =============================================================================================
# Django side: run in subprocesses against ktxh_load ("prepare" and "verify")
# =============================================================================================
def _django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "ktxh.web.settings"
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def prepare() -> dict[str, Any]:
    """Accounts (one per commune of the district, plus its offices and leader), the sectors,
    and the last audit row before the load, as JSON on stdout."""
    from datetime import date

    from ktxh.web.accounts.choices import Role
    from ktxh.web.accounts.services import AccountSpec, account_ensure
    from ktxh.web.catalog.models import Indicator, Sector
    from ktxh.web.datavalues.models import ValueChange
    from ktxh.web.orgunits.models import OrgUnit

    password = os.environ["KTXH_LOAD_PASSWORD"]
    district = OrgUnit.objects.valid_at(date(2023, 12, 31)).get(code=DISTRICT)
    communes = list(OrgUnit.objects.valid_at(date(2023, 12, 31)).filter(parent=district).order_by("code"))
    specs = [
        AccountSpec("tckh", "Phòng Tài chính - Kế hoạch huyện", Role.PLANNING, DISTRICT),
        AccountSpec("nongnghiep", "Phòng Nông nghiệp và PTNT huyện", Role.OFFICE, DISTRICT, ("nong_nghiep",)),
        AccountSpec("lanhdao", "Lãnh đạo UBND huyện", Role.LEADER),
    ]
    specs += [AccountSpec(f"xa_{c.code}", c.name, Role.COMMUNE, c.code) for c in communes]
    accounts = []
    for spec in specs:
        account_ensure(spec=spec, password=password)
        accounts.append({"username": spec.username, "role": str(spec.role), "unit": spec.unit})
    sectors = {
        s.code: list(Indicator.objects.filter(sector=s).order_by("order").values_list("code", flat=True))
        for s in Sector.objects.order_by("order")
    }
    last = ValueChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return {
        "accounts": accounts,
        "communes": [c.code for c in communes],
        "sectors": {k: v for k, v in sectors.items() if v},
        "last_change": last,
    }


def verify(log_path: Path, last_change: int) -> dict[str, Any]:
    """Every acknowledged change is stored exactly once; report what is not."""
    from django.db.models import Count

    from ktxh.web.datavalues.models import DataValue, ValueChange

    acks = json.loads(log_path.read_text(encoding="utf-8"))
    problems: list[str] = []
    changes = {
        (c.indicator.code, c.org_unit.code, c.period.code, c.kind, c.version): c
        for c in ValueChange.objects.filter(pk__gt=last_change, category="", option="").select_related(
            "indicator", "org_unit", "period"
        )
    }
    dupes = (
        ValueChange.objects.filter(pk__gt=last_change)
        .values("data_value_id", "version")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    if dupes:
        problems.append(f"{dupes} (ô, phiên bản) có hơn một dòng lịch sử")
    newest: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    seen: Counter[tuple[str, str, str, str, int]] = Counter()
    for a in acks:
        key = (a["indicator"], a["unit"], a["period"], a["kind"], int(a["version"]))
        seen[key] += 1
        change = changes.get(key)
        if change is None:
            problems.append(f"mất: {key} = {a['value']} (đã báo lưu, không có trong lịch sử)")
        elif change.new_value != Decimal(a["value"]):
            problems.append(f"sai giá trị: {key}: báo lưu {a['value']}, lịch sử có {change.new_value}")
        cell = key[:4]
        if cell not in newest or int(a["version"]) > int(newest[cell]["version"]):
            newest[cell] = a
    problems += [f"hai lần báo lưu cùng phiên bản: {k}" for k, n in seen.items() if n > 1]
    stored = {
        (d.indicator.code, d.org_unit.code, d.period.code, d.kind): d
        for d in DataValue.objects.filter(category="", option="").select_related(
            "indicator", "org_unit", "period"
        )
    }
    for cell, a in newest.items():
        d = stored.get(cell)
        if d is None:
            problems.append(f"ô không còn: {cell}")
        elif d.version < int(a["version"]):
            problems.append(f"ô lùi phiên bản: {cell} có v{d.version}, đã báo lưu v{a['version']}")
        elif d.version == int(a["version"]) and d.value != Decimal(a["value"]):
            problems.append(f"ô sai giá trị: {cell} = {d.value}, đã báo lưu {a['value']}")
    unacknowledged = len(changes) - sum(1 for k in seen if k in changes)
    return {
        "acknowledged": len(acks),
        "changes_during_load": len(changes),
        "stored_not_acknowledged": unacknowledged,
        "problems": problems,
        "passed": not problems,
    }


# =============================================================================================
# Orchestration: database, server, users, report
# =============================================================================================
def _cpu_seconds(server_group: int) -> dict[str, float]:
    """CPU seconds used so far (user + system, from /proc) by the server's processes (its
    process group), by PostgreSQL's and by this load generator. Linux only; {} elsewhere."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    out = {"server": 0.0, "postgres": 0.0, "load": 0.0}
    proc = Path("/proc")
    if not proc.is_dir():
        return {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        used = (int(fields[11]) + int(fields[12])) / tick
        if int(entry.name) == os.getpid():
            out["load"] += used
        elif int(fields[2]) == server_group:
            out["server"] += used
        elif cmd.startswith(b"postgres"):
            out["postgres"] += used
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _recreate_database(server: str) -> str:
    import psycopg

    parts = urlsplit(server)
    if parts.hostname not in LOCAL:
        raise SystemExit(
            f"bench/load.py chỉ chạy trên máy này (127.0.0.1), không chạy trên {parts.hostname}."
        )
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    return f"{server.rstrip('/')}/{DB_NAME}"


def _run(args: list[str], env: dict[str, str]) -> str:
    out = subprocess.run(args, env=env, capture_output=True, text=True, check=False, cwd=REPO)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    return out.stdout


def _wait(url: str, process: subprocess.Popen[bytes], timeout: float = 180) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server stopped (exit {process.returncode}); see its log")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer {url} in {timeout} s")


class _Fields(HTMLParser):
    """The inputs of each POST form of a page: name → value (selects: the selected option)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._select: str | None = None
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        fields = self._current
        if tag == "form" and a.get("method", "").lower() == "post":
            self._current = {}
            self.forms.append(self._current)
        elif fields is None:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "file", "checkbox"):
            fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and ("selected" in a or self._select not in fields):
            fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._current = None

    def form_with(self, name: str) -> dict[str, str] | None:
        return next((f for f in self.forms if name in f), None)


def _vi(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _endpoint(method: str, path: str) -> str:
    """Requests grouped by route: codes in the path become placeholders."""
    path = path.split("?")[0]
    if path.startswith("/static/"):
        return f"{method} /static/…"
    path = re.sub(r"^/nhap-lieu/[^/]+/[^/]+/[^/]+/$", "/nhap-lieu/{unit}/{period}/{sector}/", path)
    path = re.sub(r"^/api/workflow/[^/]+/[^/]+/(\w+)$", r"/api/workflow/{unit}/{period}/\1", path)
    path = re.sub(r"^/api/workflow/[^/]+/[^/]+$", "/api/workflow/{unit}/{period}", path)
    return f"{method} {path}"


def load(opts: argparse.Namespace) -> int:
    from locust import FastHttpUser, between, events, task
    from locust.env import Environment

    work = Path(tempfile.mkdtemp(prefix="ktxh-load-"))
    password = secrets.token_urlsafe(12)
    url = _recreate_database(opts.postgres)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KTXH_", "DJANGO_"))}
    env.update(
        DATABASE_URL=url,
        KTXH_HOME=str(work),
        KTXH_SECRET_KEY=secrets.token_urlsafe(50),
        KTXH_SECURE_COOKIES="0",  # plain HTTP on 127.0.0.1: no TLS between the bench and the server
        KTXH_LOG_LEVEL="WARNING",
        KTXH_LOAD_PASSWORD=password,
        PYTHONUNBUFFERED="1",
    )
    ktxh = [sys.executable, "-m", "ktxh.cli"]
    print(f"… cơ sở dữ liệu {url} (tạo mới), thư mục {work}", file=sys.stderr, flush=True)
    _run([*ktxh, "init"], env)
    _run([*ktxh, "load-demo"], env)
    world = json.loads(_run([sys.executable, __file__, "prepare"], env))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    serve = [*ktxh, "serve", "--production", "--port", str(port)]
    if opts.workers:
        serve += ["--workers", str(opts.workers)]
    if opts.threads:
        serve += ["--threads", str(opts.threads)]
    server_log = (work / "server.log").open("wb")
    server = subprocess.Popen(
        serve, env=env, stdout=server_log, stderr=subprocess.STDOUT, cwd=REPO, start_new_session=True
    )
    try:
        _wait(f"{base}/dang-nhap/", server)
        import urllib.request

        page = urllib.request.urlopen(f"{base}/dang-nhap/").read().decode()
        found = re.search(r'href="(/static/[^"]+\.css)"', page)
        static_path = found.group(1) if found else "/static/ktxh/site.css"
        result = _swarm(
            opts,
            base,
            world,
            password,
            static_path,
            server.pid,
            FastHttpUser,
            between,
            events,
            task,
            Environment,
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        server_log.close()
    log_path = work / "acknowledged.json"
    log_path.write_text(json.dumps(result["acks"]), encoding="utf-8")
    check = json.loads(
        _run([sys.executable, __file__, "verify", str(log_path), str(world["last_change"])], env)
    )
    return _report(opts, result, check, work)


def _swarm(
    opts: argparse.Namespace,
    base: str,
    world: dict[str, Any],
    password: str,
    static_path: str,
    server_group: int,
    FastHttpUser: Any,  # noqa: N803  (locust classes, imported after gevent's patching)
    between: Any,
    events: Any,
    task: Any,
    Environment: Any,  # noqa: N803
) -> dict[str, Any]:
    times: dict[str, list[float]] = defaultdict(list)
    errors: Counter[str] = Counter()  # 5xx and transport errors
    expected: Counter[str] = Counter()  # 409: the period was submitted meanwhile
    refused: Counter[str] = Counter()  # other 4xx (entry form: conflict or rule)
    outcomes: Counter[str] = Counter()
    acks: list[dict[str, Any]] = []
    examples: dict[str, str] = {}

    state = {"logged_in": 0, "measuring_since": 0.0, "ready_at": 0.0}
    cpu: dict[str, dict[str, float]] = {}
    logins: list[float] = []
    warm: list[float] = []  # the first --warmup seconds after the logins: cold caches

    @events.request.add_listener
    def _record(
        request_type: str,
        name: str,
        response_time: float,
        response: Any = None,
        exception: Any = None,
        **_kw: Any,
    ) -> None:
        key = _endpoint(request_type, name)
        status = getattr(response, "status_code", 0) or 0
        # Timed from when every user has logged in: fifty Argon2 logins at once are the
        # morning's start, not the working day being measured (their times are kept apart).
        if key == "POST /dang-nhap/":
            logins.append(response_time)
        elif not state["measuring_since"] and state["ready_at"]:
            if time.monotonic() - state["ready_at"] >= opts.warmup:
                state["measuring_since"] = time.monotonic()
                cpu["start"] = _cpu_seconds(server_group)
                times[key].append(response_time)
            else:
                warm.append(response_time)
        elif state["measuring_since"]:
            times[key].append(response_time)
        if status >= 500 or status == 0:
            errors[key] += 1
            examples.setdefault(key, f"{status} {exception or ''} {str(getattr(response, 'text', ''))[:200]}")
        elif status == 409:
            expected[key] += 1
        elif 400 <= status < 500:
            refused[key] += 1
            if "/api/" in key:
                examples.setdefault(f"{key} {status}", str(getattr(response, "text", ""))[:200])

    accounts = world["accounts"]
    communes = [a for a in accounts if a["role"] == "commune"]
    district = [a for a in accounts if a["role"] in ("planning", "office")]
    leaders = [a for a in accounts if a["role"] == "leader"]
    # Two people per commune account, then the district's offices, then a leader or two.
    plan = communes * 2 + district * 6 + leaders * 2
    slots = iter(range(10**9))
    sectors: dict[str, list[str]] = world["sectors"]

    class Person(FastHttpUser):  # type: ignore[misc, valid-type]
        host = base
        wait_time = between(opts.wait_min, opts.wait_max)

        def on_start(self) -> None:
            self.account = plan[next(slots) % len(plan)]
            self.unit = self.account["unit"] or DISTRICT
            self.versions: dict[tuple[str, str], int] = {}
            self.rng = random.Random()
            page = self.client.get("/dang-nhap/", name="/dang-nhap/").text
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            r = self.client.post(
                "/dang-nhap/",
                data={
                    "username": self.account["username"],
                    "password": password,
                    "csrfmiddlewaretoken": token.group(1) if token else "",
                },
                headers={"Referer": f"{base}/dang-nhap/"},
                name="/dang-nhap/",
                allow_redirects=False,
            )
            if r.status_code != 302:  # the login form again: the run would measure nothing real
                errors["POST /dang-nhap/ (đăng nhập không được)"] += 1
            state["logged_in"] += 1
            if state["logged_in"] >= opts.users and not state["ready_at"]:
                state["ready_at"] = time.monotonic()

        def _csrf(self) -> dict[str, str]:
            token = next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")
            return {"X-CSRFToken": token or "", "Referer": f"{base}/"}

        @property
        def writer(self) -> bool:
            return self.account["role"] != "leader"

        def _sector(self) -> str:
            own = ["nong_nghiep"] if self.account["role"] == "office" else list(sectors)
            return self.rng.choice([s for s in own if s in sectors] or list(sectors))

        # ---- reads: 80% ----
        @task(20)
        def overview(self) -> None:
            self.client.get("/" if self.rng.random() < 0.5 else f"/?unit={self.unit}&year=2023", name="/")

        @task(12)
        def entry_index(self) -> None:
            self.client.get("/nhap-lieu/", name="/nhap-lieu/")

        @task(16)
        def entry_form(self) -> None:
            unit = self.unit if self.writer else self.rng.choice([DISTRICT, *world["communes"]])
            self.client.get(
                f"/nhap-lieu/{unit}/{PERIOD}/{self._sector()}/", name=f"/nhap-lieu/{unit}/{PERIOD}/x/"
            )

        @task(20)
        def api_values(self) -> None:
            unit = self.unit if self.writer else self.rng.choice([DISTRICT, *world["communes"]])
            r = self.client.get(f"/api/values?unit={unit}&period={PERIOD}&limit=500", name="/api/values")
            if r.status_code == 200 and unit == self.unit:
                for v in r.json()["items"]:
                    if not v["category"] and not v["option"]:
                        self.versions[(v["indicator"], v["kind"])] = v["version"]

        @task(6)
        def api_status(self) -> None:
            self.client.get(f"/api/workflow/{self.unit}/{PERIOD}", name="/api/workflow/u/p")

        @task(6)
        def static_file(self) -> None:  # not counted in the read/write mix
            self.client.get(static_path, name="/static/")

        # ---- writes: 20% ----
        @task(12)
        def api_save(self) -> None:
            if not self.writer:
                return self.overview()
            sector = self._sector()
            codes = self.rng.sample(sectors[sector], min(len(sectors[sector]), self.rng.randint(1, 4)))
            rows = [
                {
                    "indicator": c,
                    "value": str(self.rng.randint(1, 99999)),
                    "kind": "estimate",
                    "version": self.versions.get((c, "estimate"), 0),
                }
                for c in codes
            ]
            payload: dict[str, Any] = {"unit": self.unit, "period": PERIOD, "rows": rows}
            for _round in range(2):  # a second round gives a reason for findings that ask one
                r = self.client.post(
                    "/api/values/bulk", json=payload, headers=self._csrf(), name="/api/values/bulk"
                )
                if r.status_code != 200:
                    outcomes["api: " + str(r.status_code)] += 1
                    return None
                body = r.json()
                if body["stored"]:
                    outcomes["api: lưu"] += 1
                    for row, sent in zip(body["results"], rows, strict=True):
                        if row["status"] in ("created", "updated") and row["version"]:
                            acks.append(
                                {
                                    "indicator": sent["indicator"],
                                    "unit": self.unit,
                                    "period": PERIOD,
                                    "kind": "estimate",
                                    "value": sent["value"],
                                    "version": row["version"],
                                    "via": "api",
                                }
                            )
                            self.versions[(sent["indicator"], "estimate")] = row["version"]
                    return None
                conflicts = [row for row in body["results"] if row["error"]]
                if conflicts:
                    outcomes["api: xung đột phiên bản"] += 1
                    for row in conflicts:
                        if row["error"].get("current_version") is not None:
                            self.versions[(row["indicator"], "estimate")] = row["error"]["current_version"]
                    return None
                if not body["blocking_findings"]:
                    outcomes["api: không lưu (khác)"] += 1
                    return None
                payload["acknowledgements"] = {f["key"]: "Kiểm thử tải" for f in body["blocking_findings"]}
                outcomes["api: cần lý do"] += 1
            return None

        @task(5)
        def form_save(self) -> None:
            if not self.writer:
                return self.entry_index()
            sector = self._sector()
            path = f"/nhap-lieu/{self.unit}/{PERIOD}/{sector}/"
            r = self.client.get(path, name=f"/nhap-lieu/{self.unit}/{PERIOD}/x/")
            if r.status_code != 200:
                return None
            parser = _Fields()
            parser.feed(r.text)
            found = parser.form_with("form-TOTAL_FORMS")
            if found is None:
                return None
            fields = found
            rows = [k[: -len("-code")] for k in fields if re.fullmatch(r"form-\d+-code", k)]
            if not rows:
                return None
            row = self.rng.choice(rows)
            value = self.rng.randint(1, 99999)
            fields[f"{row}-value"] = _vi(value)
            version = int(fields[f"{row}-version"] or 0)
            kind = fields.get(f"{row}-kind") or "estimate"
            for _round in range(2):  # a second round gives a reason for findings that ask one
                r = self.client.post(
                    path,
                    data=fields,
                    headers={"Referer": f"{base}{path}"},
                    name=f"/nhap-lieu/{self.unit}/{PERIOD}/x/",
                    allow_redirects=False,
                )
                asked = re.findall(r'name="(ack-[0-9a-f]+)"', r.text or "") if r.status_code == 400 else []
                if not asked or _round:
                    break
                outcomes["form: cần lý do"] += 1
                fields.update({name: "Kiểm thử tải" for name in asked})
            if r.status_code == 302:
                outcomes["form: lưu"] += 1
                acks.append(
                    {
                        "indicator": fields[f"{row}-code"],
                        "unit": self.unit,
                        "period": PERIOD,
                        "kind": kind,
                        "value": str(value),
                        "version": version + 1,
                        "via": "form",
                    }
                )
            elif r.status_code == 200:  # the page again with a message: sent for approval or locked
                outcomes["form: từ chối (đã gửi duyệt hoặc khóa)"] += 1
            else:
                outcomes[f"form: {r.status_code}"] += 1
                alert = re.search(r'role="alert"[^>]*>(.*?)</div>', r.text or "", re.S)
                text = re.sub(r"<[^>]+>|\s+", " ", alert.group(1) if alert else "").strip()
                examples.setdefault(f"form {r.status_code}", text[:200])
            return None

        @task(3)
        def approval(self) -> None:
            """A commune sends its figures for approval now and then; the planning office
            returns the ones it finds sent, so they can be edited again."""
            if self.account["role"] == "commune":
                if self.rng.random() < 0.25:
                    self.client.post(
                        f"/api/workflow/{self.unit}/{PERIOD}/submit",
                        json={"reason": ""},
                        headers=self._csrf(),
                        name="/api/workflow/u/p/submit",
                    )
                else:
                    self.api_status()
                return None
            if self.account["role"] != "planning":
                return self.api_status()
            for commune in self.rng.sample(world["communes"], 3):
                r = self.client.get(f"/api/workflow/{commune}/{PERIOD}", name="/api/workflow/u/p")
                if r.status_code == 200 and r.json()["state"] == "submitted":
                    self.client.post(
                        f"/api/workflow/{commune}/{PERIOD}/return",
                        json={"reason": "Kiểm thử tải: trả lại để sửa"},
                        headers=self._csrf(),
                        name="/api/workflow/u/p/return",
                    )
            return None

    # Users finish the task they are in when the time is up (a save in flight is answered).
    environment = Environment(user_classes=[Person], events=events, stop_timeout=60)
    runner = environment.create_local_runner()
    started = time.monotonic()
    runner.start(opts.users, spawn_rate=opts.users / 5)
    import gevent

    def stop_when_done() -> None:
        while True:
            since = state["measuring_since"]
            if since and time.monotonic() - since >= opts.duration:
                break
            if sum(len(v) for v in times.values()) >= opts.max_requests:
                break
            if not since and time.monotonic() - started > 600:
                break  # the users never all logged in; report what there is
            gevent.sleep(0.5)
        state["stopped"] = time.monotonic()
        cpu["end"] = _cpu_seconds(server_group)
        runner.quit()

    gevent.spawn(stop_when_done)
    runner.greenlet.join()
    measured = state.get("stopped", time.monotonic()) - (state["measuring_since"] or started)
    return {
        "times": times,
        "errors": errors,
        "expected": expected,
        "refused": refused,
        "outcomes": outcomes,
        "acks": acks,
        "elapsed": measured,
        "warmup": (state["measuring_since"] or started) - started,
        "logins": logins,
        "warm": warm,
        "examples": examples,
        "cpu": {k: cpu["end"][k] - cpu["start"][k] for k in cpu.get("end", {}) if k in cpu.get("start", {})},
    }


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))]


def _server_times(log: Path) -> dict[str, list[float]]:
    """Time spent inside the server per endpoint, from gunicorn's access lines (… 200 2077 385ms …):
    the difference with the client's times is the wait for a free worker thread."""
    out: dict[str, list[float]] = defaultdict(list)
    line = re.compile(r'"(GET|POST) (\S+) HTTP/[\d.]+" (\d+) \S+ (\d+)ms')
    for m in line.finditer(log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""):
        key = _endpoint(m.group(1), m.group(2))
        if "dang-nhap" not in key:
            out[key].append(float(m.group(4)))
    return out


def _report(opts: argparse.Namespace, r: dict[str, Any], check: dict[str, Any], work: Path) -> int:
    times = r["times"]
    total = sum(len(v) for v in times.values())
    logins = r["logins"] or [0.0]
    warm = r["warm"] or [0.0]
    print(
        f"\nkhởi động: {len(r['logins'])} lần đăng nhập (p50 {_pct(logins, 0.5):.0f} ms, "
        f"p99 {_pct(logins, 0.99):.0f} ms; Argon2), rồi {opts.warmup:.0f} s đầu sau đăng nhập: "
        f"{len(r['warm'])} yêu cầu (p50 {_pct(warm, 0.5):.0f} ms, p99 {_pct(warm, 0.99):.0f} ms; bộ nhớ đệm "
        f"còn trống); tổng {r['warmup']:.0f} s, không tính dưới đây"
    )
    print(f"{opts.users} người dùng, {r['elapsed']:.0f} s, {total} yêu cầu ({total / r['elapsed']:.1f}/s)")
    head = f"{'endpoint':44} {'n':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'lỗi':>5} {'409':>5} {'4xx':>5}"
    print(head)
    print("-" * len(head))
    figures: dict[str, dict[str, float]] = {}
    for key in sorted(times, key=lambda k: -len(times[k])):
        v = times[key]
        f = {"n": len(v), "p50": _pct(v, 0.5), "p95": _pct(v, 0.95), "p99": _pct(v, 0.99)}
        f.update(errors=r["errors"][key], expected_409=r["expected"][key], refused_4xx=r["refused"][key])
        figures[key] = f
        print(
            f"{key[:44]:44} {len(v):6d} {f['p50']:7.0f} {f['p95']:7.0f} {f['p99']:7.0f} "
            f"{f['errors']:5d} {f['expected_409']:5d} {f['refused_4xx']:5d}"
        )
    print("(thời gian tính bằng ms, đo ở phía người dùng: gồm cả thời gian chờ đến lượt)")
    server = _server_times(work / "server.log")
    if server:
        print(
            "phía máy chủ (gunicorn, thời gian xử lý; cả lúc khởi động): "
            + "; ".join(
                f"{k} p50 {_pct(v, 0.5):.0f} p99 {_pct(v, 0.99):.0f}"
                for k, v in sorted(server.items())
                if len(v) >= 3
            )
        )
    cpu = r.get("cpu") or {}
    if cpu:
        print(
            f"CPU trong lúc đo ({os.cpu_count()} lõi): máy chủ {cpu['server']:.1f} s "
            f"({100 * cpu['server'] / r['elapsed']:.0f}% một lõi; {1000 * cpu['server'] / max(1, total):.1f} ms "
            f"mỗi yêu cầu), PostgreSQL {cpu['postgres']:.1f} s ({1000 * cpu['postgres'] / max(1, total):.1f} ms "
            f"mỗi yêu cầu), trình tạo tải {cpu['load']:.1f} s"
        )
    writes = sum(len(v) for k, v in times.items() if k.startswith("POST") and "dang-nhap" not in k)
    reads = (
        total
        - writes
        - len(times.get("GET /static/…", []))
        - sum(len(v) for k, v in times.items() if "dang-nhap" in k)
    )
    print(f"đọc {reads}, ghi {writes}: ghi chiếm {100 * writes / max(1, reads + writes):.0f}%")
    dash, static = figures.get("GET /"), figures.get("GET /static/…")
    ratio = dash["p99"] / max(static["p99"], 0.1) if dash and static else None
    if ratio is not None and dash and static:
        print(f"p99 trang tổng quan / p99 tệp tĩnh: {dash['p99']:.0f} / {static['p99']:.0f} ms = {ratio:.1f}")
    print("kết quả ghi: " + ", ".join(f"{k} {n}" for k, n in sorted(r["outcomes"].items())))
    for key, text in sorted(r["examples"].items()):
        print(f"  ví dụ {key}: {text.strip()[:200]}")
    saves = [k for k in figures if k.startswith("POST") and ("bulk" in k or "nhap-lieu" in k)]
    worst_save = max((figures[k]["p99"] for k in saves), default=0.0)
    errors = sum(r["errors"].values())
    print(
        f"mục tiêu (p99 < 300 ms trang tổng quan và lưu, 0 lỗi): tổng quan {dash['p99'] if dash else 0:.0f} ms, "
        f"lưu {worst_save:.0f} ms, lỗi {errors}"
    )
    print(
        f"kiểm tra lưu: {check['acknowledged']} lần lưu được báo, {check['changes_during_load']} thay đổi trong "
        f"lịch sử, {check['stored_not_acknowledged']} lưu mà không báo được (lỗi đường truyền)"
    )
    for p in check["problems"][:20]:
        print(f"  - {p}")
    print("PASS" if check["passed"] else "FAIL", "- mỗi lần lưu được báo có trong cơ sở dữ liệu đúng một lần")
    print(f"(nhật ký máy chủ: {work / 'server.log'})")
    summary = {
        "users": opts.users,
        "seconds": round(r["elapsed"], 1),
        "warmup": {
            "seconds": opts.warmup,
            "requests": len(r["warm"]),
            "p50": _pct(warm, 0.5),
            "p99": _pct(warm, 0.99),
        },
        "requests": total,
        "endpoints": figures,
        "dashboard_static_p99_ratio": round(ratio, 2) if ratio is not None else None,
        "cpu_seconds": {k: round(v, 2) for k, v in cpu.items()},
        "server_cpu_ms_per_request": round(1000 * cpu["server"] / max(1, total), 2) if cpu else None,
        "write_share": round(writes / max(1, reads + writes), 3),
        "outcomes": dict(r["outcomes"]),
        "errors": errors,
        "saves_check": {k: v for k, v in check.items() if k != "problems"}
        | {"problems": len(check["problems"])},
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0 if check["passed"] else 1


def main() -> int:
    if _ROLE == "prepare":
        _django()
        print(json.dumps(prepare()))
        return 0
    if _ROLE == "verify":
        _django()
        print(json.dumps(verify(Path(sys.argv[2]), int(sys.argv[3])), ensure_ascii=False))
        return 0
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=120, help="seconds of load (default 120)")
    parser.add_argument("--users", type=int, default=50, help="concurrent users (default 50)")
    parser.add_argument(
        "--warmup",
        type=float,
        default=15,
        help="seconds after the logins not counted: the first view of every page fills the cache",
    )
    parser.add_argument("--max-requests", type=int, default=50_000, help="stop after this many requests")
    parser.add_argument("--wait-min", type=float, default=0.5, help="pause between a user's requests, s")
    parser.add_argument("--wait-max", type=float, default=1.5)
    parser.add_argument("--workers", type=int, help="gunicorn processes (default: ktxh's)")
    parser.add_argument("--threads", type=int, help="threads per process (default: ktxh's)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("KTXH_LOAD_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server on this machine; the database ktxh_load is dropped and made there",
    )
    return load(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
