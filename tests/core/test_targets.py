"""Targets, one per form, with hand-computed margins."""

from decimal import Decimal

import pytest

from ktxh.core.targets import TargetStatus, evaluate_target
from ktxh.core.types import Direction, TargetForm, Value, ValueKind


def target(form: TargetForm, low: str | None, high: str | None = None, period: str = "2024") -> Value:
    value = Decimal(low) if low is not None else Decimal(high or 0)
    return Value(
        indicator="A.X",
        org_unit="300",
        period=period,
        kind=ValueKind.TARGET,
        value=value,
        form=form,
        value_high=Decimal(high) if (low is not None and high is not None) else None,
    )


D = Decimal


@pytest.mark.parametrize(
    "form, low, high, actual, base, direction, status, margin",
    [
        # absolute: 185 triệu đồng/ha, got 186 → exceeded by 1
        (TargetForm.EXACT, "185", None, "186", None, Direction.UP, TargetStatus.EXCEEDED, "1"),
        (TargetForm.EXACT, "185", None, "185", None, Direction.UP, TargetStatus.REACHED, "0"),
        (TargetForm.EXACT, "185", None, "180", None, Direction.UP, TargetStatus.NOT_REACHED, "-5"),
        # at least "trên 50%": 45,3 → short by 4,7
        (TargetForm.AT_LEAST, "50", None, "45.3", None, Direction.UP, TargetStatus.NOT_REACHED, "-4.7"),
        # at most "không quá 113 bé trai/100 bé gái": 120 → over by 7
        (TargetForm.AT_MOST, None, "113", "120", None, Direction.DOWN, TargetStatus.NOT_REACHED, "-7"),
        (TargetForm.AT_MOST, None, "113", "110", None, Direction.DOWN, TargetStatus.REACHED, "3"),
        # range "từ 1 đến 2 xã"
        (TargetForm.RANGE, "1", "2", "1", None, Direction.UP, TargetStatus.REACHED, "0"),
        (TargetForm.RANGE, "1", "2", "3", None, Direction.UP, TargetStatus.EXCEEDED, "1"),
        (TargetForm.RANGE, "1", "2", "0", None, Direction.UP, TargetStatus.NOT_REACHED, "-1"),
        # growth of at least 2%: 1.626,4 → 1.670 is +2,6807…%
        (TargetForm.GROWTH_AT_LEAST, "2", None, "1670", "1626.4", Direction.UP, TargetStatus.EXCEEDED, None),
        # growth 15,5%: 5.248 → 6.000 is +14,329…% → short
        (TargetForm.GROWTH, "15.5", None, "6000", "5248", Direction.UP, TargetStatus.NOT_REACHED, None),
        # growth range 8–10%: 110 on 100 is +10% → reached
        (TargetForm.GROWTH_RANGE, "8", "10", "110", "100", Direction.UP, TargetStatus.REACHED, "2"),
        # points: the rate must rise 5 points; 40 → 46 is +6
        (TargetForm.PP_CHANGE, "5", None, "46", "40", Direction.UP, TargetStatus.EXCEEDED, "1"),
    ],
)
def test_each_form(
    form: TargetForm,
    low: str | None,
    high: str | None,
    actual: str,
    base: str | None,
    direction: Direction,
    status: TargetStatus,
    margin: str | None,
) -> None:
    result = evaluate_target(
        target(form, low, high), actual=D(actual), base=D(base) if base else None, direction=direction
    )
    assert result.status is status
    if margin is not None:
        assert result.margin == D(margin)


def test_growth_margin_is_in_points_of_growth() -> None:
    result = evaluate_target(target(TargetForm.GROWTH_AT_LEAST, "2"), actual=D("1670"), base=D("1626.4"))
    # (1670 − 1626,4) / 1626,4 × 100 = 2,68076…; margin 0,68076…
    assert result.measured == pytest.approx(D("2.680767"), abs=D("0.000001"))
    assert result.margin == pytest.approx(D("0.680767"), abs=D("0.000001"))


def test_missing_data_is_unknown_not_failed() -> None:
    assert evaluate_target(target(TargetForm.EXACT, "1"), actual=None).status is TargetStatus.UNKNOWN
    assert (
        evaluate_target(target(TargetForm.GROWTH, "2"), actual=D(1), base=None).status is TargetStatus.UNKNOWN
    )


def test_a_five_year_target_gets_its_trajectory() -> None:
    # "tăng bình quân từ 1,5% đến 2%/năm" over 2021–2025, from 100 in 2020; 2023 (3 years) at 104
    t = target(TargetForm.AVG_GROWTH_RANGE, "1.5", "2", period="2021-2025")
    result = evaluate_target(t, actual=D("104"), base=D("100"), years_elapsed=3)
    # achieved: 1,04^(1/3) − 1 = 1,3159…% a year: below 1,5 → not reached so far
    assert result.status is TargetStatus.NOT_REACHED
    assert result.achieved_annual_growth == pytest.approx(D("1.3159"), abs=D("0.0001"))
    # needed: 1,015^5 = 1,077284; (107,7284 / 104)^(1/2) − 1 = 1,7767…% a year for 2024–2025
    assert result.needed_annual_growth == pytest.approx(D("1.7767"), abs=D("0.0001"))
    assert "Cần tăng" in result.message
