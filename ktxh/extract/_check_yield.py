"""YIELD_AREA_OUTPUT: yield × area ≈ output ("77,5 tạ/ha" × 933 ha = 7.231 tấn).

A yield is compared with every output stated in its sentence and every area stated near it
(its paragraph and the footnotes that paragraph cites). If any pairing holds within rounding (and 1% for an
average yield) nothing is reported; if none does, the nearest pairing is reported, as an
error only when the sentence states exactly one area and one output.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ktxh.core.rules.suggest import explain_value

from ._check_common import (
    Ctx,
    Finding,
    Severity,
    cells,
    dec,
    dimension,
    disagree,
    fact_cells,
    fact_shown,
    label,
    lines_of,
    places,
    quote_of,
    shown,
)
from .model import Fact

CODE = "YIELD_AREA_OUTPUT"
TOL_REL = 0.01  # an average yield is itself rounded from output / area
_ROLES = ("value", "part")


def _dim(f: Fact) -> tuple[str, Decimal] | None:
    return dimension(f.unit)


def run(ctx: Ctx) -> Iterator[Finding]:
    for y in ctx.facts:
        d = _dim(y)
        if d is None or d[0] != "mass_per_area" or y.role not in _ROLES:
            continue
        near = list(ctx.by_paragraph.get(y.paragraph, []))
        if 0 <= y.paragraph < len(ctx.doc.paragraphs):
            for ref in ctx.doc.paragraphs[y.paragraph].refs:
                near += ctx.footnote_facts(ref.marker)
        areas = [f for f in near if f.role in _ROLES and (_dim(f) or ("", 0))[0] == "area"]
        # the output is stated with its yield ("năng suất 77,5 tạ/ha; sản lượng 7.231 tấn"); an output in
        # another sentence is as likely another crop's
        outputs = [
            f
            for f in near
            if f.role in _ROLES and (_dim(f) or ("", 0))[0] == "mass" and ctx.statement(f) == ctx.statement(y)
        ]
        if not areas or not outputs:
            continue
        found = _judge(ctx, y, d[1], areas, outputs)
        if found is not None:
            yield found


def _judge(ctx: Ctx, y: Fact, y_factor: Decimal, areas: list[Fact], outputs: list[Fact]) -> Finding | None:
    best: tuple[float, Fact, Fact, float] | None = None
    for a in areas:
        a_factor = (_dim(a) or ("", Decimal(1)))[1]
        for o in outputs:
            o_factor = (_dim(o) or ("", Decimal(1)))[1]
            # everything in base units (kg/m², m², kg), then back to the output's unit
            scale = float(y_factor * a_factor / o_factor)
            product = (fact_cells(y) * fact_cells(a)).scale(scale)
            oc = fact_cells(o)
            if not disagree(product, oc, tol_rel=TOL_REL):
                return None
            miss = abs(float(product.value) - float(oc.value)) / max(abs(float(oc.value)), 1e-9)
            if best is None or miss < best[0]:
                best = (miss, a, o, float(product.value))
    if best is None:
        return None
    _miss, a, o, amount = best
    same = [f for f in (*areas, *outputs) if ctx.where.same_sentence(f, y)]
    certain = len([f for f in same if f in areas]) == 1 and len([f for f in same if f in outputs]) == 1
    certain = certain and a in same and o in same
    expected = dec(amount, o.decimals)
    return Finding(
        code=CODE,
        severity=Severity.ERROR if certain else Severity.WARNING,
        message=(
            f"Năng suất × diện tích không khớp sản lượng: {fact_shown(y)} × {fact_shown(a)} "
            f"= {shown(expected, o.unit)}, nhưng sản lượng ghi {fact_shown(o)} (dòng {o.line})."
        ),
        lines=lines_of([y, a, o]),
        quote=quote_of([y, o], ctx.where) if y.paragraph == o.paragraph else quote_of([y], ctx.where),
        stated=fact_shown(o),
        expected=shown(expected, o.unit),
        suggestion=_suggest(y, a, o, y_factor),
        facts=(y, a, o),
    )


def _suggest(y: Fact, a: Fact, o: Fact, y_factor: Decimal) -> str | None:
    """One typo in the output, the yield or the area that makes the product hold."""
    a_factor = (_dim(a) or ("", Decimal(1)))[1]
    o_factor = (_dim(o) or ("", Decimal(1)))[1]
    scale = float(y_factor * a_factor / o_factor)

    def holds(yv: Decimal, av: Decimal, ov: Decimal) -> bool:
        product = (cells(yv, places(yv, y.decimals)) * cells(av, places(av, a.decimals))).scale(scale)
        return not disagree(product, cells(ov, places(ov, o.decimals)), tol_rel=TOL_REL)

    for name, value, fits in (
        (label(o), o.value, lambda c: holds(y.value, a.value, c)),
        (label(y), y.value, lambda c: holds(c, a.value, o.value)),
        (label(a), a.value, lambda c: holds(y.value, c, o.value)),
    ):
        hint = explain_value(name, value, fits)
        if hint:
            return hint
    return None
