"""Which quantities belong together: x/y pairs, ranges, breakdowns into parts.

Group ids (documented for the checker in ``facts``): ``sum:P:S`` names the total at
paragraph P, offset S; ``xy:P:S`` an x/y pair; ``range:P:S`` a range.

A breakdown is recognised from the text, never from the arithmetic (that is what the
checker verifies):

- a parenthesis whose amounts share the unit of an amount before it in the sentence:
  "12.135 ha (vụ Chiêm Xuân 6.070 ha; vụ Mùa 6.065 ha)" — unless it restates or relates
  ("(trên 260,436 ha)", "(đạt 99,97%)");
- a cue, "trong đó", "gồm", "bao gồm", "cụ thể", or a ":", after an amount with the unit
  of the amounts that follow: "…, trong đó: A 10 ha, B 4 ha", "40 ha ở các HTX: A (8 ha), …";
  a number with no unit after a name inside such a list takes the total's unit
  ("gồm: Chi Lăng Bắc 06, Thanh Tùng 01");
- "trong đó" after a count, with items counted in another noun ("2.800 lao động, trong đó XKLĐ
  385 người": a ``list:`` group) or after the x of an x/y ("54/62 trường, trong đó 18 trường");
- "+"/"-" bullet paragraphs under a paragraph ending "…, trong đó:" or "gồm:" (``bullets``);
- a footnote that breaks down the number citing it: it opens with such a cue, or its
  amounts are mostly per commune, or the cited number is a total ("tổng …") and the
  footnote lists one amount per item.
"""

from __future__ import annotations

import re

from ._find import finditer, first_words
from ._lexicon import PCT_UNITS
from ._scan import compatible, counted
from ._text import Draft, Para
from .model import Document, Kind

_LIST_CUES = r"trong\s+đó|bao\s+gồm|gồm\s+có|gồm|chia\s+ra|cụ\s+thể|chi\s+tiết|:"
_LIST_CUE_WORDS = first_words(_LIST_CUES)
# (the lookahead on the first letters turns most positions down at once in a search)
_LIST_CUE_RE = re.compile(rf"(?=[bcgt:])(?:{_LIST_CUES})", re.IGNORECASE)
_RESTATE_RE = re.compile(
    r"\(\s*(?:trên|khoảng|tương\s+đương|bằng|đạt|tăng|giảm|chiếm|vượt|gấp|=|kế\s+hoạch|KH|năm\s+\d{4})",
    re.IGNORECASE,
)
_FOOTNOTE_CUE_RE = re.compile(
    r"^\W*(?:trong\s+đó|gồm|bao\s+gồm|cụ\s+thể|chi\s+tiết|chia\s+ra)", re.IGNORECASE
)


def pairs(ds: list[Draft], pi: int) -> None:
    """Give the two halves of every x/y pair and range one group id."""
    for d in ds:
        t = d.tok
        if t.kind not in ("count_of", "rank", "range_low") or t.partner is None or t.partner >= len(ds):
            continue
        other = ds[t.partner]
        kind = "range" if t.kind == "range_low" else "xy"
        d.group = other.group = f"{kind}:{pi}:{t.start}"
        if kind == "xy" or not other.subject or other.inherited:
            other.subject, other.inherited = d.subject, True
        elif not d.subject:
            d.subject = other.subject
        other.period, other.org_unit = d.period, other.org_unit or d.org_unit
        if kind == "range" and d.compared_to:
            other.compared_to = d.compared_to


_NOT_ADDITIVE = frozenset({"tuổi", "điểm", "điểm phần trăm"})


def additive(unit: str) -> bool:
    """Units whose amounts add up (ha, tấn, tỷ đồng, hộ …), unlike rates, ages or scores."""
    return unit not in PCT_UNITS and unit not in _NOT_ADDITIVE and "/" not in unit


def is_amount(d: Draft) -> bool:
    return (
        d.role in ("value", "part", "target", "prior")
        and additive(d.tok.unit)
        and not d.tok.kind
        and d.compared_to is None  # "tăng 18,42 ha": an amount of change is no item
        and not (d.tok.unit == "lần" and d.tok.decimals)  # "2,2 lần": a ratio, not a count of times
    )


def _claim(owner: Draft | None, items: list[Draft], pi: int, at: int) -> None:
    """Make ``items`` parts: those in the owner's unit break the owner down (``sum:``), the rest
    (a list with no total, or items counted in another unit) form one ``list:`` group."""
    gid = f"sum:{pi}:{owner.tok.start}" if owner is not None else None
    other = f"list:{pi}:{at}"
    for it in items:
        # a target stays a target ("Phấn đấu thu 51.000 tỷ đồng, trong đó thu nội địa 36.000 tỷ đồng")
        role = "target" if it.role == "target" else "part"
        if owner is not None and (not it.tok.unit or compatible(it.tok.unit, owner.tok.unit)):
            it.role, it.group = role, gid
            if not it.tok.unit:
                it.tok.unit = owner.tok.unit
        else:
            it.role, it.group = role, other
    if owner is not None and owner.group is None and any(it.group == gid for it in items):
        owner.group = gid


def _starts_total(d: Draft) -> bool:
    return d.subject.casefold().startswith(("tổng", "toàn bộ"))


def _parallel(items: list[Draft]) -> bool:
    """Two or more items counted in the same unit: a list, not a run of unrelated figures."""
    units = [d.tok.unit for d in items]
    return any(units.count(u) >= 2 for u in set(units))


def lists(para: Para, ds: list[Draft], prev_sentence: dict[int, list[Draft]]) -> None:
    """Breakdowns inside one paragraph: parenthesised lists, cue lists, then siblings of a total."""
    text, pi = para.text, para.index
    claimed: set[int] = set()
    # per sentence and per parenthesis, so that a long paragraph costs no more than its sentences
    by_sent: dict[int, list[Draft]] = {}
    by_open: dict[int, list[Draft]] = {}
    for d in ds:
        by_sent.setdefault(d.sent, []).append(d)
        by_open.setdefault(para.opens[d.tok.start], []).append(d)

    def take(owner: Draft | None, items: list[Draft], at: int) -> None:
        items = [d for d in items if d is not owner and id(d) not in claimed]
        if items:
            _claim(owner, items, pi, at)
            claimed.update(id(d) for d in items)

    # 1. "12.135 ha (vụ Chiêm Xuân 6.070 ha; vụ Mùa 6.065 ha)", "14.354 tin, bài (bài tự viết: 10; …)"
    for op in sorted((o for o in by_open if o >= 0), reverse=True):
        if _RESTATE_RE.match(text, op):
            continue
        inner = [d for d in by_open[op] if id(d) not in claimed and is_amount(d)]
        if not inner:
            continue
        depth = para.depth[op] - 1
        sent = inner[0].sent
        before = [
            d for d in by_sent[sent] if d.tok.uend <= op and para.depth[d.tok.start] == depth and is_amount(d)
        ]  # fmt: skip
        near = before[-1] if before and len(text[before[-1].tok.uend : op].split()) <= 4 else None
        for unit in dict.fromkeys(d.tok.unit for d in inner):
            items = [d for d in inner if d.tok.unit == unit]
            owner = (
                next((d for d in reversed(before) if compatible(d.tok.unit, unit)), None) if unit else near
            )
            if owner is not None:
                take(owner, items, op)
        rest = [d for d in inner if id(d) not in claimed]
        if near is not None and len(rest) >= 2:
            take(near, rest, op)  # "62 HS đoạt giải (THPT A: 02 giải Nhất, 07 giải Nhì, …)"
    # 2. cue lists, the innermost (last) first: "trong đó: …", "gồm: …", "ở các xã: …"
    cues = [m for m in finditer(_LIST_CUE_RE, text, para.low, _LIST_CUE_WORDS) if not _skip_cue(text, m)]
    for cue in reversed(cues):
        c = cue.start()
        op = para.opens[c]
        sent = para.sentence_of(c)
        end = _list_end(para, c, cue.group(0))
        here = by_sent.get(sent, [])
        after = [d for d in here if c < d.tok.start < end and para.inside(d.tok.start, op) and is_amount(d)]
        after = [d for d in after if id(d) not in claimed]
        if not after:
            continue
        word = cue.group(0).casefold()
        head = text[para.sentence_start(c) : c].strip(" -–+•")
        if word.startswith("trong") and not head:
            before = prev_sentence.get(sent, [])  # "…67 lần, 187 lượt và 203 người. Trong đó: …"
        else:
            clause_from = -1 if word.startswith("trong") else text.rfind(";", para.sentence_start(c), c)
            before = [
                d for d in here if d.tok.uend <= c and para.opens[d.tok.start] == op
                and d.tok.start > clause_from
                and (is_amount(d) or (word.startswith("trong") and d.tok.kind == "count_of"))
            ]  # fmt: skip
        units = {d.tok.unit for d in after if d.tok.unit}
        # "tổng kinh phí 1,2 tỷ đồng, trong đó ngân sách xã 150 triệu đồng": the same kind of unit
        owners = {u: next((d for d in reversed(before) if compatible(d.tok.unit, u)), None) for u in units}
        if op >= 0:
            for u, o in owners.items():
                if o is None:
                    outer = [
                        d for d in here if d.tok.uend <= op and is_amount(d) and compatible(d.tok.unit, u)
                    ]
                    owners[u] = outer[-1] if outer else None
        found = [o for o in owners.values() if o is not None]
        if not found and before and all(not d.tok.unit for d in after):
            found = [before[-1]]
            owners[""] = before[-1]
        if not found and word.startswith("trong") and before and counted(before[-1].tok.unit):
            if all(counted(d.tok.unit) for d in after):
                # "2.800 lao động, …, trong đó XKLĐ 385 người": counted in another noun, still a subset
                take(before[-1], after, c)
                continue
        if not found and (not _parallel(after) or _starts_total(after[0])):
            continue  # "…, so với năm 2022: Tổng đàn trâu, bò 2.750 con": a sentence, not a list
        for u, o in owners.items():
            if o is not None:
                take(o, [d for d in after if d.tok.unit == u or (not d.tok.unit and u == "")], c)
        if found or _parallel(after):
            take(found[-1] if len(found) == 1 else None, after, c)
    # 3. "Tổng số hồ sơ … là 47.613 hồ sơ (…); trả đúng hạn 47.382 hồ sơ, trả quá hạn 14 hồ sơ"
    for total in ds:
        if not is_amount(total) or not total.subject.casefold().startswith("tổng số") or total.role == "part":
            continue
        siblings = [
            d for d in by_sent[total.sent] if d.tok.start > total.tok.start and d.depth == total.depth
            and is_amount(d) and d.tok.unit == total.tok.unit and not _starts_total(d) and id(d) not in claimed
        ]  # fmt: skip
        if siblings and ";" in text[total.tok.uend : siblings[0].tok.start]:
            take(total, siblings, total.tok.start)


def _skip_cue(text: str, m: re.Match[str]) -> bool:
    c = m.start()
    if m.group(0) == ":":
        if text[max(0, c - 8) : c].casefold().rstrip().endswith(("đó", "gồm", "thể", "tiết", "có")):
            return True  # "trong đó:" is one cue
        return c + 1 < len(text) and text[c + 1].isdigit()  # a time or ratio "9001:2015"
    return False


def _list_end(para: Para, c: int, word: str) -> int:
    """Where a list opened at ``c`` ends: the sentence or the parenthesis; a ";" ends it when the
    next segment opens a list of its own ("…; xây dựng 6 mô hình là 60 ha ở các xã: …")."""
    text = para.text
    end = para.sentence_end(c)
    op = para.opens[c]
    if op >= 0:
        close = text.find(")", c)
        while close >= 0 and para.opens[close] != op:
            close = text.find(")", close + 1)
        if close >= 0:
            end = min(end, close)
    j = text.find(";", c, end)
    while j >= 0:
        nxt = text.find(";", j + 1, end)
        segment = text[j + 1 : nxt if nxt >= 0 else end]
        if _LIST_CUE_RE.search(segment) and not segment.lstrip().casefold().startswith("trong"):
            return j
        j = nxt
    return end


_CUE_AT_END_RE = re.compile(
    r"(?:trong\s+đó|bao\s+gồm|gồm\s+có|gồm|chia\s+ra|cụ\s+thể)\s*:\s*$", re.IGNORECASE
)
_BULLET_RE = re.compile(r"^\s*[-+•*–]\s*(?!\d)")


def bullets(doc: Document, per_para: dict[int, list[Draft]]) -> None:
    """ "Tổng thu … 186 tỷ 450 triệu đồng, …, trong đó:" and then "+ Thu tiền SDĐ: 112,4 tỷ đồng",
    "+ Thu thuế, phí, lệ phí: 74,05 tỷ đồng" as paragraphs of their own: the first amount of each
    bullet in the total's unit is a part of it (a target of a plan part stays a target)."""
    for pi, ds in per_para.items():
        p = doc.paragraphs[pi]
        if p.kind is not Kind.BODY or not p.text.rstrip().endswith(":") or not _CUE_AT_END_RE.search(p.text):
            continue
        owners = [d for d in ds if is_amount(d) and d.depth == 0]
        if not owners:
            continue
        owner = owners[-1]
        gid = f"sum:{pi}:{owner.tok.start}"
        claimed = False
        q = pi + 1
        while q < len(doc.paragraphs) and doc.paragraphs[q].kind is Kind.BODY:
            if not _BULLET_RE.match(doc.paragraphs[q].text):
                break
            first = next((d for d in per_para.get(q, []) if is_amount(d)), None)
            own = f"sum:{q}:{first.tok.start}" if first is not None else ""
            if (
                first is not None
                and first.role == "value"
                and compatible(first.tok.unit, owner.tok.unit)
                and first.group in (None, own)  # free, or the total of its own breakdown
            ):
                first.role, first.group = "part", gid
                claimed = True
            q += 1
        if claimed and owner.group is None:
            owner.group = gid


def link_footnotes(doc: Document, per_para: dict[int, list[Draft]], paras: dict[int, Para]) -> None:
    """A footnote that breaks down what cites it: its top-level amounts become parts.

    It does when it opens with a cue ("Trong đó", "Gồm"), when two or more of its amounts
    share the unit of the number citing it, or when most of its amounts are per commune.
    """
    cited: dict[str, Draft] = {}
    for i, p in enumerate(doc.paragraphs):
        if p.kind is Kind.FOOTNOTE or not p.refs or i not in paras:
            continue
        para = paras[i]
        for ref in p.refs:
            at = min(max(ref.offset - 1, 0), len(para.text) - 1)
            sent = para.sentence_of(at)
            before = [
                d for d in per_para.get(i, []) if d.tok.uend <= ref.offset and is_amount(d) and d.sent == sent
            ]
            depth = para.depth[min(ref.offset, len(para.text))]  # "(trên 260,436 ha)¹²" cites what is outside
            level = [d for d in before if para.depth[d.tok.start] == depth]
            if level or before:
                cited[ref.marker] = (level or before)[-1]
    for i, p in enumerate(doc.paragraphs):
        if p.kind is not Kind.FOOTNOTE or not p.marker or i not in paras:
            continue
        owner = cited.get(p.marker)
        items = [
            d for d in per_para.get(i, [])
            if (d.role != "part" or (d.group or "").startswith("list:")) and is_amount(d) and d.tok.unit
        ]  # fmt: skip
        cue = _FOOTNOTE_CUE_RE.match(p.text) is not None
        if not cue:  # a figure the footnote breaks down itself is no item of the figure citing it
            items = [d for d in items if d.group is None]
        if not items:
            continue
        same = [d for d in items if owner is not None and d.tok.unit == owner.tok.unit]
        with_org = sum(1 for d in items if d.org_unit)
        if cue or len(same) >= 2 or (len(items) >= 2 and with_org * 3 >= len(items) * 2):
            gid = f"sum:{owner.para}:{owner.tok.start}" if owner is not None else None
            other = f"list:{i}:0"
            for d in items:
                d.role = "part"
                d.group = gid if owner is not None and compatible(d.tok.unit, owner.tok.unit) else other
            if owner is not None and owner.group is None and any(d.group == gid for d in items):
                owner.group = gid
