"""Shared fixtures: named worlds.

- ``catalog``, ``registry``, ``demo_dataset``: the shipped catalog, org units and the
  Thanh Miện 2023 dataset as plain core objects (no database).
- The database of every Django test starts as "Thanh Miện 2023 loaded": the demo is
  loaded once per test session, and each test runs in a transaction that is rolled back.
"""

from __future__ import annotations

import pytest

from ktxh import core


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
    """The world "Thanh Miện 2023 loaded", shared by all database tests."""
    from ktxh.web.datavalues.services import demo_load

    with django_db_blocker.unblock():
        demo_load()
