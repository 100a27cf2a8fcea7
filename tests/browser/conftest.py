"""Browser tests: Playwright driving Debian's chromium against a live test server.

They run as their own pytest session (``make test-browser``) because a live server needs
a transactional database, which is emptied after each test. Each test loads the demo itself.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the
# fixtures are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("KTXH_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
SHOTS = Path(os.environ.get("KTXH_SCREENSHOTS", "var/screenshots"))


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run scripts/install-system-deps.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def demo(transactional_db: None) -> None:
    """Thanh Miện 2023 loaded, with one account per role (password: TEST_PASSWORD)."""
    from ktxh.web.accounts.services import DEMO_ACCOUNTS, account_ensure
    from ktxh.web.datavalues.services import demo_load

    demo_load()
    for spec in DEMO_ACCOUNTS:
        account_ensure(spec=spec, password=TEST_PASSWORD)


def log_in(page: Any, base: str, username: str) -> None:
    """Log in through the login form, as a person would."""
    page.goto(base + "/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
