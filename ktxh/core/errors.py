"""Exceptions raised by ktxh.core.

The tree::

    KtxhError                 every error ktxh raises on purpose; its message is Vietnamese
    ├── NumberFormatError     a number that is not written the Vietnamese way
    ├── UnitError             an unknown unit, or a conversion between two dimensions
    ├── PeriodError           a period code that cannot be read
    ├── CatalogError          a catalog or data file that breaks the catalog's rules
    ├── OrgUnitError          an unknown org unit, or one not valid at the date asked
    └── DatasetError          a dataset entry that cannot be loaded (names file and entry)
"""

from __future__ import annotations


class KtxhError(Exception):
    """Base of every error ktxh raises on purpose. ``str(err)`` is for the user."""


class NumberFormatError(KtxhError, ValueError):
    def __init__(self, text: str, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.text = text
        self.suggestions = suggestions or []


class UnitError(KtxhError, ValueError):
    pass


class PeriodError(KtxhError, ValueError):
    pass


class CatalogError(KtxhError):
    pass


class OrgUnitError(KtxhError, LookupError):
    pass


class DatasetError(KtxhError):
    pass
