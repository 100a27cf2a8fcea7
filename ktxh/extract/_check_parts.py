"""PARTS_SUM: the items of a list add up to the total they detail.

Three places a total and its items meet:

- a list in one sentence: "tổng … 855 hồ sơ, trong đó 846 …, 05 …" or "78 ha, gồm: 50 ha … và 28 ha";
- a breakdown in parentheses: "12.135 ha (vụ Chiêm Xuân 6.070 ha; vụ Mùa 6.065 ha)";
- a footnote detailing a body figure: "40,531 km³⁷" and footnote 37 listing the communes.

"gồm", a parenthesised breakdown, a footnote of communes, or shares that add up to 100%
mean the list is complete (Σ items = total); "trong đó" only bounds it (Σ items ≤ total).
Whenever some reading of the structure makes the sum hold (an item that is itself a
subtotal, a run of items that equals the total), nothing is reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from decimal import Decimal

from ktxh.core.rules.suggest import explain_sum

from ._check_common import (
    PERCENT_ROLES,
    Ctx,
    Finding,
    Severity,
    comparable,
    dec,
    dimension,
    disagree,
    fact_cells,
    fact_shown,
    is_change,
    is_count,
    label,
    lines_of,
    more_than,
    quote_of,
    shown,
    sum_cells,
)
from .model import Fact

CODE = "PARTS_SUM"
_PARTIAL = re.compile(r"trong đó|riêng|chủ yếu|nổi bật|như\b")
_COMPLETE = re.compile(r"\bgồm\b|bao gồm|cụ thể|chia ra|phân theo|\bcó\b.*:|:")
_LINK = re.compile(r"trong đó|\bgồm\b|bao gồm|cụ thể|chia ra|phân theo|:|\(")
_TOTAL_ROLES = ("value", "plan", "target", "prior")
_SHARE_LINK = re.compile(r"^[^\d;]{0,24}?(?:chiếm|đạt|bằng)\s*(?:tỷ lệ\s*)?$")


def run(ctx: Ctx) -> Iterator[Finding]:
    used: set[tuple[int, ...]] = set()
    for members, grouped in _lists(ctx):
        yield from _check_list(ctx, members, used, grouped)
    yield from _footnotes(ctx, used)


# -- lists in the text ---------------------------------------------------------------------------


def additive(f: Fact) -> bool:
    """Amounts that add up (ha, tấn, tỷ đồng, hộ …), not rates (%, tạ/ha, giường/vạn dân)."""
    if f.role in PERCENT_ROLES or f.role in ("rank", "range_low", "range_high"):
        return False
    unit = f.unit.strip()
    if unit == "%" or "/" in unit:
        return False
    d = dimension(unit)
    return d is None or d[0] in _ADDITIVE or d[0].startswith("count:")


_ADDITIVE = {"area", "volume", "length", "mass", "money"}


def _lists(ctx: Ctx) -> list[tuple[list[Fact], bool]]:
    """Lists of items, each with whether the extractor grouped it: its groups, and runs of
    ungrouped "part" facts that nothing else interrupts."""
    groups = [[_component(f, gid) for f in m] for gid, m in ctx.groups.items()]
    out = [(m, True) for m in groups if sum(1 for f in m if f.role == "part") >= 2]
    for facts in ctx.by_paragraph.values():
        run: list[Fact] = []
        for f in [*facts, None]:
            if f is not None and f.role == "part" and not f.group and additive(f):
                if not run or ctx.statement(run[-1]) == ctx.statement(f):
                    run.append(f)
                    continue
            elif f is not None and (f.role in PERCENT_ROLES or not additive(f)) and f.unit == "%":
                continue  # "846 hồ sơ, đạt 99%; 05 hồ sơ": a share does not end the list
            if len(run) >= 2:
                out.append((run, False))
            run = [f] if f is not None and f.role == "part" and not f.group and additive(f) else []
    return out


def _component(f: Fact, gid: str) -> Fact:
    """A target in a breakdown of a target ("phấn đấu thu 3.200 tỷ đồng, trong đó thu nội địa
    2.450 tỷ đồng, …") keeps its role in the facts, and is a component of that total here."""
    if f.role != "target" or not gid.startswith("sum:"):
        return f
    _, p, s = gid.split(":")
    return f if (f.paragraph, f.start) == (int(p), int(s)) else replace(f, role="part")


def _check_list(
    ctx: Ctx, members: list[Fact], used: set[tuple[int, ...]], grouped: bool
) -> Iterator[Finding]:
    w = ctx.where
    parts = [f for f in members if f.role == "part" and additive(f) and not is_change(f, w)]
    if len(parts) < 2:
        return
    first = parts[0]
    parts = [p for p in parts if comparable(p, first) is not None]
    if len(parts) < 2:
        return
    top_depth = min(w.depth(p) for p in parts)
    top = [p for p in parts if w.depth(p) == top_depth]
    # a parenthesised breakdown of one item: "12.135 ha (vụ Chiêm Xuân 6.070 ha; vụ Mùa 6.065 ha)"
    for i, parent in enumerate(top):
        nxt = top[i + 1] if i + 1 < len(top) else None
        children = [
            p
            for p in parts
            if w.depth(p) > top_depth
            and (p.paragraph, p.start) > (parent.paragraph, parent.start)
            and (nxt is None or (p.paragraph, p.start) < (nxt.paragraph, nxt.start))
        ]
        if len(children) >= 2 and min(w.depth(c) for c in children) == top_depth + 1:
            kids = [c for c in children if w.depth(c) == top_depth + 1]
            mode = "at_most" if _PARTIAL.search(w.between(parent, kids[0]).lower()) else "equal"
            yield from _compare(ctx, parent, kids, mode, used, certain=True)
    total = _total_in(ctx, members, top)
    if total is None or (not grouped and total.role != "value"):
        return
    if total.paragraph != first.paragraph or any(p.paragraph != first.paragraph for p in top):
        return  # a body total with footnote items: the footnote check reads those
    # other figures interleaved with the items (a rank, another list's total): not a plain list
    at = {(p.paragraph, p.start) for p in parts}
    span = [
        f
        for f in ctx.by_paragraph.get(first.paragraph, [])
        if total.start < f.start <= top[-1].start
        and (f.paragraph, f.start) not in at
        and additive(f)
        and f.role not in ("count_of", "count_total")
    ]
    if span:
        return
    link = w.between(total, top[0]).lower()
    mode = "at_most" if _PARTIAL.search(link) else "equal"
    certain = bool(_COMPLETE.search(link)) or mode == "at_most"
    certain = certain or bool(total.group and total.group == first.group)
    # another figure before the list that the items do add up to: that one was the total
    others = [
        f
        for f in ctx.by_paragraph.get(first.paragraph, [])
        if f.end <= first.start
        and f is not total
        and ctx.statement(f) == ctx.statement(first)
        and additive(f)
        and comparable(f, first) is not None
    ]
    yield from _compare(ctx, total, top, mode, used, certain=certain, alternatives=others)


def _total_in(ctx: Ctx, members: Sequence[Fact], top: Sequence[Fact]) -> Fact | None:
    """The total a list details: a "value" of its group, else the figure just before it."""
    w = ctx.where
    first = top[0]
    for f in members:
        if f.role in _TOTAL_ROLES and (f.paragraph, f.start) < (first.paragraph, first.start):
            if comparable(f, first) is not None and w.depth(f) <= w.depth(first):
                return f
    before = [
        f
        for f in ctx.by_paragraph.get(first.paragraph, [])
        if f.end <= first.start
        and additive(f)
        and f not in members
        and not is_change(f, w)
        and ctx.statement(f) == ctx.statement(first)
        and comparable(f, first) is not None
        and w.depth(f) <= w.depth(first)
    ]
    if not before:
        return None
    total = before[-1]
    link = w.between(total, first)
    if len(link) > 160 or not _LINK.search(link.lower()) or ";" in link:
        return None  # "; B: …" after A makes A a sibling, not the total
    if total.role == "part" and total.group and total.group not in {f.group for f in members}:
        return None  # an item of another list
    return total


def _shares_complete(ctx: Ctx, parts: Sequence[Fact]) -> bool:
    """Each item carries its share ("846 hồ sơ, đạt 99%; 05 hồ sơ, chiếm 1%") and they add to 100%."""
    shares = []
    for p in parts:
        after = [f for f in ctx.by_paragraph.get(p.paragraph, []) if f.start >= p.end and f.unit == "%"]
        if not after or not _SHARE_LINK.match(ctx.where.between(p, after[0]).lower()):
            return False
        shares.append(after[0])
    total = sum_cells(fact_cells(s) for s in shares)
    return not disagree(total, fact_cells(Fact(0, "", Decimal(100), "%", "share")), truncation=True)


# -- footnotes -------------------------------------------------------------------------------------


def _footnotes(ctx: Ctx, used: set[tuple[int, ...]]) -> Iterator[Finding]:
    w = ctx.where
    for index, para in enumerate(ctx.doc.paragraphs):
        for ref in para.refs:
            notes = [f for f in ctx.footnote_facts(ref.marker) if additive(f) and not is_change(f, w)]
            if len(notes) < 2:
                continue
            head = w.text(notes[0]).lstrip(" \t0123456789.:").lower()[:40]
            listed = bool(re.match(r"(?:bao )?gồm", head))
            mode = "at_most" if head.startswith("trong đó") or _PARTIAL.match(head) else "equal"
            body = [
                f
                for f in ctx.by_paragraph.get(index, [])
                if additive(f) and not f.footnote and not is_change(f, w) and f.role in ("value", "part")
            ]
            text = para.text
            anchor = min(ref.offset, len(text)) - 1
            while anchor > 0 and text[anchor] in " .;,:)\t\n":
                anchor -= 1
            probe = Fact(0, "", Decimal(0), "", "value", paragraph=index, start=max(anchor, 0))
            near = [f for f in body if f.end <= ref.offset and ctx.statement(f) == ctx.statement(probe)]
            certain = True
            if near:
                candidates = near[::-1]
            else:
                # the marker sits on a sentence without the figure ("… đạt tỷ lệ cao là A, B³⁷"):
                # the paragraph's only figure in the footnote's unit is what it details
                units = {f.unit for f in notes}
                candidates = [f for f in body if f.unit in units]
                if len(candidates) != 1:
                    continue
                certain = False
            total = candidates[0]
            loose = listed and all(is_count(f.unit) for f in notes)
            items = [f for f in notes if comparable(f, total, counts_loose=loose) is not None]
            if len(items) < 2:
                continue
            depth = min(w.depth(f) for f in items)
            items = [f for f in items if w.depth(f) == depth]
            if len(items) < 2:
                continue
            complete = listed or _communes(items)
            if _series_hold(items, candidates):
                continue
            yield from _compare(
                ctx,
                total,
                items,
                mode,
                used,
                certain=certain,
                footnote=ref.marker,
                complete=complete,
                alternatives=candidates[1:],
                loose=loose,
            )


def _communes(items: Sequence[Fact]) -> bool:
    """A list of units' figures (most items name a commune)."""
    return sum(1 for f in items if f.org_unit) >= 0.75 * len(items)


def _series_hold(items: Sequence[Fact], totals: Sequence[Fact]) -> bool:
    """A footnote listing two or three quantities per item ("Agribank: huy động 4.250, dư nợ
    2.100; Vietcombank: …") whose every series adds up to one of the totals beside the marker."""
    for m in (2, 3):
        if len(items) < 2 * m or len(items) % m:
            continue
        series = [items[r::m] for r in range(m)]
        matched = 0
        for one in series:
            total = sum_cells(fact_cells(f, comparable(f, one[0]) or Decimal(1)) for f in one)
            if any(
                (k := comparable(one[0], t)) is not None
                and not disagree(total.scale(float(k)), fact_cells(t))
                for t in totals
            ):
                matched += 1
        if matched == m:
            return True
    return False


# -- the comparison ----------------------------------------------------------------------------------


def _explained(ctx: Ctx, total: Fact, items: Sequence[Fact], factors: Sequence[Decimal]) -> bool:
    """Some reading makes it hold: an item restating the total, an item that is the sum of a run of
    others (a subtotal), or a run of items that adds up to the total."""
    tc = fact_cells(total)
    ic = [fact_cells(f, k) for f, k in zip(items, factors, strict=True)]
    if any(not disagree(c, tc) for c in ic):
        return True
    n = len(ic)
    w = ctx.where
    for i in range(n):
        for j in range(i + 2, n + 1):
            run = sum_cells(ic[i:j])
            if j - i < n and not disagree(run, tc):
                return True
            # a subtotal: "78 ha, gồm: 50 ha … và 28 ha", or "… tổng cộng 78 ha" after its items
            if i > 0 and _LINK.search(w.between(items[i - 1], items[i]).lower()):
                if not disagree(run, ic[i - 1]):
                    return True
            if j < n and re.search(r"tổng|cộng|tất cả", w.before(items[j], 30)):
                if not disagree(run, ic[j]):
                    return True
    return False


def _compare(
    ctx: Ctx,
    total: Fact,
    items: Sequence[Fact],
    mode: str,
    used: set[tuple[int, ...]],
    *,
    certain: bool,
    footnote: str | None = None,
    complete: bool = False,
    alternatives: Sequence[Fact] = (),
    loose: bool = False,
) -> Iterator[Finding]:
    factors = [comparable(f, total, counts_loose=loose) for f in items]
    if any(k is None for k in factors):
        return
    ks = [k for k in factors if k is not None]
    key = tuple(sorted(id(f) for f in (total, *items)))
    if key in used:
        return
    used.add(key)
    parts = sum_cells(fact_cells(f, k) for f, k in zip(items, ks, strict=True))
    tc = fact_cells(total)
    over = more_than(parts, tc)
    under = more_than(tc, parts)
    if not (over or under):
        return
    if footnote is not None and _explained(ctx, total, items, ks):
        return
    for other in alternatives:
        k = comparable(other, total, counts_loose=loose)
        if k is not None and not disagree(parts, fact_cells(other, k)):
            return
    if under and mode == "at_most" and not _shares_complete(ctx, items):
        return
    severity = Severity.ERROR if certain else Severity.WARNING
    if footnote is not None and under and not complete:
        # a footnote may detail only some of the total
        severity = Severity.WARNING
    if not certain and over and footnote is not None and _communes(items):
        # communes adding up to more than the unit's only figure in that unit
        severity = Severity.ERROR
    decimals = max([total.decimals, *(f.decimals for f in items)])
    expected = dec(float(parts.value), decimals)
    gap = abs(expected - total.value)
    slack = Decimal(repr(float((tc.hi - tc.lo) + (parts.hi - parts.lo)) / 2))
    labelled = [(label(f), f.value * k) for f, k in zip(items, ks, strict=True)]
    suggestion = explain_sum((label(total), total.value), labelled, slack)
    where = f"ở chú thích {footnote}" if footnote else "trong danh sách"
    if over:
        message = (
            f"Tổng các mục {where} là {shown(expected, total.unit)}, lớn hơn số tổng "
            f"{fact_shown(total)} (dòng {total.line}), chênh {shown(gap, total.unit)}."
        )
    else:
        message = (
            f"Tổng các mục {where} là {shown(expected, total.unit)}, nhỏ hơn số tổng "
            f"{fact_shown(total)} (dòng {total.line}), chênh {shown(gap, total.unit)}."
        )
    involved = [total, *items]
    yield Finding(
        code=CODE,
        severity=severity,
        message=message,
        lines=lines_of(involved),
        quote=quote_of([total], ctx.where) if footnote else quote_of(involved, ctx.where),
        stated=fact_shown(total),
        expected=shown(expected, total.unit),
        suggestion=suggestion,
        facts=tuple(involved),
    )
