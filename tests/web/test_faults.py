"""Faults: a process killed in the middle of a write leaves nothing half-written, and the app
answers 503 while the database is gone and recovers when it is back.

Each test needs real separate processes sharing one database, which pytest-django's test
database cannot be. On SQLite the world is a database file in a temporary KTXH_HOME; when
DATABASE_URL points to PostgreSQL it is a database ``ktxh_fault_<random>`` created on that
server for the test and dropped after it. Either way it holds the Thanh Miện demo.

The processes are paused mid-write by this file run as a script (``python test_faults.py
pause-import …``): it connects a ``post_save`` receiver that, after some values are written
inside the transaction, writes a marker with its process id and sleeps; the test then kills
that process with SIGKILL. Nothing in ktxh itself knows about it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

if __package__:
    from .test_production import base_env, free_port, get, ktxh, running, static_root
else:  # run as a script by the tests below
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.web.test_production import base_env, free_port, get, ktxh, running, static_root

HERE = Path(__file__).resolve()
REPO = HERE.parents[2]
SEED = REPO / "ktxh" / "data" / "demo" / "thanh_mien_2023" / "source.txt"
PAUSE_AFTER = 20  # values written inside the transaction before the pause


# -- the world ---------------------------------------------------------------------------
def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _admin_connection(url: str) -> Any:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    return psycopg.connect(
        dbname="postgres",
        user=cfg.get("USER") or None,
        password=cfg.get("PASSWORD") or None,
        host=cfg.get("HOST") or None,
        port=cfg.get("PORT") or None,
        autocommit=True,
    )


class World:
    """A database both the test and its subprocesses see, with the demo loaded, two API tokens
    (``tokens``: tckh, lanhdao) and a large bulk write (``rows``). Made once per module as a
    template, then copied for each test (a file copy, or CREATE DATABASE … TEMPLATE)."""

    def __init__(self, tmp_path: Path, static: Path, template: World | None = None) -> None:
        self.home = tmp_path / "home"
        self.env = base_env(self.home, static)
        self.pg_url = _postgres_url()
        self.db_name = ""
        if self.pg_url:
            self.db_name = f"ktxh_fault_{secrets.token_hex(6)}"
            copy = f' TEMPLATE "{template.db_name}"' if template else ""
            with _admin_connection(self.pg_url) as conn:
                conn.execute(f'CREATE DATABASE "{self.db_name}"{copy}')
            self.env["DATABASE_URL"] = urlsplit(self.pg_url)._replace(path=f"/{self.db_name}").geturl()
        if template is not None:
            if not self.pg_url:
                shutil.copytree(template.home, self.home)
            self.tokens, self.rows = template.tokens, template.rows
            return
        for step in (["init"], ["load-demo"]):
            out = ktxh(step, self.env)
            assert out.returncode == 0, out.stderr
        prepared = json.loads(self.script("prepare"))
        self.tokens: dict[str, str] = prepared["tokens"]
        self.rows: list[dict[str, str]] = prepared["rows"]

    def drop(self) -> None:
        if self.pg_url and self.db_name:
            with _admin_connection(self.pg_url) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    def script(self, *args: str, timeout: float = 60) -> str:
        out = subprocess.run(
            [sys.executable, str(HERE), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    def state(self) -> dict[str, Any]:
        """Row counts and a digest of every stored value, read by a separate process."""
        return dict(json.loads(self.script("state")))

    def make_unavailable(self) -> None:
        if self.pg_url:
            # Refuse new connections and cut the open ones: what a stopped server looks like to
            # the app, without the race of renaming a database the app keeps reconnecting to.
            with _admin_connection(self.pg_url) as conn:
                conn.execute(f'ALTER DATABASE "{self.db_name}" ALLOW_CONNECTIONS false')
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    (self.db_name,),
                )
        else:
            self.home.rename(self.home.with_name("home-away"))

    def make_available(self) -> None:
        if self.pg_url:
            with _admin_connection(self.pg_url) as conn:
                conn.execute(f'ALTER DATABASE "{self.db_name}" ALLOW_CONNECTIONS true')
        else:
            self.home.with_name("home-away").rename(self.home)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[World]:
    w = World(tmp_path_factory.mktemp("template"), static_root(request.config))
    try:
        yield w
    finally:
        w.drop()


@pytest.fixture
def world(template: World, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[World]:
    w = World(tmp_path, static_root(request.config), template=template)
    try:
        yield w
    finally:
        w.drop()


def _wait_for_marker(marker: Path, process: subprocess.Popen[str] | None, timeout: float = 60) -> int:
    """The id of the process that wrote ``marker`` once it paused in the middle of its writes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if marker.exists() and marker.read_text().strip():
            return int(marker.read_text().split()[0])
        if process is not None and process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(
                f"the process ended before it paused (exit {process.returncode}):\n{out}{err}"
            )
        time.sleep(0.05)
    raise AssertionError("the process never started writing")


# -- an import killed mid-way ------------------------------------------------------------------
def test_it_leaves_nothing_of_an_import_killed_mid_way(world: World, tmp_path: Path) -> None:
    before = world.state()
    marker = tmp_path / "writing"
    process = subprocess.Popen(
        [sys.executable, str(HERE), "pause-import", str(SEED), "300", "2023", str(marker)],
        env=world.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    pid = _wait_for_marker(marker, process)
    assert pid == process.pid
    os.kill(pid, signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL

    assert world.state() == before, "a killed import must leave no value, audit row or document"

    # The same import, let run to its end, does write: the test above could have seen a half.
    out = ktxh(["import", str(SEED), "--unit", "300", "--year", "2023"], world.env)
    assert out.returncode == 0, out.stderr
    after = world.state()
    added = after["ValueChange"] - before["ValueChange"]
    assert added > PAUSE_AFTER, "the import writes more values than were written before the kill"
    assert (
        after["DataValue"] > before["DataValue"] and after["SourceDocument"] == before["SourceDocument"] + 1
    )


# -- a bulk API write killed mid-way -------------------------------------------------------------
def _post(url: str, token: str, payload: dict[str, Any], timeout: float = 120) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_it_leaves_nothing_of_a_bulk_write_killed_mid_way(world: World, tmp_path: Path) -> None:
    token, rows = world.tokens["tckh"], world.rows
    assert len(rows) > 3 * PAUSE_AFTER
    payload = {"unit": "300", "period": "2024", "rows": rows}
    before = world.state()

    port = free_port()
    marker, pause = tmp_path / "writing", tmp_path / "pause"
    pause.touch()
    command = [sys.executable, str(HERE), "serve", str(port), str(marker), str(pause)]
    url = f"http://127.0.0.1:{port}/api/values/bulk"
    with running(command, world.env, port):
        answer: dict[str, Any] = {}

        def send() -> None:
            try:
                answer["result"] = _post(url, token, payload)
            except (OSError, urllib.error.URLError) as exc:  # the worker died under the request
                answer["error"] = exc

        client = threading.Thread(target=send)
        client.start()
        worker = _wait_for_marker(marker, None)
        os.kill(worker, signal.SIGKILL)
        client.join(timeout=60)
        assert "result" not in answer or answer["result"][0] >= 500, f"nothing was acknowledged: {answer}"

        assert world.state() == before, "a killed bulk write must leave no value and no audit row"

        # gunicorn replaced the worker; the same write, not paused, is stored whole.
        pause.unlink()
        status, body = _post(url, token, payload)
        for _round in range(3):  # error-level findings on the new plan need a reason
            if status != 200 or body["stored"] or not body["blocking_findings"]:
                break
            acks = {f["key"]: "Kiểm thử: kế hoạch mẫu" for f in body["blocking_findings"]}
            status, body = _post(url, token, {**payload, "acknowledgements": acks})
        assert status == 200 and body["stored"], body
    after = world.state()
    written = body["created"] + body["updated"]
    assert written > 3 * PAUSE_AFTER
    assert after["ValueChange"] == before["ValueChange"] + written
    assert after["DataValue"] == before["DataValue"] + body["created"]


# -- the database goes away and comes back -------------------------------------------------------
def test_it_answers_503_without_the_database_and_recovers(world: World) -> None:
    token = world.tokens["lanhdao"]
    port = free_port()
    command = [sys.executable, "-m", "ktxh.cli", "serve", "--production", "--port", str(port)]
    command += ["--workers", "1", "--threads", "2"]
    api = f"http://127.0.0.1:{port}/api/values?unit=300&period=2023&limit=5"
    auth = {"Authorization": f"Bearer {token}"}
    with running(command, world.env, port):
        status, _headers, body = get(api, auth)
        assert status == 200 and json.loads(body)["count"] > 0

        world.make_unavailable()
        try:
            for _attempt in range(3):  # every request, not only the first one after the loss
                status, headers, body = get(api, auth)
                assert status == 503, body[:500]
                page = body.decode()
                assert "Không kết nối được cơ sở dữ liệu" in page and "Traceback" not in page
                assert headers["retry-after"] == "30"
        finally:
            world.make_available()

        deadline = time.monotonic() + 30
        while (status := get(api, auth)[0]) != 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert status == 200, "the app serves again as soon as the database is back"
        status, _headers, body = get(f"http://127.0.0.1:{port}/dang-nhap/")
        assert status == 200


# -- the script side: run by the tests above in their own processes -----------------------------
def _setup(production: bool = False) -> None:
    if production:
        os.environ["KTXH_PRODUCTION"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "ktxh.web.settings"
    import django

    django.setup()


def _pause_after(count: int, marker: Path, pause: Path | None = None) -> None:
    """After ``count`` values are saved (inside the open transaction), say so and hang."""
    from django.db.models.signals import post_save

    from ktxh.web.datavalues.models import DataValue

    seen = {"n": 0}

    def receiver(**_kwargs: object) -> None:
        if pause is not None and not pause.exists():
            return
        seen["n"] += 1
        if seen["n"] == count:
            marker.write_text(f"{os.getpid()}\n")
            time.sleep(600)

    post_save.connect(receiver, sender=DataValue, weak=False)


def _state() -> dict[str, Any]:
    import hashlib

    from ktxh.web.datavalues.models import DataValue, SourceDocument, StatedFigure, ValueChange

    digest = hashlib.sha256()
    for row in DataValue.objects.order_by("pk").values_list(
        "pk", "indicator_id", "org_unit_id", "period_id", "kind", "category", "option", "value", "version"
    ):
        digest.update(repr(row).encode())
    return {
        "DataValue": DataValue.objects.count(),
        "ValueChange": ValueChange.objects.count(),
        "StatedFigure": StatedFigure.objects.count(),
        "SourceDocument": SourceDocument.objects.count(),
        "values": digest.hexdigest(),
    }


def _script(argv: list[str]) -> int:
    command, args = argv[0], argv[1:]
    from ktxh.cli import main

    if command == "state":
        _setup()
        print(json.dumps(_state()))
    elif command == "prepare":  # API tokens of two demo accounts, and one large bulk write
        _setup()
        from ktxh.web.accounts.models import ApiToken
        from ktxh.web.accounts.services import DEMO_ACCOUNTS, account_ensure
        from ktxh.web.catalog.models import Indicator

        tokens = {}
        for spec in DEMO_ACCOUNTS:
            if spec.username in ("tckh", "lanhdao"):
                user = account_ensure(spec=spec, password=secrets.token_urlsafe(16))
                tokens[spec.username] = ApiToken.issue(user=user, name="test_faults")[1]
        # A plan for every indicator of the catalog.
        codes = Indicator.objects.order_by("code").values_list("code", flat=True)
        rows = [{"indicator": c, "value": str(100 + i), "kind": "plan"} for i, c in enumerate(codes)]
        print(json.dumps({"tokens": tokens, "rows": rows}))
    elif command == "pause-import":
        path, unit, year, marker = args
        _setup()
        _pause_after(PAUSE_AFTER, Path(marker))
        return main(["import", path, "--unit", unit, "--year", year])
    elif command == "serve":
        port, marker, pause = args
        _setup(production=True)  # before gunicorn forks: its workers inherit the receiver
        _pause_after(PAUSE_AFTER, Path(marker), Path(pause))
        return main(["serve", "--production", "--port", port, "--workers", "1", "--threads", "2"])
    else:
        raise SystemExit(f"unknown command {command}")
    return 0


if __name__ == "__main__":
    sys.exit(_script(sys.argv[1:]))
