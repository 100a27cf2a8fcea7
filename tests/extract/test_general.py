"""General rules of fact extraction and checking, each on a small document of its own
(``samples/facts_general_*.txt``), written for rules found missing on reports the extractor
was not built on (``unseen/README.md``):

- units: a compound count noun keeps all its syllables ("giấy phép", "tân binh", "bé trai"),
  a multiplier joins the unit it multiplies ("3,6 triệu tấn"), a head noun that is itself a
  count noun keeps only its first syllable ("150 thùng rác" -> "thùng");
- lists: "rau các loại 85 ha" is an item ("các" makes "loại" a common noun, not a class);
  "đợt 2", "loại 1" are ordinals;
- rates: "300.000 đồng/suất", "đồng/người/tháng", "kg/người" keep the whole rate unit and are
  never parts of a sum of amounts;
- periods: a year in a comparison ("so với vụ Chiêm năm 2023") is a base, not the period of
  what follows, and a stated period ends with its clause (";");
- targets: "trở lên" after a number bounds it and makes a target only where a plan is spoken
  of; "trở lên" in a subject ("sinh con thứ 3 trở lên") does neither; "(kế hoạch 7,8%)" is a
  plan; a growth rate stated as the indicator's value is a change;
- money: "3 tỷ 412,5 triệu đồng" is one amount;
- checker: a yield pairs only with areas and outputs of its own crop, never with an area stated
  after it in another sentence, and an amount of change is no yield; a % of dự toán is checked
  against the dự toán of its own clause.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from ktxh.core.rules import Severity
from ktxh.extract.checker import Finding, check
from ktxh.extract.facts import extract
from ktxh.extract.model import Document, Fact

from .test_facts import doc_from_text

SAMPLES = Path(__file__).parent / "samples"


@cache
def _doc(name: str) -> Document:
    path = SAMPLES / f"facts_general_{name}.txt"
    return doc_from_text(path.read_text(encoding="utf-8"), str(path))


@cache
def _facts(name: str) -> tuple[Fact, ...]:
    return tuple(extract(_doc(name)))


@cache
def _findings(name: str) -> tuple[Finding, ...]:
    return tuple(check(_doc(name), list(_facts(name))))


def _at(name: str, line: int) -> list[tuple[Decimal, str, str]]:
    """(value, unit, role) of the facts of ``line``, in order."""
    return [(f.value, f.unit, f.role) for f in _facts(name) if f.line == line]


def _one(name: str, line: int, value: str) -> Fact:
    hits = [f for f in _facts(name) if f.line == line and f.value == Decimal(value)]
    assert len(hits) == 1, (value, _at(name, line))
    return hits[0]


# -- units ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "value", "unit"),
    [
        (4, "215", "giấy phép"),
        (4, "64", "giấy chứng nhận"),
        (5, "142", "tân binh"),
        (5, "2", "siêu thị"),
        (5, "37", "tàu thuyền"),
        (6, "96", "bác sỹ"),
        (6, "14", "kỹ sư"),  # not listed: "kỹ" is no noun alone, so the noun goes on
        (6, "8", "dược sỹ"),  # "dược sĩ", spelled as the registry spells "bác sỹ"
        (7, "702", "bé trai"),
        (7, "618", "bé gái"),
    ],
)
def test_a_compound_count_noun_keeps_all_its_syllables(line: int, value: str, unit: str) -> None:
    assert _one("units", line, value).unit == unit


def test_a_head_noun_that_counts_by_itself_keeps_one_syllable() -> None:
    assert _one("units", 4, "150").unit == "thùng"  # "150 thùng rác"
    assert _one("units", 5, "5").unit == "chợ"  # "5 chợ nông thôn"
    assert _one("units", 7, "1320").unit == "trẻ"


@pytest.mark.parametrize(
    ("value", "unit"),
    [("3.6", "triệu tấn"), ("812", "triệu kWh"), ("1.25", "tỷ USD"), ("2.4", "triệu lượt")],
)
def test_a_multiplier_joins_the_unit_it_multiplies(value: str, unit: str) -> None:
    assert _one("units", 8, value).unit == unit


def test_a_bare_ty_is_money_and_takes_no_following_word() -> None:
    # "ủng hộ 2 tỷ xây nhà": "tỷ" alone is tỷ đồng; "xây" is no unit
    assert _at("units", 9) == [(Decimal(2), "tỷ đồng", "value")]


def test_a_phase_number_is_an_ordinal_and_a_count_of_phases_a_quantity() -> None:
    # "Tổ chức 3 đợt ra quân …; đợt 2 huy động 1.150 người"
    assert _at("units", 10) == [(Decimal(3), "đợt", "value"), (Decimal(1150), "người", "value")]
    assert _at("lists", 7) == [(Decimal(3400), "con", "value")]  # "Tiêm phòng đợt 2 cho 3.400 con"


# -- lists ----------------------------------------------------------------------------------------


def test_the_item_after_cac_loai_is_kept_in_its_breakdown() -> None:
    area = _at("lists", 4)
    assert area[-1] == (Decimal(85), "ha", "part")  # "rau các loại 85 ha"
    total = _one("lists", 4, "560")
    assert {f.group for f in _facts("lists") if f.line == 4} == {total.group}
    fish = _one("lists", 5, "248")  # "cá các loại 248 tấn"
    assert (fish.role, fish.group) == ("part", _one("lists", 5, "310").group)
    assert not [f for f in _findings("lists") if f.code == "PARTS_SUM"]  # 420 + 55 + 85 = 560


def test_a_class_number_is_no_quantity() -> None:
    assert _at("lists", 6) == [(Decimal(40), "%", "share")]  # "Đất trồng lúa loại 1 chiếm 40%"


# -- rates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "value", "unit"),
    [(4, "300000", "đồng/suất"), (5, "750000", "đồng/người/tháng"), (6, "15", "kg/người")],
)
def test_a_rate_keeps_its_whole_unit_and_joins_no_sum(line: int, value: str, unit: str) -> None:
    f = _one("rates", line, value)
    assert (f.unit, f.role, f.group) == (unit, "value", None)


def test_a_rate_is_not_a_restatement_of_the_total() -> None:
    # 1.200 suất × 300.000 đồng = 360 triệu đồng: no finding may compare 300.000 with 360 triệu
    assert not [f for f in _findings("rates") if 4 in f.lines]


# -- periods --------------------------------------------------------------------------------------


def test_a_year_in_a_comparison_is_not_the_period_of_what_follows() -> None:
    # "tăng 2,1 tạ/ha so với vụ Chiêm năm 2023; sản lượng lúa đạt 3.300 tấn"
    change = _one("periods", 4, "2.1")
    assert (change.role, change.compared_to) == ("value", "2023")
    output = _one("periods", 4, "3300")
    assert (output.role, output.period) == ("value", "2024S1")


def test_a_stated_period_ends_with_its_clause() -> None:
    # "Cuối năm 2023 toàn xã có 25 hộ nghèo; trong kỳ đã giúp 9 hộ thoát nghèo, hiện còn 16 hộ nghèo."
    assert _at("periods", 5) == [
        (Decimal(25), "hộ", "prior"),
        (Decimal(9), "hộ", "value"),
        (Decimal(16), "hộ", "value"),
    ]
    assert _at("periods", 6) == [(Decimal("7.2"), "tỷ đồng", "prior")]  # "Năm 2023 xã thu …"


# -- targets --------------------------------------------------------------------------------------


def test_tro_len_in_a_subject_makes_no_target() -> None:
    # "trong đó sinh con thứ 3 trở lên 96 cháu, chiếm 11,3%"
    assert [r for _v, _u, r in _at("targets", 5)] == ["value", "part", "share"]
    # "Tỷ lệ sinh con thứ ba trở lên 5,2%, giảm 0,3 điểm phần trăm so với năm 2022"
    assert [r for _v, _u, r in _at("targets", 6)] == ["share", "pp_change"]


def test_tro_len_after_a_number_makes_a_target_only_where_a_plan_is_spoken_of() -> None:
    assert _one("targets", 7, "98").role == "share"  # "Có 14 xã đạt … 98% trở lên": a result
    assert _one("targets", 8, "93").role == "target"  # "Phấn đấu … đạt 93% trở lên"
    assert _one("targets", 10, "3200").role == "target"  # Part II


def test_a_plan_stated_as_a_percentage_is_a_plan() -> None:
    assert _one("targets", 4, "7.8").role == "plan"  # "chưa đạt kế hoạch (kế hoạch 7,8%)"
    assert _one("targets", 4, "54").role == "plan"  # "vượt kế hoạch (kế hoạch 54%)"
    assert _one("targets", 4, "54.1").role == "share"


def test_a_growth_rate_stated_as_the_value_is_a_change() -> None:
    f = _one("targets", 4, "7.4")  # "Tốc độ tăng trưởng kinh tế ước đạt 7,4%"
    assert (f.role, f.compared_to) == ("pct_change", "prior")


# -- money ----------------------------------------------------------------------------------------


def test_money_in_words_with_a_decimal_tail_is_one_amount() -> None:
    total = _one("money", 4, "3.4125")  # "3 tỷ 412,5 triệu đồng"
    assert (total.unit, total.decimals) == ("tỷ đồng", 4)
    part = _one("money", 4, "1.25")  # "1 tỷ 250 triệu đồng"
    assert (part.role, part.group) == ("part", total.group)
    assert _at("money", 5) == [(Decimal("12.5"), "triệu đồng", "value")]  # "12 triệu 500 nghìn đồng"


# -- checker: yield × area = output ------------------------------------------------------------------


def test_a_yield_pairs_with_its_crops_area_from_the_paragraph_above() -> None:
    # lúa 520 ha (line 4) × 65 tạ/ha = 3.380 tấn, written 3.800 tấn (line 5)
    hits = [f for f in _findings("yield") if f.code == "YIELD_AREA_OUTPUT" and 5 in f.lines]
    assert [(f.lines, f.stated, f.expected) for f in hits] == [((4, 5), "3.800 tấn", "3.380 tấn")]
    assert hits[0].severity is Severity.WARNING  # the area is in another sentence


def test_an_output_stated_with_its_yield_is_paired_whatever_it_calls_the_crop() -> None:
    # "Năng suất lúa vụ Mùa 58 tạ/ha, sản lượng thóc 2.560 tấn" after "Diện tích lúa vụ Mùa 480 ha"
    hits = [f for f in _findings("yield") if f.code == "YIELD_AREA_OUTPUT" and 7 in f.lines]
    assert [(f.stated, f.expected) for f in hits] == [("2.560 tấn", "2.784 tấn")]


def test_a_yield_is_not_paired_with_another_crop_or_a_later_area() -> None:
    # ngô 150 × 50 and khoai lang 70 × 120 hold; the aquaculture area (36 ha) comes after the yields,
    # "tăng 1,5 tạ/ha" is a change, and "năng suất bình quân 24 tạ/ha" of lạc (40 ha) is not about
    # the 30 tấn of đậu xanh
    hits = [f for f in _findings("yield") if f.code == "YIELD_AREA_OUTPUT"]
    assert all("36 ha" not in f.message and "1,5 tạ/ha" not in f.message for f in hits)
    assert not [f for f in hits if 6 in f.lines]


# -- checker: % of dự toán ----------------------------------------------------------------------------


def test_a_percentage_of_budget_is_checked_against_its_own_clauses_estimate() -> None:
    # 1.520 / 1.400 and 1.180 / 1.100 hold; 340 / 300 = 113,3%, written 121,4%
    hits = [f for f in _findings("budget") if f.code == "STATED_PCT"]
    assert [(f.severity, f.stated, f.expected) for f in hits] == [(Severity.ERROR, "121,4%", "113,3%")]
    assert "340 tỷ đồng / 300 tỷ đồng" in hits[0].message


# -- checker: a share of a total named after the % ----------------------------------------------------


def test_a_share_of_a_named_total_may_be_of_the_sum_of_listed_items() -> None:
    # 1.530 con trâu, bò / (420 + 1.380) = 85% "tổng đàn": holds; 350 / (260 + 140) = 87,5%, not 95%
    hits = [f for f in _findings("shares") if f.code == "STATED_PCT"]
    assert [(f.lines, f.severity, f.stated) for f in hits] == [((5,), Severity.WARNING, "95%")]


# -- footnote bodies a text reader kept as body paragraphs ---------------------------------------------


def test_numbered_notes_after_part_two_belong_to_the_paragraph_citing_them() -> None:
    # "(1) Gồm: … Tổng kinh phí 3,2 tỷ đồng." explains "3,4 km … (1)." of Part I: this period's values
    for line in (11, 12):
        assert {(f.role, f.period) for f in _facts("notes") if f.line == line} <= {
            ("part", "2024S1"),
            ("value", "2024S1"),
        }, _at("notes", line)
    assert _one("notes", 11, "3.2").role == "value"
    # the enumeration "(1) Hoàn thành 5 km …", "(2) Tổ chức 3 lớp …" of Part II stays a target
    assert (_one("notes", 9, "5").role, _one("notes", 10, "3").role) == ("target", "target")


# -- breakdowns -----------------------------------------------------------------------------------


def test_bullets_after_a_trailing_trong_do_are_parts_of_the_total() -> None:
    total = _one("breakdowns", 4, "96.3")  # "… 96 tỷ 300 triệu đồng, bằng 78,4% dự toán, trong đó:"
    bullets = [_one("breakdowns", 5, "58.6"), _one("breakdowns", 6, "37.7")]  # "+ Thu …: 58,6 tỷ đồng"
    assert total.group and {(b.role, b.group) for b in bullets} == {("part", total.group)}
    assert _one("breakdowns", 7, "210.5").role == "value"  # the next paragraph is no bullet


def test_a_count_after_trong_do_in_another_noun_is_still_a_part() -> None:
    # "1.950 lao động, …, trong đó xuất khẩu lao động 240 người": a list item, not a total's sibling
    item = _one("breakdowns", 8, "240")
    assert item.role == "part" and (item.group or "").startswith("list:")
    assert _one("breakdowns", 8, "1950").role == "value"


def test_a_breakdown_of_a_target_stays_target_and_is_still_summed() -> None:
    # Part II: "đạt 3.200 tỷ đồng, trong đó thu nội địa 2.450 tỷ đồng, … xuất nhập khẩu 850 tỷ đồng"
    assert [r for _v, _u, r in _at("targets", 10)] == ["target", "target", "target"]
    hits = [f for f in _findings("targets") if f.code == "PARTS_SUM"]
    assert [(f.lines, f.stated, f.expected) for f in hits] == [((10,), "3.200 tỷ đồng", "3.300 tỷ đồng")]


def test_a_count_after_trong_do_is_a_part_of_the_x_of_an_x_y_pair() -> None:
    # "Có 41/48 trường đạt chuẩn quốc gia, trong đó 15 trường đạt chuẩn mức độ 2"
    x = _one("breakdowns", 9, "41")
    item = _one("breakdowns", 9, "15")
    assert (x.role, item.role) == ("count_of", "part")
    assert item.group == f"sum:{x.paragraph}:{x.start}"


def test_a_multiplied_unit_converts_like_its_unit() -> None:
    # "1,25 triệu tấn (1.250 nghìn tấn)" holds; "2,4 triệu tấn (2.600 nghìn tấn)" does not
    hits = [f for f in _findings("units") if f.code == "UNIT_CONVERSION"]
    assert [(f.lines, f.stated, f.expected) for f in hits] == [((11,), "2.600 nghìn tấn", "2.400 nghìn tấn")]


# -- the part of a report that plans the rest of its year ------------------------------------------------


@pytest.mark.parametrize(
    "heading",
    [
        "## II. NHIỆM VỤ TRỌNG TÂM QUÝ IV NĂM 2024",
        "## IV. NHIỆM VỤ 3 THÁNG CUỐI NĂM",
        "## II. PHƯƠNG HƯỚNG NHIỆM VỤ QUÝ 4",
    ],
)
def test_a_heading_planning_the_rest_of_the_year_starts_the_target_part(heading: str) -> None:
    path = SAMPLES / "facts_general_quarter.txt"
    text = path.read_text(encoding="utf-8").replace("## II. NHIỆM VỤ TRỌNG TÂM QUÝ IV NĂM 2024", heading)
    facts = extract(doc_from_text(text, str(path)))
    # "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ 9 THÁNG NĂM 2024" reports: its figures are this period's values
    assert {f.role for f in facts if f.line < 7} == {"value", "pct_plan", "share"}
    late = [f for f in facts if f.line > 7]
    assert {f.role for f in late} == {"target"} and {f.period for f in late} == {"2024Q4"}
