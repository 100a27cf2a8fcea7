"""Document-level context for fact extraction: the report's period, the part of the
report (results or targets), the sector of the heading above, and the communes named.

- The report period comes from the title block ("... năm 2023", "6 tháng đầu năm 2024").
- A heading "Phần II" or one announcing the plan, targets or tasks of a later period
  switches to the target part: facts there default to the next period.
- The report's level (province, district, commune) is read from "toàn tỉnh / toàn huyện /
  toàn xã"; its parts are the units one level below (districts, communes, villages).
- Those units: every name written after their level word ("xã", "thị trấn", "huyện",
  "thôn" …, or in a list after "các xã") anywhere in the document becomes known, so a bare
  "Ngũ Hùng 10 ha" in a footnote list is recognised; for a district report the communes of
  the district it names most are added from the statistics office's list
  (``vietnamadminunits``, read offline; skipped if the package is missing).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from ._find import finditer, first_words, lowered
from .model import Document, Kind, Paragraph

# The units a report breaks its figures down by, for each level of report.
_UNIT_LEVELS = {
    "province": r"huyện|thị\s+xã|thành\s+phố|quận|xã|phường|thị\s+trấn|TT\.?",
    "district": r"xã|phường|thị\s+trấn|TT\.?",
    "commune": r"thôn|khu\s+dân\s+cư|khu|ấp|bản|xóm|tổ\s+dân\s+phố|làng",
}
# Higher units: a name after these is the reporting unit or its parent, never a part of it.
_ABOVE = {
    "province": r"tỉnh",
    "district": r"huyện|tỉnh|quận|thị\s+xã|thành\s+phố",
    "commune": r"xã|phường|thị\s+trấn|huyện|tỉnh|quận|thị\s+xã|thành\s+phố",
}
_WHOLE_RE = re.compile(
    r"(?=[tuủ])(?:toàn\s+(tỉnh|thành\s+phố|huyện|thị\s+xã|xã(?!\s+hội)|phường|thị\s+trấn)"
    r"|(?:UBND|ủy\s+ban\s+nhân\s+dân)\s+(tỉnh|huyện|xã))",
    re.I,
)
_WHOLE_WORDS = ("toàn", "ubnd", "ủy")  # the first words of _WHOLE_RE's phrases
_WHOLE_LEVEL = {"tỉnh": "province", "thành phố": "province", "huyện": "district", "thị xã": "district",
                "xã": "commune", "phường": "commune", "thị trấn": "commune"}  # fmt: skip


def _starts(alternation: str) -> str:
    """A lookahead on the first letters of ``alternation``'s words: where such a pattern is searched
    (a phrase; a paragraph ``_find`` scans the plain way), the regex engine then turns most
    positions down at once instead of running the lookbehinds before the words at every one."""
    return "(?=[" + "".join(sorted({alt[0] for alt in alternation.split("|")})) + "])"


class _UnitWords:
    """The paragraphs' text for the document-wide scans for unit words (``_WHOLE_RE``,
    ``level_re``, ``above_re``), each made fast by ``_find.finditer`` (lower-cased once)."""

    def __init__(self, doc: Document) -> None:
        self.texts = [p.text for p in doc.paragraphs]
        self.lows: dict[int, str | None] = {}

    def finditer(self, i: int, pattern: re.Pattern[str], words: tuple[str, ...]) -> Iterator[re.Match[str]]:
        """``pattern.finditer`` over paragraph ``i``, whose every match begins with one of ``words``."""
        if i not in self.lows:
            self.lows[i] = lowered(self.texts[i])
        return finditer(pattern, self.texts[i], self.lows[i], words)


def level_re(level: str) -> re.Pattern[str]:
    alternation = _UNIT_LEVELS[level]
    return re.compile(
        rf"{_starts(alternation)}(?<![^\W\d_])(?<!tác )({alternation})(?:\s+|\s*:\s*)", re.IGNORECASE
    )


def above_re(level: str) -> re.Pattern[str]:
    return re.compile(rf"{_starts(_ABOVE[level])}(?<![^\W\d_])({_ABOVE[level]})\s+", re.IGNORECASE)


_WORD_RE = re.compile(r"[^\W\d_]+")
_GAP_RE = re.compile(r"[ \t]+")
_LIST_SEP_RE = re.compile(r"\s*(?:,|\bvà\b)\s*")


def name_at(text: str, pos: int, limit: int = 4) -> tuple[str, int] | None:
    """The proper name (capitalised words, up to ``limit``) starting at ``pos``, and its end."""
    words: list[str] = []
    end = pos
    cursor = pos
    while len(words) < limit:
        m = _WORD_RE.match(text, cursor)
        if m is None or not m.group(0)[0].isupper():
            break
        words.append(m.group(0))
        end = m.end()
        gap = _GAP_RE.match(text, end)
        if gap is None:
            break
        cursor = gap.end()
    if not words:
        return None
    return " ".join(words), end


_GENERIC = {"Ủy", "Uỷ", "UBND", "Thị", "Trấn", "Xã", "Phường", "Huyện", "Tỉnh", "Nhân", "Đảng"}

_YEAR = r"(?:19|20)\d{2}"
TITLE_PERIOD_RE = re.compile(
    rf"(6\s+tháng\s+đầu\s+năm|6\s+tháng\s+cuối\s+năm|9\s+tháng(?:\s+đầu)?\s+năm|quý\s+([IV]+|\d)(?:\s+năm)?|năm)"
    rf"\s+({_YEAR})",
    re.IGNORECASE,
)
PERIOD_RE = re.compile(  # (the lookahead on the first letters lets a search skip ahead)
    rf"(?=[6gknt])(?:(?:(?:giai\s+đoạn|thời\s+kỳ|nhiệm\s+kỳ|kế\s+hoạch\s+5\s+năm)\s+({_YEAR})\s*[-–]\s*({_YEAR}))"
    rf"|(?:6\s+tháng\s+(đầu|cuối)\s+năm\s+({_YEAR}))"
    rf"|(?:(?<!so với )(?<!cùng kỳ )năm\s+({_YEAR})(?!\s*[-–]\s*\d)))",
    re.IGNORECASE,
)
PERIOD_WORDS = ("6", "giai", "kế", "nhiệm", "năm", "thời")  # every match of PERIOD_RE begins with one
_TARGET_HEADING_RE = re.compile(
    r"^\s*phần\s+(?:ii|2|thứ\s+hai)\b|phương\s+hướng|mục\s+tiêu.*nhiệm\s+vụ|nhiệm\s+vụ.*giải\s+pháp"
    r"|(?:kế\s+hoạch|mục\s+tiêu|nhiệm\s+vụ|chỉ\s+tiêu)\D*năm\s+(\d{4})|6\s+tháng\s+cuối\s+năm",
    re.IGNORECASE,
)
# the rest of the year reported: "NHIỆM VỤ 3 THÁNG CUỐI NĂM", "NHIỆM VỤ TRỌNG TÂM QUÝ IV NĂM 2025"
_REST_OF_YEAR_RE = re.compile(
    r"(?:nhiệm\s+vụ|phương\s+hướng|kế\s+hoạch|mục\s+tiêu)\D*"
    r"(?:\d\s+tháng\s+cuối\s+năm|những\s+tháng\s+cuối\s+năm|quý\s+(?:IV|4)(?![\w]))",
    re.IGNORECASE,
)
_RESULTS_RE = re.compile(r"kết\s+quả|tình\s+hình|đánh\s+giá", re.IGNORECASE)
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


def _is_heading(p: Paragraph) -> bool:
    if p.kind is Kind.HEADING:
        return True
    text = p.text.strip()
    if p.kind is not Kind.BODY or not text or len(text) > 140:
        return False
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


@dataclass
class DocContext:
    year: int | None = None
    period: str | None = None  # the period reported, e.g. "2023", "2023S1"
    target_period: str | None = None  # the period Part II plans for
    target_from: int | None = None  # paragraph index where the target part starts
    communes: dict[str, str] = field(default_factory=dict)  # unit name -> its level word ("xã", "thôn", …)
    above: set[str] = field(default_factory=set)  # names of the reporting unit and its parents
    town: str | None = None  # the one "thị trấn" of the unit, for a bare "Thị trấn"
    level: str = "district"  # the reporting unit's level: "province" | "district" | "commune"
    # a footnote belongs where it is cited, wherever the reader put it (a DOCX keeps them at the end)
    cited_from: dict[int, int] = field(default_factory=dict)

    def in_targets(self, index: int) -> bool:
        index = self.cited_from.get(index, index)
        return self.target_from is not None and index >= self.target_from

    def default_period(self, index: int) -> str | None:
        return self.target_period if self.in_targets(index) else self.period


def _report_period(doc: Document) -> tuple[int | None, str | None, str | None]:
    head = " ".join(p.text for p in doc.paragraphs[:12])
    match = TITLE_PERIOD_RE.search(head)
    if match is None:
        years = re.findall(rf"\b({_YEAR})\b", " ".join(p.text for p in doc.paragraphs[:60]))
        if not years:
            return None, None, None
        year = int(max(set(years), key=years.count))
        return year, str(year), str(year + 1)
    kind, quarter, year_text = match.group(1).casefold(), match.group(2), match.group(3)
    year = int(year_text)
    if kind.startswith("6") and "đầu" in kind:
        return year, f"{year}S1", f"{year}S2"
    if kind.startswith("6"):
        return year, f"{year}S2", str(year + 1)
    if kind.startswith("quý") and quarter:
        q = _ROMAN.get(quarter.upper(), int(quarter) if quarter.isdigit() else 1)
        return year, f"{year}Q{q}", f"{year}Q{q + 1}" if q < 4 else f"{year + 1}Q1"
    return year, str(year), str(year + 1)


def _report_level(units: _UnitWords) -> str:
    """Whether the report is a province's, a district's or a commune's: by "toàn tỉnh/huyện/xã"."""
    counts: dict[str, int] = {}
    for i in range(min(600, len(units.texts))):
        for m in units.finditer(i, _WHOLE_RE, _WHOLE_WORDS):
            word = " ".join((m.group(1) or m.group(2)).casefold().split())
            level = _WHOLE_LEVEL.get(word, "district")
            counts[level] = counts.get(level, 0) + (1 if m.group(1) else 0)
    return max(counts, key=lambda k: counts[k]) if counts and max(counts.values()) > 0 else "district"


def _communes(
    units: _UnitWords, level: str, named: dict[str, dict[str, int]]
) -> tuple[dict[str, str], str | None]:
    found: dict[str, str] = {}
    pattern, words = level_re(level), first_words(_UNIT_LEVELS[level])
    for i, text in enumerate(units.texts):
        for m in units.finditer(i, pattern, words):
            word = " ".join(m.group(1).casefold().split())
            level_word = "thị trấn" if word.startswith(("thị trấn", "tt")) else word
            got = name_at(text, m.end())
            while got is not None:
                name, end = got
                if name.split()[0] not in _GENERIC and not name.isupper():
                    found.setdefault(name, level_word)
                sep = _LIST_SEP_RE.match(text, end)
                if sep is None:
                    break
                got = name_at(text, sep.end())
    if level == "district":
        for name, level_word in _official_communes(named).items():
            found.setdefault(name, level_word)
    towns = [n for n, lv in found.items() if lv == "thị trấn"]
    return found, towns[0] if len(towns) == 1 else None


def _higher_units(units: _UnitWords, level: str) -> tuple[set[str], dict[str, dict[str, int]]]:
    """The names written after the words of the units above the report's parts (``above_re``):
    every one, anywhere (the reporting unit or its parents, never one of its parts); and, for a
    district report, how often each name follows each of those words (huyện, thị xã, thành phố,
    quận, tỉnh) in the first 400 paragraphs, by the word's first syllable: {"huyện": {"Thanh
    Miện": 12, …}, "tỉnh": {…}, …}. One scan of the document for both."""
    above: set[str] = set()
    named: dict[str, dict[str, int]] = {}
    pattern, words = above_re(level), first_words(_ABOVE[level])
    for i, text in enumerate(units.texts):
        for m in units.finditer(i, pattern, words):
            got = name_at(text, m.end())
            if got is not None:
                above.add(got[0])
            if level == "district" and i < 400:
                got = name_at(text, m.end(), 3)
                if got is not None:
                    counts = named.setdefault(m.group(1).casefold().split()[0], {})
                    counts[got[0]] = counts.get(got[0], 0) + 1
    return above, named


def _most_named(names: dict[str, dict[str, int]], level: str) -> str | None:
    counts = names.get(level.split()[0])
    return max(counts, key=lambda k: counts[k]) if counts else None


def _official_communes(names: dict[str, dict[str, int]]) -> dict[str, str]:
    """The communes of the district the report names most (``names``: see ``_higher_units``),
    from the statistics office's list."""
    district = _most_named(names, "huyện") or _most_named(names, "thị xã")
    if district is None:
        return {}
    return dict(_district_communes(district, _most_named(names, "tỉnh")))


@lru_cache(maxsize=64)
def _district_communes(district: str, province: str | None) -> tuple[tuple[str, str], ...]:
    try:
        from ktxh.core.orgunits import _connect

        sql = "SELECT DISTINCT ward, wardShort, provinceShort FROM admin_units_legacy WHERE districtShort = ?"
        with _connect() as conn:
            rows = conn.execute(sql, (district,)).fetchall()
    except Exception:  # the data package is optional here: without it, names come from the text only
        return ()
    provinces = {r[2] for r in rows}
    if len(provinces) > 1:
        rows = [r for r in rows if r[2] == province] if province in provinces else []
    out: list[tuple[str, str]] = []
    for ward, short, _ in rows:
        if ward and short:
            out.append((short, ward[: len(ward) - len(short)].strip().casefold() or "xã"))
    return tuple(out)


_NOTE_OPEN_RE = re.compile(r"^\s*\((\d{1,2})\)\s+\S")
# (the lookahead first turns most positions down before the lookbehind runs)
_NOTE_CITE_RE = re.compile(r"(?=\s?\()(?<=[^\W\d_]|\d|[%)\]])\s?\((\d{1,2})\)(?=\s*(?:[.,;:]|$))")


def _numbered_notes(doc: Document) -> dict[int, int]:
    """Footnote bodies a text reader kept as body paragraphs: "(1) Gồm: …", "(2) Trong đó: …",
    the last run of paragraphs numbered from 1 whose every number is cited before, at the end of
    a clause ("… 2,7 km (1)."), in the same order (an enumeration "(1) Hoàn thành …" earlier in
    the text is no footnote). Body paragraph -> the paragraph citing it."""
    cites: dict[str, int] = {}
    runs: list[list[tuple[int, int]]] = []  # [(paragraph, number), …]
    for i, p in enumerate(doc.paragraphs):
        if p.kind is not Kind.BODY or "(" not in p.text:  # both patterns need a "("
            continue
        m = _NOTE_OPEN_RE.match(p.text)
        if m is None:
            for c in _NOTE_CITE_RE.finditer(p.text):
                cites.setdefault(c.group(1), i)
            continue
        n = int(m.group(1))
        if n == 1 or not runs or runs[-1][-1][1] != n - 1:
            runs.append([])
        runs[-1].append((i, n))
    for run in reversed(runs):
        if run[0][1] != 1:
            continue
        cited = [cites.get(str(n)) for _i, n in run]
        if all(c is not None and c < run[0][0] for c in cited) and cited == sorted(
            cited, key=lambda c: c or 0
        ):
            return {i: c for (i, _n), c in zip(run, cited, strict=True) if c is not None}
        return {}
    return {}


def document_context(doc: Document) -> DocContext:
    year, period, target_period = _report_period(doc)
    ctx = DocContext(year=year, period=period, target_period=target_period)
    units = _UnitWords(doc)
    ctx.level = _report_level(units)
    citing = {
        r.marker: i for i, p in enumerate(doc.paragraphs) if p.kind is not Kind.FOOTNOTE for r in p.refs
    }
    ctx.cited_from = {
        i: citing[p.marker]
        for i, p in enumerate(doc.paragraphs)
        if p.kind is Kind.FOOTNOTE and p.marker is not None and p.marker in citing
    }
    ctx.cited_from.update(_numbered_notes(doc))
    ctx.above, named = _higher_units(units, ctx.level)
    ctx.communes, ctx.town = _communes(units, ctx.level, named)
    for i, p in enumerate(doc.paragraphs):
        if i < 6 or not _is_heading(p):
            continue
        m = _TARGET_HEADING_RE.search(p.text)
        rest = _REST_OF_YEAR_RE.search(p.text)
        if m is None and rest is None:
            continue
        if _RESULTS_RE.search(p.text):
            continue  # "KẾT QUẢ THỰC HIỆN NHIỆM VỤ 6 THÁNG ĐẦU NĂM …": the part reported
        later = [int(y) for y in m.groups() if y] if m is not None else []
        if later and year is not None and later[0] <= year and not (rest and later[0] == year):
            continue
        if rest is not None and year is not None and (not later or later[0] == year):
            if re.search(r"quý|3\s+tháng", rest.group(0), re.IGNORECASE):
                ctx.target_period = f"{year}Q4"  # "NHIỆM VỤ TRỌNG TÂM QUÝ IV NĂM 2025"
            elif re.search(r"6\s+tháng", rest.group(0)):
                ctx.target_period = f"{year}S2"
        elif later and period is not None and len(period) == 4:
            ctx.target_period = str(later[0])  # "KẾ HOẠCH NĂM 2025"
        ctx.target_from = i
        break
    return ctx


def period_code(m: re.Match[str]) -> str:
    """The period code of a PERIOD_RE match."""
    if m.group(1):
        return f"{m.group(1)}-{m.group(2)}"
    if m.group(4):
        return f"{m.group(4)}S1" if m.group(3).casefold() == "đầu" else f"{m.group(4)}S2"
    return m.group(5)
