"""Logging in: Argon2 hashes, throttling after five failures, sessions that expire."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_it_logs_in_with_the_vietnamese_form_and_stores_argon2_hashes(client: Client) -> None:
    page = client.get("/dang-nhap/").content.decode()
    assert "Tên đăng nhập" in page and "Mật khẩu" in page
    response = client.post("/dang-nhap/", {"username": "tckh", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert get_user_model().objects.get(username="tckh").password.startswith("argon2$")


def test_it_locks_a_login_after_five_wrong_passwords(client: Client) -> None:
    for _ in range(5):
        page = client.post("/dang-nhap/", {"username": "tckh", "password": "sai"}).content.decode()
    page = client.post("/dang-nhap/", {"username": "tckh", "password": TEST_PASSWORD}).content.decode()
    assert "Tạm khóa đăng nhập" in page
    assert client.get("/").status_code == 302  # still not logged in


def test_sessions_expire() -> None:
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_HTTPONLY


def test_logging_out_ends_the_session(login) -> None:  # type: ignore[no-untyped-def]
    client = login("tckh")
    client.post("/dang-xuat/")
    assert client.get("/").status_code == 302
