"""The demo dataset: every reported number points at a line of the seed that holds it."""

from __future__ import annotations

import hashlib
import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from ktxh.core import (
    Catalog,
    Dataset,
    DatasetError,
    Measure,
    OrgUnitRegistry,
    ValueKind,
    load_dataset,
    parse_vi,
)
from ktxh.core.dataset import DEMO_DIR

# sha256 of ../shared/seeds/000_efdfaa3e9bf937a9.txt: source.txt must stay a byte copy.
SEED_SHA256 = "36de72075cc723277dddf4f63d33983b55c8cf1dd822d789b401a9aa36e28e88"
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
TY_TRIEU = re.compile(r"(\d+)\s*tỷ\s*(\d+)")


def _raw_entries() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(DEMO_DIR.glob("*.yaml")):
        if path.name == "dataset.yaml":
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in doc.get("facts") or []:
            out.append((path.name, entry))
            for measure in Measure:
                if entry.get(measure.value):
                    out.append((f"{path.name} [{measure.value}]", entry[measure.value]))
        for entry in doc.get("targets") or []:
            spec = dict(entry)
            spec["value"] = entry.get("low") or entry.get("high")
            out.append((f"{path.name} [target]", spec))
    return out


def _numbers_in(text: str) -> set[Decimal]:
    found = set()
    for token in NUMBER.findall(text):
        for candidate in (token, token.rstrip(".,")):
            try:
                found.add(parse_vi(candidate))
            except ValueError:
                pass
    match = TY_TRIEU.search(text)
    if match:  # "5 tỷ 786 triệu" = 5,786 tỷ
        found.add(Decimal(match.group(1)) + Decimal(match.group(2)) / 1000)
    return found


def test_source_is_a_byte_copy_of_the_seed() -> None:
    assert hashlib.sha256((DEMO_DIR / "source.txt").read_bytes()).hexdigest() == SEED_SHA256


def test_every_reported_number_is_on_its_line() -> None:
    lines = (DEMO_DIR / "source.txt").read_text(encoding="utf-8").split("\n")
    entries = _raw_entries()
    assert len(entries) > 300
    wrong = []
    for where, entry in entries:
        line = lines[entry["line"] - 1]
        text = str(entry["text"])
        value = abs(Decimal(str(entry["value"])))
        if text not in line:
            wrong.append(f"{where} line {entry['line']}: «{text}» not in «{line.strip()}»")
        elif value not in {abs(n) for n in _numbers_in(text)}:
            wrong.append(f"{where} line {entry['line']}: {value} is not what «{text}» says")
    assert wrong == []


def test_every_reported_value_has_provenance(demo_dataset: Dataset) -> None:
    doc = demo_dataset.document
    for v in demo_dataset.reported:
        p = v.provenance
        assert p.document == doc.key and p.line and p.text, v
        assert p.text in doc.line(p.line), v
        assert not v.derived and "derived" not in v.flags


def test_implied_values_are_flagged_and_explained(demo_dataset: Dataset) -> None:
    assert demo_dataset.derived, "the seed implies plans and 2022 values"
    for v in demo_dataset.derived:
        assert v.derived and "derived" in v.flags
        assert v.provenance.formula and v.provenance.line
        assert v.kind in (ValueKind.PLAN, ValueKind.BUDGET_ESTIMATE, ValueKind.FINAL)


def test_a_stated_value_wins_over_an_implied_one(demo_dataset: Dataset) -> None:
    keys = [v.key for v in demo_dataset.values]
    assert len(keys) == len(set(keys))


def _one(ds: Dataset, code: str, period: str, kind: ValueKind) -> Decimal:
    found = [
        v.value
        for v in ds.values
        if v.indicator == code
        and v.period == period
        and v.kind == kind
        and v.org_unit == "300"
        and not v.category
    ]
    assert len(found) == 1, (code, period, kind, found)
    return found[0]


def _code_for(catalog: Catalog, ds: Dataset, line: int, text: str) -> str:
    """The indicator whose reported 2023 district value sits at ``line`` with ``text``."""
    codes = {
        v.indicator
        for v in ds.reported
        if v.provenance.line == line and v.provenance.text == text and v.org_unit == "300" and not v.category
    }
    assert len(codes) == 1, codes
    return codes.pop()


def test_spot_checks_against_the_seed(catalog: Catalog, demo_dataset: Dataset) -> None:
    # line 56: "tổng diện tích gieo trồng cả năm ước thực hiện 14.739 ha, đạt 103,4% kế hoạch, giảm 1,5%"
    sown = _code_for(catalog, demo_dataset, 56, "14.739")
    assert _one(demo_dataset, sown, "2023", ValueKind.ESTIMATE) == Decimal("14739")
    plan = _one(demo_dataset, sown, "2023", ValueKind.PLAN)
    assert round(Decimal("14739") / plan * 100, 1) == Decimal("103.4")
    # line 515: "Tổng thu ngân sách nhà nước năm 2023 ước đạt 338,116 tỷ đồng, bằng 107,2% dự toán"
    revenue = _code_for(catalog, demo_dataset, 515, "338,116")
    assert catalog[revenue].budgeted
    budget = _one(demo_dataset, revenue, "2023", ValueKind.BUDGET_ESTIMATE)
    assert round(Decimal("338.116") / budget * 100, 1) == Decimal("107.2")
    # line 1646: "Tổng số hồ sơ tiếp nhận và giải quyết trong toàn huyện là 47.613 hồ sơ"
    dossiers = _code_for(catalog, demo_dataset, 1646, "47.613")
    assert _one(demo_dataset, dossiers, "2023", ValueKind.ESTIMATE) == Decimal("47613")


def test_breakdowns_by_commune_are_stored_on_communes(
    demo_dataset: Dataset, registry: OrgUnitRegistry
) -> None:
    communes = {v.org_unit for v in demo_dataset.values if v.org_unit != "300"}
    # footnote 37 gives a rural-road length for every one of the 17 units
    assert len(communes) >= 17
    assert all(
        registry.resolve(code, demo_dataset.document.document_date).parent_code == "300" for code in communes
    )


def test_the_2024_and_congress_targets_are_loaded(demo_dataset: Dataset) -> None:
    targets = [v for v in demo_dataset.values if v.kind == ValueKind.TARGET]
    assert {v.period for v in targets} >= {"2024", "2021-2025"}
    assert all(v.form is not None for v in targets)


def _copy_demo(tmp_path: Path) -> Path:
    folder = tmp_path / "demo"
    folder.mkdir()
    for name in ("dataset.yaml", "source.txt"):
        shutil.copy(DEMO_DIR / name, folder / name)
    return folder


def test_it_names_file_and_entry_when_a_number_is_not_on_its_line(
    tmp_path: Path, catalog: Catalog, registry: OrgUnitRegistry
) -> None:
    folder = _copy_demo(tmp_path)
    code = next(iter(catalog))
    facts = {"facts": [{"ind": code, "value": "14739", "line": 57, "text": "14.739"}]}
    (folder / "x.yaml").write_text(yaml.safe_dump(facts, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DatasetError, match=r"x.yaml, mục 1 .*dòng 57 .* không chứa «14.739»"):
        load_dataset(catalog, registry, folder)


def test_it_refuses_an_unknown_indicator_and_a_duplicate(
    tmp_path: Path, catalog: Catalog, registry: OrgUnitRegistry
) -> None:
    folder = _copy_demo(tmp_path)
    (folder / "x.yaml").write_text(
        yaml.safe_dump({"facts": [{"ind": "NN.KHONG_CO", "value": "1", "line": 56, "text": "14.739"}]}),
        encoding="utf-8",
    )
    with pytest.raises(DatasetError, match="«NN.KHONG_CO»"):
        load_dataset(catalog, registry, folder)
    code = next(iter(catalog))
    fact = {"ind": code, "value": "14739", "line": 56, "text": "14.739"}
    (folder / "x.yaml").write_text(yaml.safe_dump({"facts": [fact, fact]}), encoding="utf-8")
    with pytest.raises(DatasetError, match="mục 2 .*trùng"):
        load_dataset(catalog, registry, folder)


def test_it_derives_plan_and_previous_value_from_stated_percentages(
    tmp_path: Path, catalog: Catalog, registry: OrgUnitRegistry
) -> None:
    folder = _copy_demo(tmp_path)
    code = next(iter(catalog))
    fact = {
        "ind": code,
        "value": "14739",
        "line": 56,
        "text": "14.739",
        "pct_plan": {"value": "103.4", "line": 56, "text": "103,4"},
        "pct_change": {"value": "-1.5", "line": 56, "text": "1,5", "base": "2022"},
    }
    (folder / "x.yaml").write_text(yaml.safe_dump({"facts": [fact]}), encoding="utf-8")
    ds = load_dataset(catalog, registry, folder)
    plan = _one(ds, code, "2023", ValueKind.PLAN)
    prev = _one(ds, code, "2022", ValueKind.FINAL)
    assert plan == Decimal("14254.352031")
    assert prev == Decimal("14963.451777")
    assert [s.measure for s in ds.stated] == [Measure.PCT_PLAN, Measure.PCT_CHANGE]
