"""bench/scale_pg.py's generator and SQL rewriting on a few units, without PostgreSQL.

The timings themselves need a PostgreSQL server and minutes; this only keeps the parts that
make the data and the partitioned statements from rotting. Nothing here is about speed.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from ktxh import core

BENCH = Path(__file__).resolve().parents[2] / "bench" / "scale_pg.py"


@pytest.fixture(scope="module")
def scale() -> ModuleType:
    spec = importlib.util.spec_from_file_location("scale_pg", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["scale_pg"] = module
    spec.loader.exec_module(module)
    return module


def tiny_units() -> list[core.OrgUnit]:
    start, end = date(1976, 1, 1), date(2025, 6, 30)

    def unit(code: str, level: str, parent: str | None) -> core.OrgUnit:
        return core.OrgUnit(code, f"Đơn vị {code}", level, parent, start, end, code)

    return [
        unit("30", "province", None),
        unit("300", "district", "30"),
        unit("301", "district", "30"),
        unit("11230", "commune", "300"),
        unit("11231", "commune", "300"),
        unit("11232", "commune", "301"),
        unit("31", "province", None),
        unit("310", "district", "31"),
        unit("11300", "commune", "310"),
    ]


def test_values_add_up_over_parts_and_over_units(scale: ModuleType) -> None:
    tree = scale.Tree.of(tiny_units())
    catalog = scale.synthetic_catalog(12, 2)
    assert not catalog.problems()
    values = scale.generate(tree, catalog, 3, seed=7)
    codes = list(catalog)
    totals = {c: [i for i, k in enumerate(codes) if catalog[k].parent == c] for c in codes}
    assert any(totals.values()), "the catalog has families"
    for kind, dense in values.items():
        assert dense.shape == (12, len(tree.units), 3), kind
        assert (dense > 0).all(), kind
        for t, parts in totals.items():
            if parts:
                assert np.array_equal(dense[codes.index(t)], dense[parts].sum(axis=0)), (kind, t)
        for i, _u in enumerate(tree.units):
            kids = np.nonzero(tree.parent == i)[0]
            if len(kids):
                assert np.array_equal(dense[:, i], dense[:, kids].sum(axis=1)), (kind, i)


def test_copy_lines_fill_every_column_once_per_value(scale: ModuleType) -> None:
    tree = scale.Tree.of(tiny_units())
    catalog = scale.synthetic_catalog(10, 2)
    values = scale.generate(tree, catalog, 3, seed=1)
    lines = list(
        scale.copy_lines(
            values,
            indicator_ids=list(range(100, 110)),
            unit_ids=list(range(1, len(tree.units) + 1)),
            period_ids=[7, 8, 9],
            seed=1,
            stamp="2025-01-15 08:00:00+07",
        )
    )
    assert len(lines) == scale.row_count(tree, 10, 3) == 10 * 9 * (3 * 3 - 1)
    columns = [c.strip() for c in scale.COPY_COLUMNS.split(",")]
    keys = set()
    for line in lines:
        fields = line.rstrip("\n").split("\t")
        assert len(fields) == len(columns)
        row = dict(zip(columns, fields, strict=True))
        assert row["kind"] in scale.KINDS
        assert row["value_high"] == row["error_high"] == "\\N"
        assert float(row["value"]) > 0
        keys.add((row["indicator_id"], row["org_unit_id"], row["period_id"], row["kind"]))
    assert len(keys) == len(lines), "no cell twice"
    finals = {k[2] for k in keys if k[3] == "final"}
    assert finals == {"7", "8"}, "no final for the last year"


def test_whole_provinces_are_picked_home_first(scale: ModuleType) -> None:
    tree = scale.Tree.of(tiny_units())
    assert scale.pick_provinces(tree, 0.1, seed=3) == ["30"]
    assert sorted(scale.pick_provinces(tree, 1.0, seed=3)) == ["30", "31"]
    sub = tree.subset({"31"})
    assert [u.code for u in sub.units] == ["31", "310", "11300"]
    assert sub.levels() == {"province": 1, "district": 1, "commune": 1}


def test_province_key_goes_into_the_outer_where_only(scale: ModuleType) -> None:
    flat = (
        'SELECT "datavalues_datavalue"."id" FROM "datavalues_datavalue" WHERE ('
        '"datavalues_datavalue"."org_unit_id" IN (SELECT U0."id" FROM "orgunits_orgunit" U0 '
        'WHERE U0."parent_id" = 5) AND "datavalues_datavalue"."kind" = \'a WHERE (b\') '
        'ORDER BY "datavalues_datavalue"."id" ASC'
    )
    assert scale.variant_sql(flat, "flat", 30) == flat
    part = scale.variant_sql(flat, "part", 30)
    assert "datavalues_datavalue" not in part and part.count('"dv_by_province"') == 5
    keyed = scale.variant_sql(flat, "part_key", 30)
    assert keyed.startswith(
        'SELECT "dv_by_province"."id" FROM "dv_by_province" WHERE "dv_by_province"."province_key" = 30 AND ('
    )
    assert 'U0."parent_id" = 5' in keyed
    with pytest.raises(ValueError):
        scale.variant_sql('SELECT 1 FROM "datavalues_datavalue"', "part_key", 30)
