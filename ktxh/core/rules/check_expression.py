"""Checks that compare a value with an expression of other values:

- ``ratio``: result = numerator ÷ denominator × scale (a stated rate against its two numbers);
- ``product``: result = Π factors × scale (yield × area ≈ output);
- ``compare``: left op right, free expressions;
- ``FORMULA`` (built in): a reported value of an indicator with a catalog formula equals the formula.

A stated result may be rounded half-up or truncated ("99,13%" for 115/116 passes).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import numpy as np

from ..cube import Cells
from ..expr import Binary, Node, Num, Ref, evaluate, parse, refs, to_text
from ._common import cells_where, dec, level_mask, nice, series_cells, vi
from .exprctx import CubeContext, scalar
from .intervals import allow_truncation, compare, differ
from .model import Finding, FindingValue, Rule, RuleContext
from .suggest import explain_value


def _with_kind(node: Node, kind: str) -> Node:
    """The expression with every unqualified reference read as ``kind``."""
    if kind == "actual":
        return node
    if isinstance(node, Ref):
        return node if node.kind != "actual" else Ref(node.code, kind, node.offset, node.unit)
    if isinstance(node, Binary):
        return Binary(node.op, _with_kind(node.left, kind), _with_kind(node.right, kind))
    from ..expr import Call, Unary

    if isinstance(node, Unary):
        return Unary(node.op, _with_kind(node.operand, kind))
    if isinstance(node, Call):
        return Call(node.name, tuple(_with_kind(a, kind) for a in node.args))
    return node


def ratio_node(rule: Rule) -> Node:
    scale = Decimal(str(rule.params.get("scale", "100")))
    return Binary(
        "*",
        Binary("/", Ref(str(rule.params["numerator"])), Ref(str(rule.params["denominator"]))),
        Num(scale),
    )


def product_node(rule: Rule) -> Node:
    factors = [Ref(str(c)) for c in rule.params["factors"]]
    node: Node = factors[0]
    for f in factors[1:]:
        node = Binary("*", node, f)
    scale = Decimal(str(rule.params.get("scale", "1")))
    return node if scale == 1 else Binary("*", node, Num(scale))


def _inputs(ctx: RuleContext, node: Node, kind: str, u: int, p: int) -> list[tuple[Ref, FindingValue]]:
    out = []
    seen = set()
    for ref in refs(node):
        if ref in seen:
            continue
        seen.add(ref)
        s = ctx.cube.total_series(ref.code)
        if s is None:
            continue
        pp = p
        if ref.offset == -1:
            pp = int(ctx.cube.prev_year[p])
        uu = ctx.cube.unit_index.get(ref.unit, u) if ref.unit else u
        if pp < 0:
            continue
        fv = ctx.value_at(ref.kind if ref.kind != "actual" else kind, s, uu, pp, "input")
        if fv is not None:
            out.append((ref, fv))
    return out


def check_result(
    rule: Rule,
    ctx: RuleContext,
    result_code: str,
    node: Node,
    check: str,
    *,
    truncation: bool,
    only_reported: bool = False,
) -> Iterator[Finding]:
    s = ctx.cube.total_series(result_code)
    if s is None:
        return
    levels = level_mask(rule, ctx)
    for kind in rule.kinds:
        result = series_cells(ctx, kind, s)
        computed = evaluate(_with_kind(node, kind), CubeContext(ctx.cube))
        stated = allow_truncation(result) if truncation else result
        bad = differ(stated, computed, rule.tol_abs, rule.tol_rel) & levels
        for u, p in cells_where(bad, ctx):
            res_v = ctx.value_at(kind, s, u, p, "result")
            assert res_v is not None
            if only_reported and res_v.derived:
                continue
            yield _finding(rule, ctx, check, node, kind, res_v, computed, u, p, truncation)


def _finding(
    rule: Rule,
    ctx: RuleContext,
    check: str,
    node: Node,
    kind: str,
    res_v: FindingValue,
    computed: Cells,
    u: int,
    p: int,
    truncation: bool,
) -> Finding:
    inputs = _inputs(ctx, node, kind, u, p)
    expected = nice(computed.value[u, p], max(res_v.decimals, 1) + 1)
    lo, hi = dec(computed.lo[u, p]), dec(computed.hi[u, p])
    half = (hi - lo) / 2 + (Decimal(5) * Decimal(10) ** (-res_v.decimals - 1)) * (2 if truncation else 1)

    def matches_result(candidate: Decimal) -> bool:
        return abs(candidate - expected) <= half

    suggestion = explain_value(res_v.name, res_v.value, matches_result)
    if suggestion is None:
        values = {ref: fv.value for ref, fv in inputs}
        for ref, fv in inputs:

            def balances(candidate: Decimal, ref: Ref = ref) -> bool:
                trial = dict(values)
                trial[ref] = candidate
                got = scalar(node, trial)
                return not np.isnan(got) and abs(dec(got) - res_v.value) <= half

            suggestion = explain_value(fv.name, fv.value, balances)
            if suggestion:
                break
    formula = to_text(node)
    message = (
        f"{rule.title or 'Số liệu không khớp công thức'} ({ctx.place(u, p)}): «{res_v.name}» ghi {res_v.shown}, "
        f"nhưng tính từ các số liệu ({formula}) được {vi(expected, res_v.unit)}."
    )
    return Finding(
        code=rule.code,
        check=check,
        severity=rule.severity,
        message=message,
        values=(res_v, *(fv for _r, fv in inputs)),
        expected=expected,
        suggestion=suggestion,
        org_unit=ctx.cube.units[u],
        period=ctx.cube.periods[p],
        title=rule.title,
    )


def run_ratio(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    yield from check_result(rule, ctx, str(rule.params["result"]), ratio_node(rule), "ratio", truncation=True)


def run_product(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    yield from check_result(
        rule, ctx, str(rule.params["result"]), product_node(rule), "product", truncation=False
    )


def run_formula(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    """Every indicator with a catalog formula, against its reported value."""
    for key in ctx.cube.series:
        if key.category:
            continue
        ind = ctx.catalog.get(key.indicator)
        if ind is None or not ind.formula:
            continue
        node = parse(ind.formula)
        sub = Rule(
            code=f"{rule.code}:{ind.code}",
            kind=rule.kind,
            title=f"«{ind.name}» theo công thức",
            severity=rule.severity,
            kinds=rule.kinds,
            tol_abs=rule.tol_abs,
            tol_rel=rule.tol_rel,
            levels=rule.levels,
        )
        yield from check_result(sub, ctx, ind.code, node, "formula", truncation=True, only_reported=True)


def run_compare(rule: Rule, ctx: RuleContext) -> Iterator[Finding]:
    left, right = parse(str(rule.params["left"])), parse(str(rule.params["right"]))
    op = str(rule.params.get("op", "<="))
    levels = level_mask(rule, ctx)
    for kind in rule.kinds:
        a = evaluate(_with_kind(left, kind), CubeContext(ctx.cube))
        b = evaluate(_with_kind(right, kind), CubeContext(ctx.cube))
        bad = compare(op, a, b, rule.tol_abs, rule.tol_rel) & levels
        for u, p in cells_where(bad, ctx):
            inputs = _inputs(ctx, Binary("+", left, right), kind, u, p)
            message = (
                f"{rule.title or 'Quan hệ giữa các chỉ tiêu không thỏa'} ({ctx.place(u, p)}): cần "
                f"{to_text(left)} {op} {to_text(right)}, nhưng vế trái là {vi(nice(a.value[u, p], 3))}, "
                f"vế phải là {vi(nice(b.value[u, p], 3))}."
            )
            yield Finding(
                code=rule.code,
                check="compare",
                severity=rule.severity,
                message=message,
                values=tuple(fv for _r, fv in inputs),
                expected=None,
                suggestion=None,
                org_unit=ctx.cube.units[u],
                period=ctx.cube.periods[p],
                title=rule.title,
            )
