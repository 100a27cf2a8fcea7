from pathlib import Path

import pytest
import yaml

from ktxh.core import Catalog, CatalogError, IndicatorKind, load_catalog
from ktxh.core.catalog import DATA_DIR


def test_the_shipped_catalog_breaks_no_rule(catalog: Catalog) -> None:
    assert catalog.problems() == []


def test_the_catalog_covers_the_seed(catalog: Catalog) -> None:
    assert len(catalog) >= 150
    assert {i.sector for i in catalog.values()} == set(catalog.sectors)


def test_codes_are_unique_across_files() -> None:
    seen: dict[str, str] = {}
    for path in sorted((DATA_DIR / "catalog").glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["indicators"]:
            assert entry["code"] not in seen, f"{entry['code']} in {path.name} and {seen[entry['code']]}"
            seen[entry["code"]] = path.name


def test_parents_exist_and_share_a_dimension(catalog: Catalog) -> None:
    for ind in catalog.values():
        if ind.parent:
            parent = catalog[ind.parent]
            assert catalog.units[ind.unit].dimension == catalog.units[parent.unit].dimension, ind.code


def test_rates_are_not_summed(catalog: Catalog) -> None:
    for ind in catalog.values():
        if ind.kind in (IndicatorKind.RATE, IndicatorKind.RATIO):
            assert ind.aggregation.value in ("none", "average"), ind.code


def _write_catalog(tmp_path: Path, indicators: list[dict[str, object]]) -> Path:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "units").mkdir()
    (tmp_path / "sectors.yaml").write_text(
        (DATA_DIR / "sectors.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    for unit_file in (DATA_DIR / "units").glob("*.yaml"):
        (tmp_path / "units" / unit_file.name).write_text(
            unit_file.read_text(encoding="utf-8"), encoding="utf-8"
        )
    doc = {"sector": "nong_nghiep", "indicators": indicators}
    (tmp_path / "catalog" / "nong_nghiep.yaml").write_text(
        yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8"
    )
    return tmp_path


def test_it_reports_each_broken_rule(tmp_path: Path) -> None:
    base = {"name": "X", "kind": "flow", "decimals": 0, "direction": "up"}
    data = _write_catalog(
        tmp_path,
        [
            {**base, "code": "NN.A", "unit": "ha"},
            {**base, "code": "NN.A", "unit": "ha"},
            {**base, "code": "NN.B", "unit": "furlong"},
            {**base, "code": "NN.C", "unit": "tan", "parent": "NN.A"},
            {**base, "code": "NN.D", "unit": "ha", "parent": "NN.MISSING"},
            {**base, "code": "CN.E", "unit": "ha"},
            {**base, "code": "NN.F", "unit": "ha", "parent": "NN.G"},
            {**base, "code": "NN.G", "unit": "ha", "parent": "NN.F"},
            {**base, "code": "nn.lower", "unit": "ha"},
            {**base, "code": "NN.H", "unit": "pct", "kind": "rate", "formula": "NN.A / NN.NOPE * 100"},
            {**base, "code": "NN.I", "unit": "pct", "kind": "rate", "formula": "NN.A / "},
        ],
    )
    problems = "\n".join(load_catalog(data).problems())
    assert "«NN.A» bị trùng" in problems
    assert "«furlong»" in problems
    assert "NN.C: đơn vị «tan» không quy đổi được" in problems
    assert "«NN.MISSING» không tồn tại" in problems
    assert "CN.E: mã phải bắt đầu bằng tiền tố «NN.»" in problems
    assert "vòng lặp" in problems
    assert "nn.lower: mã phải có dạng" in problems
    assert "NN.H: công thức dùng chỉ tiêu «NN.NOPE»" in problems
    assert "NN.I: công thức không đọc được" in problems


def test_it_names_the_file_and_entry_of_a_structural_error(tmp_path: Path) -> None:
    data = _write_catalog(tmp_path, [{"code": "NN.A", "name": "X", "unit": "ha", "kind": "sideways"}])
    with pytest.raises(CatalogError, match=r"nong_nghiep.yaml, chỉ tiêu «NN.A»"):
        load_catalog(data)
