from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ktxh.core import NumberFormatError, format_pct, format_vi, parse_vi, plain, quantize

decimals = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=4, allow_nan=False)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("14.739", Decimal("14739")),
        ("1.626,4", Decimal("1626.4")),
        ("338,116", Decimal("338.116")),
        ("2.604.315,77", Decimal("2604315.77")),
        ("0,0302", Decimal("0.0302")),
        ("-1,5", Decimal("-1.5")),
        ("\u22121,5", Decimal("-1.5")),
        (" 996 ", Decimal("996")),
        ("1.000.000", Decimal("1000000")),
        ("14\u00a0739", Decimal("14739")),
    ],
)
def test_it_parses_vietnamese_numbers(text: str, expected: Decimal) -> None:
    assert parse_vi(text) == expected


@pytest.mark.parametrize("text", ["1,626.4", "1626.4", "7.2", "12.34.5", "10.00", "abc", "", "  ", "1,2,3"])
def test_it_refuses_numbers_not_written_the_vietnamese_way(text: str) -> None:
    with pytest.raises(NumberFormatError) as err:
        parse_vi(text)
    assert "Việt Nam" in str(err.value) or "trống" in str(err.value) or "không phải" in str(err.value)


def test_it_suggests_a_reading_for_an_ambiguous_number() -> None:
    with pytest.raises(NumberFormatError) as err:
        parse_vi("1626.4")
    assert "1.626,4" in err.value.suggestions
    assert "«1.626,4»" in str(err.value)


@pytest.mark.parametrize(
    "value, decimals, expected",
    [
        (Decimal("14739"), 0, "14.739"),
        (Decimal("1626.4"), 1, "1.626,4"),
        (Decimal("2604315.77"), 2, "2.604.315,77"),
        (Decimal("-1.5"), 1, "-1,5"),
        (Decimal("103.45"), 1, "103,5"),  # half-up, as offices round
        (Decimal("-0.04"), 1, "0,0"),  # never "-0,0"
        (Decimal("338.116"), None, "338,116"),
    ],
)
def test_it_formats_vietnamese_numbers(value: Decimal, decimals: int | None, expected: str) -> None:
    assert format_vi(value, decimals) == expected


def test_it_formats_percentages_with_a_comma() -> None:
    assert format_pct(Decimal("103.4")) == "103,4%"
    assert format_pct(Decimal("99.125"), 2) == "99,13%"


def test_it_writes_plain_decimals_for_machines() -> None:
    assert plain(Decimal("14739.000000")) == "14739"
    assert plain(Decimal("103.4")) == "103.4"
    assert plain(Decimal("103.39999"), 1) == "103.4"
    assert plain(Decimal("-0.0001"), 2) == "0"
    assert plain(Decimal("1E+3")) == "1000"


@given(decimals)
def test_it_reads_back_what_it_writes(value: Decimal) -> None:
    assert parse_vi(format_vi(value, 4)) == quantize(value, 4)


@given(decimals, st.integers(min_value=0, max_value=4))
def test_formatted_numbers_group_thousands_with_dots(value: Decimal, places: int) -> None:
    text = format_vi(value, places)
    whole = text.lstrip("-").split(",")[0]
    groups = whole.split(".")
    assert all(len(g) == 3 for g in groups[1:])
    assert 1 <= len(groups[0]) <= 3
    assert ("," in text) == (places > 0)


@given(decimals)
def test_plain_form_is_exact(value: Decimal) -> None:
    assert Decimal(plain(value)) == value
