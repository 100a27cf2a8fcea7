"""``ktxh serve --production``: settings from the environment, a loud failure without a secret,
a dry check, and a real gunicorn process serving pages and static files.

These tests start their own processes on their own temporary SQLite database (KTXH_HOME in a
temporary folder); they do not use pytest-django's database. The helpers are shared with
tests/web/test_faults.py.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

SERVE_TIMEOUT = 180  # seconds; the first start compresses the static files (gzip)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def static_root(config: pytest.Config) -> Path:
    """One collected static folder for every server the tests start (collecting takes ~30 s);
    ktxh keeps a fingerprint of the shipped files there, so a stale copy is collected again."""
    return Path(config.cache.mkdir("ktxh-static")) if config.cache else Path("var/test-static")


def base_env(home: Path, static: Path, **extra: str) -> dict[str, str]:
    """The environment of a ktxh process on the SQLite database in ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KTXH_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        KTXH_HOME=str(home),
        KTXH_STATIC_ROOT=str(static),
        KTXH_SECRET_KEY=secrets.token_urlsafe(50),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def ktxh(args: list[str], env: Mapping[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ktxh.cli", *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def get(
    url: str, headers: Mapping[str, str] | None = None, timeout: float = 15
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers with lower-case names, body) without raising on 4xx/5xx."""
    request = urllib.request.Request(url, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def wait_until_up(url: str, process: subprocess.Popen[str], timeout: float = SERVE_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(f"the server stopped (exit {process.returncode}):\n{out}\n{err}")
        try:
            get(url, timeout=2)
            return
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    raise AssertionError(f"the server did not answer {url} within {timeout} s")


@contextmanager
def running(command: list[str], env: Mapping[str, str], port: int) -> Iterator[subprocess.Popen[str]]:
    """A server process, answering on ``port`` inside the block, stopped (SIGTERM) after it."""
    process = subprocess.Popen(
        command,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: gunicorn's workers are stopped with it
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/dang-nhap/", process)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def serve_command(port: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "ktxh.cli", "serve", "--production", "--port", str(port), *extra]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def env(home: Path, request: pytest.FixtureRequest) -> dict[str, str]:
    return base_env(home, static_root(request.config))


def _settings(env: Mapping[str, str]) -> dict[str, object]:
    """The security settings a process with ``env`` ends up with."""
    code = (
        "import json, django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'ktxh.web.settings'; "
        "from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k, None) for k in ['DEBUG', 'SESSION_COOKIE_SECURE', "
        "'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'SECURE_PROXY_SSL_HEADER', 'SECURE_CONTENT_TYPE_NOSNIFF', "
        "'SECURE_REFERRER_POLICY', 'X_FRAME_OPTIONS', 'CSRF_TRUSTED_ORIGINS', 'ALLOWED_HOSTS']}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=dict(env), capture_output=True, text=True, timeout=60, check=False
    )
    assert out.returncode == 0, out.stderr
    return dict(json.loads(out.stdout))


def test_it_refuses_to_start_without_a_secret(env: dict[str, str]) -> None:
    del env["KTXH_SECRET_KEY"]
    out = ktxh(["serve", "--production", "--check"], env)
    assert out.returncode == 2
    assert "Lỗi" in out.stderr and "KTXH_SECRET_KEY" in out.stderr and "bắt buộc" in out.stderr
    assert "Traceback" not in out.stderr
    # The settings module itself refuses, whatever starts it (gunicorn directly, a script).
    env["KTXH_PRODUCTION"] = "1"
    loaded = subprocess.run(
        [sys.executable, "-c", "import ktxh.web.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert loaded.returncode != 0 and "KTXH_SECRET_KEY" in loaded.stderr


def test_it_refuses_a_short_secret_and_debug(env: dict[str, str]) -> None:
    out = ktxh(["serve", "--production", "--check"], {**env, "KTXH_SECRET_KEY": "abc"})
    assert out.returncode == 2 and "quá ngắn" in out.stderr
    out = ktxh(["serve", "--production", "--check"], {**env, "KTXH_DEBUG": "1"})
    assert out.returncode == 2 and "KTXH_DEBUG" in out.stderr
    out = ktxh(["serve", "--production", "--check"], {**env, "KTXH_HSTS_SECONDS": "một năm"})
    assert out.returncode == 2 and "KTXH_HSTS_SECONDS" in out.stderr
    out = ktxh(["serve", "--production", "--check"], {**env, "KTXH_WORKERS": "nhiều"})
    assert out.returncode == 2 and "KTXH_WORKERS" in out.stderr
    assert "Traceback" not in out.stderr


def test_it_names_an_unreachable_database(env: dict[str, str]) -> None:
    port = free_port()  # nothing listens there
    out = ktxh(
        ["serve", "--production", "--check"],
        {**env, "DATABASE_URL": f"postgres://ktxh@127.0.0.1:{port}/ktxh"},
    )
    assert out.returncode == 2
    assert "Không kết nối được cơ sở dữ liệu" in out.stderr and f"127.0.0.1:{port}/ktxh" in out.stderr
    assert "Traceback" not in out.stderr


def test_it_checks_the_configuration_without_serving(env: dict[str, str]) -> None:
    out = ktxh(["serve", "--production", "--check"], env)
    assert out.returncode == 2, "an empty database must be refused"
    assert "ktxh init" in out.stderr
    assert ktxh(["init"], env).returncode == 0
    out = ktxh(["serve", "--production", "--check", "--workers", "3", "--threads", "2"], env)
    assert out.returncode == 0, out.stderr
    assert "Cấu hình hợp lệ" in out.stdout
    assert "3 tiến trình × 2 luồng" in out.stdout
    assert "SQLite" in out.stderr  # PostgreSQL is recommended, SQLite is allowed with a warning


def test_it_takes_security_settings_from_the_environment(env: dict[str, str]) -> None:
    dev = _settings(env)
    assert dev["SESSION_COOKIE_SECURE"] is False and dev["SECURE_HSTS_SECONDS"] == 0
    prod = _settings({**env, "KTXH_PRODUCTION": "1"})
    assert prod["SESSION_COOKIE_SECURE"] is True and prod["CSRF_COOKIE_SECURE"] is True
    assert prod["SECURE_HSTS_SECONDS"] == 0, "HSTS waits until the office has HTTPS"
    assert prod["SECURE_PROXY_SSL_HEADER"] is None
    assert prod["SECURE_CONTENT_TYPE_NOSNIFF"] is True and prod["X_FRAME_OPTIONS"] == "DENY"
    assert prod["SECURE_REFERRER_POLICY"] == "same-origin"
    behind = _settings(
        {
            **env,
            "KTXH_PRODUCTION": "1",
            "KTXH_HSTS_SECONDS": "31536000",
            "KTXH_BEHIND_PROXY": "yes",
            "KTXH_ALLOWED_HOSTS": "ktxh.thanhmien.gov.vn",
            "KTXH_CSRF_TRUSTED_ORIGINS": "https://ktxh.thanhmien.gov.vn",
        }
    )
    assert behind["SECURE_HSTS_SECONDS"] == 31536000
    assert behind["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert behind["ALLOWED_HOSTS"] == ["ktxh.thanhmien.gov.vn"]
    assert behind["CSRF_TRUSTED_ORIGINS"] == ["https://ktxh.thanhmien.gov.vn"]
    trial = _settings({**env, "KTXH_PRODUCTION": "1", "KTXH_SECURE_COOKIES": "0"})
    assert trial["SESSION_COOKIE_SECURE"] is False and trial["CSRF_COOKIE_SECURE"] is False


def test_it_serves_pages_and_static_files_with_gunicorn(env: dict[str, str]) -> None:
    assert ktxh(["init"], env).returncode == 0
    port = free_port()
    env["KTXH_HSTS_SECONDS"] = "3600"
    with running(serve_command(port, "--workers", "2", "--threads", "2"), env, port) as server:
        status, headers, body = get(f"http://127.0.0.1:{port}/dang-nhap/")
        assert status == 200
        page = body.decode()
        assert "Đăng nhập" in page
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["x-frame-options"] == "DENY"
        assert "strict-transport-security" not in headers, "no HSTS over plain HTTP"
        cookie = headers.get("set-cookie", "")
        assert "csrftoken=" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie

        # The page links the collected, hashed file; WhiteNoise serves it, compressed on request.
        css = re.search(r'href="(/static/ktxh/site\.[0-9a-f]{12}\.css)"', page)
        assert css, "the stylesheet has a content hash in its name"
        status, headers, body = get(f"http://127.0.0.1:{port}{css.group(1)}", {"Accept-Encoding": "gzip"})
        assert status == 200 and headers["content-type"].startswith("text/css")
        assert headers.get("content-encoding") == "gzip"
        assert "immutable" in headers["cache-control"]
        status, _headers, _body = get(f"http://127.0.0.1:{port}/static/ktxh/khong-co.css")
        assert status == 404

        # Behind the proxy (X-Forwarded-Proto from 127.0.0.1), the request is HTTPS: HSTS is sent.
        status, headers, _body = get(f"http://127.0.0.1:{port}/dang-nhap/", {"X-Forwarded-Proto": "https"})
        assert status == 200 and headers["strict-transport-security"] == "max-age=3600"

        os.killpg(server.pid, signal.SIGTERM)
        out, err = server.communicate(timeout=40)
    assert server.returncode == 0, err
    assert f"http://127.0.0.1:{port}/" in out
    # One access line per request, with its status and time, on stdout.
    assert re.search(r'"GET /dang-nhap/ HTTP/1\.1" 200 \d+ \d+ms', out), out
    assert "Booting worker" in err


def test_the_dev_server_stays_the_default(env: dict[str, str]) -> None:
    assert ktxh(["init"], env).returncode == 0
    port = free_port()
    command = [sys.executable, "-m", "ktxh.cli", "serve", "--port", str(port)]
    with running(command, env, port):
        status, headers, body = get(f"http://127.0.0.1:{port}/static/ktxh/site.css")
        assert status == 200, "the demo serves static files from the app folders, no collectstatic"
        status, headers, _body = get(f"http://127.0.0.1:{port}/dang-nhap/")
        assert status == 200 and "Secure" not in headers.get("set-cookie", "")


def test_one_thread_without_keep_alive_uses_the_plain_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    from ktxh.web.production import ServeOptions, gunicorn_options

    monkeypatch.delenv("KTXH_KEEPALIVE", raising=False)
    assert gunicorn_options(ServeOptions("127.0.0.1", 8000, workers=8, threads=1))["worker_class"] == "sync"
    threaded = gunicorn_options(ServeOptions("127.0.0.1", 8000, workers=2, threads=4))
    assert (threaded["worker_class"], threaded["threads"]) == ("gthread", 4)
    monkeypatch.setenv("KTXH_KEEPALIVE", "5")  # keep-alive needs the threaded worker
    kept = gunicorn_options(ServeOptions("127.0.0.1", 8000, workers=8, threads=1))
    assert (kept["worker_class"], kept["keepalive"]) == ("gthread", 5)
