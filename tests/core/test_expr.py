import re
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ktxh.core.expr import Binary, Call, ExpressionError, Num, Ref, Unary, evaluate, parse, refs, to_text
from ktxh.core.rules.exprctx import CubeContext
from ktxh.core.types import ValueKind

from .engine_world import cube, v


@pytest.mark.parametrize(
    "text",
    [
        "NN.SL_THUY_SAN / NN.DT_NUOI_TRONG_TS * 10",
        "(TC.THU - TC.THU[period=-1]) / TC.THU[period=-1] * 100",
        "TC.THU / TC.THU[kind=budget_estimate] * 100",
        "sum_children(GT.DUONG)",
        "coalesce(X.A[kind=final], X.A[kind=estimate])",
        "if(is_missing(X.A), 0, round(X.A / X.B * 100, 1))",
        "not X.A > 3 and X.B <= 2 or X.C == 1",
        "-(X.A + 1) * 2",
        "X.A - (X.B - X.C)",
        "X.A[unit=11239, kind=plan, period=-2]",
        "min(X.A, X.B, 3) + max(X.A, 0) + abs(X.C) + ytd(X.D)",
    ],
)
def test_it_prints_what_it_parses(text: str) -> None:
    node = parse(text)
    assert parse(to_text(node)) == node


def test_it_reads_precedence_and_qualifiers() -> None:
    node = parse("A.X + A.Y[kind=plan, period=-1] * 2")
    assert node == Binary("+", Ref("A.X"), Binary("*", Ref("A.Y", "plan", -1), Num(Decimal(2))))
    assert [r.code for r in refs(node)] == ["A.X", "A.Y"]


@pytest.mark.parametrize(
    "text, where",
    [
        ("A.X +", "vị trí 6"),
        ("A.X $ 2", "vị trí 5"),
        ("eval(A.X)", "«eval» không có"),
        ("A.X[kind=wrong]", "«wrong»"),
        ("A.X[colour=red]", "«colour»"),
        ("round(A.X)", "nhận 2–2 đối số"),
        ("(A.X", "cần «)»"),
    ],
)
def test_it_names_what_it_cannot_read(text: str, where: str) -> None:
    with pytest.raises(ExpressionError, match=re.escape(where)):
        parse(text)


codes = st.sampled_from(["A.X", "A.Y", "NN.SL_THOC", "TC.THU_NSNN"])
refs_st = st.builds(
    Ref,
    codes,
    st.sampled_from(["actual", "plan", "final", "budget_estimate"]),
    st.sampled_from([0, -1, -2]),
    st.sampled_from([None, "300", "11239"]),
)
nums = st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False).map(
    lambda d: Num(Decimal(str(d)).normalize() if d != d.to_integral() else Decimal(int(d)))
)


def _trees(children: st.SearchStrategy) -> st.SearchStrategy:  # type: ignore[type-arg]
    ops = st.sampled_from(["+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!=", "and", "or"])
    return st.one_of(
        st.builds(Binary, ops, children, children),
        st.builds(Unary, st.sampled_from(["-", "not"]), children),
        st.builds(lambda a, b: Call("coalesce", (a, b)), children, children),
        st.builds(lambda a: Call("sum_children", (a,)), children),
        st.builds(lambda a, b, c: Call("if", (a, b, c)), children, children, children),
    )


trees = st.recursive(st.one_of(refs_st, nums), _trees, max_leaves=12)


@given(trees)
def test_random_expressions_survive_print_then_parse(node: object) -> None:
    assert parse(to_text(node)) == node  # type: ignore[arg-type]


def _eval(text: str, *values: object) -> np.ndarray:
    c = cube(*values)  # type: ignore[arg-type]
    return evaluate(parse(text), CubeContext(c)).value


def test_it_evaluates_per_hectare_values_shares_and_growth() -> None:
    values = [
        v("A.OUT", "7231", unit="D"),
        v("A.AREA", "983", unit="D"),
        v("A.OUT", "6777", unit="D", period="2022"),
        v("A.PLAN", "100", unit="D"),
        v("A.PLAN", "120", unit="D", kind=ValueKind.PLAN),
    ]
    d, y = 0, 1  # unit D; periods 2022, 2023
    assert _eval("A.OUT / A.AREA * 10", *values)[d, y] == pytest.approx(73.5605, rel=1e-4)  # tạ/ha
    assert _eval("(A.OUT - A.OUT[period=-1]) / A.OUT[period=-1] * 100", *values)[d, y] == pytest.approx(
        6.699, rel=1e-3
    )
    assert _eval("A.PLAN / A.PLAN[kind=plan] * 100", *values)[d, y] == pytest.approx(83.333, rel=1e-4)


def test_sum_children_and_named_units() -> None:
    values = [
        v("A.X", "1.5", unit="A"),
        v("A.X", "2.5", unit="B"),
        v("A.X", "4", unit="C"),
        v("A.X", "10", unit="D"),
    ]
    got = _eval("sum_children(A.X)", *values)
    assert got[0, 0] == pytest.approx(8.0) and np.isnan(got[1, 0])
    assert _eval("A.X[unit=D] - A.X", *values)[1, 0] == pytest.approx(8.5)


def test_missing_values_propagate_except_through_coalesce_and_is_missing() -> None:
    values = [v("A.X", "3", unit="A"), v("A.Y", "5", unit="B")]
    assert np.isnan(_eval("A.X + A.Y", *values)[1, 0])
    assert _eval("coalesce(A.X, A.Y, 0)", *values)[1:, 0].tolist() == [3.0, 5.0, 0.0]
    assert _eval("is_missing(A.X)", *values)[1:, 0].tolist() == [0.0, 1.0, 1.0]
    assert _eval("if(is_missing(A.X), -1, A.X)", *values)[1:, 0].tolist() == [3.0, -1.0, -1.0]


def test_min_max_round_half_away_from_zero() -> None:
    values = [v("A.X", "2.25", unit="A"), v("A.Y", "-2.25", unit="A")]
    assert _eval("round(A.X, 1)", *values)[1, 0] == pytest.approx(2.3)
    assert _eval("round(A.Y, 1)", *values)[1, 0] == pytest.approx(-2.3)
    assert _eval("min(A.X, A.Y) + max(A.X, A.Y)", *values)[1, 0] == pytest.approx(0.0)
