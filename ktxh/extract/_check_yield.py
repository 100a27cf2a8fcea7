"""YIELD_AREA_OUTPUT: yield × area ≈ output ("77,5 tạ/ha" × 933 ha = 7.231 tấn).

A yield is compared with every output stated in its sentence and every area stated before it
in its paragraph, in its sentence, or in the footnotes that paragraph cites. When the yield
names its crop ("năng suất lúa", "Diện tích lúa 7.420 ha, năng suất bình quân …"), areas and
outputs that name another crop are left out, and an area of the paragraph before counts when
it names the same crop ("gồm: lúa 812,4 ha, ngô 268,5 ha" above "Năng suất lúa 62,5 tạ/ha").
An amount of change ("tăng 1,8 tạ/ha so với …") is no yield. If any pairing holds within
rounding (and 1% for an average yield) nothing is reported; if none does, the nearest
pairing is reported, as an error only when the sentence states exactly one area and one output.
"""

from __future__ import annotations

import re
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
from .model import Fact, Kind

CODE = "YIELD_AREA_OUTPUT"
TOL_REL = 0.01  # an average yield is itself rounded from output / area
_ROLES = ("value", "part")


def _dim(f: Fact) -> tuple[str, Decimal] | None:
    return dimension(f.unit)


_CROP_RE = re.compile(
    r"(?:diện\s+tích|năng\s+suất|sản\s+lượng)(?:\s+(?:gieo\s+trồng|gieo\s+cấy|trồng|cấy|nuôi\s+trồng|nuôi"
    r"|thu\s+hoạch|khai\s+thác))?\s+([^\W\d_]+)",
    re.IGNORECASE,
)
_LEAD_WORD_RE = re.compile(r"(?:^|[,;:(])\s*([^\W\d_]+)(?:\s+[^\W\d_]+){0,2}\s*$")
_NOT_CROPS = frozenset(
    """bình trung ước đạt cả vụ là khoảng tổng thu toàn các của năm tháng gieo trồng cấy nuôi
    tăng giảm có được mới chung thực hiện""".split()
)
_SAME_CROP = {"thóc": "lúa"}  # the output of rice is counted as paddy
_CLAUSE_START_RE = re.compile(r"[.;!?](?=\s)|\n")


def _clause(ctx: Ctx, f: Fact, *, over_semicolon: bool = False) -> str:
    """The text of ``f``'s clause (sentence, when ``over_semicolon``) up to the number."""
    text = ctx.where.text(f)
    head = text[: max(0, f.start)]
    starts = [
        m.end() for m in _CLAUSE_START_RE.finditer(head) if over_semicolon is False or m.group(0) != ";"
    ]
    return head[max(starts, default=0) :]


def _crop(ctx: Ctx, f: Fact) -> str | None:
    """The crop (or stock) a yield, area or output is about, when its clause names one."""
    for over in (False, True):
        clause = _clause(ctx, f, over_semicolon=over)
        found = [m.group(1).casefold() for m in _CROP_RE.finditer(clause)]
        found = [w for w in found if w not in _NOT_CROPS]
        if found:
            return _SAME_CROP.get(found[-1], found[-1])
        if dimension(f.unit) is not None and (dimension(f.unit) or ("", 0))[0] == "area":
            m = _LEAD_WORD_RE.search(clause)  # "gồm: lúa 812,4 ha, ngô 268,5 ha"
            if m is not None and m.group(1).casefold() not in _NOT_CROPS:
                return m.group(1).casefold()
        if dimension(f.unit) is not None and (dimension(f.unit) or ("", 0))[0] != "mass_per_area":
            return None  # an area or output names its crop in its own clause, or none
    return None


def _before_body(ctx: Ctx, p: int) -> int | None:
    """The body paragraph right before ``p``, with no heading between."""
    q = p - 1
    while q >= 0 and not ctx.doc.paragraphs[q].text.strip():
        q -= 1
    if q < 0 or ctx.doc.paragraphs[q].kind is not Kind.BODY:
        return None
    return q


def run(ctx: Ctx) -> Iterator[Finding]:
    for y in ctx.facts:
        d = _dim(y)
        if d is None or d[0] != "mass_per_area" or y.role not in _ROLES or y.compared_to is not None:
            continue  # "tăng 1,8 tạ/ha so với …": a change, not a yield
        crop = _crop(ctx, y)
        here = ctx.statement(y)

        def fits(f: Fact, crop: str | None = crop, y: Fact = y) -> bool:
            if ctx.where.same_sentence(f, y):
                return True  # "Năng suất lúa 65,2 tạ/ha, sản lượng thóc 2.935,3 tấn": paired by the text
            other = _crop(ctx, f)
            return crop is None or other is None or other == crop

        near = [
            f for f in ctx.by_paragraph.get(y.paragraph, []) if f.start < y.start or ctx.statement(f) == here
        ]
        if 0 <= y.paragraph < len(ctx.doc.paragraphs):
            for ref in ctx.doc.paragraphs[y.paragraph].refs:
                near += ctx.footnote_facts(ref.marker)
        areas = [f for f in near if f.role in _ROLES and _is(f, "area") and f.compared_to is None and fits(f)]
        if not areas and crop is not None:
            q = _before_body(ctx, y.paragraph)
            if q is not None:  # the crop's area stated in the paragraph above
                areas = [
                    f
                    for f in ctx.by_paragraph.get(q, [])
                    if f.role in _ROLES and _is(f, "area") and f.compared_to is None and _crop(ctx, f) == crop
                ]
        # the output is stated with its yield ("năng suất 77,5 tạ/ha; sản lượng 7.231 tấn"); an output in
        # another sentence is as likely another crop's
        outputs = [
            f
            for f in near
            if f.role in _ROLES
            and _is(f, "mass")
            and ctx.statement(f) == here
            and f.compared_to is None
            and fits(f)
        ]
        if not areas or not outputs:
            continue
        found = _judge(ctx, y, d[1], areas, outputs)
        if found is not None:
            yield found


def _is(f: Fact, dim: str) -> bool:
    return (_dim(f) or ("", 0))[0] == dim


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
