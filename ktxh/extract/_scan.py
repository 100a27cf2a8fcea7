"""Find the quantities of one paragraph: numbers with their units, x/y pairs, ranges.

What is *not* a quantity is dropped here: years and year ranges, dates ("27/7/2023",
"12/2022", "ngày 30/4"), document numbers ("số 12/NQ-HĐND", "122-KH/HU",
"03/2019/NĐ-CP"), list enumerators ("1.1.", "2)"), ordinals and names ("kỳ họp thứ 16",
"lớp 10", "mức độ 2", "Cụm công nghiệp Đoàn Tùng 2", "đường tỉnh 392", "Km 14+00"),
durations ("10 năm", "6 tháng") and bare numbers in parentheses (stray markers).

Units: the longest listed form ("giấy chứng nhận", "bé trai", "tạ/ha"); a multiplier joins the
unit after it ("49,2 triệu tấn"); a unit followed by "/noun" is a rate and keeps it ("500.000
đồng/suất", "đồng/người/tháng"); an unlisted noun keeps its first syllable ("12.700 thùng rác"
-> "thùng") unless that syllable is no noun alone ("196 tân binh" -> "tân binh").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ._lexicon import (
    BOUND_HEADS,
    DURATION_WORDS,
    FALLBACK_WORD_RE,
    MEASURE_UNITS,
    MONEY_UNITS,
    PCT_UNITS,
    QUALIFIERS,
    SCALE_RE,
    UNIT_RE,
    fallback_unit,
    norm_word,
    normalise_unit,
)
from ._numbers import COMPOUND_RE, NUMBER_RE, Number, compound_value, read_number

ENUM_RE = re.compile(r"^\s*(?:[-–+•*]\s*)?(?:(?:\d{1,2}\.)+\d{0,2}\)?|\d{1,2}\)|[a-zđ]\)|[IVX]+\.)(?=\s|$)")
_DOC_CODE_RE = re.compile(r"(?:/\d+)*(?:/|-)[A-ZĐ][\w\-/.Đđ]*")
_SLASH_NUM_RE = re.compile(r"/(\d+(?:[.,]\d+)*)")
_RANGE_DASH_RE = re.compile(r"\s*[-–]\s*(?=\d)")
_RANGE_TO_RE = re.compile(r"\s+(?:đến|tới)\s+(?:khoảng\s+)?(?=\d)", re.IGNORECASE)
_AFTER_QUAL_RE = re.compile(r"\s*trở\s+(lên|xuống)", re.IGNORECASE)
_YEAR_CUES = frozenset(
    "năm đến từ kỳ khóa khoá đoạn hạn xuân mùa đông hè chiêm niên đầu cuối tết cđ giá gốc".split()
)
_DATE_CUES = frozenset("ngày dịp lễ khánh hôm sáng chiều tối đêm".split())
_PAIR_CUES = frozenset("đạt có được thứ trì dựng thành rõ nhận giao là".split())
_ORDINAL_CUES = frozenset(
    """lớp khối khóa khoá phần mục điều khoản chương thôn xóm tổ khu đội ấp bản ql đt đh km
    tháng quý ngày tuần covid iso nhóm loại hạng tầng lô phiên vòng đợt""".split()
)
_ORDINAL_PAIRS = frozenset(
    {
        ("đường", "tỉnh"), ("đường", "huyện"), ("quốc", "lộ"), ("tỉnh", "lộ"), ("huyện", "lộ"),
        ("giai", "đoạn"), ("đề", "án"), ("chỉ", "thị"), ("nghị", "quyết"), ("quyết", "định"),
        ("thông", "tư"), ("nghị", "định"), ("kỳ", "họp"), ("lần", "thứ"),
        ("mức", "độ"), ("cấp", "độ"), ("con", "thứ"), ("độ", "tuổi"),
    }
)  # fmt: skip
_RANK_CUES = frozenset({"xếp", "đứng", "hạng"})
# a plural word makes the noun after it common, not a name: "rau màu các loại 78,5 ha" is an
# amount, where "đất loại 1" is a class
_PLURAL_WORDS = frozenset({"các", "mọi", "nhiều", "những"})
_PER_CUES = frozenset({"trên", "mỗi", "một", "bình", "quân"})
_AGE_BOUND_CUES = frozenset({"dưới", "trên", "từ", "đủ", "đến", "tới", "hơn", "độ", "tuổi"})
_ESTIMATE_VERB_RE = re.compile(r"(?<![^\W\d_])ước\s+(?:tăng|giảm|bằng|khoảng|đạt\s+khoảng)$")
# (?=q): a quick no at every other letter of the span searched
_SCALE_BEFORE_RE = re.compile(r"(?=q)quy\s+mô(?:\s+từ)?\s*$", re.IGNORECASE)
_SLASH_AFTER_UNIT_RE = re.compile(r"\s*/\s*(\d+(?:[.,]\d+)*)")
_NAME_BEFORE_RE = re.compile(r"([^\W\d_]+)[ \t]+$")
_AGE_VALUE_CUES = frozenset({"là", "đạt", "khoảng", "quân", "tăng", "giảm"})
_CATEGORY_UNITS = frozenset({"sao", "hạng", "cấp", "loại"})
_LIST_GAP_RE = re.compile(r"\s*(?:,|và|-|–|;)?\s*")
_QUAL_KEYS = sorted(QUALIFIERS, key=len, reverse=True)
_QUAL_ENDS = tuple(_QUAL_KEYS)  # for one quick str.endswith before trying them in turn


@dataclass
class Tok:
    """One quantity found in a paragraph (fields are filled in by later steps)."""

    start: int
    end: int  # end of the number (of the whole compound for "5 tỷ 786 triệu")
    value: Decimal
    decimals: int
    unit: str = ""
    uend: int = 0  # end of the unit text (== end when there is none)
    kind: str = ""  # "" | count_of | count_total | rank | range_low | range_high
    partner: int | None = None  # index of the other half of a pair or range
    name_tail: bool = False  # "Đoàn Tùng 2": kept only where a list gives it a unit
    qualifier: str = ""
    sloppy: bool = False
    unit_known: bool = False  # the unit came from the unit list, not a bare following word


# The word, and the two words, right before a number: ``([^\W\d_]+)\W{0,2}$`` searched in the
# 30 characters before it, and ``([^\W\d_]+)\s+([^\W\d_]+)\W{0,2}$`` in the 40 before it. Both
# read backwards, at once: one match at the start of the reversed text instead of a try from
# every character ("$" also matches before a final "\n", hence a third non-word character when
# it is one). Group 1 is the last word (reversed), group 2 the one before it, if any.
_WORDS_BEFORE_REV_RE = re.compile(r"(?:\n\W{0,2}|\W{0,2})([^\W\d_]+)(?:\s+([^\W\d_]+))?")


def _words_before(text: str, pos: int) -> tuple[str, str, str]:
    """The word right before ``pos`` and the two words right before it, casefolded ("" if none)."""
    rev = text[max(0, pos - 40) : pos][::-1]
    m = _WORDS_BEFORE_REV_RE.match(rev)
    if m is None:
        return "", "", ""
    last = m.group(1)
    prev = last[: 30 - m.start(1)][::-1].casefold()  # the last word as far as 30 characters back
    if m.group(2) is None:
        return prev, "", ""
    return prev, m.group(2)[::-1].casefold(), last[::-1].casefold()


def _is_year(raw: str) -> bool:
    return len(raw) == 4 and raw.isdigit() and 1900 <= int(raw) <= 2100


_PER_RE = re.compile(r"\s*/\s*(?=[^\W\d_])")
_PER_WORD_RE = re.compile(r"([^\W\d_]+)(?![^\W\d_])")
_PER_TIME = frozenset({"năm", "tháng", "ngày", "quý", "tuần", "giờ", "vụ", "lượt", "lần"})


def _unit_at(text: str, pos: int) -> tuple[str, int, bool]:
    """(normalised unit, end of unit text, known) for the unit starting at ``pos``; a unit
    followed by "/noun" is a rate and keeps it: "500.000 đồng/suất", "đồng/người/tháng",
    "kg/người" (never a part of a sum of amounts)."""
    unit, end, known = _bare_unit_at(text, pos)
    while unit and unit != "%":
        per = _PER_RE.match(text, end)
        if per is None:
            break
        m = UNIT_RE.match(text, per.end())
        if m is not None and "/" not in normalise_unit(m.group(0)):
            unit, end = f"{unit}/{normalise_unit(m.group(0))}", m.end()
            continue
        w = _PER_WORD_RE.match(text, per.end())
        if w is None:
            break
        word = norm_word(w.group(1))
        if word not in _PER_TIME and not fallback_unit(w.group(1)):
            break
        unit, end = f"{unit}/{word}", w.end()
    return unit, end, known


def _bare_unit_at(text: str, pos: int) -> tuple[str, int, bool]:
    m = UNIT_RE.match(text, pos)
    sc = SCALE_RE.match(text, pos)
    if sc is not None and (m is None or m.end() <= sc.end()):
        # a multiplier and the unit it multiplies: "49,2 triệu tấn", "29.420 triệu kWh"; a bare
        # "tỷ" is an amount of money ("5 tỷ") and joins only a listed unit, never a bare word
        unit, uend, known = _unit_at(text, sc.end())
        if unit and unit not in MONEY_UNITS and (known or m is None) and "/" not in unit:
            scale = sc.group(1).casefold().replace("ngàn", "nghìn").replace("tỉ", "tỷ")
            return f"{scale} {unit}", uend, known
    if m is not None:
        return normalise_unit(m.group(0)), m.end(), True
    w = FALLBACK_WORD_RE.match(text, pos)
    if w is not None:
        word = w.group(1)
        if norm_word(word) in BOUND_HEADS:  # "196 tân binh": a syllable that is no noun alone
            w2 = FALLBACK_WORD_RE.match(text, w.end())
            if w2 is not None and fallback_unit(w2.group(1)) and not w2.group(1).isupper():
                return f"{norm_word(word)} {norm_word(w2.group(1))}", w2.end(), False
        if word.casefold() == "số":  # "44.039 số hộ"
            m = UNIT_RE.match(text, w.end())
            if m is not None:
                return normalise_unit(m.group(0)), m.end(), True
            w2 = FALLBACK_WORD_RE.match(text, w.end())
            if w2 is not None and fallback_unit(w2.group(1)):
                return fallback_unit(w2.group(1)), w2.end(), False
            return "", pos, False
        unit = fallback_unit(word)
        if unit:
            return unit, w.end(), False
    return "", pos, False


def _qualifier(text: str, start: int) -> str:
    head = text[max(0, start - 24) : start].casefold().rstrip(" :")
    if "ước" in head and _ESTIMATE_VERB_RE.search(head):
        return "ước"  # "ước tăng 7,85%", "ước giảm"
    if not head.endswith(_QUAL_ENDS):
        return ""
    for key in _QUAL_KEYS:
        if head.endswith(key) and (len(head) == len(key) or not head[-len(key) - 1].isalpha()):
            return QUALIFIERS[key]
    return ""


def _in_bare_parens(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 8) : start].rstrip()
    after = text[end : end + 8].lstrip()
    return before.endswith("(") and after.startswith(")")


def scan(text: str, *, skip_enumerator: bool = True) -> list[Tok]:
    """Every quantity of ``text`` in order."""
    toks: list[Tok] = []
    consumed = 0
    ordinal_end = -1  # end of the last number dropped as an ordinal ("đường tỉnh 392, 393 và 399")
    if skip_enumerator:
        m = ENUM_RE.match(text)
        if m is not None:
            consumed = m.end()
    for m in NUMBER_RE.finditer(text):
        s, e = m.span()
        if s < consumed:
            continue
        raw = m.group(0)
        before1 = text[s - 1] if s else ""
        before2 = text[s - 2] if s > 1 else ""
        after = text[e : e + 3]
        # glued to a name ("Covid-19"), a Km marker ("Km 14+00"), a time or ISO code ("9001:2015")
        if (
            (before1 in "-–" and before2.isalpha())
            or before1 == "+"
            or (before1 == ":" and before2.isdigit())
        ):
            continue
        if after[:1] == "+" or after.startswith("(+") or (after[:1] == ":" and after[1:2].isdigit()):
            continue
        code = _DOC_CODE_RE.match(text, e) if after[:1] in "/-" else None  # (it starts with one)
        if code is not None:
            consumed = code.end()
            continue
        prev, p1, p2 = _words_before(text, s)
        # dates and x/y pairs
        slash = _SLASH_NUM_RE.match(text, e) if after[:1] == "/" else None
        if slash is not None:
            b_raw = slash.group(1)
            third = _SLASH_NUM_RE.match(text, slash.end())
            if (
                third is not None
                or (_is_year(b_raw) and raw.isdigit() and int(raw) <= 12)
                or prev in _DATE_CUES
            ):
                consumed = (third or slash).end()
                continue
            unit, uend, known = _unit_at(text, slash.end())
            if (
                not unit
                and raw.isdigit()
                and b_raw.isdigit()
                and 1 <= int(raw) <= 31
                and 1 <= int(b_raw) <= 12
                and prev not in _PAIR_CUES
            ):
                consumed = slash.end()
                continue
            a, b = read_number(raw), read_number(b_raw)
            if a is None or b is None:
                consumed = slash.end()
                continue
            rank = prev == "thứ" and p1 in _RANK_CUES
            i = len(toks)
            toks.append(Tok(s, e, a.value, a.decimals, unit, e, "rank" if rank else "count_of", i + 1,
                            qualifier=_qualifier(text, s), sloppy=a.sloppy, unit_known=known))  # fmt: skip
            toks.append(Tok(slash.start(1), slash.end(), b.value, b.decimals, unit, uend, "count_total", i,
                            sloppy=b.sloppy, unit_known=known))  # fmt: skip
            consumed = uend
            continue
        # years and year ranges ("2021 - 2025")
        if _is_year(raw):
            dash = _RANGE_DASH_RE.match(text, e)
            nxt = NUMBER_RE.match(text, dash.end()) if dash else None
            if prev in _YEAR_CUES or before1 in "-–" or (nxt is not None and _is_year(nxt.group(0))):
                if nxt is not None and _is_year(nxt.group(0)):
                    consumed = nxt.end()
                continue
            if UNIT_RE.match(text, e) is None:
                continue
        if (
            (prev in _ORDINAL_CUES and not (p1 in _PLURAL_WORDS and _unit_at(text, e)[0]))
            or (p1, p2) in _ORDINAL_PAIRS
            or (prev == "thứ" and p1 not in _RANK_CUES)
            or (ordinal_end >= 0 and _LIST_GAP_RE.fullmatch(text, ordinal_end, s))
        ):
            ordinal_end = e
            continue
        compound = COMPOUND_RE.match(text, s)
        if compound is not None:
            num = compound_value(compound["a"], compound["s1"], compound["b"], compound["s2"])
            if num is not None:
                tail = UNIT_RE.match(text, compound.end())
                uend = (
                    tail.end()
                    if tail is not None and normalise_unit(tail.group(0)) == "đồng"
                    else compound.end()
                )
                scale = compound["s1"].lower().replace("tỉ", "tỷ")
                toks.append(Tok(s, compound.end(), num.value, num.decimals, f"{scale} đồng", uend,
                                qualifier=_qualifier(text, s), unit_known=True))  # fmt: skip
                consumed = uend
                continue
        num = read_number(raw)
        if num is None:
            continue
        unit, uend, known = _unit_at(text, e)
        if not known and text[e : e + 1].isalpha():
            continue  # glued to letters that are no unit: "500kV", "3DP"
        if known and num.value == 1 and prev in _PER_CUES and unit in ("ha", "m²", "km²"):
            continue  # "trên 1 ha đất": a denominator, not a quantity
        if unit in _CATEGORY_UNITS or _SCALE_BEFORE_RE.search(text, max(0, s - 20), s):
            continue  # "OCOP 3 sao", "quy mô từ 02 ha trở lên": a class, not a quantity
        if unit == "tuổi" and (
            prev in _AGE_BOUND_CUES
            or before1 in "<>≤≥"
            or (prev not in _AGE_VALUE_CUES and "tuổi thọ" not in text[max(0, s - 60) : s].casefold())
        ):
            continue  # "trẻ em dưới 5 tuổi", "trẻ mẫu giáo 5 tuổi": an age in a name
        if before1 in "<>≤≥" and not known:
            continue
        word = FALLBACK_WORD_RE.match(text, e) if not known else None
        if word is not None and word.group(1).casefold() in DURATION_WORDS:
            consumed = word.end()  # "10 năm", "6 tháng đầu năm": a duration or a period
            continue
        if prev == "số" and not known:
            continue
        if num.decimals == 3 and raw.count(",") == 1 and "." not in raw and counted(unit):
            # "2,000 người": three decimals of a person cannot be; an English thousands comma
            num = Number(Decimal(raw.replace(",", "")), 0, sloppy=True)
        if not unit and _in_bare_parens(text, s, e):
            continue
        tok = Tok(s, e, num.value, num.decimals, unit, uend, qualifier=_qualifier(text, s), sloppy=num.sloppy,
                  unit_known=known)  # fmt: skip
        if prev == "thứ":
            tok.kind = "rank"
        name = _NAME_BEFORE_RE.search(text, max(0, s - 30), s) if not unit else None
        if name is not None and name.group(1)[0].isupper():
            # a number right after a capitalised word, with no unit of its own: part of a name
            tok.name_tail = not _starts_sentence(text, name.start(1))
        toks.append(tok)
        consumed = uend
        if unit and _pair_after_unit(text, toks, tok):  # "12.000 m²/10.000 m²", "46.171 hồ sơ/46.449 hồ sơ"
            consumed = toks[-1].uend
            continue
        _maybe_range(text, toks, tok, prev)
        if toks[-1] is not tok:
            consumed = toks[-1].uend
        q = _AFTER_QUAL_RE.match(text, toks[-1].uend)
        if q is not None:
            bound = "trên" if q.group(1).casefold() == "lên" else "dưới"
            for t in (tok, toks[-1]):
                t.qualifier = bound if t.qualifier in ("", "đạt") else t.qualifier
    _inherit_pair_units(text, toks)
    return toks


def _pair_after_unit(text: str, toks: list[Tok], first: Tok) -> bool:
    m = _SLASH_AFTER_UNIT_RE.match(text, first.uend)
    if m is None:
        return False
    b = read_number(m.group(1))
    unit, uend, known = _unit_at(text, m.end())
    if b is None or (unit and unit != first.unit):
        return False
    i = len(toks) - 1
    first.kind, first.partner = "count_of", i + 1
    toks.append(Tok(m.start(1), m.end(1), b.value, b.decimals, first.unit, uend if unit else m.end(), "count_total", i,
                    sloppy=b.sloppy, unit_known=first.unit_known))  # fmt: skip
    return True


def _inherit_pair_units(text: str, toks: list[Tok]) -> None:
    """ "44.039/46.195 hộ …, qua bình xét có 41.820/44.039 đạt": a bare pair counts what the pair before it did."""
    last: Tok | None = None
    for t in toks:
        if t.kind == "count_total" and t.unit:
            last = t
        elif t.kind in ("count_of", "count_total") and not t.unit and last is not None:
            between = text[last.uend : t.start]
            if len(between) < 120 and not re.search(r"[.;]\s", between):
                t.unit = last.unit


def counted(unit: str) -> bool:
    """A unit of whole things (người, hộ, con …), not a measure, a rate or a ratio."""
    return (
        bool(unit)
        and unit not in MEASURE_UNITS
        and unit not in PCT_UNITS
        and "/" not in unit
        and unit
        not in ("lần", "tuổi", "điểm", "điểm phần trăm", "triệu USD", "nghìn USD", "USD", "nghìn tỷ đồng")
    )


def _starts_sentence(text: str, pos: int) -> bool:
    head = text[max(0, pos - 12) : pos].rstrip()
    return (not head and pos < 12) or (bool(head) and head[-1] in ".:;!?(\n-–+•")


_COMPAT = [
    {"%"},
    {"ha", "m²", "km²"},
    {"tấn", "tạ", "kg"},
    {"tỷ đồng", "triệu đồng", "nghìn đồng", "đồng"},
]


def compatible(a: str, b: str) -> bool:
    """Units that measure the same kind of thing (a part can be summed into its total)."""
    if a == b:
        return True
    return any(a in group and b in group for group in _COMPAT)


def _maybe_range(text: str, toks: list[Tok], low: Tok, prev: str) -> None:
    """ "41.000-42.000 tấn", "8-9%", "từ 1 đến 2 xã", "từ 8% đến 10%" -> a range_low/high pair."""
    if low.kind:
        return
    dash = _RANGE_DASH_RE.match(text, low.uend)
    to = None if dash else _RANGE_TO_RE.match(text, low.uend)
    sep = dash or to
    if sep is None:
        return
    nxt = NUMBER_RE.match(text, sep.end())
    if nxt is None or _is_year(nxt.group(0)) or text[nxt.end() : nxt.end() + 1] == "/":
        return
    high = read_number(nxt.group(0))
    if high is None or high.value < low.value:
        return
    unit, uend, known = _unit_at(text, nxt.end())
    if to is not None and prev != "từ" and not (low.unit and low.unit in PCT_UNITS and unit in PCT_UNITS):
        return
    if low.unit and unit and not compatible(low.unit, unit):
        return
    if not low.unit and not unit:
        return
    if not low.unit:
        low.unit, low.unit_known = unit, known
    i = len(toks) - 1
    low.kind, low.partner = "range_low", i + 1
    toks.append(Tok(nxt.start(), nxt.end(), high.value, high.decimals, unit or low.unit, uend, "range_high", i,
                    sloppy=high.sloppy, unit_known=known))  # fmt: skip
