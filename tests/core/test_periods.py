from datetime import date

import pytest

from ktxh.core import Period, PeriodError, PeriodType


@pytest.mark.parametrize(
    "code, start, end, ptype, label",
    [
        ("2023", date(2023, 1, 1), date(2023, 12, 31), PeriodType.YEAR, "năm 2023"),
        ("2023S1", date(2023, 1, 1), date(2023, 6, 30), PeriodType.HALF, "6 tháng đầu năm 2023"),
        ("2023Q4", date(2023, 10, 1), date(2023, 12, 31), PeriodType.QUARTER, "quý IV/2023"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), PeriodType.MONTH, "tháng 02/2024"),
        ("2021-2025", date(2021, 1, 1), date(2025, 12, 31), PeriodType.TERM, "giai đoạn 2021 - 2025"),
    ],
)
def test_it_parses_period_codes(code: str, start: date, end: date, ptype: PeriodType, label: str) -> None:
    p = Period.parse(code)
    assert (p.start, p.end, p.type, p.label) == (start, end, ptype, label)


@pytest.mark.parametrize("code", ["23", "2023Q5", "2023-13", "2025-2021", "năm 2023", ""])
def test_it_refuses_bad_period_codes(code: str) -> None:
    with pytest.raises(PeriodError, match="không phải mã kỳ hợp lệ"):
        Period.parse(code)


def test_same_period_last_year() -> None:
    assert Period.parse("2023Q2").previous_year().code == "2022Q2"
    assert Period.parse("2023").previous_year().code == "2022"
    assert Period.parse("2021-2025").shift_years(1).code == "2026-2030"


def test_reporting_window_follows_decree_09() -> None:
    # annual report: 15/12 of the previous year to 14/12
    assert Period.parse("2023").reporting_window() == (date(2022, 12, 15), date(2023, 12, 14))
    assert Period.parse("2023S1").reporting_window() == (date(2022, 12, 15), date(2023, 6, 14))
    assert Period.parse("2023-03").reporting_window() == (date(2023, 2, 15), date(2023, 3, 14))


@pytest.mark.parametrize("code", ["0000", "0000S1", "0000Q1", "0000-01", "0000-0001"])
def test_it_refuses_year_zero_with_a_period_error(code: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(code)
