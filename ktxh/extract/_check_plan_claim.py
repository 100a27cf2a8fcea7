"""PLAN_CLAIM: words about reaching the plan agree with the numbers beside them.

- "vượt kế hoạch" / "vượt chỉ tiêu" while the same sentence says "đạt 96% kế hoạch", or
  states a value below its plan;
- "đạt kế hoạch", "hoàn thành kế hoạch" while the numbers are below 100%;
- "không đạt", "chưa đạt kế hoạch" while they are at 100% or more;
- "đạt 20/21 chỉ tiêu" while more than one of the document's "% kế hoạch" figures is below 100%.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ._check_common import (
    Ctx,
    Finding,
    Severity,
    comparable,
    exact,
    fact_cells,
    fact_shown,
    lines_of,
    more_than,
    quote_of,
    shown,
)
from ._check_common import cells as number_cells
from .model import Fact

CODE = "PLAN_CLAIM"
_CLAIM = re.compile(
    r"(?P<neg>không|chưa)?\s*(?P<verb>vượt|hoàn thành(?: vượt)?|đạt(?: và vượt)?)\s+(?:mức\s+)?"
    r"(?P<what>kế hoạch|kh\b|chỉ tiêu)"
)
_SENTENCE_END = re.compile(r"[.;!?](?=\s|$)")


def run(ctx: Ctx) -> Iterator[Finding]:
    yield from _sentences(ctx)
    yield from _count_claims(ctx)


def _sentences(ctx: Ctx) -> Iterator[Finding]:
    for index, facts in ctx.by_paragraph.items():
        text = ctx.where.text(facts[0])
        cuts = [0, *(m.end() for m in _SENTENCE_END.finditer(text)), len(text)]
        for lo, hi in zip(cuts, cuts[1:], strict=False):
            for claim in _CLAIM.finditer(text[lo:hi].lower()):
                if re.search(
                    r"(cơ bản|gần|hầu hết|phấn đấu|nhằm|để)\s*$", text[lo : lo + claim.start()].lower()
                ):
                    continue  # a hedge or an aim, not a claim
                after = text[lo + claim.end() : lo + claim.end() + 12].lower()
                if re.match(r"\s*\d", after) or re.match(r"\s*(được giao )?\d", after):
                    continue  # "vượt kế hoạch 5%": a margin, not a bare claim
                inside = [f for f in facts if lo <= f.start < hi]
                found = _judge(ctx, claim, inside, index)
                if found is not None:
                    yield found


def _judge(ctx: Ctx, claim: re.Match[str], facts: list[Fact], index: int) -> Finding | None:
    negative = bool(claim.group("neg"))
    exceeds = claim.group("verb").startswith("vượt")
    said = claim.group(0).strip()
    hundred = exact(100.0)
    for p in facts:
        if p.role not in ("pct_plan", "pct_budget"):
            continue
        below = more_than(hundred, fact_cells(p))
        if negative and p.value >= 100:
            return _finding(ctx, p, said, f"nhưng tỷ lệ ghi {fact_shown(p)} kế hoạch", Severity.ERROR)
        if negative:
            continue
        if exceeds and p.value <= 100:
            sev = Severity.ERROR if below else Severity.WARNING
            return _finding(ctx, p, said, f"nhưng tỷ lệ chỉ đạt {fact_shown(p)} kế hoạch", sev)
        if below:
            return _finding(ctx, p, said, f"nhưng tỷ lệ chỉ đạt {fact_shown(p)} kế hoạch", Severity.WARNING)
    values = [f for f in facts if f.role == "value"]
    plans = [f for f in facts if f.role == "plan"]
    if len(values) == 1 and len(plans) == 1:
        v, p = values[0], plans[0]
        k = comparable(v, p)
        if k is None:
            return None
        vc, pc = fact_cells(v, k), fact_cells(p)
        if not negative and more_than(pc, vc):
            sev = Severity.ERROR if exceeds else Severity.WARNING
            return _finding(
                ctx, v, said, f"nhưng số thực hiện {fact_shown(v)} thấp hơn kế hoạch {fact_shown(p)}", sev, p
            )
        if negative and not more_than(pc, vc) and v.value >= p.value:
            return _finding(
                ctx,
                v,
                said,
                f"nhưng số thực hiện {fact_shown(v)} không thấp hơn kế hoạch {fact_shown(p)}",
                Severity.ERROR,
                p,
            )
    return None


def _finding(
    ctx: Ctx, f: Fact, said: str, but: str, severity: Severity, other: Fact | None = None
) -> Finding:
    involved = [f] + ([other] if other else [])
    return Finding(
        code=CODE,
        severity=severity,
        message=f"Văn bản ghi «{said}» (dòng {f.line}), {but}.",
        lines=lines_of(involved),
        quote=quote_of(involved, ctx.where),
        stated=fact_shown(f),
        expected=None,
        suggestion=None,
        facts=tuple(involved),
    )


def _count_claims(ctx: Ctx) -> Iterator[Finding]:
    """ "đạt/hoàn thành x/y chỉ tiêu" against the "% kế hoạch" figures the document prints."""
    below = [
        f
        for f in ctx.facts
        if f.role == "pct_plan" and more_than(exact(100.0), number_cells(f.value, f.decimals, f.qualifier))
    ]
    for group in ctx.groups.values():
        xs = [f for f in group if f.role == "count_of"]
        ys = [f for f in group if f.role == "count_total"]
        if len(xs) != 1 or len(ys) != 1:
            continue
        x, y = xs[0], ys[0]
        after = ctx.where.after(y, 30)
        if not re.match(r"\s*(?:chỉ tiêu|nhóm chỉ tiêu)", after):
            continue
        missed = [f for f in below if f.period == x.period or not x.period]
        if len(missed) <= int(y.value - x.value):
            continue
        listed = "; ".join(f"{fact_shown(f)} (dòng {f.line})" for f in missed[:6])
        yield Finding(
            code=CODE,
            severity=Severity.INFO,
            message=(
                f"Văn bản ghi đạt {shown(x.value)}/{shown(y.value)} chỉ tiêu (dòng {x.line}), tức "
                f"{shown(y.value - x.value)} chỉ tiêu không đạt, nhưng có {len(missed)} số liệu dưới 100% "
                f"kế hoạch: {listed}."
            ),
            lines=lines_of([x, *missed[:6]]),
            quote=quote_of([x, y], ctx.where),
            stated=f"{shown(x.value)}/{shown(y.value)}",
            expected=None,
            suggestion=None,
            facts=(x, y, *missed),
        )
