"""Shared fixtures: named worlds.

- ``catalog``, ``registry``, ``demo_dataset``: the shipped catalog, org units and the
  Thanh Miện 2023 dataset as plain core objects (no database).
- The database of every Django test starts as "Thanh Miện 2023 loaded": the demo is
  loaded once per test session, and each test runs in a transaction that is rolled back.
"""

from __future__ import annotations

import pytest

from ktxh import core

TEST_PASSWORD = "thu-nghiem-Mat-khau-2023"


@pytest.fixture(scope="session")
def catalog() -> core.Catalog:
    return core.load_catalog()


@pytest.fixture(scope="session")
def registry() -> core.OrgUnitRegistry:
    return core.demo_registry()


@pytest.fixture(scope="session")
def demo_dataset(catalog: core.Catalog, registry: core.OrgUnitRegistry) -> core.Dataset:
    return core.load_dataset(catalog, registry)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The world "Thanh Miện 2023 loaded", shared by all database tests, with one account per
    role (ktxh.web.accounts.services.DEMO_ACCOUNTS) and a second commune, xã Thanh Tùng."""
    from ktxh.web.accounts.choices import Role
    from ktxh.web.accounts.services import DEMO_ACCOUNTS, AccountSpec, account_ensure
    from ktxh.web.datavalues.services import demo_load

    other_commune = AccountSpec("xa_thanhtung", "UBND xã Thanh Tùng", Role.COMMUNE, "11242")

    with django_db_blocker.unblock():
        demo_load()
        for spec in (*DEMO_ACCOUNTS, other_commune):
            account_ensure(spec=spec, password=TEST_PASSWORD)
