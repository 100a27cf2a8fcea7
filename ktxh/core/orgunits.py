"""Org units (đơn vị hành chính) with validity dates, from the statistics office's codes.

The codes come from the ``vietnamadminunits`` package (MIT), whose SQLite data file
holds both the 63-province list (valid until 30/6/2025) and the 34-province list
(from 1/7/2025). Only that data file is read: no network, no geocoding.
The office reused codes after the reorganisation (11239 was thị trấn Thanh Miện and
is now xã Thanh Miện), so a code is always resolved at a date.
"""

from __future__ import annotations

import importlib.util
import sqlite3
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path

from .errors import OrgUnitError
from .types import OrgUnit

REFORM_DATE = date(2025, 7, 1)
LEGACY_END = date(2025, 6, 30)
# The legacy list does not say since when each unit existed; this stands for "earlier".
LEGACY_START = date(1976, 1, 1)

PROVINCE, DISTRICT, COMMUNE = "province", "district", "commune"


def dataset_path() -> Path:
    """Where the vietnamadminunits data file is installed (not imported: no side effects)."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise OrgUnitError(
            "Thiếu gói dữ liệu đơn vị hành chính «vietnamadminunits». Cài lại ktxh (pip install -e .)."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "dataset.db"
    if not path.exists():
        raise OrgUnitError(f"Không tìm thấy tệp dữ liệu đơn vị hành chính: {path}")
    return path


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _connect() -> sqlite3.Connection:
    return sqlite3.connect(f"file:{dataset_path()}?mode=ro", uri=True)


def load_legacy(province_codes: Sequence[str]) -> list[OrgUnit]:
    """Provinces, districts and communes of the 63-province list, valid until 30/6/2025."""
    marks = ",".join("?" for _ in province_codes)
    sql = (
        "SELECT DISTINCT province, provinceShort, provinceCode, district, districtShort, districtCode, "
        "ward, wardShort, wardCode FROM admin_units_legacy "
        f"WHERE provinceCode IN ({marks}) ORDER BY districtCode, wardCode"
    )
    units: dict[str, OrgUnit] = {}
    with _connect() as conn:
        for row in conn.execute(sql, list(province_codes)):
            p_name, p_short, p_code, d_name, d_short, d_code, w_name, w_short, w_code = row
            units.setdefault(
                p_code, OrgUnit(p_code, p_name, PROVINCE, None, LEGACY_START, LEGACY_END, p_short)
            )
            units.setdefault(
                d_code, OrgUnit(d_code, d_name, DISTRICT, p_code, LEGACY_START, LEGACY_END, d_short)
            )
            if w_code:
                units.setdefault(
                    w_code, OrgUnit(w_code, w_name, COMMUNE, d_code, LEGACY_START, LEGACY_END, w_short)
                )
    return list(units.values())


def load_current(province_codes: Sequence[str]) -> list[OrgUnit]:
    """Provinces and communes of the 34-province list, valid from 1/7/2025."""
    marks = ",".join("?" for _ in province_codes)
    sql = (
        "SELECT DISTINCT province, provinceShort, provinceCode, ward, wardShort, wardCode "
        f"FROM admin_units WHERE provinceCode IN ({marks}) ORDER BY wardCode"
    )
    units: dict[str, OrgUnit] = {}
    with _connect() as conn:
        for p_name, p_short, p_code, w_name, w_short, w_code in conn.execute(sql, list(province_codes)):
            units.setdefault(p_code, OrgUnit(p_code, p_name, PROVINCE, None, REFORM_DATE, None, p_short))
            if w_code:
                units.setdefault(w_code, OrgUnit(w_code, w_name, COMMUNE, p_code, REFORM_DATE, None, w_short))
    return list(units.values())


class OrgUnitRegistry:
    """Org units that may share a code over time; every lookup names a date."""

    def __init__(self, units: Iterable[OrgUnit]) -> None:
        self.units: list[OrgUnit] = list(units)
        self._by_code: dict[str, list[OrgUnit]] = {}
        for unit in self.units:
            versions = self._by_code.setdefault(unit.code, [])
            for other in versions:
                if other.valid_at(unit.valid_from) or unit.valid_at(other.valid_from):
                    raise OrgUnitError(
                        f"Mã đơn vị {unit.code} được dùng cho hai đơn vị cùng thời gian: "
                        f"«{other.name}» và «{unit.name}»."
                    )
            versions.append(unit)

    def resolve(self, code: str, at: date) -> OrgUnit:
        """The unit that carried ``code`` on day ``at``."""
        versions = self._by_code.get(code.strip())
        if not versions:
            raise OrgUnitError(f"Không có đơn vị hành chính mã «{code}».")
        for unit in versions:
            if unit.valid_at(at):
                return unit
        names = "; ".join(
            f"«{u.name}» ({u.valid_from:%d/%m/%Y} - {u.valid_to:%d/%m/%Y})"
            if u.valid_to
            else f"«{u.name}» (từ {u.valid_from:%d/%m/%Y})"
            for u in versions
        )
        raise OrgUnitError(
            f"Mã đơn vị «{code}» không có hiệu lực ngày {at:%d/%m/%Y}. Mã này từng là: {names}."
        )

    def versions(self, code: str) -> list[OrgUnit]:
        return list(self._by_code.get(code, []))

    def children(self, code: str, at: date) -> list[OrgUnit]:
        return [u for u in self.units if u.parent_code == code and u.valid_at(at)]

    def find_by_name(self, name: str, *, under: str, at: date) -> OrgUnit:
        """A child of ``under`` by the name a report prints: "Thanh Giang", "Thị trấn", "xã Lê Hồng".

        "Thị trấn" alone means the only township of the parent.
        """
        wanted = _norm(name)
        children = self.children(under, at)
        if wanted in ("thị trấn", "tt"):
            towns = [u for u in children if _norm(u.name).startswith("thị trấn")]
            if len(towns) == 1:
                return towns[0]
        for unit in children:
            if wanted in (_norm(unit.name), _norm(unit.short_name)):
                return unit
        for prefix in ("xã ", "thị trấn ", "phường ", "tt "):
            if wanted.startswith(prefix):
                bare = wanted[len(prefix) :]
                for unit in children:
                    if bare == _norm(unit.short_name):
                        return unit
        raise OrgUnitError(f"Không tìm thấy đơn vị «{name}» thuộc mã {under} vào ngày {at:%d/%m/%Y}.")


def demo_registry() -> OrgUnitRegistry:
    """Hải Dương (old list) and Hải Phòng (new list): enough for the Thanh Miện demo."""
    return OrgUnitRegistry(load_legacy(["30"]) + load_current(["31"]))
