"""The gold set of facts of the seed report, and the scorer measured against it.

Tests of the gold file itself (it must stay true to the text it describes) and of the
scorer on small hand-made inputs. The extractor's recall against the gold set is not
asserted here.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

from ktxh.extract.model import ROLES, Document, Fact

from .gold import SEED_GOLD, GoldError, GoldFact, load_gold, score

SEED = Path(__file__).resolve().parents[2] / "ktxh" / "data" / "demo" / "thanh_mien_2023" / "source.txt"


@pytest.fixture(scope="module")
def gold() -> list[GoldFact]:
    return load_gold(SEED_GOLD)


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return unicodedata.normalize("NFC", SEED.read_text(encoding="utf-8")).split("\n")


def printed_pattern(value_text: str) -> re.Pattern[str]:
    """The number as a Vietnamese text prints it: "14739" -> 14.739, "103.4" -> 103,4, "8" -> 8 or 08."""
    whole, _, frac = value_text.partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    body = "0*" + re.escape(grouped) + ("," + re.escape(frac) if frac else "")
    # not part of a longer number on either side (a glued superscript "m2" or marker "ha3" is allowed)
    return re.compile(r"(?<![\d.,])" + body + r"(?![\d]|[.,]\d)")


# --- the gold file ---------------------------------------------------------------------------


def test_it_parses_every_row(gold: list[GoldFact]) -> None:
    assert len(gold) > 500  # the seed holds several hundred quantities
    assert {g.role for g in gold} <= set(ROLES)


def test_it_writes_values_as_plain_decimals(gold: list[GoldFact]) -> None:
    for g in gold:
        assert re.fullmatch(r"-?(0|[1-9]\d*)(\.\d+)?", g.value_text), g


def test_it_quotes_each_row_from_its_line(gold: list[GoldFact], lines: list[str]) -> None:
    for g in gold:
        assert 1 <= g.line <= len(lines), g
        assert g.quote and len(g.quote) <= 200, g
        assert g.quote in lines[g.line - 1], g


def test_it_finds_each_value_printed_on_its_line(gold: list[GoldFact], lines: list[str]) -> None:
    for g in gold:
        line = lines[g.line - 1]
        if printed_pattern(g.value_text).search(line):
            assert printed_pattern(g.value_text).search(g.quote), g
            continue
        # an amount written partly in words ("5 tỷ 786 triệu đồng") must say so in its note,
        # and its leading digits must still be on the line
        assert g.note, g
        assert re.search(r"(?<![\d.,])" + str(int(g.value)) + r"(?![\d]|[.,]\d)", line), g


def test_it_has_no_more_rows_for_a_number_than_the_line_prints(
    gold: list[GoldFact], lines: list[str]
) -> None:
    per_line = Counter((g.line, g.value_text) for g in gold)
    for (line_no, value_text), n in per_line.items():
        printed = len(printed_pattern(value_text).findall(lines[line_no - 1]))
        assert n <= max(printed, 1), (line_no, value_text, n, printed)


def test_it_keeps_excluded_numbers_out(gold: list[GoldFact], lines: list[str]) -> None:
    years = {g for g in gold if g.unit == "" and 1900 <= g.value <= 2100 and g.value == int(g.value)}
    assert not years
    # footnote markers alone on their line, and the "2" of a split "m\n2", are not facts
    marker_lines = {i for i, text in enumerate(lines, 1) if re.fullmatch(r"\s*\(?\d{1,2}\)?\s*", text)}
    assert not [g for g in gold if g.line in marker_lines]


def test_it_pairs_counts_and_ranges(gold: list[GoldFact]) -> None:
    roles = Counter(g.role for g in gold)
    assert roles["count_of"] <= roles["count_total"]  # a rank "3/12" also has a count_total
    assert roles["range_low"] == roles["range_high"]
    for line_no in {g.line for g in gold if g.role == "range_low"}:
        on_line = [g for g in gold if g.line in (line_no, line_no + 1, line_no + 2)]
        assert any(g.role == "range_high" for g in on_line), line_no


def test_it_reads_percentages_with_a_percent_unit(gold: list[GoldFact]) -> None:
    pct_roles = {"pct_plan", "pct_budget", "pct_change", "share"}
    for g in gold:
        if g.role in pct_roles:
            assert g.unit == "%", g
        if g.role == "pp_change":
            assert g.unit in ("%", "điểm phần trăm"), g


# --- the loader ------------------------------------------------------------------------------


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "gold.csv"
    path.write_text("line,value,unit,role,quote,note\n" + body, encoding="utf-8")
    return path


def test_it_loads_a_small_gold_file(tmp_path: Path) -> None:
    rows = load_gold(write(tmp_path, '3,103.40,%,pct_plan,"đạt 103,40% kế hoạch",\n'))
    assert rows == [GoldFact(3, Decimal("103.4"), "%", "pct_plan", "đạt 103,40% kế hoạch", "", "103.40")]


@pytest.mark.parametrize(
    "body",
    [
        "3,103.4,%,pct_of_plan,q,\n",  # unknown role
        "x,103.4,%,pct_plan,q,\n",  # bad line
        "3,103,4,%,pct_plan,q\n",  # a Vietnamese decimal comma splits the row
        "3,abc,%,pct_plan,q,\n",  # bad value
    ],
)
def test_it_rejects_bad_rows(tmp_path: Path, body: str) -> None:
    with pytest.raises(GoldError):
        load_gold(write(tmp_path, body))


def test_it_rejects_wrong_columns(tmp_path: Path) -> None:
    path = tmp_path / "gold.csv"
    path.write_text("line,value,unit,role\n3,1,%,share\n", encoding="utf-8")
    with pytest.raises(GoldError):
        load_gold(path)


# --- the scorer ------------------------------------------------------------------------------


@dataclass(frozen=True)
class F:
    line: int
    value: Decimal
    unit: str
    role: str


def g(line: int, value: str, unit: str, role: str) -> GoldFact:
    return GoldFact(line, Decimal(value), unit, role, quote="", value_text=value)


def f(line: int, value: str, unit: str, role: str) -> F:
    return F(line, Decimal(value), unit, role)


GOLD = [
    g(1, "14739", "ha", "value"),
    g(1, "103.4", "%", "pct_plan"),
    g(1, "1.5", "%", "pct_change"),
    g(2, "30", "ha", "part"),
    g(2, "30", "ha", "part"),
]


def test_it_scores_a_perfect_extraction() -> None:
    s = score([f(x.line, x.value_text, x.unit, x.role) for x in GOLD], GOLD)
    assert (s.value_unit.tp, s.value_unit.fp, s.value_unit.fn) == (5, 0, 0)
    assert s.value_unit.precision == s.value_unit.recall == 1.0
    assert s.with_role.recall == 1.0
    assert not s.misses and not s.false_positives and not s.wrong_role


def test_it_compares_values_as_decimals() -> None:
    s = score([f(1, "103.40", "%", "pct_plan")], [g(1, "103.4", "%", "pct_plan")])
    assert s.value_unit.tp == 1


def test_it_matches_one_to_one() -> None:
    s = score([f(2, "30", "ha", "part")], GOLD)
    assert (s.value_unit.tp, s.value_unit.fp, s.value_unit.fn) == (1, 0, 4)
    assert s.per_role["part"].tp == 1 and s.per_role["part"].fn == 1
    # a third "30 ha" on the line is one too many
    s = score([f(2, "30", "ha", "part")] * 3, GOLD)
    assert (s.value_unit.tp, s.value_unit.fp) == (2, 1)


def test_it_needs_the_right_line_unit_and_value() -> None:
    facts = [f(2, "14739", "ha", "value"), f(1, "14739", "tấn", "value"), f(1, "14738", "ha", "value")]
    s = score(facts, GOLD)
    assert s.value_unit.tp == 0 and s.value_unit.fp == 3 and s.value_unit.fn == 5
    assert [(m.line, m.value) for m in s.false_positives] == [
        (1, Decimal("14738")),
        (1, Decimal("14739")),
        (2, Decimal("14739")),
    ]


def test_it_scores_roles_apart_from_values() -> None:
    facts = [f(1, "14739", "ha", "value"), f(1, "103.4", "%", "share"), f(1, "1.5", "%", "pct_change")]
    s = score(facts, GOLD)
    assert s.value_unit.tp == 3 and s.value_unit.fp == 0
    assert s.with_role.tp == 2 and s.with_role.fp == 1
    assert s.per_role["share"].precision == 0.0 and s.per_role["share"].tp == 0
    assert s.per_role["pct_plan"].recall == 0.0
    assert s.per_role["value"].precision == s.per_role["value"].recall == 1.0
    assert [(w.value, role) for w, role in s.wrong_role] == [(Decimal("103.4"), "pct_plan")]


def test_it_normalises_units() -> None:
    decomposed = unicodedata.normalize("NFD", "tỷ đồng")
    s = score([f(1, "5", f" {decomposed} ", "value")], [g(1, "5", "tỷ đồng", "value")])
    assert s.value_unit.tp == 1


def test_it_scores_a_whole_document_without_lines() -> None:
    facts = [f(10 + x.line, x.value_text, x.unit, x.role) for x in GOLD]
    assert score(facts, GOLD).value_unit.tp == 0
    s = score(facts, GOLD, by_line=False)
    assert (s.value_unit.tp, s.with_role.tp) == (5, 5)
    assert not s.by_line


def test_it_scores_empty_inputs() -> None:
    s = score([], GOLD)
    assert s.value_unit.recall == 0.0 and s.value_unit.precision == 1.0
    assert score([], []).value_unit.recall == 1.0


# --- bench/extract.py, with a stand-in extractor (the real one's recall is not asserted here) ---

BENCH = Path(__file__).resolve().parents[2] / "bench" / "extract.py"


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_extract", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_it_benches_an_extractor_against_the_gold_set(
    gold: list[GoldFact], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = gold[:-10]  # the stand-in misses the last ten gold facts and adds one of its own

    def extract(doc: Document, catalog: object = None) -> list[Fact]:
        facts = [Fact(line=x.line, quote=x.quote, value=x.value, unit=x.unit, role=x.role) for x in kept]
        return facts + [Fact(line=1, quote="BÁO CÁO", value=Decimal(7), unit="ha", role="value")]

    stand_in = ModuleType("ktxh.extract.facts")
    stand_in.extract = extract  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ktxh.extract.facts", stand_in)
    assert load_bench().main(["--repeat", "1", "--misses"]) == 0
    out = capsys.readouterr().out
    result = json.loads(out.strip().splitlines()[-1])
    assert result["recall"] == pytest.approx(len(kept) / len(gold))
    assert result["precision"] == pytest.approx(len(kept) / (len(kept) + 1))
    assert result["by_line"] is True and result["ratio"] > 0
    assert "misses (10)" in out and "false positives (1)" in out
    assert "dòng 1: 7 ha [value]" in out
    last = gold[-1]
    assert f"dòng {last.line}: " in out


def test_it_says_when_the_extractor_is_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "ktxh.extract.facts", None)
    assert load_bench().main(["--repeat", "1"]) == 2
    assert "Chưa có bộ trích xuất số liệu" in capsys.readouterr().err
