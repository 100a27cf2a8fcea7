"""Targets: each form evaluated to reached, exceeded or not reached, with the margin.

A five-year (term) target also gets its trajectory: the average annual growth achieved
so far and the growth still needed each remaining year to reach it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from . import compute
from .numbers import format_pct, format_vi
from .periods import Period, PeriodType
from .types import Direction, TargetForm, Value


class TargetStatus(StrEnum):
    EXCEEDED = "vuot"
    REACHED = "dat"
    NOT_REACHED = "khong_dat"
    UNKNOWN = "chua_du_so_lieu"


TARGET_LABELS = {
    TargetStatus.EXCEEDED: "vượt mục tiêu",
    TargetStatus.REACHED: "đạt mục tiêu",
    TargetStatus.NOT_REACHED: "không đạt mục tiêu",
    TargetStatus.UNKNOWN: "chưa đủ số liệu",
}

GROWTH_FORMS = {TargetForm.GROWTH, TargetForm.GROWTH_AT_LEAST, TargetForm.GROWTH_RANGE}


@dataclass(frozen=True, slots=True)
class TargetResult:
    status: TargetStatus
    measured: Decimal | None  # the value, the growth (%) or the change (points) compared
    margin: Decimal | None  # how far past (+) or short of (−) the nearest bound
    message: str
    # term targets only
    achieved_annual_growth: Decimal | None = None
    needed_annual_growth: Decimal | None = None


def _judge(
    measured: Decimal, low: Decimal | None, high: Decimal | None, direction: Direction
) -> tuple[TargetStatus, Decimal]:
    """Place ``measured`` against [low, high]; margin from the bound that decides."""
    if low is not None and measured < low:
        return TargetStatus.NOT_REACHED, measured - low
    if high is not None and measured > high:
        margin = measured - high
        # past the ceiling is good only when more is better and a floor exists (a range)
        if low is not None and direction is not Direction.DOWN:
            return TargetStatus.EXCEEDED, margin
        return TargetStatus.NOT_REACHED, -margin
    if low is not None and high is None and measured > low:
        return TargetStatus.EXCEEDED, measured - low
    if low is not None:
        return TargetStatus.REACHED, measured - low
    assert high is not None
    return TargetStatus.REACHED, high - measured


def evaluate_target(
    target: Value,
    *,
    actual: Decimal | None,
    base: Decimal | None = None,
    direction: Direction = Direction.UP,
    years_elapsed: int | None = None,
) -> TargetResult:
    """Evaluate one target value against the actual (and the base-period value for growth forms).

    ``years_elapsed``: for an average-growth term target, how many years of the term
    the actual covers (e.g. 3 for 2023 in the 2021-2025 term, base 2020).
    """
    form = target.form or TargetForm.EXACT
    low: Decimal | None = target.value
    high: Decimal | None = target.value_high
    if form is TargetForm.AT_MOST:
        low, high = None, target.value
    elif form in (TargetForm.AT_LEAST, TargetForm.GROWTH_AT_LEAST):
        high = None
    elif form in (TargetForm.EXACT, TargetForm.GROWTH):
        high = None if direction is not Direction.DOWN else target.value
        low = target.value if direction is not Direction.DOWN else None
    if actual is None:
        return TargetResult(TargetStatus.UNKNOWN, None, None, "Chưa có số thực hiện để đánh giá.")

    if form is TargetForm.AVG_GROWTH_RANGE:
        return _term(target, actual, base, years_elapsed, direction)
    if form in GROWTH_FORMS:
        measured = compute.pct_change(actual, base)
        if measured is None:
            return TargetResult(TargetStatus.UNKNOWN, None, None, "Thiếu số kỳ gốc để tính mức tăng.")
        unit = "%"
    elif form is TargetForm.PP_CHANGE:
        measured = compute.pp_change(actual, base)
        if measured is None:
            return TargetResult(TargetStatus.UNKNOWN, None, None, "Thiếu số kỳ gốc để tính mức thay đổi.")
        unit = " điểm %"
    else:
        measured, unit = actual, ""
    status, margin = _judge(measured, low, high, direction)
    shown = format_vi(measured, 1 if unit else None) + unit
    return TargetResult(status, measured, margin, f"{TARGET_LABELS[status].capitalize()}: thực hiện {shown}.")


def _term(
    target: Value, actual: Decimal, base: Decimal | None, years: int | None, direction: Direction
) -> TargetResult:
    if base is None or base <= 0 or not years:
        return TargetResult(
            TargetStatus.UNKNOWN, None, None, "Thiếu số năm gốc của giai đoạn để tính tăng bình quân."
        )
    term = Period.parse(target.period)
    assert term.type is PeriodType.TERM
    total_years = term.end.year - term.start.year + 1
    achieved = (Decimal(float(actual / base) ** (1 / years)) - 1) * 100
    low, high = target.value, target.value_high
    status, margin = _judge(achieved, low, high, direction)
    remaining = total_years - years
    needed = None
    if remaining > 0:
        goal = base * (1 + low / 100) ** total_years
        needed = (Decimal(float(goal / actual) ** (1 / remaining)) - 1) * 100
    message = f"Tăng bình quân {format_pct(achieved)}/năm trong {years} năm đầu."
    if needed is not None:
        message += f" Cần tăng {format_pct(needed)}/năm trong {remaining} năm còn lại để đạt cận dưới."
    return TargetResult(status, achieved, margin, message, achieved, needed)
