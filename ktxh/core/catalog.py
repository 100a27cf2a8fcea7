"""The indicator catalog: sectors, offices and indicators, read from YAML.

``load_catalog`` reads ``ktxh/data/sectors.yaml`` and ``ktxh/data/catalog/*.yaml``;
``Catalog.problems()`` lists every rule the catalog breaks (duplicate codes,
unknown units or parents, parent cycles, ...), in Vietnamese.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import CatalogError, UnitError
from .types import Aggregation, Direction, Indicator, IndicatorKind
from .units import UnitRegistry, load_units

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*\.[A-Z0-9]+(?:_[A-Z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Office:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Sector:
    code: str
    prefix: str
    name: str
    office: str


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


class Catalog(Mapping[str, Indicator]):
    """Indicators by code, in catalog order (sector order, then file order)."""

    def __init__(
        self,
        *,
        offices: list[Office],
        sectors: list[Sector],
        indicators: list[Indicator],
        units: UnitRegistry,
    ) -> None:
        self.offices = {o.code: o for o in offices}
        self.sectors = {s.code: s for s in sectors}
        self.units = units
        self._indicators: dict[str, Indicator] = {}
        self._duplicates: list[str] = []
        for ind in indicators:
            if ind.code in self._indicators:
                self._duplicates.append(ind.code)
            self._indicators[ind.code] = ind

    def __getitem__(self, code: str) -> Indicator:
        try:
            return self._indicators[code]
        except KeyError:
            raise CatalogError(f"Không có chỉ tiêu mã «{code}» trong danh mục.") from None

    def __contains__(self, code: object) -> bool:
        return code in self._indicators

    def __iter__(self) -> Iterator[str]:
        return iter(self._indicators)

    def __len__(self) -> int:
        return len(self._indicators)

    def in_sector(self, sector: str) -> list[Indicator]:
        return [i for i in self._indicators.values() if i.sector == sector]

    def children(self, code: str) -> list[Indicator]:
        """The "of which" parts of an indicator."""
        return [i for i in self._indicators.values() if i.parent == code]

    def problems(self) -> list[str]:
        """Every integrity rule the catalog breaks, one Vietnamese sentence each."""
        out = [f"Mã chỉ tiêu «{c}» bị trùng." for c in self._duplicates]
        for ind in self._indicators.values():
            where = f"Chỉ tiêu {ind.code}"
            if not CODE_RE.match(ind.code):
                out.append(f"{where}: mã phải có dạng TIỀN_TỐ.TÊN_KHÔNG_DẤU (chữ in hoa, số, gạch dưới).")
            sector = self.sectors.get(ind.sector)
            if sector is None:
                out.append(f"{where}: lĩnh vực «{ind.sector}» không có trong danh mục lĩnh vực.")
            elif not ind.code.startswith(sector.prefix + "."):
                out.append(f"{where}: mã phải bắt đầu bằng tiền tố «{sector.prefix}.» của lĩnh vực.")
            if ind.office not in self.offices:
                out.append(f"{where}: cơ quan «{ind.office}» không có trong danh mục cơ quan.")
            if ind.unit not in self.units:
                out.append(f"{where}: đơn vị tính «{ind.unit}» không có trong danh mục đơn vị.")
            if not ind.name.strip():
                out.append(f"{where}: thiếu tên chỉ tiêu.")
            if not 0 <= ind.decimals <= 6:
                out.append(f"{where}: số chữ số thập phân phải từ 0 đến 6.")
            if ind.parent is not None:
                parent = self._indicators.get(ind.parent)
                if parent is None:
                    out.append(f"{where}: chỉ tiêu cha «{ind.parent}» không tồn tại.")
                elif ind.unit in self.units and parent.unit in self.units:
                    try:
                        self.units.convert(self.units[ind.unit].factor, ind.unit, parent.unit)
                    except UnitError:
                        out.append(
                            f"{where}: đơn vị «{ind.unit}» không quy đổi được sang đơn vị "
                            f"«{parent.unit}» của chỉ tiêu cha {parent.code}."
                        )
            if ind.formula:
                out.extend(self._formula_problems(ind.code, ind.formula))
        out.extend(self._cycles())
        return out

    def _formula_problems(self, code: str, formula: str) -> list[str]:
        from .expr import ExpressionError, parse, refs  # expr depends on numbers only; no cycle at import

        try:
            node = parse(formula)
        except ExpressionError as exc:
            return [f"Chỉ tiêu {code}: công thức không đọc được: {exc}"]
        return [
            f"Chỉ tiêu {code}: công thức dùng chỉ tiêu «{ref.code}» không có trong danh mục."
            for ref in refs(node)
            if ref.code not in self._indicators
        ]

    def _cycles(self) -> list[str]:
        out = []
        for code in self._indicators:
            seen = {code}
            current = self._indicators[code].parent
            while current is not None and current in self._indicators:
                if current in seen:
                    out.append(f"Chỉ tiêu {code}: quan hệ «trong đó» tạo thành vòng lặp qua {current}.")
                    break
                seen.add(current)
                current = self._indicators[current].parent
        return out


_DEFAULT_AGGREGATION = {
    IndicatorKind.FLOW: Aggregation.SUM,
    IndicatorKind.STOCK: Aggregation.SUM,
    IndicatorKind.COUNT: Aggregation.SUM,
    IndicatorKind.RATE: Aggregation.NONE,
    IndicatorKind.RATIO: Aggregation.NONE,
}


def _indicator(entry: Mapping[str, Any], sector: Sector, source: str) -> Indicator:
    code = str(entry.get("code", "")).strip()
    where = f"{source}, chỉ tiêu «{code or '?'}»"
    try:
        kind = IndicatorKind(entry["kind"])
        direction = Direction(entry.get("direction", "none"))
        aggregation = (
            Aggregation(entry["aggregation"]) if entry.get("aggregation") else _DEFAULT_AGGREGATION[kind]
        )
        return Indicator(
            code=code,
            name=_nfc(str(entry["name"])).strip(),
            unit=str(entry["unit"]),
            sector=sector.code,
            office=str(entry.get("office") or sector.office),
            kind=kind,
            decimals=int(entry.get("decimals", 0)),
            direction=direction,
            aggregation=aggregation,
            parent=entry.get("parent") or None,
            price_base=str(entry["price_base"]) if entry.get("price_base") else None,
            budgeted=bool(entry.get("budgeted", False)),
            formula=entry.get("formula") or None,
            tags=tuple(entry.get("tags") or ()),
            note=_nfc(str(entry["note"])) if entry.get("note") else None,
        )
    except KeyError as exc:
        raise CatalogError(f"{where}: thiếu trường {exc.args[0]!r}.") from None
    except ValueError as exc:
        raise CatalogError(f"{where}: giá trị không hợp lệ ({exc}).") from None


def load_catalog(data_dir: Path = DATA_DIR, units: UnitRegistry | None = None) -> Catalog:
    """Read sectors, offices and every catalog file. Raises CatalogError on bad structure."""
    units = units if units is not None else load_units(data_dir / "units")
    meta = yaml.safe_load((data_dir / "sectors.yaml").read_text(encoding="utf-8"))
    offices = [Office(o["code"], _nfc(o["name"])) for o in meta["offices"]]
    sectors = [Sector(s["code"], s["prefix"], _nfc(s["name"]), s["office"]) for s in meta["sectors"]]
    by_code = {s.code: s for s in sectors}
    files: dict[str, Path] = {p.stem: p for p in (data_dir / "catalog").glob("*.yaml")}
    indicators: list[Indicator] = []
    # sector order first, then any file named after no known sector (reported as a problem)
    order = [s.code for s in sectors if s.code in files] + sorted(set(files) - set(by_code))
    for stem in order:
        path = files[stem]
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        sector_code = doc.get("sector", stem)
        sector = by_code.get(sector_code)
        if sector is None:
            raise CatalogError(f"{path.name}: lĩnh vực «{sector_code}» không có trong sectors.yaml.")
        for entry in doc.get("indicators") or []:
            indicators.append(_indicator(entry, sector, path.name))
    return Catalog(offices=offices, sectors=sectors, indicators=indicators, units=units)
