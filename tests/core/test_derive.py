"""Derived figures, hand-computed. Each figure is checked on the cube (numpy) and, where the
single-cell Decimal path exists, there too."""

from decimal import Decimal

import numpy as np
import pytest

from ktxh.core import compute
from ktxh.core.cube import build_cube
from ktxh.core.derive import (
    Status,
    Trend,
    pct_change,
    pct_of_plan,
    pp_change,
    share_of_parent,
    status,
    trend,
    ytd,
)
from ktxh.core.types import Direction, IndicatorKind, ValueKind

from .engine_world import UNITS, catalog, cube, ind, v

D, Y22, Y23 = 0, 0, 1


def test_pct_of_plan_uses_the_plan_or_the_budget_estimate() -> None:
    cat = catalog(ind("A.AREA"), ind("A.REV", unit="ty_dong", budgeted=True))
    c = cube(
        v("A.AREA", "14739"),
        v("A.AREA", "14254", kind=ValueKind.PLAN),
        v("A.REV", "338.116"),
        v("A.REV", "315.4", kind=ValueKind.BUDGET_ESTIMATE),
        v("A.REV", "1", kind=ValueKind.PLAN),
    )
    got = pct_of_plan(c, cat).value
    area, rev = c.total_series("A.AREA"), c.total_series("A.REV")
    # 14739 / 14254 × 100 = 103,4025…; 338,116 / 315,4 × 100 = 107,2023…
    assert got[area, D, 0] == pytest.approx(103.40255367, rel=1e-9)
    assert got[rev, D, 0] == pytest.approx(107.20228282, rel=1e-9)
    assert compute.pct_of(Decimal("14739"), Decimal("14254")) == Decimal("14739") / Decimal("14254") * 100


def test_a_final_value_wins_over_the_estimate() -> None:
    cat = catalog(ind("A.X"))
    c = cube(v("A.X", "110"), v("A.X", "105", kind=ValueKind.FINAL), v("A.X", "100", kind=ValueKind.PLAN))
    assert pct_of_plan(c, cat).value[0, D, 0] == pytest.approx(105.0)


def test_pct_change_and_points() -> None:
    cat = catalog(ind("A.X"), ind("A.RATE", unit="pct", kind=IndicatorKind.RATE))
    c = cube(
        v("A.X", "5248", period="2023"),
        v("A.X", "4762", period="2022", kind=ValueKind.FINAL),
        v("A.RATE", "1.88", period="2023"),
        v("A.RATE", "2.47", period="2022"),
    )
    x, r = c.total_series("A.X"), c.total_series("A.RATE")
    # (5248 − 4762) / 4762 × 100 = 10,2058…
    assert pct_change(c).value[x, D, Y23] == pytest.approx(10.20579588, rel=1e-9)
    assert np.isnan(pct_change(c).value[x, D, Y22])  # no 2021 in the cube
    # 1,88 − 2,47 = −0,59 points; points only for rates
    pp = pp_change(c, cat).value
    assert pp[r, D, Y23] == pytest.approx(-0.59)
    assert np.isnan(pp[x, D, Y23])
    assert compute.pct_change(Decimal(-50), Decimal(-100)) == Decimal(50)  # from a negative base


def test_missing_or_zero_bases_give_no_figure() -> None:
    cat = catalog(ind("A.X"))
    c = cube(v("A.X", "10"), v("A.X", "0", kind=ValueKind.PLAN))
    assert np.isnan(pct_of_plan(c, cat).value[0, D, 0])
    assert compute.pct_of(Decimal(10), None) is None and compute.pct_of(Decimal(10), Decimal(0)) is None


def test_share_of_parent() -> None:
    cat = catalog(ind("A.FOOD", unit="tan"), ind("A.RICE", unit="tan", parent="A.FOOD"))
    c = cube(v("A.FOOD", "78822"), v("A.RICE", "76482"))
    # 76482 / 78822 × 100 = 97,0313…
    assert share_of_parent(c, cat).value[c.total_series("A.RICE"), D, 0] == pytest.approx(
        97.03128568, rel=1e-9
    )


def test_year_to_date_sums_the_months_of_the_year() -> None:
    c = build_cube(
        [
            v("A.X", "1", period="2023-01"),
            v("A.X", "2", period="2023-02"),
            v("A.X", "4", period="2023-03"),
            v("A.X", "8", period="2024-01"),
        ],
        units=UNITS,
    )
    got = ytd(c, c.kind("actual")).value[0, D]
    assert got.tolist() == [1.0, 3.0, 7.0, 8.0]


@pytest.mark.parametrize(
    "pct, direction, expected",
    [
        (103.4, Direction.UP, Status.EXCEEDED),
        (100.04, Direction.UP, Status.REACHED),  # prints as 100,0%
        (100.05, Direction.UP, Status.EXCEEDED),  # prints as 100,1%
        (99.1, Direction.UP, Status.NOT_REACHED),
        (95.0, Direction.DOWN, Status.EXCEEDED),  # less is better: under plan is beating it
        (104.0, Direction.DOWN, Status.NOT_REACHED),
        (float("nan"), Direction.UP, Status.UNKNOWN),
    ],
)
def test_status_by_good_direction(pct: float, direction: Direction, expected: Status) -> None:
    assert status(np.array([pct]), direction) == [expected]


def test_trend_by_good_direction() -> None:
    assert trend(np.array([10.2, -1.5, 0.0]), Direction.UP) == [
        Trend.IMPROVED,
        Trend.WORSENED,
        Trend.UNCHANGED,
    ]
    assert trend(np.array([-0.59]), Direction.DOWN) == [Trend.IMPROVED]  # poverty fell
    assert trend(np.array([3.0]), Direction.NONE) == [Trend.UNKNOWN]


def test_the_cube_agrees_with_the_decimal_path_on_the_demo(demo_dataset, catalog) -> None:  # type: ignore[no-untyped-def]
    from ktxh import core

    values = demo_dataset.values
    c = build_cube(values, units=[("300", "district", None)])
    pct = pct_of_plan(c, catalog).value
    rows = core.indicator_rows(catalog, values, org_unit="300", period=core.Period.year(2023))
    checked = 0
    for row in rows:
        s = c.total_series(row.indicator.code)
        if row.pct_plan is not None and s is not None:
            assert pct[s, 0, c.period_index["2023"]] == pytest.approx(float(row.pct_plan), rel=1e-9)
            checked += 1
    assert checked >= 30
