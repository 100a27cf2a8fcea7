"""The document checker on hand-made documents and facts: each check finds its slip and leaves
a relation that holds (within rounding or truncation) alone. The seed is measured at the end,
with the hand-built gold facts placed in its text (no extractor involved)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ktxh.core.rules import Severity
from ktxh.extract.checker import CODES, check, summary
from ktxh.extract.model import Fact

from .checkdocs import Doc, gold_facts
from .docs import seed_document


def _codes(findings: list, severity: Severity | None = None) -> list[str]:  # type: ignore[type-arg]
    return [f.code for f in findings if severity is None or f.severity is severity]


# -- PARTS_SUM ------------------------------------------------------------------------------------


def _footnote_roads(last: str) -> tuple[Doc, list[Fact]]:
    d = Doc()
    body = d.body(
        "Tổng chiều dài đường giao thông thôn, xóm đã đầu tư xây dựng là 8,500 km, đạt 90% kế hoạch.",
        refs={"5": "đạt 90% kế hoạch"},
    )
    note = d.footnote(
        "5", f"Xã An Bình 2,300 km; xã Hòa Lạc 1,900 km; xã Tân Phú 2,100 km; xã Đông Sơn {last} km."
    )
    facts = [d.fact(body, "8,500", "value", "km")]
    for name, number in (
        ("An Bình", "2,300"),
        ("Hòa Lạc", "1,900"),
        ("Tân Phú", "2,100"),
        ("Đông Sơn", last),
    ):
        facts.append(d.fact(note, number, "part", "km", org_unit=f"xã {name}"))
    return d, facts


def test_it_finds_a_footnote_of_communes_that_does_not_add_up_to_the_body_total() -> None:
    d, facts = _footnote_roads("2200")
    found = [f for f in check(d.doc(), facts) if f.code == "PARTS_SUM"]
    assert len(found) == 1
    f = found[0]
    assert f.severity is Severity.ERROR
    assert f.stated == "8,5 km" or f.stated == "8,500 km"
    assert f.expected == "2.206,3 km"
    assert f.suggestion and "2.200 → 2,2" in f.suggestion
    assert set(f.lines) == {fact.line for fact in facts}


def test_it_leaves_a_footnote_that_adds_up_alone() -> None:
    d, facts = _footnote_roads("2,200")
    assert check(d.doc(), facts) == []


def test_it_accepts_a_sum_within_the_rounding_of_its_items() -> None:
    # 3 items printed to one decimal may add up to 0,15 off the total
    d = Doc()
    i = d.body("Tổng diện tích gieo trồng 10,1 ha, gồm: lúa 3,4 ha, ngô 3,4 ha, rau 3,4 ha.")
    facts = [d.fact(i, "10,1", "value", "ha")] + [d.fact(i, "3,4", "part", "ha", nth=n) for n in range(3)]
    assert check(d.doc(), facts) == []
    # 10,5 is beyond what rounding explains (Σ ∈ [10,05; 10,35], 10,5 ∈ [10,45; 10,55])
    d2 = Doc()
    j = d2.body("Tổng diện tích gieo trồng 10,5 ha, gồm: lúa 3,4 ha, ngô 3,4 ha, rau 3,4 ha.")
    facts2 = [d2.fact(j, "10,5", "value", "ha")] + [d2.fact(j, "3,4", "part", "ha", nth=n) for n in range(3)]
    assert _codes(check(d2.doc(), facts2), Severity.ERROR) == ["PARTS_SUM"]


def test_it_reads_trong_do_as_at_most_unless_the_shares_make_the_list_complete() -> None:
    d = Doc()
    i = d.body("Tiếp nhận 855 hồ sơ, trong đó trực tuyến 846 hồ sơ, đạt 99%; trực tiếp 05 hồ sơ, chiếm 1%.")
    base = [
        d.fact(i, "855", "value", "hồ sơ"),
        d.fact(i, "846", "part", "hồ sơ"),
        d.fact(i, "99", "share", "%"),
        d.fact(i, "05", "part", "hồ sơ"),
        d.fact(i, "1", "share", "%"),
    ]
    found = check(d.doc(), base)
    assert [(f.code, f.severity, f.stated, f.expected) for f in found] == [
        ("PARTS_SUM", Severity.ERROR, "855 hồ sơ", "851 hồ sơ")
    ]
    # without the shares a "trong đó" list may leave things out: nothing to say
    d2 = Doc()
    j = d2.body("Tiếp nhận 855 hồ sơ, trong đó trực tuyến 846 hồ sơ; trực tiếp 05 hồ sơ.")
    facts = [
        d2.fact(j, "855", "value", "hồ sơ"),
        d2.fact(j, "846", "part", "hồ sơ"),
        d2.fact(j, "05", "part", "hồ sơ"),
    ]
    assert check(d2.doc(), facts) == []


def test_it_checks_a_parenthesised_breakdown_of_one_item() -> None:
    d = Doc()
    i = d.body(
        "Diện tích lúa cả năm 12.135 ha (vụ Chiêm Xuân 6.070 ha; vụ Mùa 6.055 ha), đạt 99,1% kế hoạch."
    )
    facts = [
        d.fact(i, "12.135", "part", "ha", group="g"),
        d.fact(i, "6.070", "part", "ha", group="g"),
        d.fact(i, "6.055", "part", "ha", group="g"),
    ]
    found = [f for f in check(d.doc(), facts) if f.code == "PARTS_SUM"]
    assert [(f.stated, f.expected) for f in found] == [("12.135 ha", "12.125 ha")]


def test_it_does_not_sum_a_footnote_that_holds_subtotals() -> None:
    # "78 ha, gồm: 50 ha (…) và 28 ha" then "40 ha … 60 ha": the body figure is the 100 ha season
    d = Doc()
    body = d.body("Vụ Xuân thực hiện 78 ha; vụ Mùa thực hiện 100 ha.", refs={"2": "100 ha"})
    note = d.footnote(
        "2",
        "Vụ Xuân 78 ha, gồm: 5 mô hình là 50 ha và 7 mô hình là 28 ha. Vụ Mùa: nhóm 1 là 40 ha; nhóm 2 là 60 ha.",
    )
    facts = [d.fact(body, "78", "value", "ha"), d.fact(body, "100", "value", "ha")]
    facts += [d.fact(note, n, "part", "ha") for n in ("78", "50", "28", "40", "60")]
    assert _codes(check(d.doc(), facts), Severity.ERROR) == []


def test_it_reads_a_footnote_that_lists_two_quantities_per_item() -> None:
    d = Doc()
    body = d.body(
        "Tổng vốn huy động ước đạt 7.000 tỷ đồng; tổng dư nợ ước đạt 4.000 tỷ đồng.",
        refs={"11": "4.000 tỷ đồng"},
    )
    note = d.footnote(
        "11",
        "Ngân hàng A: huy động 4.000 tỷ đồng, dư nợ 2.500 tỷ đồng; Ngân hàng B: huy động 3.000 tỷ đồng, dư nợ 1.500 tỷ đồng.",
    )
    facts = [d.fact(body, "7.000", "value", "tỷ đồng"), d.fact(body, "4.000", "value", "tỷ đồng")]
    facts += [d.fact(note, n, "part", "tỷ đồng") for n in ("4.000", "2.500", "3.000", "1.500")]
    assert check(d.doc(), facts) == []


def test_it_finds_parts_that_exceed_the_total_and_names_the_item_left_out() -> None:
    d = Doc()
    body = d.body("Chuyển 22.256 suất quà cho các đối tượng chính sách.", refs={"19": "chính sách"})
    note = d.footnote(
        "19",
        "Quà Tết: trung ương 5.516 suất, tỉnh 5.735 suất, huyện 255 suất. Quà 27/7: trung ương 5.454 suất, tỉnh 5.466 suất, huyện 85 suất.",
    )
    facts = [d.fact(body, "22.256", "value", "suất")]
    facts += [d.fact(note, n, "part", "suất") for n in ("5.516", "5.735", "255", "5.454", "5.466", "85")]
    found = check(d.doc(), facts)
    assert [(f.code, f.severity, f.expected) for f in found] == [("PARTS_SUM", Severity.ERROR, "22.511 suất")]
    assert found[0].suggestion and "bỏ sót" in found[0].suggestion and "(255)" in found[0].suggestion


# -- STATED_PCT ----------------------------------------------------------------------------------


def test_it_checks_a_share_against_its_trong_do_total_with_a_suggestion() -> None:
    d = Doc()
    i = d.body("Tổng số việc phải thi hành là 569 việc, trong đó số việc có điều kiện là 437 việc chiếm 83%.")
    facts = [
        d.fact(i, "569", "value", "việc"),
        d.fact(i, "437", "part", "việc"),
        d.fact(i, "83", "share", "%"),
    ]
    found = check(d.doc(), facts)
    assert [(f.code, f.severity, f.stated, f.expected) for f in found] == [
        ("STATED_PCT", Severity.ERROR, "83%", "76,8%")
    ]
    assert found[0].suggestion and "437 → 473" in found[0].suggestion


def test_it_accepts_a_truncated_percentage_but_not_one_beyond_truncation() -> None:
    # 40,531 / 52,592 = 77,067…%: "77,06%" is truncated, "77,1%" rounded: both hold; "77,2%" does not
    for printed, ok in (("77,06", True), ("77,07", True), ("77,1", True), ("77,2", False), ("77,04", False)):
        d = Doc()
        i = d.body(f"Đã xây dựng 40,531 km, đạt {printed}% kế hoạch (kế hoạch năm là 52,592 km).")
        facts = [
            d.fact(i, "40,531", "value", "km"),
            d.fact(i, printed, "pct_plan", "%", compared_to="plan"),
            d.fact(i, "52,592", "plan", "km"),
        ]
        found = _codes(check(d.doc(), facts))
        assert (found == []) is ok, (printed, found)


def test_it_checks_x_over_y_pairs_before_or_after_the_percentage() -> None:
    d = Doc()
    i = d.body(
        "Số hóa khi tiếp nhận đạt 99,18% (46.222/46.602 hồ sơ), số hóa kết quả đạt 99,60% (46.171/46.449 hồ sơ)."
    )
    facts = [
        d.fact(i, "99,18", "share", "%"),
        d.fact(i, "46.222", "count_of", "hồ sơ", group="a"),
        d.fact(i, "46.602", "count_total", "hồ sơ", group="a"),
        d.fact(i, "99,60", "share", "%"),
        d.fact(i, "46.171", "count_of", "hồ sơ", group="b"),
        d.fact(i, "46.449", "count_total", "hồ sơ", group="b"),
    ]
    found = check(d.doc(), facts)
    assert [(f.code, f.stated, f.expected) for f in found] == [("STATED_PCT", "99,60%", "99,40%")]
    d2 = Doc()
    j = d2.body("Có 215/215 thanh niên lên đường nhập ngũ, đạt 100% chỉ tiêu.")
    facts2 = [
        d2.fact(j, "215", "count_of", "thanh niên", nth=0, group="x"),
        d2.fact(j, "215", "count_total", "thanh niên", nth=1, group="x"),
        d2.fact(j, "100", "pct_plan", "%"),
    ]
    assert check(d2.doc(), facts2) == []


def test_it_checks_a_change_against_the_prior_value_stated() -> None:
    d = Doc()
    i = d.body("Sản lượng ước đạt 12.600 tấn, tăng 5% so với cùng kỳ (cùng kỳ năm trước đạt 12.000 tấn).")
    facts = [
        d.fact(i, "12.600", "value", "tấn"),
        d.fact(i, "5", "pct_change", "%", compared_to="prior"),
        d.fact(i, "12.000", "prior", "tấn"),
    ]
    assert check(d.doc(), facts) == []
    d2 = Doc()
    j = d2.body("Sản lượng ước đạt 12.600 tấn, giảm 5% so với cùng kỳ (cùng kỳ năm trước đạt 12.000 tấn).")
    facts2 = [
        d2.fact(j, "12.600", "value", "tấn"),
        d2.fact(j, "5", "pct_change", "%", compared_to="prior"),
        d2.fact(j, "12.000", "prior", "tấn"),
    ]
    found = check(d2.doc(), facts2)
    assert [(f.code, f.severity, f.stated, f.expected) for f in found] == [
        ("STATED_PCT", Severity.ERROR, "-5%", "5,0%")
    ]


def test_a_guessed_denominator_is_only_a_warning() -> None:
    d = Doc()
    i = d.body("Có 437 việc đủ điều kiện. Số việc đã thi hành xong là 395 việc, đạt 83,5%.")
    facts = [
        d.fact(i, "437", "value", "việc"),
        d.fact(i, "395", "value", "việc"),
        d.fact(i, "83,5", "share", "%"),
    ]
    found = check(d.doc(), facts)
    assert [(f.code, f.severity) for f in found] == [("STATED_PCT", Severity.WARNING)]


# -- YIELD_AREA_OUTPUT ---------------------------------------------------------------------------


def _fish(output: str) -> tuple[Doc, list[Fact]]:
    d = Doc()
    i = d.body(
        f"Diện tích nuôi cá 933 ha. Năng suất ước đạt 77,5 tạ/ha, tổng sản lượng thu hoạch ước đạt {output} tấn."
    )
    return d, [
        d.fact(i, "933", "value", "ha"),
        d.fact(i, "77,5", "value", "tạ/ha"),
        d.fact(i, output, "value", "tấn"),
    ]


def test_it_accepts_yield_times_area_within_rounding() -> None:
    d, facts = _fish("7.231")  # 77,5 × 933 / 10 = 7.230,75; 77,45…77,55 leaves ±4,7 tấn
    assert check(d.doc(), facts) == []


def test_it_finds_an_output_that_yield_times_area_cannot_give() -> None:
    d, facts = _fish("7.831")
    found = check(d.doc(), facts)
    assert [(f.code, f.stated, f.expected) for f in found] == [
        ("YIELD_AREA_OUTPUT", "7.831 tấn", "7.231 tấn")
    ]


# -- UNIT_CONVERSION ------------------------------------------------------------------------------


def test_it_converts_m2_to_ha_and_flags_a_restatement_that_disagrees() -> None:
    d = Doc()
    i = d.body("Tổng diện tích 2.604.315,77 m² (trên 260,436 ha).")
    facts = [d.fact(i, "2.604.315,77", "value", "m²"), d.fact(i, "260,436", "value", "ha", qualifier="trên")]
    found = check(d.doc(), facts)
    assert [(f.code, f.severity, f.expected) for f in found] == [
        ("UNIT_CONVERSION", Severity.ERROR, "260,4316 ha")
    ]
    d2 = Doc()
    j = d2.body(
        "Tổng diện tích 2.604.315,77 m² (khoảng 260,43 ha); kinh phí 1.250 triệu đồng (tương đương 1,25 tỷ đồng)."
    )
    facts2 = [
        d2.fact(j, "2.604.315,77", "value", "m²"),
        d2.fact(j, "260,43", "value", "ha"),
        d2.fact(j, "1.250", "value", "triệu đồng"),
        d2.fact(j, "1,25", "value", "tỷ đồng"),
    ]
    assert check(d2.doc(), facts2) == []


def test_a_truncated_restatement_is_not_a_slip() -> None:
    d = Doc()
    i = d.body("Kinh phí 1.259 triệu đồng (1,25 tỷ đồng).")  # 1,259 cut to two decimals
    facts = [d.fact(i, "1.259", "value", "triệu đồng"), d.fact(i, "1,25", "value", "tỷ đồng")]
    assert check(d.doc(), facts) == []


# -- MAGNITUDE -------------------------------------------------------------------------------------


def test_it_finds_one_item_a_thousand_times_its_siblings() -> None:
    d = Doc()
    i = d.body(
        "Đường đã làm: An Bình 1,2 km; Hòa Lạc 1,5 km; Tân Phú 1,1 km; Đông Sơn 1,4 km; Lê Lợi 996 km."
    )
    facts = [d.fact(i, n, "part", "km", group="roads") for n in ("1,2", "1,5", "1,1", "1,4", "996")]
    found = [f for f in check(d.doc(), facts) if f.code == "MAGNITUDE"]
    assert len(found) == 1
    assert found[0].severity is Severity.WARNING
    assert found[0].expected == "0,996 km"
    assert found[0].suggestion and "996 → 0,996" in found[0].suggestion


def test_an_uneven_but_plausible_list_is_not_a_magnitude_slip() -> None:
    d = Doc()
    i = d.body(
        "Huy động vốn: ngân hàng A 4.250 tỷ đồng; B 364 tỷ đồng; C 450 tỷ đồng; D 520 tỷ đồng; E 240 tỷ đồng."
    )
    facts = [d.fact(i, n, "part", "tỷ đồng", group="banks") for n in ("4.250", "364", "450", "520", "240")]
    assert _codes(check(d.doc(), facts)) == []


# -- RESTATED --------------------------------------------------------------------------------------


def _twice(second: str, subject2: str = "diện tích gieo trồng") -> tuple[Doc, list[Fact]]:
    d = Doc()
    a = d.body("Tổng diện tích gieo trồng ước đạt 14.739 ha.")
    b = d.body(f"Như trên, tổng diện tích gieo trồng cả năm là {second} ha.")
    kw = {"indicator": "NN.DT_GIEO_TRONG", "confidence": 0.9, "period": "2023"}
    return d, [
        d.fact(a, "14.739", "value", "ha", subject="diện tích gieo trồng", **kw),
        d.fact(b, second, "value", "ha", subject=subject2, **kw),
    ]


def test_it_finds_the_same_quantity_stated_differently() -> None:
    d, facts = _twice("14.793")
    found = check(d.doc(), facts)
    assert [(f.code, f.severity, f.stated, f.expected) for f in found] == [
        ("RESTATED", Severity.ERROR, "14.793 ha", "14.739 ha")
    ]


def test_a_restatement_with_other_units_or_rounding_is_not_flagged() -> None:
    d, facts = _twice("14.739")
    assert check(d.doc(), facts) == []
    d2 = Doc()
    a = d2.body("Tổng diện tích gieo trồng ước đạt 14.739 ha.")
    b = d2.body("Tổng diện tích gieo trồng cả năm khoảng 14,7 nghìn ha, tức 147,4 km².")
    kw = {
        "indicator": "NN.DT_GIEO_TRONG",
        "confidence": 0.9,
        "period": "2023",
        "subject": "diện tích gieo trồng",
    }
    facts2 = [d2.fact(a, "14.739", "value", "ha", **kw), d2.fact(b, "147,4", "value", "km²", **kw)]
    assert check(d2.doc(), facts2) == []


# -- PLAN_CLAIM ------------------------------------------------------------------------------------


def test_it_finds_a_claim_of_exceeding_the_plan_that_the_numbers_deny() -> None:
    d = Doc()
    i = d.body("Thu ngân sách ước đạt 95 tỷ đồng, bằng 96,5% kế hoạch, vượt kế hoạch đề ra.")
    facts = [d.fact(i, "95", "value", "tỷ đồng"), d.fact(i, "96,5", "pct_plan", "%", compared_to="plan")]
    found = check(d.doc(), facts)
    assert [(f.code, f.severity) for f in found] == [("PLAN_CLAIM", Severity.ERROR)]


def test_consistent_claims_are_not_flagged() -> None:
    d = Doc()
    i = d.body(
        "Thu ngân sách ước đạt 105 tỷ đồng, bằng 105% kế hoạch, vượt kế hoạch đề ra. "
        "Khoản thu tiền sử dụng đất không đạt kế hoạch, mới đạt 3,96 tỷ đồng, bằng 13,2% kế hoạch."
    )
    facts = [
        d.fact(i, "105", "value", "tỷ đồng"),
        d.fact(i, "105", "pct_plan", "%", nth=1),
        d.fact(i, "3,96", "value", "tỷ đồng"),
        d.fact(i, "13,2", "pct_plan", "%"),
    ]
    assert check(d.doc(), facts) == []


def test_a_claim_of_not_reaching_the_plan_at_100_percent_is_flagged() -> None:
    d = Doc()
    i = d.body("Chỉ tiêu tuyển quân chưa đạt kế hoạch, đạt 100% kế hoạch.")
    facts = [d.fact(i, "100", "pct_plan", "%")]
    assert _codes(check(d.doc(), facts), Severity.ERROR) == ["PLAN_CLAIM"]


# -- the seed ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_findings() -> list:  # type: ignore[type-arg]
    doc = seed_document()
    return check(doc, gold_facts(doc))


def test_it_finds_the_seeds_known_slips_from_its_text(seed_findings: list) -> None:  # type: ignore[type-arg]
    errors = {(f.code, f.stated, f.expected) for f in seed_findings if f.severity is Severity.ERROR}
    assert ("PARTS_SUM", "382 hồ sơ", "385 hồ sơ") in errors  # footnote 13
    assert ("PARTS_SUM", "22.256 suất", "22.511 suất") in errors  # footnote 19, gifts
    assert ("PARTS_SUM", "855 hồ sơ", "851 hồ sơ") in errors  # footnote 35
    assert ("STATED_PCT", "83%", "76,8%") in errors  # 437/569 printed as 83%
    assert ("UNIT_CONVERSION", "260,436 ha", "260,4316 ha") in errors  # 2.604.315,77 m²
    roads = [f for f in seed_findings if f.code == "PARTS_SUM" and f.stated == "40,531 km"]
    assert roads and roads[0].suggestion and "996 → 0,996" in roads[0].suggestion
    assert any(f.code == "MAGNITUDE" and f.expected == "0,996 km" for f in seed_findings)


def test_every_seed_finding_is_a_known_slip_or_a_question(seed_findings: list) -> None:  # type: ignore[type-arg]
    known_errors = {598, 926, 1367, 1394, 591, 1526}
    for f in seed_findings:
        if f.severity is Severity.ERROR:
            assert f.lines[0] in known_errors, f.message
    assert summary(seed_findings).startswith(
        f"{sum(1 for f in seed_findings if f.severity is Severity.ERROR)} lỗi"
    )


def test_codes_are_stable() -> None:
    assert CODES == (
        "PARTS_SUM",
        "STATED_PCT",
        "YIELD_AREA_OUTPUT",
        "UNIT_CONVERSION",
        "MAGNITUDE",
        "RESTATED",
        "PLAN_CLAIM",
    )
    assert Decimal("1") == 1


# -- the catalog's relations over mapped facts --------------------------------------------------------


def _rice(output: str) -> tuple[Doc, list[Fact]]:
    d = Doc()
    a = d.body("Diện tích cấy lúa cả năm 12.135 ha.")
    b = d.body("Năng suất lúa bình quân cả năm ước đạt 63,03 tạ/ha.")
    c = d.body(f"Sản lượng thóc ước đạt {output} tấn.")
    kw: dict[str, object] = {"confidence": 0.95, "period": "2023"}
    return d, [
        d.fact(a, "12.135", "value", "ha", indicator="NN.DT_LUA", **kw),  # type: ignore[arg-type]
        d.fact(b, "63,03", "value", "tạ/ha", indicator="NN.NS_LUA", **kw),  # type: ignore[arg-type]
        d.fact(c, output, "value", "tấn", indicator="NN.SL_THOC", **kw),  # type: ignore[arg-type]
    ]


def test_the_catalog_pairs_figures_the_text_keeps_apart_but_only_warns() -> None:
    d, facts = _rice("86.482")
    found = check(d.doc(), facts)
    assert [(f.code, f.severity) for f in found] == [("YIELD_AREA_OUTPUT", Severity.WARNING)]
    assert set(found[0].lines) == {1, 3, 5}
    d, facts = _rice("76.482")  # 63,03 × 12.135 / 10 = 76.486,9: within rounding
    assert check(d.doc(), facts) == []


def test_weakly_mapped_facts_take_no_part_in_catalog_relations() -> None:
    d, facts = _rice("86.482")
    weak = [Fact(**{**f.__dict__, "confidence": 0.4}) for f in facts]
    assert check(d.doc(), weak) == []


def test_a_count_is_exact_unless_plainly_rounded() -> None:
    d = Doc()
    i = d.body("Tổng đàn gia cầm 1.107.000 con, gồm: đàn gà 625.000 con, đàn vịt 482.400 con.")
    facts = [
        d.fact(i, "1.107.000", "value", "con"),
        d.fact(i, "625.000", "part", "con"),
        d.fact(i, "482.400", "part", "con"),
    ]
    assert check(d.doc(), facts) == []  # 1.107.400 is within the thousands 1.107.000 was rounded to
    d2 = Doc()
    j = d2.body("Tiếp nhận 382 hồ sơ, gồm: 310 hồ sơ đính chính, 73 hồ sơ cấp mới.")
    facts2 = [
        d2.fact(j, "382", "value", "hồ sơ"),
        d2.fact(j, "310", "part", "hồ sơ"),
        d2.fact(j, "73", "part", "hồ sơ"),
    ]
    assert [(f.code, f.expected) for f in check(d2.doc(), facts2)] == [("PARTS_SUM", "383 hồ sơ")]


def test_a_claim_of_reaching_x_of_y_targets_is_questioned_when_more_fall_short() -> None:
    d = Doc()
    i = d.body("Năm 2023 có 20/21 chỉ tiêu đạt và vượt kế hoạch.")
    j = d.body("Diện tích lúa đạt 99,1% kế hoạch; dư nợ bằng 97,5% kế hoạch; thu ngân sách đạt 96% kế hoạch.")
    facts = [
        d.fact(i, "20", "count_of", "chỉ tiêu", group="xy"),
        d.fact(i, "21", "count_total", "chỉ tiêu", group="xy"),
        d.fact(j, "99,1", "pct_plan", "%"),
        d.fact(j, "97,5", "pct_plan", "%"),
        d.fact(j, "96", "pct_plan", "%"),
    ]
    found = check(d.doc(), facts)
    assert [(f.code, f.severity) for f in found] == [("PLAN_CLAIM", Severity.INFO)]
    assert "20/21" in found[0].message and "3 số liệu dưới 100%" in found[0].message
    assert check(d.doc(), facts[:3]) == []  # one below plan: consistent with 20 of 21


def test_a_rates_change_may_be_written_in_percent_for_points() -> None:
    def doc(change: str, role: str, prior: str) -> tuple[Doc, list[Fact]]:
        d = Doc()
        i = d.body(f"Tỷ lệ hộ nghèo còn 1,8%, giảm {change} so với năm 2023 (năm 2023 là {prior}%).")
        number = change.split()[0].rstrip("%")
        return d, [
            d.fact(i, "1,8", "share", "%"),
            d.fact(i, number, role, "%"),
            d.fact(i, prior, "prior", "%"),
        ]

    d, facts = doc("0,4%", "pct_change", "2,2")  # loosely "%" for 0,4 points
    assert check(d.doc(), facts) == []
    d, facts = doc("18,2%", "pct_change", "2,2")  # the relative reading: (1,8 − 2,2) / 2,2
    assert check(d.doc(), facts) == []
    d, facts = doc("0,4 điểm phần trăm", "pp_change", "2,5")
    found = check(d.doc(), facts)
    assert [(f.code, f.stated, f.expected) for f in found] == [("STATED_PCT", "-0,4 điểm %", "-0,7 điểm %")]
