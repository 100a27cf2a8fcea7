"""Derived figures computed from stored values, never typed: % of plan, % change.

Results are exact Decimals; rounding belongs to presentation (``numbers.quantize``).
A figure that cannot be computed (missing or zero base) is None, not an error.
"""

from __future__ import annotations

from decimal import Decimal

HUNDRED = Decimal(100)


def pct_of(value: Decimal | None, base: Decimal | None) -> Decimal | None:
    """``value`` as a percentage of ``base``: "đạt 103,4% kế hoạch"."""
    if value is None or base is None or base == 0:
        return None
    return value / base * HUNDRED


def pct_change(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """Relative change in percent: "tăng 10,2% so với năm 2022" (negative: giảm)."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / abs(previous) * HUNDRED


def pp_change(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """Change of a rate in percentage points: "giảm 0,59 điểm phần trăm"."""
    if current is None or previous is None:
        return None
    return current - previous


def base_from_pct_of(value: Decimal, pct: Decimal) -> Decimal | None:
    """The base implied by "value is pct% of base": the plan behind "đạt 103,4% kế hoạch"."""
    if pct == 0:
        return None
    return value * HUNDRED / pct


def previous_from_pct_change(value: Decimal, pct: Decimal) -> Decimal | None:
    """The earlier value implied by "tăng/giảm pct% so với ..."."""
    factor = HUNDRED + pct
    if factor == 0:
        return None
    return value * HUNDRED / factor
