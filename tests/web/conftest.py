"""Web fixtures: clients logged in as the demo accounts (one per role, see tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client


@pytest.fixture
def login(db: None) -> Callable[[str], Client]:
    """``login("tckh")``: a client with that demo account's session."""
    from django.contrib.auth import get_user_model

    def make(username: str) -> Client:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        return client

    return make


@pytest.fixture
def leader_client(login: Callable[[str], Client]) -> Client:
    return login("lanhdao")
