"""Each rule kind on hand-made numbers: what passes within rounding, what fails, what is suggested."""

from decimal import Decimal

import pytest

from ktxh.core.rules import BUILT_IN, Finding, Rule, Severity, load_rules, rule_from_entry, rule_problems
from ktxh.core.types import IndicatorKind, Measure, Provenance, Qualifier, StatedFigure, ValueKind

from .engine_world import catalog, ind, run, v

CAT = catalog(
    ind("A.TOTAL"),
    ind("A.P1", parent="A.TOTAL"),
    ind("A.P2", parent="A.TOTAL"),
    ind("A.P3", parent="A.TOTAL"),
    ind("A.N", unit="ho_so", kind=IndicatorKind.COUNT, decimals=0),
    ind("A.D", unit="ho_so", kind=IndicatorKind.COUNT, decimals=0),
    ind("A.RATE", unit="pct", kind=IndicatorKind.RATE, formula="A.N / A.D * 100", decimals=2),
    ind("A.YIELD", unit="ta_ha", kind=IndicatorKind.RATIO),
    ind("A.AREA"),
    ind("A.OUT", unit="tan"),
    ind("A.M2", unit="m2", decimals=2),
)
SUM = Rule(
    "T.SUM", "sum_parts", "Tổng bằng các phần", params={"total": "A.TOTAL", "parts": ["A.P1", "A.P2", "A.P3"]}
)


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def test_parts_that_add_up_within_rounding_pass() -> None:
    # 3,3 + 3,3 + 3,4 = 10,0 exactly; and 3,33 + 3,33 + 3,33 = 9,99 vs a total printed 10,0
    assert run(CAT, [SUM], v("A.TOTAL", "10.0"), v("A.P1", "3.3"), v("A.P2", "3.3"), v("A.P3", "3.4")) == []
    assert (
        run(CAT, [SUM], v("A.TOTAL", "10.0"), v("A.P1", "3.33"), v("A.P2", "3.33"), v("A.P3", "3.33")) == []
    )


def test_parts_that_do_not_add_up_are_an_error_with_the_expected_total() -> None:
    found = run(CAT, [SUM], v("A.TOTAL", "382"), v("A.P1", "310"), v("A.P2", "53"), v("A.P3", "22"))
    assert codes(found) == ["T.SUM"]
    f = found[0]
    assert f.severity is Severity.ERROR and f.expected == Decimal(385)
    assert "385 ha" in f.message and "382 ha" in f.message and "chênh 3 ha" in f.message
    assert {x.role for x in f.values} == {"total", "part"}


def test_it_suggests_a_left_out_item() -> None:
    # 22.511 printed as 22.256: the gap 255 is one of the items
    found = run(CAT, [SUM], v("A.TOTAL", "22256"), v("A.P1", "11251"), v("A.P2", "11005"), v("A.P3", "255"))
    assert "bỏ sót mục «Chỉ tiêu A.P3» (255)" in (found[0].suggestion or "")


def test_it_suggests_swapped_digits_and_a_misplaced_decimal_point() -> None:
    swapped = run(CAT, [SUM], v("A.TOTAL", "100"), v("A.P1", "19"), v("A.P2", "50"), v("A.P3", "40"))
    assert "đảo hai chữ số: 19 → 91" not in (swapped[0].suggestion or "")  # 91 does not balance
    swapped = run(CAT, [SUM], v("A.TOTAL", "100"), v("A.P1", "01"), v("A.P2", "59"), v("A.P3", "30"))
    assert swapped[0].suggestion and "59 → 95" not in swapped[0].suggestion  # only what balances
    swap = run(CAT, [SUM], v("A.TOTAL", "157"), v("A.P1", "100"), v("A.P2", "75"), v("A.P3", "0"))
    assert "75 → 57" in (swap[0].suggestion or "")
    shift = run(CAT, [SUM], v("A.TOTAL", "40.531"), v("A.P1", "39.535"), v("A.P2", "996"), v("A.P3", "0"))
    assert "996 → 0,996" in (shift[0].suggestion or "")


def test_at_most_is_for_of_which_lists() -> None:
    rule = Rule(
        "T.LE", "sum_parts", "", params={"total": "A.TOTAL", "parts": ["A.P1", "A.P2"], "mode": "at_most"}
    )
    assert run(CAT, [rule], v("A.TOTAL", "10.0"), v("A.P1", "3.0"), v("A.P2", "4.0")) == []
    # printed whole, 7 + 4 may be 6,5 + 3,5 = 10: within rounding of 10
    assert run(CAT, [rule], v("A.TOTAL", "10"), v("A.P1", "7"), v("A.P2", "4")) == []
    assert codes(run(CAT, [rule], v("A.TOTAL", "10.0"), v("A.P1", "7.0"), v("A.P2", "4.0"))) == ["T.LE"]


def test_missing_parts_skip_the_rule_or_count_as_zero() -> None:
    assert run(CAT, [SUM], v("A.TOTAL", "10"), v("A.P1", "3")) == []
    zero = Rule(
        "T.Z",
        "sum_parts",
        "",
        missing=rule_from_entry({"code": "x", "kind": "sum_parts", "missing": "zero"}, "t").missing,
        params=SUM.params,
    )
    assert codes(run(CAT, [zero], v("A.TOTAL", "10"), v("A.P1", "3"))) == ["T.Z"]


def test_sums_over_breakdowns_and_child_units() -> None:
    by_bank = Rule("T.BANK", "sum_parts", "", params={"total": "A.TOTAL", "over": "category:ngan_hang"})
    banks = [
        v("A.TOTAL", "7134"),
        v("A.TOTAL", "4250", category="ngan_hang", option="Agribank"),
        v("A.TOTAL", "2884", category="ngan_hang", option="Khác"),
    ]
    assert run(CAT, [by_bank], *banks) == []
    banks[1] = v("A.TOTAL", "4205", category="ngan_hang", option="Agribank")
    assert "4.205 → 4.250" in (run(CAT, [by_bank], *banks)[0].suggestion or "")
    children = Rule("T.KIDS", "sum_parts", "", params={"total": "A.TOTAL", "over": "children"})
    kids = [
        v("A.TOTAL", "6.0", unit="D"),
        v("A.TOTAL", "1.0", unit="A"),
        v("A.TOTAL", "2.0", unit="B"),
        v("A.TOTAL", "3.0", unit="C"),
    ]
    assert run(CAT, [children], *kids) == []
    kids[0] = v("A.TOTAL", "7.0", unit="D")
    found = run(CAT, [children], *kids)
    assert codes(found) == ["T.KIDS"] and found[0].org_unit == "D"


def test_children_sum_is_built_in_and_needs_every_child() -> None:
    rule = next(r for r in BUILT_IN if r.code == "CHILDREN_SUM")
    kids = [v("A.P1", "7.0", unit="D"), v("A.P1", "1.0", unit="A"), v("A.P1", "2.0", unit="B")]
    assert run(CAT, [rule], *kids) == []  # C is missing: not checked
    found = run(CAT, [rule], *kids, v("A.P1", "3.0", unit="C"))
    assert codes(found) == ["CHILDREN_SUM"] and found[0].expected == Decimal(6)


def test_an_of_which_part_never_exceeds_its_total() -> None:
    rule = next(r for r in BUILT_IN if r.code == "PART_LE_TOTAL")
    assert run(CAT, [rule], v("A.TOTAL", "10"), v("A.P1", "10.2")) == []  # 10 may be 10,4
    found = run(CAT, [rule], v("A.TOTAL", "10.0"), v("A.P1", "11.0"))
    assert codes(found) == ["PART_LE_TOTAL:A.P1"]


def test_a_stated_rate_may_be_truncated() -> None:
    rule = next(r for r in BUILT_IN if r.code == "FORMULA")
    # 115 / 116 = 99,1379…%: 99,14 (rounded) and 99,13 (truncated) both pass; 99,12 does not
    base = [v("A.N", "115", error="0"), v("A.D", "116", error="0")]  # whole counts are exact
    assert run(CAT, [rule], *base, v("A.RATE", "99.14")) == []
    assert run(CAT, [rule], *base, v("A.RATE", "99.13")) == []
    found = run(CAT, [rule], *base, v("A.RATE", "99.12"))
    assert codes(found) == ["FORMULA:A.RATE"] and found[0].expected == Decimal("99.138")


def test_a_ratio_slip_suggests_the_typo() -> None:
    rule = Rule("T.R", "ratio", "", params={"result": "A.RATE", "numerator": "A.N", "denominator": "A.D"})
    # 395 / 473 = 83,5%; the report printed 437
    found = run(CAT, [rule], v("A.N", "395", error="0"), v("A.D", "437", error="0"), v("A.RATE", "83.5"))
    assert codes(found) == ["T.R"]
    assert "437 → 473" in (found[0].suggestion or "")


def test_yield_times_area_is_output() -> None:
    rule = Rule(
        "T.P", "product", "", params={"result": "A.OUT", "factors": ["A.YIELD", "A.AREA"], "scale": "0.1"}
    )
    # 77,5 tạ/ha × 983 ha = 76.182,5 tạ = 7.618,25 tấn, not 7.231
    assert codes(run(CAT, [rule], v("A.YIELD", "77.5"), v("A.AREA", "983"), v("A.OUT", "7231"))) == ["T.P"]
    assert run(CAT, [rule], v("A.YIELD", "73.6"), v("A.AREA", "983"), v("A.OUT", "7231")) == []


def test_compare_rules_use_expressions() -> None:
    rule = Rule("T.C", "compare", "", params={"left": "A.OUT", "op": ">=", "right": "A.OUT[kind=plan] * 0.5"})
    assert run(CAT, [rule], v("A.OUT", "60"), v("A.OUT", "100", kind=ValueKind.PLAN)) == []
    assert codes(run(CAT, [rule], v("A.OUT", "40"), v("A.OUT", "100", kind=ValueKind.PLAN))) == ["T.C"]


def stated(
    measure: Measure,
    value: str,
    line: int,
    base: str | None = None,
    unit: str | None = None,
    decimals: int = 1,
) -> StatedFigure:
    return StatedFigure(
        indicator="A.TOTAL",
        org_unit="D",
        period="2023",
        measure=measure,
        value=Decimal(value),
        base_period=base,
        provenance=Provenance(document="doc", line=line, text=value.replace(".", ",")),
        decimals=decimals,
        unit=unit,
    )


def test_a_stated_percentage_is_checked_against_two_stated_numbers() -> None:
    rule = next(r for r in BUILT_IN if r.code == "STATED_PCT")
    values = [v("A.TOTAL", "12000"), v("A.TOTAL", "10000", kind=ValueKind.PLAN)]
    assert run(CAT, [rule], *values, stated=[stated(Measure.PCT_PLAN, "120", 5, decimals=0)]) == []
    found = run(CAT, [rule], *values, stated=[stated(Measure.PCT_PLAN, "102", 5, decimals=0)])
    assert len(found) == 1 and found[0].expected == Decimal("120.0")
    assert "120 → 102" not in (found[0].suggestion or "") and "102 → 120" in (found[0].suggestion or "")


def test_a_percentage_is_not_checked_against_the_value_it_implied() -> None:
    rule = next(r for r in BUILT_IN if r.code == "STATED_PCT")
    implied_plan = v("A.TOTAL", "9000", kind=ValueKind.PLAN, derived=True, line=5, text="120")
    assert (
        run(CAT, [rule], v("A.TOTAL", "12000"), implied_plan, stated=[stated(Measure.PCT_PLAN, "120", 5)])
        == []
    )


def test_two_statements_about_one_change_must_agree() -> None:
    rule = next(r for r in BUILT_IN if r.code == "STATED_PCT")
    # 187 lượt, "tăng 56 lượt, bằng 42,7%": 131 implied by the first, 56/131 = 42,75% ✓
    prev = v(
        "A.TOTAL", "131", period="2022", kind=ValueKind.FINAL, derived=True, line=1, text="56", error="0"
    )
    ok = stated(Measure.PCT_CHANGE, "42.7", 2, base="2022")
    assert run(CAT, [rule], v("A.TOTAL", "187", error="0"), prev, stated=[ok]) == []
    bad = stated(Measure.PCT_CHANGE, "47.2", 2, base="2022")
    assert len(run(CAT, [rule], v("A.TOTAL", "187", error="0"), prev, stated=[bad])) == 1


def test_a_quantity_restated_in_another_unit_must_agree() -> None:
    rule = next(r for r in BUILT_IN if r.code == "RESTATED")
    value = v("A.M2", "2604315.77")  # m²
    good = StatedFigure(
        "A.M2",
        "D",
        "2023",
        Measure.RESTATED,
        Decimal("260.432"),
        None,
        Provenance(line=9),
        decimals=3,
        unit="ha",
    )
    bad = StatedFigure(
        "A.M2",
        "D",
        "2023",
        Measure.RESTATED,
        Decimal("260.436"),
        None,
        Provenance(line=9),
        decimals=3,
        unit="ha",
    )
    assert run(CAT, [rule], value, stated=[good]) == []
    found = run(CAT, [rule], value, stated=[bad])
    assert len(found) == 1 and found[0].expected == Decimal("260.4316")


def test_outliers_among_siblings_are_warnings_with_a_decimal_hint() -> None:
    rule = next(r for r in BUILT_IN if r.code == "OUTLIER_SIBLINGS")
    from ktxh.core.cube import build_cube
    from ktxh.core.rules import RuleContext, run_rules

    units = [("D", "district", None)] + [(f"C{i}", "commune", "D") for i in range(8)]
    vals = [
        v("A.AREA", x, unit=f"C{i}")
        for i, x in enumerate(["2.1", "1.0", "2.4", "1.2", "1.6", "2.2", "1.8", "996"])
    ]
    ctx = RuleContext(cube=build_cube(vals, units=units), catalog=CAT)
    found = run_rules([rule], ctx)
    assert [f.org_unit for f in found] == ["C7"]
    assert found[0].severity is Severity.WARNING and "→ 0,996" in (found[0].suggestion or "")


def test_a_tenfold_slip_against_history_is_a_magnitude_warning() -> None:
    rule = next(r for r in BUILT_IN if r.code == "MAGNITUDE")
    years = {
        "2017": "10.2",
        "2018": "10.8",
        "2019": "11.1",
        "2020": "10.5",
        "2021": "11.4",
        "2022": "11.9",
        "2023": "120.4",
    }
    found = run(CAT, [rule], *[v("A.AREA", x, period=p) for p, x in years.items()])
    assert [(f.period, f.code) for f in found] == [("2023", "MAGNITUDE:A.AREA")]
    assert "12,04" in (found[0].suggestion or "")


def test_qualified_numbers_are_bounds() -> None:
    rule = Rule("T.SUM2", "sum_parts", "", params={"total": "A.TOTAL", "parts": ["A.P1", "A.P2"]})
    # "trên 81,381" against parts that sum to 81,379 "trên": a lower bound cannot be contradicted here
    over = Qualifier.OVER
    parts = [v("A.P1", "40.000", qualifier=over), v("A.P2", "41.379", qualifier=over)]
    assert run(CAT, [rule], v("A.TOTAL", "81.381", qualifier=over), *parts) == []
    # exact parts summing to 81,379 do contradict a total of "over 81,381"
    exact = [v("A.P1", "40.000"), v("A.P2", "41.379")]
    assert len(run(CAT, [rule], v("A.TOTAL", "81.381", qualifier=over), *exact)) == 1


def test_the_shipped_rules_name_only_known_indicators(catalog) -> None:  # type: ignore[no-untyped-def]
    rules = load_rules()
    assert rule_problems(rules, catalog) == []
    assert len({r.code for r in rules}) == len(rules)


def test_a_bad_rule_file_entry_is_named() -> None:
    from ktxh.core import CatalogError

    with pytest.raises(CatalogError, match="x.yaml, quy tắc «R1»: loại quy tắc «guess»"):
        rule_from_entry({"code": "R1", "kind": "guess"}, "x.yaml")


def test_rule_files_are_read_again_when_they_change(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ktxh.core.rules import load_rules

    path = tmp_path / "mine.yaml"
    path.write_text(
        "rules:\n  - {code: R1, kind: formula, title: a, left: 'X', right: 'Y'}\n", encoding="utf-8"
    )
    assert [r.code for r in load_rules(tmp_path, built_in=False)] == ["R1"]
    path.write_text(
        "rules:\n  - {code: R2, kind: formula, title: b, left: 'X', right: 'Y'}\n", encoding="utf-8"
    )
    assert [r.code for r in load_rules(tmp_path, built_in=False)] == ["R2"]


def test_magnitude_is_quiet_about_zero_and_missing_medians() -> None:
    import warnings

    import numpy as np

    from ktxh.core.rules.check_outliers import magnitude

    x = np.array([[5.0, 0.0, np.nan, 1000.0, np.inf]])
    med = np.array([[0.0, 0.0, 3.0, 10.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning fails the test
        k = magnitude(x, med)
    assert k.tolist() == [[0, 0, 0, 2, 0]]
