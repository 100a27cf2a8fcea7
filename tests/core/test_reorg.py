"""Units over time: merges, splits, chains of changes, re-expression, and the 2025 reform data."""

from datetime import date
from decimal import Decimal

import pytest

from ktxh import core
from ktxh.core import reorg
from ktxh.core.reorg import Allocation, ChangeEvent, ChangeKind, History, KeyKind, UnitRef, reexpress
from ktxh.core.types import IndicatorKind, OrgUnit

from .engine_world import catalog, ind, v

D1, D2, D3 = date(2020, 1, 1), date(2022, 1, 1), date(2024, 1, 1)
OLD = date(1990, 1, 1)


def unit(code: str, name: str, start: date, end: date | None, parent: str | None = "P") -> OrgUnit:
    return OrgUnit(code, name, "commune", parent, start, end)


def chain_world() -> History:
    """A + B merge into C (2020); C is renamed C' keeping its code (2022); C' splits into D, E (2024)."""
    units = [
        OrgUnit("P", "Tỉnh P", "province", None, OLD, None),
        unit("A", "Xã A", OLD, date(2019, 12, 31)),
        unit("B", "Xã B", OLD, date(2019, 12, 31)),
        unit("C", "Xã C", D1, date(2021, 12, 31)),
        unit("C", "Xã C mới", D2, date(2023, 12, 31)),
        unit("D", "Xã D", D3, None),
        unit("E", "Xã E", D3, None),
    ]
    registry = core.OrgUnitRegistry(units)
    a, b, c1, c2 = UnitRef("A", OLD), UnitRef("B", OLD), UnitRef("C", D1), UnitRef("C", D2)
    d, e = UnitRef("D", D3), UnitRef("E", D3)
    split = (
        Allocation(c2, d, Decimal("0.6"), KeyKind.POPULATION, Decimal(6000)),
        Allocation(c2, e, Decimal("0.4"), KeyKind.POPULATION, Decimal(4000)),
    )
    return History(
        registry,
        [
            ChangeEvent(ChangeKind.MERGE, D1, (a, b), (c1,)),
            ChangeEvent(ChangeKind.RENAME, D2, (c1,), (c2,)),
            ChangeEvent(ChangeKind.SPLIT, D3, (c2,), (d, e), split),
        ],
    )


def test_a_merge_sums_its_parts() -> None:
    h = chain_world()
    c = h.registry.resolve("C", date(2021, 6, 1))
    parts = h.parts(c, date(2019, 6, 1))
    assert {(p.unit.code, p.share) for p in parts} == {("A", Decimal(1)), ("B", Decimal(1))}


def test_a_chain_of_changes_carries_the_split_share() -> None:
    h = chain_world()
    d = h.registry.resolve("D", date(2025, 1, 1))
    parts = h.parts(d, date(2019, 6, 1))
    # A and B each reach D through merge → rename → split at 60 %
    assert {(p.unit.code, p.share) for p in parts} == {("A", Decimal("0.6")), ("B", Decimal("0.6"))}
    assert parts[0].events == (ChangeKind.MERGE, ChangeKind.RENAME, ChangeKind.SPLIT)
    assert parts[0].keys[0].key is KeyKind.POPULATION


def test_flows_are_summed_and_splits_allocated() -> None:
    h = chain_world()
    cat = catalog(ind("A.ROAD", unit="km", decimals=3))
    values = [v("A.ROAD", "2.0", unit="A", period="2019"), v("A.ROAD", "3.0", unit="B", period="2019")]
    d = h.registry.resolve("D", date(2025, 1, 1))
    (row,) = reexpress(history=h, target=d, at=date(2019, 6, 1), values=values, catalog=cat, period="2019")
    assert (row.value, row.method) == (Decimal("3.0"), "sum")  # (2 + 3) × 0,6
    assert {c.part.unit.code for c in row.contributions} == {"A", "B"}


def test_rates_are_recomputed_from_their_components_never_averaged() -> None:
    h = chain_world()
    cat = catalog(
        ind("A.POOR", unit="ho", kind=IndicatorKind.COUNT, decimals=0),
        ind("A.HOUSE", unit="ho", kind=IndicatorKind.COUNT, decimals=0),
        ind("A.RATE", unit="pct", kind=IndicatorKind.RATE, formula="A.POOR / A.HOUSE * 100", decimals=2),
    )
    values = [
        v("A.POOR", "10", unit="A", period="2019"),
        v("A.HOUSE", "100", unit="A", period="2019"),
        v("A.RATE", "10", unit="A", period="2019"),
        v("A.POOR", "30", unit="B", period="2019"),
        v("A.HOUSE", "1000", unit="B", period="2019"),
        v("A.RATE", "3", unit="B", period="2019"),
    ]
    c = h.registry.resolve("C", date(2021, 6, 1))
    rows = {
        r.indicator: r
        for r in reexpress(
            history=h, target=c, at=date(2019, 6, 1), values=values, catalog=cat, period="2019"
        )
    }
    # (10 + 30) / (100 + 1000) × 100 = 3,6363…%, not the mean of 10% and 3% (6,5%)
    assert rows["A.RATE"].method == "formula"
    assert rows["A.RATE"].value == pytest.approx(Decimal("3.636363636"), abs=Decimal("1e-6"))


def test_a_rate_without_components_is_not_reexpressed() -> None:
    h = chain_world()
    cat = catalog(ind("A.SHARE", unit="pct", kind=IndicatorKind.RATE))
    values = [v("A.SHARE", "10", unit="A", period="2019"), v("A.SHARE", "20", unit="B", period="2019")]
    c = h.registry.resolve("C", date(2021, 6, 1))
    (row,) = reexpress(history=h, target=c, at=date(2019, 6, 1), values=values, catalog=cat, period="2019")
    assert (row.value, row.method) == (None, "unavailable")


def test_a_missing_part_is_reported_not_hidden() -> None:
    h = chain_world()
    cat = catalog(ind("A.ROAD", unit="km"))
    c = h.registry.resolve("C", date(2021, 6, 1))
    (row,) = reexpress(
        history=h,
        target=c,
        at=date(2019, 6, 1),
        values=[v("A.ROAD", "2.0", unit="A", period="2019")],
        catalog=cat,
        period="2019",
    )
    assert [u.code for u in row.missing] == ["B"] and "Thiếu số liệu của Xã B" in row.note


def test_split_shares_must_add_up_to_one() -> None:
    h = chain_world()
    c2, d, e = UnitRef("C", D2), UnitRef("D", D3), UnitRef("E", D3)
    bad = ChangeEvent(
        ChangeKind.SPLIT, D3, (c2,), (d, e), (Allocation(c2, d, Decimal("0.5"), KeyKind.SHARE),)
    )
    with pytest.raises(core.OrgUnitError, match="phải bằng 1"):
        History(h.registry, [bad])


# -- the 2025 reform, against Resolution 1669/NQ-UBTVQH15 (DOMAIN.md) --------------------
RESOLUTION_1669 = {
    "11239": ({"Xã Cao Thắng", "Xã Ngũ Hùng", "Xã Tứ Cường"}, {"Thị trấn Thanh Miện"}),
    "11254": ({"Xã Hồng Quang", "Xã Lam Sơn", "Xã Lê Hồng"}, set()),
    "11257": ({"Xã Tân Trào", "Xã Ngô Quyền", "Xã Đoàn Kết"}, set()),
    "11242": ({"Xã Phạm Kha", "Xã Nhân Quyền"}, {"Xã Thanh Tùng", "Xã Đoàn Tùng"}),
    "11284": ({"Xã Hồng Phong", "Xã Thanh Giang", "Xã Chi Lăng Bắc", "Xã Chi Lăng Nam"}, set()),
    "10993": (set(), {"Xã Thanh Tùng", "Xã Đoàn Tùng"}),
    "11065": (set(), {"Thị trấn Thanh Miện"}),
}


@pytest.mark.parametrize("code", sorted(RESOLUTION_1669))
def test_the_dataset_agrees_with_resolution_1669_for_thanh_mien(code: str) -> None:
    h = reorg.reform_2025(("31",))
    new = h.registry.resolve(code, reorg.REFORM_DATE)
    parts = h.parts(new, reorg.LEGACY_END, include_zero=True)
    whole = {p.unit.name for p in parts if not p.keys}
    split = {p.unit.name for p in parts if p.keys}
    expected_whole, expected_split = RESOLUTION_1669[code]
    assert expected_whole <= whole
    assert expected_split <= split
    # every one of the 17 old Thanh Miện units went somewhere, wholly or in part
    old = {u.code for u in h.registry.children("300", reorg.LEGACY_END)}
    assert len(old) == 17


def test_every_old_thanh_mien_unit_is_accounted_for() -> None:
    h = reorg.reform_2025(("31",))
    for old in h.registry.children("300", reorg.LEGACY_END):
        shares = sum((s for _r, s, _a, _k in h.successors(core_ref(old))), Decimal(0))
        assert shares == 1, old.name  # nothing lost, nothing counted twice
    assert any(e.kind is ChangeKind.DISSOLVE and e.sources[0].code == "300" for e in h.events)


def core_ref(u: OrgUnit) -> UnitRef:
    return UnitRef.of(u)


def test_recorded_keys_replace_the_default() -> None:
    h = reorg.reform_2025(("31",))
    town = h.registry.resolve("11239", reorg.LEGACY_END)
    xa_tm = h.registry.resolve("11239", reorg.REFORM_DATE)
    truong_tan = h.registry.resolve("11065", reorg.REFORM_DATE)
    keys = reorg.shares_from_basis(
        UnitRef.of(town),
        {UnitRef.of(xa_tm): Decimal(9000), UnitRef.of(truong_tan): Decimal(1000)},
        KeyKind.POPULATION,
    )
    keyed = reorg.with_allocations(h, keys)
    part = next(p for p in keyed.parts(xa_tm, reorg.LEGACY_END) if p.unit.code == "11239")
    assert part.share == Decimal("0.9") and part.keys[0].basis == Decimal(9000)


def test_provinces_merge_too() -> None:
    h = reorg.reform_2025(("31",))
    new_hp = h.registry.resolve("31", reorg.REFORM_DATE)
    old = {p.unit.name for p in h.parts(new_hp, reorg.LEGACY_END) if p.unit.level == "province"}
    assert old == {"Tỉnh Hải Dương", "Thành phố Hải Phòng"}
    # the old Hải Phòng reused its code 31: one code, two units, never at once
    assert [u.name for u in h.registry.versions("31")] == ["Thành phố Hải Phòng", "Thành phố Hải Phòng"]
