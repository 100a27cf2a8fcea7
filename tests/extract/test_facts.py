"""Fact extraction (ktxh.extract.facts) on small documents of several kinds of report.

The documents are built from plain text with ``doc_from_text``: one paragraph per
non-blank line; "## " starts a heading; "[^n] " starts footnote n; "[^n]" inside a line
is a reference to it. The samples in ``samples/facts_*.txt`` are a commune, a province,
an agriculture-only, a health/education report and one with sloppy number formats.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ktxh.core.catalog import Catalog
from ktxh.core.numbers import format_vi, parse_vi
from ktxh.extract._context import (
    _ABOVE,
    _UNIT_LEVELS,
    _WHOLE_RE,
    _WHOLE_WORDS,
    PERIOD_RE,
    PERIOD_WORDS,
    _UnitWords,
    above_re,
    level_re,
)
from ktxh.extract._find import finditer, first_words, lowered
from ktxh.extract._groups import _LIST_CUE_RE, _LIST_CUE_WORDS
from ktxh.extract._numbers import read_number
from ktxh.extract._text import Para
from ktxh.extract.facts import extract
from ktxh.extract.model import ROLES, Document, Fact, FootnoteRef, Kind, Paragraph

SAMPLES = Path(__file__).parent / "samples"
_REF = re.compile(r"\[\^(\w+)\]")


def doc_from_text(text: str, path: str = "<test>") -> Document:
    paragraphs: list[Paragraph] = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("## "):
            paragraphs.append(Paragraph(line[3:], Kind.HEADING, None, ((0, line_no),)))
            continue
        foot = re.match(r"\[\^(\w+)\]\s+", line)
        if foot is not None:
            paragraphs.append(
                Paragraph(line[foot.end() :], Kind.FOOTNOTE, None, ((0, line_no),), marker=foot.group(1))
            )
            continue
        refs: list[FootnoteRef] = []
        parts: list[str] = []
        pos = 0
        for m in _REF.finditer(line):
            parts.append(line[pos : m.start()])
            refs.append(FootnoteRef(m.group(1), sum(len(p) for p in parts)))
            pos = m.end()
        parts.append(line[pos:])
        paragraphs.append(Paragraph("".join(parts), Kind.BODY, None, ((0, line_no),), tuple(refs)))
    return Document(path, "txt", paragraphs)


def sample(name: str, catalog: Catalog | None = None) -> list[Fact]:
    path = SAMPLES / f"facts_{name}.txt"
    return extract(doc_from_text(path.read_text(encoding="utf-8"), str(path)), catalog)


def one(facts: list[Fact], value: str, unit: str | None = None, **fields: object) -> Fact:
    """The single fact with this value (and unit, and fields); fails with what was found."""
    found = [
        f
        for f in facts
        if f.value == Decimal(value)
        and (unit is None or f.unit == unit)
        and all(getattr(f, k) == v for k, v in fields.items())
    ]
    assert len(found) == 1, f"{value} {unit} {fields}: {[(f.value, f.unit, f.role, f.line) for f in found]}"
    return found[0]


def values(facts: list[Fact]) -> list[Decimal]:
    return [f.value for f in facts]


# --- numbers -------------------------------------------------------------------------


@given(st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False, allow_infinity=False))
def test_it_reads_back_what_format_vi_writes(x: Decimal) -> None:
    text = format_vi(x)
    got = read_number(text)
    assert got is not None and got.value == parse_vi(text) == Decimal(text.replace(".", "").replace(",", "."))
    assert not got.sloppy or ("." in text and "," not in text and len(text.split(".")[1]) != 3)


@pytest.mark.parametrize(
    ("raw", "value", "decimals", "sloppy"),
    [
        ("14.739", "14739", 0, False),
        ("1.626,4", "1626.4", 1, False),
        ("103,4", "103.4", 1, False),
        ("338,116", "338.116", 3, False),
        ("7.2", "7.2", 1, True),
        ("1,626.4", "1626.4", 1, True),
        ("1.680.300.000", "1680300000", 0, False),
        ("1,680,300", "1680300", 0, True),
        ("08", "8", 0, False),
        ("76.489,0", "76489.0", 1, False),
    ],
)
def test_it_reads_tolerant_number_tokens(raw: str, value: str, decimals: int, sloppy: bool) -> None:
    got = read_number(raw)
    assert got is not None
    assert (got.value, got.decimals, got.sloppy) == (Decimal(value), decimals, sloppy)


def test_it_refuses_malformed_groups() -> None:
    assert read_number("1.62.4") is None
    assert read_number("12,34.5") is None


# --- what is and is not a fact ---------------------------------------------------------


def test_it_skips_years_dates_document_numbers_and_markers() -> None:
    facts = sample("sloppy")
    assert Decimal(12) not in values(facts)  # "số 12/NQ-HĐND"
    assert Decimal(15) not in values(facts) and Decimal(2023) not in values(facts)  # "ngày 15/7/2023"
    assert Decimal(122) not in values(facts) and Decimal(3) not in values(
        facts
    )  # "122-KH/UBND", "03/2019/NĐ-CP"
    assert Decimal(30) not in values(facts) and Decimal(2) not in values(facts)  # "30/4, 1/5", "2/9"
    assert Decimal(392) not in values(facts) and Decimal(300) not in values(
        facts
    )  # "Km 14+300 đường tỉnh 392"
    assert one(facts, "5", "đợt").role == "value"


def test_it_skips_enumerators_ordinals_and_names() -> None:
    doc = doc_from_text(
        "## 2.3. Giao thông\n"
        "1. Tổ chức kỳ họp thứ 16; học sinh lớp 10 và trường đạt chuẩn mức độ 2.\n"
        "Khởi công Cụm công nghiệp Đoàn Tùng 2 và 05 dự án; đường dây 500kV; giai đoạn 2021 - 2025 có 10 năm.\n"
    )
    facts = extract(doc)
    assert [(f.value, f.unit) for f in facts] == [(Decimal(5), "dự án")]


# --- sloppy formats ----------------------------------------------------------------------


def test_it_reads_sloppy_numbers_by_context() -> None:
    facts = sample("sloppy")
    area = one(facts, "7.2", "ha")
    assert area.decimals == 1
    change = one(facts, "1.5", "ha")
    assert change.compared_to == "2022" and change.role == "value"
    assert one(facts, "1626.4", "tỷ đồng").decimals == 1
    assert one(facts, "12.5", "%").role == "pct_change"
    money = one(facts, "5.786", "tỷ đồng")
    assert (money.qualifier, money.decimals) == ("trên", 3)
    assert one(facts, "2604315.77", "m²").decimals == 2
    assert one(facts, "260.43", "ha").qualifier == "trên"
    assert one(facts, "1200", "m²")
    assert one(facts, "2000", "người").decimals == 0  # "2,000 người": no one counts thousandths of a person
    assert one(facts, "338.116", "tỷ đồng").decimals == 3  # money keeps the Vietnamese decimal comma
    assert one(facts, "63.03", "tạ/ha")
    assert one(facts, "14739", "ha")
    assert one(facts, "12000", "m³")


# --- a commune report ---------------------------------------------------------------------


def test_it_reads_a_commune_report() -> None:
    facts = sample("commune")
    rice = one(facts, "412.5", "ha")
    assert (rice.role, rice.period, rice.org_unit) == ("value", "2024S1", None)
    plan = one(facts, "100.6", "%")
    assert (plan.role, plan.compared_to, plan.subject) == ("pct_plan", "plan", rice.subject)
    assert one(facts, "1.2", "%").compared_to == "prior"
    assert one(facts, "62000", "con").qualifier == "trên"
    assert one(facts, "68.5", "tạ/ha").qualifier == "ước"


def test_it_links_a_list_to_its_total_and_names_the_villages() -> None:
    facts = sample("commune")
    total = one(facts, "85", "ha")
    parts = [f for f in facts if f.group == total.group and f.role == "part"]
    assert total.group == f"sum:{total.paragraph}:{total.start}"
    assert [(p.value, p.org_unit) for p in parts] == [
        (Decimal(32), "thôn Đông"),
        (Decimal(28), "thôn Đoài"),
        (Decimal(25), "thôn Nam"),
    ]


def test_it_reads_money_in_words_and_budget_shares() -> None:
    facts = sample("commune")
    revenue = one(facts, "5.250", "tỷ đồng")
    assert one(facts, "58.3", "%").role == "pct_budget"
    assert one(facts, "58.3", "%").compared_to == "budget"
    land = one(facts, "3.1", "tỷ đồng")
    assert (land.role, land.group) == ("part", revenue.group)


def test_it_reads_a_budget_estimate_and_a_breakdown_in_another_scale() -> None:
    facts = sample("commune")
    estimate = one(facts, "9.0", "tỷ đồng")
    assert (estimate.role, estimate.period, estimate.decimals) == ("plan", "2024", 1)
    cost = one(facts, "1.2", "tỷ đồng")
    part = one(facts, "150", "triệu đồng")
    assert (part.role, part.group) == ("part", cost.group)
    assert cost.org_unit == "thôn Bắc"


def test_it_pairs_counts_and_reads_percentage_points() -> None:
    facts = sample("commune")
    x = one(facts, "1856", "hộ")
    y = one(facts, "1920", "hộ")
    assert (
        (x.role, y.role) == ("count_of", "count_total")
        and x.group == y.group
        and str(x.group).startswith("xy:")
    )
    assert one(facts, "96.7", "%").role == "share"
    assert one(facts, "0.4", "điểm phần trăm").role == "pp_change"
    assert Decimal(1) not in values(
        [f for f in facts if f.unit == "tuổi"]
    )  # "dưới 1 tuổi" names the children


def test_it_links_a_footnote_breakdown_to_the_number_citing_it() -> None:
    facts = sample("commune")
    cited = one(facts, "320", "lượt")
    items = [f for f in facts if f.footnote == "1"]
    assert [f.value for f in items] == [Decimal(90), Decimal(85), Decimal(75), Decimal(70)]
    assert {f.role for f in items} == {"part"}
    assert {f.group for f in items} == {cited.group} == {f"sum:{cited.paragraph}:{cited.start}"}
    assert items[0].org_unit == "thôn Đông"


def test_it_reads_targets_of_the_next_half_year() -> None:
    facts = sample("commune")
    food = one(facts, "5600", "tấn")
    assert (food.role, food.qualifier, food.period) == ("target", "trên", "2024S2")
    poor = one(facts, "1.5", "%")
    assert (poor.role, poor.qualifier) == ("target", "dưới")
    low, high = one(facts, "1", "thôn"), one(facts, "2", "thôn")
    assert (low.role, high.role) == ("range_low", "range_high") and low.group == high.group


# --- a province report --------------------------------------------------------------------


def test_it_reads_a_province_report() -> None:
    facts = sample("province")
    growth = one(facts, "7.85", "%")
    assert (growth.role, growth.compared_to, growth.qualifier) == ("pct_change", "2022", "ước")
    rank, of = one(facts, "12", role="rank"), one(facts, "63", role="count_total")
    assert rank.group == of.group
    budget = one(facts, "21450", "tỷ đồng")
    assert one(facts, "112.4", "%").role == "pct_budget"
    assert {f.value for f in facts if f.group == budget.group and f.role == "part"} == {
        Decimal(18200),
        Decimal(3250),
    }
    assert one(facts, "9.6", "tỷ USD")
    assert one(facts, "52.3", "nghìn tỷ đồng")
    assert one(facts, "75", "%").role == "share"
    assert one(facts, "0.62", "%").role == "pp_change"  # a rate's change, loosely written "%"
    assert one(facts, "32.5", "giường/vạn dân")


def test_it_names_districts_in_a_province_report() -> None:
    facts = sample("province")
    rice = one(facts, "152340", "ha")
    parts = [f for f in facts if f.group == rice.group and f.role == "part"]
    assert [p.org_unit for p in parts] == ["huyện An Hòa", "huyện Bình Sơn", "thị xã Đông Triều"]


def test_it_reads_province_targets() -> None:
    facts = sample("province")
    low, high = one(facts, "8", "%"), one(facts, "8.5", "%")
    assert (low.role, high.role, low.period) == ("range_low", "range_high", "2024")
    assert one(facts, "22000", "tỷ đồng").role == "target"
    pp_low = one(facts, "0.5", "điểm phần trăm")
    assert pp_low.role == "range_low"
    assert one(facts, "15", "xã").role == "target"


# --- an agriculture report -----------------------------------------------------------------


def test_it_reads_an_agriculture_report() -> None:
    facts = sample("agriculture")
    assert one(facts, "98.5", "%").role == "pct_plan"
    low, high = one(facts, "41000", "tấn"), one(facts, "42000", "tấn", role="range_high")
    assert low.role == "range_low" and low.group == high.group and str(low.group).startswith("range:")
    assert one(facts, "2.1", "%").compared_to == "2023"
    assert one(facts, "6.12", "tấn/ha")
    assert one(facts, "1.25", "triệu con")
    over = one(facts, "3.2", "%")
    assert (over.role, over.compared_to) == ("pp_change", "plan")
    prior = one(facts, "8120", "tấn")
    assert (prior.role, prior.period) == ("prior", "2023")
    assert one(facts, "73.5", "tạ/ha")


def test_it_links_an_agriculture_footnote_and_a_funding_list() -> None:
    facts = sample("agriculture")
    fruit = one(facts, "1230", "ha")
    in_text = [f.value for f in facts if f.group == fruit.group and f.role == "part" and not f.footnote]
    in_note = [(f.value, f.org_unit) for f in facts if f.group == fruit.group and f.footnote == "1"]
    assert in_text == [Decimal(540), Decimal(410)]
    assert in_note[:3] == [
        (Decimal(310), "xã Đông Tiến"),
        (Decimal(265), "xã Tam Đa"),
        (Decimal(220), "xã Dũng Liệt"),
    ]
    funds = one(facts, "12.5", "tỷ đồng")
    assert [f.value for f in facts if f.group == funds.group and f.role == "part"] == [
        Decimal("7.2"),
        Decimal("4.1"),
        Decimal("1.2"),
    ]


def test_it_reads_agriculture_targets() -> None:
    facts = sample("agriculture")
    target = one(facts, "42000", "tấn", role="target")
    assert (target.period, target.qualifier) == ("2025", "trên")
    low = one(facts, "2.5", "%")
    assert (low.role, low.compared_to) == ("range_low", "prior")


# --- a health and education report -----------------------------------------------------------


def test_it_reads_a_health_report() -> None:
    facts = sample("health_edu")
    visits = one(facts, "185420", "lượt")
    assert {f.value for f in facts if f.group == visits.group and f.role == "part"} == {
        Decimal(12350),
        Decimal(8960),
    }
    assert one(facts, "103.2", "%").role == "pct_plan"
    assert one(facts, "98.6", "%").role == "share"
    assert one(facts, "0.8", "điểm phần trăm").role == "pp_change"
    assert one(facts, "9.8", "bác sỹ/vạn dân")
    assert one(facts, "28", "giường/vạn dân")
    assert one(facts, "112", "bé trai/100 bé gái")
    assert not [f for f in facts if f.unit == "tuổi"]  # "dưới 1 tuổi", "dưới 5 tuổi" name groups of children
    assert Decimal(100) not in values(facts)


def test_it_reads_an_education_report() -> None:
    facts = sample("health_edu")
    x, y = one(facts, "58", "trường"), one(facts, "64", "trường")
    assert (x.role, y.role) == ("count_of", "count_total")
    assert one(facts, "3", role="rank").group == one(facts, "12", role="count_total").group
    pupils = one(facts, "86", "học sinh")
    prizes = [f for f in facts if f.unit == "giải"]
    assert [f.value for f in prizes] == [Decimal(8), Decimal(21), Decimal(30), Decimal(27)]
    assert {f.role for f in prizes} == {"part"} and len({f.group for f in prizes}) == 1
    assert pupils.role == "value"
    assert Decimal(10) not in values(facts) and Decimal(9) not in values(facts)  # "lớp 10", "lớp 9"


# --- the shape of every fact -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["commune", "province", "agriculture", "health_edu", "sloppy"])
def test_every_fact_is_well_formed(name: str) -> None:
    facts = sample(name)
    assert facts
    for f in facts:
        assert f.role in ROLES
        assert len(f.quote) <= 200
        assert 0.0 <= f.confidence <= 1.0
        assert (f.indicator is None) == (f.confidence == 0.0)
        if f.role in ("pct_plan", "pct_budget", "pct_change", "pp_change"):
            assert f.compared_to is not None
        if f.group is not None:
            assert re.fullmatch(r"(sum|list|xy|range):\d+:\d+", f.group)


def test_it_maps_subjects_to_the_catalog(catalog: Catalog) -> None:
    facts = sample("health_edu", catalog)
    assert one(facts, "112", "bé trai/100 bé gái").indicator == "YT.TY_SO_GT_KHI_SINH"
    facts = sample("commune", catalog)
    assert one(facts, "1.9", "%").indicator == "LD.TL_HO_NGHEO"


def test_it_reports_progress() -> None:
    calls: list[tuple[int, int]] = []
    doc = doc_from_text((SAMPLES / "facts_commune.txt").read_text(encoding="utf-8"))
    extract(doc, progress=lambda i, n: calls.append((i, n)))
    assert calls[-1] == (len(doc.paragraphs), len(doc.paragraphs))


def test_a_repeated_document_gives_each_fact_once_per_copy() -> None:
    # the time this takes is measured by bench/extract.py (its "scaling" line), not here
    text = (SAMPLES / "facts_province.txt").read_text(encoding="utf-8")
    small, big = doc_from_text(text), doc_from_text(text * 40)
    facts = extract(big)
    assert len(facts) == 40 * len(extract(small))


def test_a_footnote_kept_at_the_end_belongs_where_it_is_cited() -> None:
    doc = doc_from_text(
        "## BÁO CÁO\nKết quả năm 2023\n## Phần I\n## I. KINH TẾ\n"
        "Tổng diện tích gieo trồng 1.200 ha[^1], đạt 101% kế hoạch.\n"
        "## Phần II\n## MỤC TIÊU, NHIỆM VỤ NĂM 2024\nPhấn đấu diện tích gieo trồng 1.250 ha.\n"
        "[^1] Trong đó, vụ Xuân 700 ha, vụ Mùa 500 ha.\n"
    )
    facts = extract(doc)
    total = one(facts, "1200", "ha")
    spring = one(facts, "700", "ha")
    assert (spring.role, spring.period, spring.group, spring.footnote) == ("part", "2023", total.group, "1")
    assert one(facts, "1250", "ha").role == "target"


@given(st.text(alphabet="ab() ", max_size=40))
def test_parenthesis_depth_is_that_of_a_plain_scan(text: str) -> None:
    para = Para(0, Paragraph(text, Kind.BODY, None, ((0, 1),)))
    depth, opens, stack = [], [], []
    for i, ch in enumerate(text):
        if ch == "(":
            stack.append(i)
        depth.append(len(stack))
        opens.append(stack[-1] if stack else -1)
        if ch == ")" and stack:
            stack.pop()
    assert para.depth == [*depth, 0] and para.opens == [*opens, -1]


@given(st.lists(st.text(alphabet="0123456789.,%/:;()- aăđêhóộtxãm²KHầnTrongđó", max_size=60), max_size=6))
def test_it_never_fails_on_odd_text(lines: list[str]) -> None:
    facts = extract(doc_from_text("\n".join(lines)))
    for f in facts:
        assert f.role in ROLES and f.value.is_finite()


def test_it_works_without_a_title_or_period() -> None:
    facts = extract(doc_from_text("Diện tích lúa 1.250 ha, tăng 3% so với cùng kỳ."))
    assert [(f.value, f.unit, f.role, f.period) for f in facts] == [
        (Decimal(1250), "ha", "value", None),
        (Decimal(3), "%", "pct_change", None),
    ]


def test_a_long_paragraph_keeps_each_sentences_facts_apart() -> None:
    sentence = (
        "Tổng diện tích lúa 1.250 ha, đạt 101,2% kế hoạch, trong đó vụ Xuân 600 ha, vụ Mùa 650 ha; "
        "thu ngân sách 12,5 tỷ đồng, tăng 3% so với năm 2022 (trong đó thuế 2 tỷ đồng). "
    )
    small = extract(doc_from_text(sentence * 50))
    big = extract(doc_from_text(sentence * 800))
    assert len(big) == 16 * len(small) == 16 * 50 * 7
    spring = [f for f in big if f.value == 600]
    assert len({f.group for f in spring}) == 800  # each sentence's list hangs on its own total


def test_case_insensitive_scans_find_what_the_regexes_would() -> None:
    # _find.finditer looks for a pattern's first words with str.find in lower-cased text: right only
    # if every letter they are spelled with matches, case-insensitively, just characters that
    # lower-case to it ("i" also matches "ı" and "İ": text with either is scanned the plain way)
    words = {w for levels in (_UNIT_LEVELS, _ABOVE) for alt in levels.values() for w in first_words(alt)}
    words |= {*_WHOLE_WORDS, *PERIOD_WORDS, *_LIST_CUE_WORDS}
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    for letter in sorted(set("".join(words))):
        matching = set(re.compile(re.escape(letter), re.IGNORECASE).findall(every)) - {"ı", "İ"}
        assert {c.lower() for c in matching} == {letter}, letter
    texts = [
        "Toàn huyện có 12 xã, thị trấn; xã Đoàn Tùng, trong đó: 6 tháng đầu năm 2023",
        "TT. Thanh Miện, THỊ XÃ Chí Linh; GIAI ĐOẠN 2021 - 2025, gồm có, cụ thể:",
        "İ toàn tỉnh, xã Ngũ Hùng, năm 2024; chı tiết: so với năm 2022",
        "trongồm 3 xã: TTT, thị xãxã; gồm có",
    ]
    units = _UnitWords(Document("t", "txt", [Paragraph(t, Kind.BODY, 1, ((0, 1),)) for t in texts]))
    scans = [
        (_WHOLE_RE, _WHOLE_WORDS),
        (PERIOD_RE, PERIOD_WORDS),
        (_LIST_CUE_RE, _LIST_CUE_WORDS),
        *((level_re(level), first_words(_UNIT_LEVELS[level])) for level in _UNIT_LEVELS),
        *((above_re(level), first_words(_ABOVE[level])) for level in _ABOVE),
    ]
    for pattern, first in scans:
        for i, text in enumerate(texts):
            plain = [m.span() for m in pattern.finditer(text)]
            assert [m.span() for m in units.finditer(i, pattern, first)] == plain
            assert [m.span() for m in finditer(pattern, text, lowered(text), first, 10, 60)] == [
                m.span() for m in pattern.finditer(text, 10, 60)
            ]
