"""Security fixtures: clients for the demo accounts (tests/conftest.py), with or without CSRF checks."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from ktxh.web.accounts.models import ApiToken

Login = Callable[..., Client]

COMMUNE = "xa_ngohung"  # xã Ngũ Hùng, 11275
OWN_UNIT = "11275"
OTHER_UNITS = ["11242", "300"]  # another commune (xã Thanh Tùng) and the district above


@pytest.fixture
def login(db: None) -> Login:
    """``login("tckh")`` → a logged-in Client; ``csrf=True`` makes it check CSRF like a browser."""
    from django.contrib.auth import get_user_model

    def make(username: str, *, csrf: bool = False) -> Client:
        client = Client(enforce_csrf_checks=csrf)
        client.force_login(get_user_model().objects.get(username=username))
        return client

    return make


@pytest.fixture
def bearer(db: None) -> Callable[[str], dict[str, str]]:
    """``bearer("xa_ngohung")`` → headers with a fresh API token of that account."""
    from django.contrib.auth import get_user_model

    def make(username: str) -> dict[str, str]:
        _obj, token = ApiToken.issue(user=get_user_model().objects.get(username=username), name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    return make
