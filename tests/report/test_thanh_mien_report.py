"""The Thanh Miện 2023 report regenerated from the demo data."""

from __future__ import annotations

import dataclasses
import importlib.util
from decimal import Decimal
from pathlib import Path

import pytest

from ktxh import core
from ktxh.report import TEMPLATES, ReportData, load_template, render, write_docx

COVERAGE = Path(__file__).resolve().parents[2] / "scripts" / "seed_coverage.py"


@pytest.fixture(scope="module")
def template() -> dict[str, object]:
    return load_template(TEMPLATES / "thanh_mien_2023.yaml")


@pytest.fixture
def data(demo_dataset: core.Dataset, catalog: core.Catalog, registry: core.OrgUnitRegistry) -> ReportData:
    return ReportData(
        catalog=catalog, values=list(demo_dataset.values), unit="300", year=2023, registry=registry
    )


def _coverage(path: Path) -> dict[str, object]:
    spec = importlib.util.spec_from_file_location("seed_coverage", COVERAGE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.coverage(path)  # type: ignore[no-any-return]


def test_the_draft_regenerates_the_seeds_numbers(template, data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    document, prov = render(template, data)
    out = tmp_path / "bao-cao.docx"
    write_docx(document, out)
    result = _coverage(out)
    assert result["share_without_years"] >= 0.9, result["missing"]
    assert len(document.footnotes) == 41
    assert len(prov.uses) >= 600


def test_every_printed_figure_is_traced(template, data) -> None:  # type: ignore[no-untyped-def]
    _document, prov = render(template, data)
    for use in prov.uses:
        assert use.values, use.text
        for v in use.values:
            assert v["line"] or v["entered_by"] or v["formula"], (use.text, v)


def test_changing_the_rice_area_changes_what_depends_on_it_and_nothing_else(template, data) -> None:  # type: ignore[no-untyped-def]
    before, prov = render(template, data)
    depends = [
        u.text
        for u in prov.uses
        if any(v["indicator"] == "NN.DT_LUA" and not v["category"] for v in u.values)
    ]
    assert depends  # the seed quotes the rice area (footnote 1)
    key = ("NN.DT_LUA", "300", "2023", "estimate", "")
    values = [
        dataclasses.replace(v, value=Decimal("12600"))
        if (v.indicator, v.org_unit, v.period, v.kind.value, v.category) == key
        else v
        for v in data.values
    ]
    after, _ = render(
        template,
        ReportData(catalog=data.catalog, values=values, unit="300", year=2023, registry=data.registry),
    )
    old = [p.text for p in before.paragraphs()]
    new = [p.text for p in after.paragraphs()]
    changed = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    assert changed, "nothing followed the change"
    quoting = [a for a in old if any(text in a for text in depends)]
    assert len(changed) == len(quoting)  # every paragraph that quoted it changed
    for a, b in changed:
        assert any(text in a for text in depends), a  # only text that quoted the rice area changed
        assert "12.600 ha" in b or "12.135 ha" not in b
