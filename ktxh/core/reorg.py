"""Org units over time: change events (create, rename, move, merge, split, dissolve) and
history re-expressed in the units valid at a later date.

The 2025 reorganisation of the whole country is read from the ``vietnamadminunits``
data files (MIT): the 63-province and 34-province lists and the old→new mapping, where a
split old commune ("nhập một phần") names every new commune it went to. No network.

A split needs an allocation key for each part (population, area or a fixed share),
chosen by the user and recorded. Until one is recorded, the whole old unit goes to the
new commune the dataset names as its main successor; that default is labelled as such.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Any

from .errors import OrgUnitError
from .orgunits import (
    LEGACY_END,
    REFORM_DATE,
    OrgUnitRegistry,
    dataset_path,
    load_current,
    load_legacy,
)
from .types import OrgUnit


class ChangeKind(StrEnum):
    CREATE = "create"
    RENAME = "rename"
    MOVE = "move"  # to a new parent
    MERGE = "merge"  # several units (wholly) into one
    SPLIT = "split"  # one unit into several, by allocation keys
    DISSOLVE = "dissolve"  # no successor (the district level in 2025)


class KeyKind(StrEnum):
    POPULATION = "population"
    AREA = "area"
    SHARE = "share"  # a fixed share typed by the user
    DEFAULT = "default"  # nobody chose yet: all to the main successor


KEY_LABELS = {
    KeyKind.POPULATION: "theo dân số",
    KeyKind.AREA: "theo diện tích",
    KeyKind.SHARE: "theo tỷ lệ cố định",
    KeyKind.DEFAULT: "mặc định: toàn bộ về đơn vị tiếp nhận chính (chưa chọn khóa phân bổ)",
}


@dataclass(frozen=True, slots=True, order=True)
class UnitRef:
    """One version of a unit: a code is never enough, since codes are reused."""

    code: str
    valid_from: date

    @classmethod
    def of(cls, unit: OrgUnit) -> UnitRef:
        return cls(unit.code, unit.valid_from)


@dataclass(frozen=True, slots=True)
class Allocation:
    """What share of ``source`` goes to ``target`` in a split, and on what basis."""

    source: UnitRef
    target: UnitRef
    share: Decimal
    key: KeyKind
    basis: Decimal | None = None  # the population or area behind the share
    note: str = ""


@dataclass(frozen=True, slots=True)
class ChangeEvent:
    kind: ChangeKind
    day: date  # the day the targets start
    sources: tuple[UnitRef, ...]
    targets: tuple[UnitRef, ...]
    allocations: tuple[Allocation, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Part:
    """An earlier unit that contributes ``share`` of itself to a later one, and the path."""

    unit: OrgUnit
    share: Decimal
    keys: tuple[Allocation, ...]  # the split allocations met on the way (empty: whole merges)
    events: tuple[ChangeKind, ...]


@dataclass
class History:
    """Units with validity dates plus the events that link them."""

    registry: OrgUnitRegistry
    events: list[ChangeEvent] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._units = {UnitRef.of(u): u for u in self.registry.units}
        self._forward: dict[UnitRef, list[tuple[UnitRef, Decimal, Allocation | None, ChangeKind]]] = {}
        self._backward: dict[UnitRef, list[tuple[UnitRef, Decimal, Allocation | None, ChangeKind]]] = {}
        for event in self.events:
            self._index(event)

    def _index(self, event: ChangeEvent) -> None:
        for ref in (*event.sources, *event.targets):
            if ref not in self._units:
                raise OrgUnitError(
                    f"Sự kiện {event.kind} ngày {event.day:%d/%m/%Y} nhắc đến đơn vị {ref.code} không có."
                )
        if event.kind is ChangeKind.SPLIT:
            for source in event.sources:
                allocs = [a for a in event.allocations if a.source == source]
                total = sum((a.share for a in allocs), Decimal(0))
                if abs(total - 1) > Decimal("0.000001"):
                    raise OrgUnitError(
                        f"Các phần chia của {self._units[source].name} cộng lại bằng {total}, phải bằng 1."
                    )
                for a in allocs:
                    self._link(source, a.target, a.share, a, event.kind)
        elif event.kind in (ChangeKind.MERGE, ChangeKind.RENAME, ChangeKind.MOVE):
            for source in event.sources:
                for target in event.targets:
                    self._link(source, target, Decimal(1), None, event.kind)

    def _link(
        self, source: UnitRef, target: UnitRef, share: Decimal, alloc: Allocation | None, kind: ChangeKind
    ) -> None:
        self._forward.setdefault(source, []).append((target, share, alloc, kind))
        self._backward.setdefault(target, []).append((source, share, alloc, kind))

    def add(self, event: ChangeEvent) -> None:
        self.events.append(event)
        self._index(event)

    def unit(self, ref: UnitRef) -> OrgUnit:
        return self._units[ref]

    def successors(self, ref: UnitRef) -> list[tuple[UnitRef, Decimal, Allocation | None, ChangeKind]]:
        return list(self._forward.get(ref, []))

    def parts(self, target: OrgUnit, at: date, *, include_zero: bool = False) -> list[Part]:
        """The units valid at ``at`` that flow into ``target``, with the share of each.

        Walks the events backwards from ``target``; a split part whose key gives it nothing
        is left out unless ``include_zero``.
        """
        out: list[Part] = []

        def walk(
            ref: UnitRef, share: Decimal, keys: tuple[Allocation, ...], kinds: tuple[ChangeKind, ...]
        ) -> None:
            unit = self._units[ref]
            if unit.valid_at(at):
                if share > 0 or include_zero:
                    out.append(Part(unit, share, keys, kinds))
                return
            for source, part, alloc, kind in self._backward.get(ref, []):
                walk(source, share * part, ((alloc,) if alloc else ()) + keys, (kind,) + kinds)

        walk(UnitRef.of(target), Decimal(1), (), ())
        return out


# -- the 2025 reorganisation -------------------------------------------------------
def _converter() -> dict[str, Any]:
    path = dataset_path().parent / "converter_2025.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@lru_cache(maxsize=4)
def reform_2025(province_codes: tuple[str, ...] | None = None) -> History:
    """Old and new units with the 1/7/2025 events: communes merged, split, districts dissolved.

    ``province_codes`` are *new* province codes (34-province list); None means the whole country.
    """
    conn = sqlite3.connect(f"file:{dataset_path()}?mode=ro", uri=True)
    with conn:
        new_provinces = [r[0] for r in conn.execute("SELECT DISTINCT provinceCode FROM admin_units")]
        wanted_new = list(province_codes) if province_codes else new_provinces
        new_rows = conn.execute(
            f"SELECT DISTINCT provinceKey, wardKey, wardCode FROM admin_units WHERE provinceCode IN "
            f"({','.join('?' for _ in wanted_new)})",
            wanted_new,
        ).fetchall()
        old_rows = conn.execute(
            "SELECT DISTINCT provinceKey, districtKey, wardKey, wardCode, provinceCode FROM admin_units_legacy"
        ).fetchall()
    conv = _converter()
    merged = conv["DICT_PROVINCE_WARD_NO_DIVIDED"]
    divided = conv["DICT_PROVINCE_WARD_DIVIDED"]
    provinces_from = conv["DICT_PROVINCE"]
    new_code = {(pk, wk): code for pk, wk, code in new_rows}
    new_province_keys = {pk for pk, _wk, _c in new_rows}
    old_code = {f"{pk}_{dk}_{wk}": code for pk, dk, wk, code, _p in old_rows if code}
    old_province_of = {f"{pk}_{dk}_{wk}": p for pk, dk, wk, code, p in old_rows if code}
    # which old provinces are needed: those merged into the wanted new ones
    old_province_keys = {pk for new_pk in new_province_keys for pk in provinces_from.get(new_pk, [])}
    old_codes = sorted({p for key, p in old_province_of.items() if key.split("_")[0] in old_province_keys})
    units = load_legacy(old_codes) + load_current(wanted_new)
    registry = OrgUnitRegistry(units)

    def old_ref(key: str) -> UnitRef | None:
        code = old_code.get(key)
        return UnitRef(code, _legacy_start(registry, code)) if code else None

    events: list[ChangeEvent] = []
    for new_pk in sorted(new_province_keys):
        for ward_key, old_keys in sorted(merged.get(new_pk, {}).items()):
            code = new_code.get((new_pk, ward_key))
            if code is None:
                continue
            sources = tuple(r for r in (old_ref(k) for k in old_keys) if r is not None)
            if sources:
                events.append(
                    ChangeEvent(ChangeKind.MERGE, REFORM_DATE, sources, (UnitRef(code, REFORM_DATE),))
                )
        for old_key, targets in sorted(divided.get(new_pk, {}).items()):
            source = old_ref(old_key)
            refs = [
                (UnitRef(new_code[(new_pk, t["newWardKey"])], REFORM_DATE), bool(t["isDefaultNewWard"]))
                for t in targets
                if (new_pk, t["newWardKey"]) in new_code
            ]
            if source is None or not refs:
                continue
            main = next((r for r, is_main in refs if is_main), refs[0][0])
            allocs = tuple(
                Allocation(source, r, Decimal(1) if r == main else Decimal(0), KeyKind.DEFAULT)
                for r, _m in refs
            )
            events.append(
                ChangeEvent(ChangeKind.SPLIT, REFORM_DATE, (source,), tuple(r for r, _m in refs), allocs)
            )
    for unit in units:
        if unit.level == "district":
            events.append(ChangeEvent(ChangeKind.DISSOLVE, REFORM_DATE, (UnitRef.of(unit),), ()))
    # provinces: the old ones merged into each new one (Hải Dương + Hải Phòng → Hải Phòng)
    old_province_code = {key.split("_")[0]: p for key, p in old_province_of.items()}
    new_province_code = {pk: code for pk, code in conn_provinces(wanted_new)}
    for new_pk, old_pks in sorted(provinces_from.items()):
        if new_pk not in new_province_code:
            continue
        sources = tuple(
            UnitRef(old_province_code[pk], _legacy_start(registry, old_province_code[pk]))
            for pk in old_pks
            if pk in old_province_code
        )
        target = UnitRef(new_province_code[new_pk], REFORM_DATE)
        if sources:
            events.append(ChangeEvent(ChangeKind.MERGE, REFORM_DATE, sources, (target,)))
    return History(registry, events)


def conn_provinces(codes: Sequence[str]) -> list[tuple[str, str]]:
    """(province key, province code) of the new provinces."""
    with sqlite3.connect(f"file:{dataset_path()}?mode=ro", uri=True) as conn:
        marks = ",".join("?" for _ in codes)
        rows = conn.execute(
            f"SELECT DISTINCT provinceKey, provinceCode FROM admin_units WHERE provinceCode IN ({marks})",
            list(codes),
        ).fetchall()
    return [(str(k), str(c)) for k, c in rows]


def _legacy_start(registry: OrgUnitRegistry, code: str) -> date:
    for unit in registry.versions(code):
        if unit.valid_to == LEGACY_END:
            return unit.valid_from
    raise OrgUnitError(f"Không có đơn vị cũ mã {code} trong danh sách 63 tỉnh.")


def with_allocations(history: History, allocations: Sequence[Allocation]) -> History:
    """A copy of ``history`` whose splits use the user's recorded allocation keys."""
    chosen: dict[UnitRef, list[Allocation]] = {}
    for a in allocations:
        chosen.setdefault(a.source, []).append(a)
    events = []
    for event in history.events:
        if event.kind is ChangeKind.SPLIT and event.sources[0] in chosen:
            mine = chosen[event.sources[0]]
            unknown = {a.target for a in mine} - set(event.targets)
            if unknown:
                name = history.unit(event.sources[0]).name
                raise OrgUnitError(
                    f"Khóa phân bổ của {name} nhắc đến đơn vị không nhận phần nào của nó: "
                    + ", ".join(u.code for u in sorted(unknown))
                )
            missing = [t for t in event.targets if t not in {a.target for a in mine}]
            full = tuple(mine) + tuple(
                Allocation(event.sources[0], t, Decimal(0), mine[0].key) for t in missing
            )
            event = ChangeEvent(event.kind, event.day, event.sources, event.targets, full, event.note)
        events.append(event)
    return History(history.registry, events)


def shares_from_basis(
    source: UnitRef, basis: Mapping[UnitRef, Decimal], key: KeyKind, note: str = ""
) -> list[Allocation]:
    """Allocations proportional to a population or area given for each part."""
    total = sum(basis.values(), Decimal(0))
    if total <= 0:
        raise OrgUnitError("Tổng dân số hoặc diện tích của các phần phải lớn hơn 0.")
    return [Allocation(source, target, value / total, key, value, note) for target, value in basis.items()]


# -- re-expression -----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Contribution:
    part: Part
    value: Decimal | None  # the old unit's value, None when it has none
    source: object | None = None  # the stored core Value, for provenance


@dataclass(frozen=True, slots=True)
class Reexpressed:
    """One indicator of one kind and period, expressed in a later unit."""

    indicator: str
    period: str
    kind: str
    value: Decimal | None
    method: str  # sum | formula | unavailable
    contributions: tuple[Contribution, ...]
    missing: tuple[OrgUnit, ...] = ()  # parts that have no value
    note: str = ""


def reexpress(
    *,
    history: History,
    target: OrgUnit,
    at: date,
    values: Iterable[object],
    catalog: object,
    period: str,
    kinds: Sequence[str] = ("actual",),
) -> list[Reexpressed]:
    """Every indicator's value for ``period`` re-expressed for ``target``.

    ``at`` is a day inside ``period`` on which the old units were valid. Flows, stocks and
    counts add up over the parts (a split part by its share); rates and ratios are recomputed
    from their components when the catalog gives a formula, and are never averaged.
    """
    from .catalog import Catalog
    from .expr import Ref, parse, refs
    from .rules.exprctx import scalar
    from .types import Aggregation, Value, ValueKind

    assert isinstance(catalog, Catalog)
    parts = history.parts(target, at)
    by_cell: dict[tuple[str, str, str], Value] = {}
    for v in values:
        assert isinstance(v, Value)
        if v.period != period or v.category or v.option:
            continue
        by_cell.setdefault((v.indicator, v.org_unit, v.kind.value), v)

    def pick(code: str, unit: str, kind: str) -> Value | None:
        if kind == "actual":
            return by_cell.get((code, unit, ValueKind.FINAL.value)) or by_cell.get(
                (code, unit, ValueKind.ESTIMATE.value)
            )
        return by_cell.get((code, unit, kind))

    def summed(code: str, kind: str) -> Reexpressed | None:
        contribs = []
        missing = []
        for part in parts:
            stored = pick(code, part.unit.code, kind)
            if stored is None:
                if part.share > 0:
                    missing.append(part.unit)
                continue
            contribs.append(Contribution(part, stored.value, stored))
        if not contribs:
            return None
        total = sum((c.value * c.part.share for c in contribs if c.value is not None), Decimal(0))
        note = ""
        if missing:
            note = "Thiếu số liệu của " + ", ".join(u.name for u in missing) + ": tổng chưa đủ."
        return Reexpressed(code, period, kind, total, "sum", tuple(contribs), tuple(missing), note)

    out: list[Reexpressed] = []
    codes = sorted({code for (code, unit, _k) in by_cell if any(p.unit.code == unit for p in parts)})
    for code in codes:
        ind = catalog.get(code)
        if ind is None:
            continue
        for kind in kinds:
            if ind.aggregation is Aggregation.SUM:
                row = summed(code, kind)
                if row is not None:
                    out.append(row)
                continue
            if ind.formula:
                node = parse(ind.formula)
                inputs: dict[Ref, Decimal] = {}
                contribs: list[Contribution] = []
                missing_inputs = []
                for ref in set(refs(node)):
                    sub = summed(ref.code, ref.kind if ref.kind != "actual" else kind)
                    if sub is None or sub.value is None or sub.missing:
                        missing_inputs.append(ref.code)
                        continue
                    inputs[ref] = sub.value
                    contribs.extend(sub.contributions)
                if not missing_inputs:
                    got = Decimal(repr(scalar(node, inputs)))
                    out.append(
                        Reexpressed(
                            code,
                            period,
                            kind,
                            got,
                            "formula",
                            tuple(contribs),
                            note=f"Tính lại theo công thức {ind.formula} từ các thành phần đã gộp.",
                        )
                    )
                    continue
            parts_with = [p for p in parts if pick(code, p.unit.code, kind) is not None]
            if parts_with:
                out.append(
                    Reexpressed(
                        code,
                        period,
                        kind,
                        None,
                        "unavailable",
                        (),
                        note="Tỷ lệ, tỷ số không cộng hay lấy bình quân được; cần số liệu thành phần.",
                    )
                )
    return out
