"""STATED_PCT: a percentage printed next to its numbers matches them.

- "x/y … đạt z%": z = x / y;
- "đạt 103,4% kế hoạch" with the plan stated ("(kế hoạch 52,592 km)"): value / plan;
- "tăng 5% so với cùng kỳ" with the earlier value stated: (value − prior) / prior;
- "A …, trong đó B chiếm z%": z = B / A; "B, đạt z%" after an A of the same unit: a likelier
  pairing is only a warning.

A stated percentage stands for its rounding interval, and may also have been truncated
("77,06%" for 77,067%); only a figure no rounding explains is reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal

import numpy as np

from ktxh.core.cube import Cells
from ktxh.core.rules.suggest import explain_value

from ._check_common import (
    PERCENT_ROLES,
    Ctx,
    Finding,
    Severity,
    cells,
    comparable,
    dec,
    disagree,
    fact_cells,
    fact_shown,
    is_change,
    label,
    lines_of,
    places,
    quote_of,
    shown,
    signed,
)
from .model import Fact

CODE = "STATED_PCT"
_RATE_LINK = re.compile(r"^[\s,;:(–-]*(?:và\s+)?(?:chiếm|đạt|bằng|là|=|được)\s*(?:tỷ lệ\s*|khoảng\s*)?$")


def run(ctx: Ctx) -> Iterator[Finding]:
    for f in ctx.facts:
        if f.unit != "%" and f.role not in PERCENT_ROLES:
            continue
        if f.role in ("pct_plan", "pct_budget"):
            found = _of_plan(ctx, f)
        elif f.role in ("pct_change", "pp_change"):
            found = _of_change(ctx, f)
        elif f.role == "share":
            found = _of_share(ctx, f)
        else:
            found = None
        if found is not None:
            yield found


# -- pairing -------------------------------------------------------------------------------------


def _preceding(ctx: Ctx, f: Fact, roles: Sequence[str], limit: int = 400) -> list[Fact]:
    """Amount facts before ``f`` in its statement, nearest last."""
    st = ctx.statement(f)
    return [
        g
        for g in ctx.by_paragraph.get(f.paragraph, [])
        if g.end <= f.start
        and f.start - g.end <= limit
        and g.role in roles
        and g.unit != "%"
        and ctx.statement(g) == st
    ]


def _in_statement(ctx: Ctx, f: Fact, roles: Sequence[str], rates: bool = False) -> list[Fact]:
    st = ctx.statement(f)
    return [
        g
        for g in ctx.by_paragraph.get(f.paragraph, [])
        if g is not f and g.role in roles and (rates or g.unit != "%") and ctx.statement(g) == st
    ]


_PRIOR_WORDS = re.compile(r"(?:cùng kỳ|năm trước|năm 20\d\d)[^,;()]{0,12}(?:là|đạt|có)?\s*$")
_SLASH = re.compile(r"^\s*[^\d/;,.()]{0,15}/\s*$")


def _pair(ctx: Ctx, f: Fact) -> tuple[Fact, Fact] | None:
    """An "x/y" (or "12.000 m²/10.000 m²") pair printed just before the percentage, or in
    parentheses right after it ("đạt 99,18% (46.222/46.602 hồ sơ)")."""
    roles = ("count_of", "count_total", "value", "plan", "part")
    facts = ctx.by_paragraph.get(f.paragraph, [])
    i = facts.index(f)
    after = facts[i + 1 : i + 3]
    if len(after) == 2:
        x, y = after
        if (
            x.role in roles
            and y.role in roles
            and re.match(r"^\s*%?\s*\(\s*$", ctx.where.between(f, x))
            and _SLASH.match(ctx.where.between(x, y))
        ):
            return x, y
    before = [g for g in facts[:i] if g.role not in PERCENT_ROLES or g.unit != "%"][-2:]
    if len(before) == 2 and facts[i - 1] is before[1]:
        x, y = before
        gap = ctx.where.between(y, f)
        if (
            x.role in roles
            and y.role in roles
            and _SLASH.match(ctx.where.between(x, y))
            and len(gap) <= 60
            and not re.search(r"[;.)]", gap)
        ):
            return x, y
    return None


def _link(ctx: Ctx, a: Fact, f: Fact) -> str:
    """The words between an amount and the percentage after it, without the amount's unit."""
    text = ctx.where.between(a, f).lower()
    unit = a.unit.lower()
    if unit and text.lstrip().startswith(unit):
        text = text.lstrip()[len(unit) :]
    # drop a trailing noun phrase of the amount ("437 việc chiếm"): keep words from the last comma on
    m = re.search(r"(chiếm|đạt|bằng|=|được|là)[^,;]*$", text)
    return text[m.start() :] if m and "," not in text[m.start() :] else text


# -- the three kinds ---------------------------------------------------------------------------------


def _of_plan(ctx: Ctx, f: Fact) -> Finding | None:
    pair = _pair(ctx, f)
    if pair is not None:
        return _judge(ctx, f, pair[0], pair[1], certain=True)
    # the amount may be an item with its own plan: "trong đó: thu nội địa 40.250 tỷ đồng, bằng
    # 117,7% dự toán (dự toán 34.200 tỷ đồng); thu từ xuất nhập khẩu 15.880 tỷ đồng, bằng …"
    values = _preceding(ctx, f, ("value", "part", "count_of"))
    plans = [g for g in _in_statement(ctx, f, ("plan",)) if not values or comparable(g, values[-1])]
    if not values or not plans:
        return None
    own = [p for p in plans if ctx.where.same_sentence(p, f)]  # the plan of the percentage's own clause
    value = values[-1]
    if own and ctx.where.same_sentence(value, f):
        plans = own
    return _judge_any(ctx, f, [(value, p) for p in plans])


def _of_change(ctx: Ctx, f: Fact) -> Finding | None:
    st = ctx.statement(f)
    # the quantity that changed: an amount, or a rate ("tỷ lệ hộ nghèo 1,8%, giảm 0,4 điểm %")
    values = [
        g
        for g in ctx.by_paragraph.get(f.paragraph, [])
        if g.end <= f.start
        and ctx.statement(g) == st
        and (g.role in ("value", "part") or (g.role == "share" and g.unit == "%"))
    ]
    if not values:
        return None
    value = values[-1]
    rates = value.unit == "%"
    priors = [g for g in _in_statement(ctx, f, ("prior",), rates) if comparable(g, value) is not None]
    if not priors:
        # "(cùng kỳ năm 2023 đạt 506,4 ha)" read as an item: the words say it is the earlier value
        priors = [
            g
            for g in _in_statement(ctx, f, ("part", "value", "share"), rates)
            if g.start > value.start
            and comparable(g, value) is not None
            and _PRIOR_WORDS.search(ctx.where.before(g, 30))
        ]
    if not priors:
        return None
    return _judge_any(ctx, f, [(value, p) for p in priors], change=True)


def _of_share(ctx: Ctx, f: Fact) -> Finding | None:
    pair = _pair(ctx, f)
    if pair is not None:
        return _judge(ctx, f, pair[0], pair[1], certain=True)
    before = _preceding(ctx, f, ("value", "part", "count_of", "prior"), limit=80)
    if not before:
        return None
    x = before[-1]
    if not _RATE_LINK.match(_link(ctx, x, f)):
        return None
    if is_change(x, ctx.where):
        return None
    same_unit = [
        g
        for g in ctx.by_paragraph.get(f.paragraph, [])
        if g is not x
        and g.role not in PERCENT_ROLES
        and g.unit != "%"
        and comparable(x, g) == 1
        and not is_change(g, ctx.where)
    ]
    candidates = [g for g in same_unit if g.end <= x.start and g.value > x.value]
    if not candidates:
        return None
    # "A (đạt p%), B (bằng q%)": shares of a list's items may be of the items' own sum
    st = ctx.statement(x)
    neighbours = [g for g in same_unit if ctx.statement(g) == st and g.role == x.role]
    sums = [_plus(x, g) for g in neighbours if abs(same_unit.index(g) - _index(same_unit, x)) <= 1]
    # "A …, trong đó B chiếm z%": B is part of A for certain
    link = ctx.where.between(candidates[-1], x).lower()
    certain = ctx.statement(candidates[-1]) == st and "trong đó" in link
    if _OF_TOTAL.match(ctx.where.after(f, 20)):
        # "Tổng đàn trâu 615 con, đàn bò 1.842 con, … Tiêm phòng cho 1.960 con trâu, bò, đạt 79,8%
        # tổng đàn": the total named after the % may be the sum of adjacent items of a list
        sums += [g for g in _runs(ctx, [g for g in same_unit if g.end <= x.start]) if g.value > x.value]
    pairs = [(x, g) for g in reversed(candidates)] + [(x, g) for g in sums]
    if _judge_any(ctx, f, pairs, certain=certain) is None:
        return None
    return _judge_any(ctx, f, [(x, g) for g in reversed(candidates)], certain=certain)


_OF_TOTAL = re.compile(r"^\s*%?\s*(?:của\s+|so\s+với\s+)?tổng(?!\s+số\s+tiền)", re.IGNORECASE)


def _runs(ctx: Ctx, items: list[Fact], longest: int = 4) -> list[Fact]:
    """Sums of two or more adjacent items of one statement (a list the % may be of)."""
    out: list[Fact] = []
    for i in range(len(items)):
        total = items[i]
        for j in range(i + 1, min(len(items), i + longest)):
            if ctx.statement(items[j]) != ctx.statement(items[i]):
                break
            total = _plus(total, items[j])
            out.append(total)
    return out


def _index(facts: list[Fact], x: Fact) -> int:
    """Where ``x`` would sit among ``facts`` (reading order)."""
    return sum(1 for g in facts if (g.paragraph, g.start) < (x.paragraph, x.start))


def _plus(a: Fact, b: Fact) -> Fact:
    """The sum of two items, as a figure of its own (never printed: its rounding is both's)."""
    return Fact(
        line=a.line,
        quote="",
        value=a.value + b.value,
        unit=a.unit,
        role="value",
        decimals=max(a.decimals, b.decimals),
        paragraph=a.paragraph,
        start=a.start,
        end=a.end,
    )


# -- judging --------------------------------------------------------------------------------------


def _computed(x: Fact, y: Fact, f: Fact, change: bool) -> tuple[Cells, float] | None:
    k = comparable(x, y)
    if k is None:
        return None
    xc, yc = fact_cells(x, k), fact_cells(y)
    if float(yc.value) == 0:
        return None
    rates = x.unit == "%" and y.unit == "%"
    if change and f.role == "pp_change" and not rates:
        return None  # points are a change of a rate, never of an amount
    if change and rates:
        # a rate's change is often written "%" for points: either reading may be meant
        relative = ((xc - yc) / _abs(yc)).scale(100.0)
        points = xc - yc
        wanted = abs(float(f.value))
        if f.role == "pp_change" or abs(abs(float(points.value)) - wanted) <= abs(
            abs(float(relative.value)) - wanted
        ):
            return points, float(points.value)
        return relative, float(relative.value)
    if change and f.role == "pp_change":
        c = xc - yc
    elif change:
        c = ((xc - yc) / _abs(yc)).scale(100.0)
    else:
        c = (xc / yc).scale(100.0)
    return c, float(c.value)


def _abs(c: Cells) -> Cells:
    if float(c.lo) >= 0:
        return c
    return Cells(np.abs(c.value), np.abs(c.hi), np.abs(c.lo))


def _stated(ctx: Ctx, f: Fact, change: bool) -> tuple[Decimal, Cells]:
    value = signed(f, ctx.where.text(f)) if change else f.value
    return value, cells(value, f.decimals, f.qualifier)


def _judge_any(
    ctx: Ctx,
    f: Fact,
    pairs: Sequence[tuple[Fact, Fact]],
    *,
    change: bool = False,
    certain: bool | None = None,
) -> Finding | None:
    """Nothing when any pairing holds; else the nearest, an error only if it was the only one."""
    _value, stated = _stated(ctx, f, change)
    usable = []
    for x, y in pairs:
        got = _computed(x, y, f, change)
        if got is None:
            continue
        c = got[0]
        if not disagree(stated, c, truncation=True):
            return None
        usable.append((x, y))
    if not usable:
        return None
    sure = (len(usable) == 1) if certain is None else certain
    return _judge(ctx, f, usable[0][0], usable[0][1], certain=sure, change=change)


def _judge(ctx: Ctx, f: Fact, x: Fact, y: Fact, *, certain: bool, change: bool = False) -> Finding | None:
    got = _computed(x, y, f, change)
    if got is None:
        return None
    c, approx = got
    value, stated = _stated(ctx, f, change)
    if not disagree(stated, c, truncation=True):
        return None
    places = max(f.decimals, 1)
    expected = dec(approx, places)
    unit = "điểm %" if f.role == "pp_change" else "%"
    suggestion = _suggest(f, value, x, y, change)
    if change:
        how = f"({fact_shown(x)} − {fact_shown(y)}) / {fact_shown(y)}"
        if f.role == "pp_change":
            how = f"{fact_shown(x)} − {fact_shown(y)}"
    else:
        how = f"{fact_shown(x)} / {fact_shown(y)}"
    message = (
        f"Tỷ lệ ghi {shown(value, unit, f.decimals)} (dòng {f.line}), nhưng {how} = {shown(expected, unit)}."
    )
    return Finding(
        code=CODE,
        severity=Severity.ERROR if certain else Severity.WARNING,
        message=message,
        lines=lines_of([x, y, f]),
        quote=quote_of([x, y, f], ctx.where) if x.paragraph == f.paragraph else quote_of([f], ctx.where),
        stated=shown(value, unit, f.decimals),
        expected=shown(expected, unit, places),
        suggestion=suggestion,
        facts=(x, y, f),
    )


def _suggest(f: Fact, value: Decimal, x: Fact, y: Fact, change: bool) -> str | None:
    """One typo in the percentage, the numerator or the denominator that makes it hold."""
    k = comparable(x, y) or Decimal(1)
    stated = cells(value, f.decimals, f.qualifier)

    def ratio(xv: Decimal, yv: Decimal) -> Cells | None:
        if yv == 0:
            return None
        xc, yc = cells(xv * k, places(xv, x.decimals)), cells(yv, places(yv, y.decimals))
        if change and f.role == "pp_change":
            return xc - yc
        if change:
            return ((xc - yc) / yc).scale(100.0)
        return (xc / yc).scale(100.0)

    def holds(r: Cells | None, s: Cells) -> bool:
        return r is not None and not disagree(s, r, truncation=True)

    checks: list[tuple[str, Decimal, Callable[[Decimal], bool]]] = [
        (label(x), x.value, lambda c: holds(ratio(c, y.value), stated)),
        (label(y), y.value, lambda c: holds(ratio(x.value, c), stated)),
        (
            "tỷ lệ",
            value,
            lambda c: holds(ratio(x.value, y.value), cells(c, places(c, f.decimals), f.qualifier)),
        ),
    ]
    for name, v, fits in checks:
        hint = explain_value(name, v, fits)
        if hint:
            return hint
    return None
