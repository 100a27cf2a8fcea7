"""Units of measure and conversions (m² ↔ ha, tạ ↔ tấn, triệu ↔ tỷ đồng, ...).

The units are data (``ktxh/data/units/*.yaml``). Units of the same dimension
convert by their factors; every count noun is a dimension of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .errors import CatalogError, UnitError
from .numbers import to_decimal

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "units"


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit: ``code`` is stable, ``symbol`` is what a reader sees ("m²")."""

    code: str
    symbol: str
    dimension: str
    factor: Decimal = Decimal(1)


class UnitRegistry(Mapping[str, Unit]):
    """Every known unit by code, with conversions between them."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self._units: dict[str, Unit] = {}
        for unit in units:
            if unit.code in self._units:
                raise CatalogError(f"Đơn vị «{unit.code}» được khai báo hai lần.")
            self._units[unit.code] = unit

    def __getitem__(self, code: str) -> Unit:
        try:
            return self._units[code]
        except KeyError:
            raise UnitError(f"Không có đơn vị tính «{code}» trong danh mục đơn vị.") from None

    def __contains__(self, code: object) -> bool:
        return code in self._units

    def __iter__(self) -> Iterator[str]:
        return iter(self._units)

    def __len__(self) -> int:
        return len(self._units)

    def convert(self, value: Decimal, from_code: str, to_code: str) -> Decimal:
        """Convert ``value`` from one unit to another of the same dimension."""
        if from_code == to_code:
            return value
        src, dst = self[from_code], self[to_code]
        if src.dimension != dst.dimension:
            raise UnitError(
                f"Không thể đổi «{src.symbol}» sang «{dst.symbol}»: hai đơn vị khác loại đại lượng."
            )
        return value * src.factor / dst.factor

    def by_symbol(self, symbol: str) -> Unit:
        for unit in self._units.values():
            if unit.symbol == symbol:
                return unit
        raise UnitError(f"Không có đơn vị tính nào viết là «{symbol}».")


def _unit_from_entry(entry: Mapping[str, Any], source: str) -> Unit:
    try:
        code = str(entry["code"])
        symbol = str(entry["symbol"])
        dimension = str(entry["dimension"])
    except KeyError as exc:
        raise CatalogError(f"{source}: đơn vị thiếu trường {exc.args[0]!r}: {dict(entry)}") from None
    if dimension == "count":
        # a count noun converts only into itself
        return Unit(code, symbol, f"count:{code}", Decimal(1))
    if "factor" not in entry:
        raise CatalogError(f"{source}: đơn vị «{code}» thiếu hệ số quy đổi (factor).")
    return Unit(code, symbol, dimension, to_decimal(entry["factor"]))


def load_units(data_dir: Path = DATA_DIR) -> UnitRegistry:
    """Load and merge every ``*.yaml`` file of the units folder."""
    units: list[Unit] = []
    for path in sorted(data_dir.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in doc.get("units", []):
            units.append(_unit_from_entry(entry, path.name))
    return UnitRegistry(units)
