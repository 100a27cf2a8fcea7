"""Targets print each bound with the decimals it was stated with.

Seed line 1976: "tăng bình quân từ 1,5% đến 2%/năm" — the upper bound keeps its own (no)
decimals, it does not borrow the lower bound's "2,0%"."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from ktxh import core
from ktxh.core.numbers import half_unit, printed_decimals
from ktxh.core.types import TargetForm, Value, ValueKind
from ktxh.report import ReportData
from ktxh.report.phrasing import Phrases
from ktxh.report.provenance import Provenance


@pytest.fixture
def data(demo_dataset: core.Dataset, catalog: core.Catalog, registry: core.OrgUnitRegistry) -> ReportData:
    return ReportData(
        catalog=catalog, values=list(demo_dataset.values), unit="300", year=2023, registry=registry
    )


def _term_target(data: ReportData, code: str) -> Value:
    return next(
        v
        for v in data.values
        if v.indicator == code
        and v.kind is ValueKind.TARGET
        and v.period == "2021-2025"
        and v.org_unit == "300"
    )


def _with(data: ReportData, old: Value, new: Value) -> ReportData:
    values = [new if v is old else v for v in data.values]
    return ReportData(
        catalog=data.catalog, values=values, unit=data.unit, year=data.year, registry=data.registry
    )


def test_each_bound_of_a_range_keeps_its_own_decimals(data: ReportData) -> None:
    p = Phrases(data, Provenance())
    # seed line 1976 and 1978, read from the demo dataset
    assert p.target("NN.GTSX", period="2021-2025") == "tăng bình quân từ 1,5% đến 2%/năm"
    assert p.target("TH.GTSX_CN_XD", period="2021-2025") == "tăng bình quân từ 15,5% đến 16,5%/năm"


def test_the_dataset_keeps_the_upper_bound_precision(data: ReportData) -> None:
    t = _term_target(data, "NN.GTSX")
    assert t.error == Decimal("0.05") and t.error_high == Decimal("0.5")


@pytest.mark.parametrize(
    ("form", "low", "high", "expected"),
    [
        (TargetForm.GROWTH_RANGE, "6.5", "7.0", "tăng từ 6,5% đến 7,0%"),  # a stated trailing zero stays
        (TargetForm.GROWTH_RANGE, "8", "10.5", "tăng từ 8% đến 10,5%"),
        (TargetForm.AVG_GROWTH_RANGE, "1.50", "2", "tăng bình quân từ 1,50% đến 2%/năm"),
    ],
)
def test_stated_precision_per_bound(
    data: ReportData, form: TargetForm, low: str, high: str, expected: str
) -> None:
    old = _term_target(data, "NN.GTSX")
    new = dataclasses.replace(
        old,
        form=form,
        value=Decimal(low),
        value_high=Decimal(high),
        error=half_unit(printed_decimals(low)),
        error_high=half_unit(printed_decimals(high)),
    )
    assert Phrases(_with(data, old, new), Provenance()).target("NN.GTSX", period="2021-2025") == expected


def test_a_stored_target_without_the_upper_precision_prints_its_significant_decimals(
    data: ReportData,
) -> None:
    # a value read back from storage with six decimals and no upper-bound precision recorded
    old = _term_target(data, "NN.GTSX")
    new = dataclasses.replace(
        old,
        value=Decimal("1.500000"),
        value_high=Decimal("2.000000"),
        error=Decimal("0.050000"),
        error_high=None,
    )
    text = Phrases(_with(data, old, new), Provenance()).target("NN.GTSX", period="2021-2025")
    assert text == "tăng bình quân từ 1,5% đến 2%/năm"
    new = dataclasses.replace(new, value_high=Decimal("2.250000"))
    text = Phrases(_with(data, old, new), Provenance()).target("NN.GTSX", period="2021-2025")
    assert text == "tăng bình quân từ 1,5% đến 2,25%/năm"
