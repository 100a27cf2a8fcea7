from decimal import Decimal

import pytest

from ktxh.core import UnitError, load_units


@pytest.fixture(scope="module")
def units():  # type: ignore[no-untyped-def]
    return load_units()


def test_it_converts_square_metres_to_hectares(units) -> None:  # type: ignore[no-untyped-def]
    assert units.convert(Decimal("2604315.77"), "m2", "ha") == Decimal("260.431577")
    assert units.convert(Decimal("1"), "ha", "m2") == Decimal("10000")


def test_it_converts_quintals_and_tonnes(units) -> None:  # type: ignore[no-untyped-def]
    assert units.convert(Decimal("10"), "ta", "tan") == Decimal("1")
    assert units.convert(Decimal("77.5"), "ta_ha", "tan_ha") == Decimal("7.75")


def test_it_converts_millions_and_billions_of_dong(units) -> None:  # type: ignore[no-untyped-def]
    assert units.convert(Decimal("1401"), "trieu_dong", "ty_dong") == Decimal("1.401")
    assert units.convert(Decimal("1680300000"), "dong", "trieu_dong") == Decimal("1680.3")


def test_it_refuses_to_convert_between_dimensions(units) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnitError, match="khác loại"):
        units.convert(Decimal(1), "ha", "tan")


def test_count_nouns_never_convert_into_each_other(units) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnitError):
        units.convert(Decimal(1), "ho_so", "nguoi")
    assert units.convert(Decimal(5), "ho_so", "ho_so") == Decimal(5)


def test_it_names_an_unknown_unit(units) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnitError, match="«furlong»"):
        units["furlong"]
