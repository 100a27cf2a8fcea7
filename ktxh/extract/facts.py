"""Fact extraction: every quantity of a :class:`Document`, with what it is about.

``extract(doc, catalog)`` returns one :class:`Fact` per quantity, in document order.
Years, dates, document numbers, section numbers, ordinals, names with numbers, durations
and footnote markers are not quantities (see ``_scan``). The steps: ``_scan`` finds the
numbers and their units, ``_text`` the subject phrase, this module the role, period and
org unit, ``_groups`` the pairs, ranges and breakdowns, ``mapping`` the indicator.

Roles (``Fact.role``, see ``model.ROLES``) are read from the words around the number:
"đạt 103,4% kế hoạch" is ``pct_plan``, "bằng 107,2% dự toán" ``pct_budget``,
"tăng 5,2% so với năm 2022" ``pct_change``, "giảm 0,5 điểm phần trăm" — or a change
written with "%" right after a rate ("tỷ lệ hộ nghèo 1,88%, giảm 0,59%") — ``pp_change``,
"vượt 3,2% kế hoạch" ``pp_change`` against the plan, "kế hoạch giao 30 tỷ đồng" or
"Dự toán thu ngân sách năm 2024 là 8,57 tỷ đồng" or a planned rate "(kế hoạch 68%)" ``plan``,
"cùng kỳ 12.000 tấn" or an amount of an earlier stated year ``prior`` (a year inside a
comparison, "so với vụ Xuân năm 2024", is a base, not a period, and a stated period ends with
its clause at ";"); a growth rate stated as the value ("Tốc độ tăng trưởng … đạt 10,28%") is
``pct_change``; in the target part of a report (Part II, a heading announcing a later period;
footnote bodies placed after it belong where they are cited) or with "phấn đấu", "không quá",
or "trở lên" after the number where a plan is spoken of, amounts and rates are ``target``.

Conventions the checker relies on
---------------------------------
``compared_to``
    Set for pct_plan, pct_budget, pct_change and pp_change, and for an amount of change
    ("tăng 18,42 ha so với năm 2022", "giảm 05 vụ"), which keeps role ``value``: a value
    with ``compared_to`` is a difference, not a level. The values: ``"plan"`` (kế hoạch,
    KH, chỉ tiêu), ``"budget"`` (dự toán), a period code when the text names the base
    ("so với năm 2022" -> ``"2022"``; "cùng kỳ năm 2022" in a six-month report ->
    ``"2022S1"``), else ``"prior"`` (cùng kỳ, năm trước, or no base written). A range
    of growth ("tăng 2,5 - 3%") carries it on both ends.

``group`` ids name the fact they hang on by paragraph index and character offset:
    ``"sum:P:S"``   a breakdown of the total at paragraph P, offset S: every member with
                    role ``part`` is a component of it ("trong đó", "gồm:", a list after
                    ":", a parenthesised list after a number, siblings after "Tổng số …;",
                    a sentence opening "Trong đó:" under the one before, or a footnote
                    breaking down the number citing it). The total carries the same id
                    unless it already belongs to a larger breakdown: a part that is itself
                    broken down keeps its parent's id, and its own parts name it by P:S.
    ``"list:P:C"``  items of one list with no total written, or items of a breakdown
                    counted in another unit than the total ("63 HS đoạt giải (trong đó 03
                    giải Nhất, …)"); C is the offset of the cue (0 for a whole footnote).
    ``"xy:P:S"``    an "x/y" pair: ``count_of`` (or ``rank``) at S, ``count_total`` after it.
    ``"range:P:S"`` a range: ``range_low`` at S, ``range_high`` after it.

``footnote`` is the marker of the footnote a fact sits in; its link to the body is the
group above (a footnote that breaks down a number) or, failing that, the paragraph's
FootnoteRef with that marker.

``period``: the period stated before the number in its sentence ("năm 2022", "6 tháng
đầu năm 2024", "giai đoạn 2021 - 2025", "đến năm 2025"; not inside quotes or a closed
parenthesis, and "hiện nay" cancels it), else the report's period (from its title), or the
next period in the target part. ``org_unit``: the unit a fact is about, one level below the
report's ("xã Ngũ Hùng", "thị trấn Thanh Miện" in a district report; "huyện An Hòa" in a
province report; "thôn Đông" in a commune report), including a bare name the document or
the statistics office's list knows ("Ngũ Hùng 10 ha").

``decimals`` are as printed; ``qualifier`` is ước, trên, khoảng, gần, dưới or đạt.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ktxh.core.catalog import Catalog, load_catalog

from ._context import PERIOD_RE, PERIOD_WORDS, DocContext, document_context, level_re, name_at, period_code
from ._find import finditer
from ._groups import bullets, is_amount, link_footnotes, lists, pairs
from ._lexicon import MEASURE_UNITS, PCT_UNITS
from ._scan import scan
from ._text import Draft, Para, lead, right_phrase, subject
from .mapping import IndicatorIndex, index_for
from .model import Document, Fact, Kind

# The patterns searched through a span of text (not matched at one place) open with a lookahead
# on the first letters of their words, "(?=[…])": case-insensitive, the regex engine cannot skip
# ahead by itself and would try every word at every character.
_PLAN_AFTER_RE = re.compile(r"\s*(?:so\s+với\s+)?(?:kế\s+hoạch|KH\b|chỉ\s+tiêu|mục\s+tiêu)", re.IGNORECASE)
_BUDGET_AFTER_RE = re.compile(r"\s*(?:so\s+với\s+)?dự\s+toán", re.IGNORECASE)
_CHANGE_BEFORE_RE = re.compile(
    r"(?=[cgntví])(?:tăng|giảm|cao\s+hơn|thấp\s+hơn|nhiều\s+hơn|ít\s+hơn|vượt)"
    r"(?:\s+(?:bình\s+quân|thêm|khoảng|gần|trên|dưới|từ|là|được|hơn))*\s*:?\s*$",
    re.IGNORECASE,
)
_OVER_PLAN_BEFORE_RE = re.compile(
    r"(?=v)vượt\s+(?:kế\s+hoạch|KH|chỉ\s+tiêu|mục\s+tiêu)[^,;.]{0,30}$", re.IGNORECASE
)
_PLAN_BEFORE_RE = re.compile(
    r"(?=[cdk])(?:kế\s+hoạch|KH|dự\s+toán|chỉ\s+tiêu)(?:\s+(?:năm|giao|được\s+giao|tỉnh\s+giao|huyện\s+giao|đề\s+ra|là|"
    r"\d{4}|toàn\s+huyện|thực\s+hiện|đạt))*\s*:?\s*$",
    re.IGNORECASE,
)
_PCT_PLAN_BEFORE_RE = re.compile(
    r"(?=[ck])(?:kế\s+hoạch|KH|chỉ\s+tiêu)(?:\s+(?:năm|\d{4}|giao|được\s+giao|đề\s+ra|là))*\s*:?\s*$",
    re.IGNORECASE,
)
_OVER_BEFORE_RE = re.compile(r"(?=v)vượt\s*$", re.IGNORECASE)
_EQUAL_BEFORE_RE = re.compile(r"(?:bằng|=)\s*$")
_GROWTH_SUBJECT_RE = re.compile(r"(?=t)(?:tốc\s+độ\s+tăng|tăng\s+trưởng)", re.IGNORECASE)
_PRIOR_BEFORE_RE = re.compile(
    r"(?=[cnk])(?:cùng\s+kỳ(?:\s+năm(?:\s+\d{4})?)?|năm\s+trước|kỳ\s+trước)(?:\s+(?:là|đạt|chỉ\s+đạt))?\s*:?\s*$",
    re.IGNORECASE,
)
_PLAN_SUBJECT_RE = re.compile(
    r"(?:kế\s+hoạch|dự\s+toán|chỉ\s+tiêu)(?:\s+(?:năm|giao|được\s+giao))?\s+(?!số\b)", re.I
)
_TARGET_CUE_RE = re.compile(
    r"(?=[cdkmpđ])(?:phấn\s+đấu|mục\s+tiêu|chỉ\s+tiêu|kế\s+hoạch|đến\s+năm|dự\s+kiến|định\s+hướng)", re.I
)
_TARGET_NEAR_RE = re.compile(r"(?=[kptí])(?:không\s+quá|phấn\s+đấu|tối\s+thiểu|ít\s+nhất)", re.IGNORECASE)
# "trở lên" bounds the number it follows ("đạt 95% trở lên"); before a number it belongs to a
# subject ("sinh con thứ 3 trở lên 21 cháu"), and it makes a target only where a plan is spoken of
_AT_LEAST_AFTER_RE = re.compile(r"\s*trở\s+(?:lên|xuống)", re.IGNORECASE)
_BASE_RE = re.compile(
    r"(?=s)so\s+với\s+(?:(cùng\s+kỳ)(?:\s+năm(?:\s+((?:19|20)\d{2}))?)?|(năm\s+trước|kỳ\s+trước)"
    r"|(?:(?:vụ|mùa|quý|niên\s+vụ)(?:\s+[^\W\d_]+)?\s+)?(?:năm\s+)?((?:19|20)\d{2})"
    r"|(kế\s+hoạch|KH\b|chỉ\s+tiêu)|(dự\s+toán))",
    re.IGNORECASE,
)
_RIGHT_SKIP_RE = re.compile(r"^\s*(?:trở\s+lên|trở\s+xuống|số|các)\s+", re.IGNORECASE)
_RIGHT_STOP_RE = re.compile(r"(?:kế\s+hoạch|KH|dự\s+toán|so\s+với|chỉ\s+tiêu|mục\s+tiêu|và|năm|đến)\b", re.I)
_COMPARED_BEFORE_RE = re.compile(
    r"(?=[bcs])(?<![^\W\d_])(?:so\s+với|so|cùng\s+kỳ|bằng)(?:\s+[^\W\d_]+){0,3}\s*$",
    re.IGNORECASE,
)
_NOW_RE = re.compile(r"(?=[hđ])(?:hiện\s+nay|hiện\s+tại|đến\s+nay)", re.IGNORECASE)
_PAREN_RE = re.compile(r"\([^()]*\)")
_QUOTED_RE = re.compile(r"[“\"][^”\"]{0,300}[”\"]")
_TOWN_RE = re.compile(r"T(?<![^\W\d_]T)(?:hị\s+trấn|T)(?![^\W\d_])\.?\s*")  # "Thị trấn", "TT", not in a word
_NOT_AFTER_HUYEN_RE = re.compile(
    r"(?=[hqt])(?:huyện|tỉnh|quận|thị\s+xã|thành\s+phố|TP\.?|THPT|trường)\s+$", re.I
)
_RELATIONS = frozenset({"pct_plan", "pct_budget", "pct_change", "pp_change"})
_AMOUNT_ROLES = frozenset({"value", "part", "plan", "target", "prior", "share"})


def extract(
    doc: Document,
    catalog: Catalog | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> list[Fact]:
    """Every quantity in ``doc`` as a Fact (conventions in the module docstring)."""
    index = index_for(catalog if catalog is not None else _default_catalog())
    ctx = document_context(doc)
    names = _NameFinder(ctx)
    drafts: list[Draft] = []
    per_para: dict[int, list[Draft]] = {}
    paras: dict[int, Para] = {}
    cleaned: dict[str, str] = {}  # phrases cleaned, for every paragraph (see Para.clean)
    sectors: dict[int, str | None] = {}
    sector: str | None = None
    total = len(doc.paragraphs)
    for i, p in enumerate(doc.paragraphs):
        if progress is not None and i % 10 == 0:
            progress(i, total)
        text = p.text
        stripped = text.strip()
        if not stripped or stripped.strip("()[]").strip().isdigit():
            continue  # page numbers and stray markers
        if p.kind is Kind.HEADING or (p.kind is Kind.BODY and len(stripped) < 140 and stripped[:1].isdigit()):
            found = index.sector_of(text)
            if found is not None:
                sector = found
        toks = scan(text)
        if not toks:
            continue
        para = Para(i, p, cleaned)
        paras[i] = para
        ds = [Draft(t, i, qualifier=t.qualifier) for t in toks]
        _structure(para, ds, ctx, names)
        per_para[i] = ds
        sectors[i] = sector
        drafts.extend(ds)
    link_footnotes(doc, per_para, paras)
    bullets(doc, per_para)
    _subjects_from_totals(drafts)
    for d in drafts:
        _map(d, index, sectors[d.para], paras[d.para])
    if progress is not None:
        progress(total, total)
    return [_fact(d, paras[d.para]) for d in drafts if not (d.tok.name_tail and d.role != "part")]


_DEFAULT: list[Catalog] = []


def _default_catalog() -> Catalog:
    if not _DEFAULT:
        _DEFAULT.append(load_catalog())
    return _DEFAULT[0]


class _NameFinder:
    """Finds the org unit a phrase names: "xã Ngũ Hùng", or a bare known commune name."""

    def __init__(self, ctx: DocContext) -> None:
        self.ctx = ctx
        self.level_re = level_re(ctx.level)
        bare = sorted((n for n in ctx.communes if n not in ctx.above), key=len, reverse=True)
        alternation = "|".join(map(re.escape, bare))
        starts = "".join(sorted({re.escape(n[0]) for n in bare}))  # (see the note above _PLAN_AFTER_RE)
        self.bare_re = (
            re.compile(rf"(?=[{starts}])(?<![^\W\d_])({alternation})(?![^\W\d_])", re.IGNORECASE)
            if bare
            else None
        )
        self.folded = {n.casefold(): n for n in bare}

    def find(self, phrase: str) -> str | None:
        if phrase.islower():
            return None  # every way below needs a capital: the name, or "T" of "Thị trấn", "TT"
        best: tuple[int, str] | None = None
        for m in self.level_re.finditer(phrase):
            got = name_at(phrase, m.end())
            if got is not None and got[0] in self.ctx.communes:
                best = (m.start(), f"{self.ctx.communes[got[0]]} {got[0]}")
        if self.bare_re is not None:
            for m in self.bare_re.finditer(phrase):
                if (best is not None and m.start() <= best[0] + 12) or _NOT_AFTER_HUYEN_RE.search(
                    phrase, 0, m.start()
                ):
                    continue
                name = self.folded[m.group(1).casefold()]
                if not m.group(1)[0].isupper():
                    continue
                if " " not in name and phrase.strip(" ,;:(").casefold() != name.casefold():
                    continue  # a one-word name ("Đông") only when it stands alone: not in "vụ Đông"
                best = (m.start(), f"{self.ctx.communes[name]} {name}")
        for m in _TOWN_RE.finditer(phrase):
            if name_at(phrase, m.end()) is not None:
                continue  # "thị trấn Thanh Miện": found above
            if self.ctx.town and (best is None or m.start() > best[0]):
                best = (m.start(), f"thị trấn {self.ctx.town}")
        return best[1] if best else None


def _base(text: str, start: int, end: int, ctx: DocContext) -> str | None:
    m = _BASE_RE.search(text, start, end)
    if m is None:
        return None
    suffix = ctx.period[4:] if ctx.period and len(ctx.period) > 4 and ctx.period[4] in "SQ" else ""
    if m.group(1):
        return f"{m.group(2)}{suffix}" if m.group(2) else "prior"
    if m.group(3):
        return "prior"
    if m.group(4):
        return m.group(4)
    return "plan" if m.group(5) else "budget"


def _role(para: Para, ds: list[Draft], k: int, ctx: DocContext) -> None:
    d = ds[k]
    t = d.tok
    text = para.text
    sent_start = para.sentence_start(t.start)
    left = max(sent_start, t.start - 60, ds[k - 1].tok.uend if k > 0 and ds[k - 1].tok.uend <= t.start else 0)
    before = text[left : t.start]
    after = text[t.uend : t.uend + 40]
    clause_end = para.clause_end(t.uend)
    if t.kind:
        d.role = t.kind
        if t.kind == "range_low" and _CHANGE_BEFORE_RE.search(text, max(sent_start, t.start - 40), t.start):
            d.compared_to = _base(text, t.uend, clause_end, ctx) or "prior"
        return
    if t.unit in PCT_UNITS or t.unit == "điểm phần trăm":
        d.role = "share"
        own = before[before.rfind("(") + 1 :]  # the words of the number's own parenthesis
        if t.unit in PCT_UNITS and _PCT_PLAN_BEFORE_RE.search(own) and not _OVER_PLAN_BEFORE_RE.search(own):
            d.role = "plan"  # "chưa đạt kế hoạch (kế hoạch 68%)": the planned rate itself
        elif _OVER_PLAN_BEFORE_RE.search(before) or (
            _OVER_BEFORE_RE.search(before) and _PLAN_AFTER_RE.match(after)
        ):
            d.role, d.compared_to = "pp_change", "plan"  # "vượt 3,2% kế hoạch": points above the plan
        elif _PLAN_AFTER_RE.match(after):
            d.role, d.compared_to = "pct_plan", "plan"
        elif _BUDGET_AFTER_RE.match(after):
            d.role, d.compared_to = "pct_budget", "budget"
        elif t.unit == "điểm phần trăm" or _CHANGE_BEFORE_RE.search(before):
            d.role = "pct_change"
            d.compared_to = _base(text, t.uend, clause_end, ctx) or "prior"
        elif _EQUAL_BEFORE_RE.search(before) and (
            _BASE_RE.search(text, t.uend, clause_end) or (k > 0 and ds[k - 1].compared_to is not None)
        ):
            d.role = "pct_change"
            d.compared_to = (
                _base(text, t.uend, clause_end, ctx) or (ds[k - 1].compared_to if k else None) or "prior"
            )
        if d.compared_to == "plan" and d.role == "pct_change":
            d.role = "pp_change"
        return
    if _PRIOR_BEFORE_RE.search(before):
        d.role = "prior"
    elif _PLAN_BEFORE_RE.search(before):
        d.role = "plan"
    elif _CHANGE_BEFORE_RE.search(before):
        # an amount of change ("tăng 18,42 ha so với năm 2022"): a value that names its base
        d.compared_to = _base(text, t.uend, clause_end, ctx) or "prior"


def _period(para: Para, d: Draft) -> tuple[str | None, bool]:
    """The period stated before the number in its sentence, and whether a target word
    ("mục tiêu", "phấn đấu", "kế hoạch", "đến năm") comes with it."""
    text = para.text
    start = para.sentence_start(d.tok.start)
    if not para.has_year(start, d.tok.start):
        return None, False  # every period names a year: most sentences need no scan
    quoted: list[tuple[int, int]] | None = None
    found: str | None = None
    at, cue = -1, False
    for m in finditer(PERIOD_RE, text, para.low, PERIOD_WORDS, start, d.tok.start):
        if text[max(0, m.start() - 4) : m.start()].strip().endswith("học"):
            continue  # "năm học 2022 - 2023"
        if quoted is None:
            quoted = [q.span() for q in _QUOTED_RE.finditer(text, start, d.tok.start)]
        if any(a <= m.start() < b for a, b in quoted):
            continue  # the name of a programme: Đề án "… giai đoạn 2020 - 2025"
        if not para.inside(d.tok.start, para.opens[m.start()]):
            continue  # in a parenthesis closed before the number: "(mục tiêu đến năm 2025 là 100%)"
        if _COMPARED_BEFORE_RE.search(text, max(start, m.start() - 40), m.start()):
            continue  # "tăng 1,8 tạ/ha so với vụ Xuân năm 2024; …": the base of a comparison
        if ";" in text[m.end() : d.tok.start]:
            continue  # "Cuối năm 2024 … 12 hộ; … 8 hộ thoát nghèo": the period's clause has closed
        found, at = period_code(m), m.start()
        cue = bool(_TARGET_CUE_RE.search(text, max(start, m.start() - 30), m.end()))
    if found is not None and any(n.start() > at for n in _NOW_RE.finditer(text, at, d.tok.start)):
        return None, False  # "đến năm 2025 có 30% … nhưng hiện nay … đạt 29,4%"
    return found, cue


def _structure(para: Para, ds: list[Draft], ctx: DocContext, names: _NameFinder) -> None:
    text, pi = para.text, para.index
    in_targets = ctx.in_targets(pi)
    for k, d in enumerate(ds):
        t = d.tok
        d.sent = para.sentence_of(t.start)
        d.depth = para.depth[t.start]
        _role(para, ds, k, ctx)
        # subject, and the amount a relation refers to
        phrase, phrase_start = subject(para, ds, k)
        d.anchor = None
        for j in range(k - 1, -1, -1):  # the nearest amount before, in the same sentence
            if ds[j].sent != d.sent:
                break
            if ds[j].role in _AMOUNT_ROLES:
                d.anchor = ds[j]
                break
        anchor = d.anchor
        if d.role == "pct_change" and anchor is not None and anchor.tok.unit in PCT_UNITS and not phrase:
            d.role = "pp_change"  # "tỷ lệ hộ nghèo 1,88%, giảm 0,59%": a rate changes in points
        if t.unit == "điểm phần trăm" and not t.kind:
            d.role = "pp_change"
        relation = d.role in _RELATIONS or (d.role == "value" and d.compared_to is not None)
        if anchor is not None and (
            (relation and len(phrase.split()) <= 1)
            or (d.role == "share" and not phrase and not t.kind)
            or (t.kind in ("range_low", "range_high") and not phrase)
        ):  # "…, tăng 5,2%", "48/52 trường, đạt 92,3%": about the amount before
            d.subject, d.inherited = anchor.subject, True
        else:
            d.subject = phrase
            if (
                t.unit
                and t.unit not in MEASURE_UNITS
                and t.unit not in PCT_UNITS
                and t.unit != "điểm phần trăm"
            ):
                end = ds[t.partner].tok.end if t.kind == "count_of" and t.partner is not None else t.end
                right = right_phrase(para, end)
                if right and (len(right.split()) > len(t.unit.split()) or not phrase):
                    d.subject = f"{phrase} {right}".strip()
            if t.unit in PCT_UNITS and d.role in ("share", "target") and len(phrase.split()) < 2:
                right = _RIGHT_SKIP_RE.sub("", right_phrase(para, t.uend))
                if right and not _RIGHT_STOP_RE.match(right):
                    d.subject = f"{phrase} {right}".strip()  # "85% trở lên số cơ quan đạt …"
            if len(d.subject.split()) <= 4 and not d.inherited:
                head = lead(para, t.start)
                if head and head not in d.subject:
                    d.subject = f"{head} {d.subject}".strip()
        if d.role == "share" and not d.inherited and _GROWTH_SUBJECT_RE.search(d.subject):
            # "Tốc độ tăng trưởng kinh tế (GRDP) ước đạt 10,28%": a growth rate is a change
            d.role, d.compared_to = "pct_change", _base(text, t.uend, para.clause_end(t.uend), ctx) or "prior"
        head = text[phrase_start : t.start].lstrip(" ,;:-–+•(")
        if d.role == "value" and not t.kind and d.compared_to is None and _PLAN_SUBJECT_RE.match(head):
            d.role = "plan"  # "Dự toán thu ngân sách xã năm 2024 là 8,57 tỷ đồng"
        # period, and what a stated period says about the role
        period, target_cue = _period(para, d)
        if (
            d.role not in ("plan", "target")
            and not in_targets
            and period is not None
            and period == str(ctx.year)
        ):
            period = None  # "năm 2024" in a six-month report of 2024: the report's own period
        d.period = period or ctx.default_period(pi)
        if period is not None and ctx.year is not None and "-" not in period:
            year = int(period[:4])
            if year > ctx.year and d.role in ("value", "share") and target_cue:
                d.role = "target"
            elif year < ctx.year and d.role == "value":
                d.role = "prior"
        if in_targets and d.role in ("value", "share", "pct_change", "pp_change", "pct_plan", "pct_budget"):
            d.role = "target"
        elif d.role in ("value", "share") and (
            _TARGET_NEAR_RE.search(
                text, max(para.sentence_start(t.start), t.start - 80), min(len(text), t.uend + 12)
            )
            or (
                _AT_LEAST_AFTER_RE.match(text, t.uend)
                and _TARGET_CUE_RE.search(text, para.sentence_start(t.start), t.start)
            )
        ):
            d.role = "target"
        # org unit: named in the phrase, or before the parenthesis the number sits in
        d.org_unit = (
            names.find(_PAREN_RE.sub(" ", text[phrase_start : t.start])) if phrase_start < t.start else None
        )
        op = para.opens[t.start]
        if d.org_unit is None and op >= 0 and not any(map(str.isalpha, text[op + 1 : t.start])):
            lead_start = max(text.rfind(ch, 0, op) for ch in ",;:(")
            d.org_unit = names.find(text[lead_start + 1 : op])
    pairs(ds, pi)
    by_sentence: dict[int, list[Draft]] = {}
    for d in ds:
        by_sentence.setdefault(d.sent, []).append(d)
    lists(para, ds, {s: [d for d in by_sentence.get(s - 1, []) if is_amount(d)] for s in by_sentence})


_PLACE_WORDS = frozenset("xã thị trấn thôn huyện phường các tại ở khu ấp bản xóm hợp tác htx".split())


def _subjects_from_totals(drafts: list[Draft]) -> None:
    """A part named only by its place ("Ngũ Hùng 10 ha") is about what its total is about."""
    owners = {(d.para, d.tok.start): d for d in drafts if d.group and d.group.startswith("sum:")}
    for d in drafts:
        if d.role != "part" or not d.group or not d.group.startswith("sum:"):
            continue
        _, p, s = d.group.split(":")
        owner = owners.get((int(p), int(s)))
        if owner is None or owner is d:
            continue
        place = set((d.org_unit or "").casefold().split()) | _PLACE_WORDS
        own = [w for w in d.subject.casefold().split() if w not in place]
        if len(own) < 2:
            d.subject, d.inherited = owner.subject, True


def _map(d: Draft, index: IndicatorIndex, sector: str | None, para: Para) -> None:
    if d.inherited and d.anchor is not None and d.role in _RELATIONS:
        d.indicator, d.confidence = d.anchor.indicator, d.anchor.confidence
        return
    if not d.subject:
        return
    unit = "" if d.compared_to else d.tok.unit
    context = " ".join(para.text[para.sentence_start(d.tok.start) : d.tok.start].split()[-30:])
    m = index.match(d.subject, unit, sector, context)
    d.indicator, d.confidence = m.code, m.confidence if m.code else 0.0


def _fact(d: Draft, para: Para) -> Fact:
    t = d.tok
    p = para.p
    text = para.text
    indicator, confidence = d.indicator, d.confidence
    if d.inherited and d.anchor is not None and indicator is None:
        indicator, confidence = d.anchor.indicator, d.anchor.confidence
    q_start = max(0, t.start - 100)
    q_start = text.rfind(" ", 0, q_start) + 1 if q_start else 0
    quote = " ".join(text[q_start : min(len(text), t.uend + 60)].split())[:200]
    return Fact(
        line=p.line_at(t.start),
        quote=quote,
        value=t.value,
        unit=t.unit,
        role=d.role,
        subject=d.subject,
        indicator=indicator,
        confidence=confidence,
        qualifier=d.qualifier,
        period=d.period,
        org_unit=d.org_unit,
        compared_to=d.compared_to,
        decimals=t.decimals,
        paragraph=d.para,
        start=t.start,
        end=t.end,
        group=d.group,
        footnote=p.marker if p.kind is Kind.FOOTNOTE else None,
        page=p.page,
    )
