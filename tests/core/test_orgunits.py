from datetime import date

import pytest

from ktxh.core import OrgUnit, OrgUnitError, OrgUnitRegistry

BEFORE, AFTER = date(2023, 12, 31), date(2025, 7, 1)

# Footnote 37 of the seed lists the district's 17 communes and township.
FOOTNOTE_37 = [
    "Thanh Giang",
    "Ngũ Hùng",
    "Ngô Quyền",
    "Chi Lăng Bắc",
    "Tứ Cường",
    "Hồng Quang",
    "Đoàn Kết",
    "Hồng Phong",
    "Thanh Tùng",
    "Tân Trào",
    "Phạm Kha",
    "Thị trấn",
    "Cao Thắng",
    "Lam Sơn",
    "Chi Lăng Nam",
    "Đoàn Tùng",
    "Lê Hồng",
]


def test_the_district_and_its_province_come_from_the_dataset(registry: OrgUnitRegistry) -> None:
    district = registry.resolve("300", BEFORE)
    assert (district.name, district.level, district.parent_code) == ("Huyện Thanh Miện", "district", "30")
    assert registry.resolve("30", BEFORE).name == "Tỉnh Hải Dương"


def test_the_district_has_the_seventeen_units_of_footnote_37(registry: OrgUnitRegistry) -> None:
    children = registry.children("300", BEFORE)
    assert len(children) == 17
    found = {registry.find_by_name(name, under="300", at=BEFORE).code for name in FOOTNOTE_37}
    assert found == {c.code for c in children}


def test_a_reused_code_resolves_by_date(registry: OrgUnitRegistry) -> None:
    assert registry.resolve("11239", BEFORE).name == "Thị trấn Thanh Miện"
    assert registry.resolve("11239", AFTER).name == "Xã Thanh Miện"
    assert registry.resolve("11284", BEFORE).name == "Xã Chi Lăng Nam"
    assert registry.resolve("11284", AFTER).name == "Xã Nam Thanh Miện"


def test_the_district_level_is_gone_after_the_reform(registry: OrgUnitRegistry) -> None:
    with pytest.raises(OrgUnitError, match="không có hiệu lực ngày 01/07/2025"):
        registry.resolve("300", AFTER)
    assert registry.resolve("31", AFTER).name == "Thành phố Hải Phòng"


def test_it_names_an_unknown_code(registry: OrgUnitRegistry) -> None:
    with pytest.raises(OrgUnitError, match="«99999»"):
        registry.resolve("99999", BEFORE)


def test_it_refuses_two_units_with_one_code_at_once() -> None:
    a = OrgUnit("1", "A", "commune", None, date(2020, 1, 1), None)
    b = OrgUnit("1", "B", "commune", None, date(2021, 1, 1), None)
    with pytest.raises(OrgUnitError, match="cùng thời gian"):
        OrgUnitRegistry([a, b])
