"""Scale measurement: the national synthetic dataset in ktxh's PostgreSQL tables, and the
dashboard queries the web app runs, timed on the plain values table and on a copy
partitioned by province, side by side.

What it does, in order:

1. drops and recreates its own database ``ktxh_scale`` (never any other) and runs
   ``ktxh init`` (the migrations) into it;
2. stores the real org-unit tree (63 provinces, their districts and communes, from the
   statistics office's list that ktxh ships with) through ktxh's own sync service, a
   synthetic catalog made like bench/engine.py's (totals with ``PARTS`` exhaustive parts,
   spread over sectors) and the years as ktxh periods;
3. generates values with bench/engine.py's model (whole tenths, growth per series,
   estimate / plan / final, totals = Σ parts, every parent = Σ its children) for a
   ``--scale`` share of the country (whole provinces, picked at random, Hải Dương first),
   and COPYs them into ``datavalues_datavalue`` (ktxh's secondary indexes and foreign keys
   are dropped for the load and rebuilt after it, exactly as the migrations made them);
4. ANALYZEs, then times what the pages run: the overview (``indicator_rows``), a sector
   page over 10 years, the findings run (``findings_for``: database read and engine apart),
   a commune ranking, a province-wide sum and the API's values list, each on several
   districts; the database statements are captured from the ORM and re-run on their own;
5. copies the values into a table LIST-partitioned by a province key and re-runs the same
   statements on it, without and with the province key in the WHERE clause, interleaved
   with the plain table's runs, and reports the ratios;
6. tries the candidate indexes the plans ask for, and times the statements again;
7. prints a table, writes EXPLAIN (ANALYZE, BUFFERS) of the heaviest statements to
   ``--out``, and ends with one line of JSON.

    .venv/bin/python bench/scale_pg.py                 # default share of the country, a few minutes
    .venv/bin/python bench/scale_pg.py --scale 0.02 --repeat 5

Only the server at ``--server`` (default postgres://postgres@127.0.0.1:5432) is used.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine import PARTS  # noqa: E402  (bench/engine.py: the same family layout)

from ktxh import core  # noqa: E402
from ktxh.core import orgunits as core_orgunits  # noqa: E402

DB_NAME = "ktxh_scale"
FLAT = "datavalues_datavalue"
PART = "dv_by_province"
FIRST_YEAR, LAST_YEAR = 2015, 2024  # ten years, all before the 2025 reorganisation
KINDS = ("estimate", "plan", "final")  # finals exist for every year but the last
HOME_PROVINCE = "30"  # Hải Dương, the seed's province: always loaded
IntArray = npt.NDArray[np.int64]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- the world


def national_units() -> list[core.OrgUnit]:
    """Every province, district and commune of the 63-province list (valid until 30/6/2025)."""
    with sqlite3.connect(f"file:{core_orgunits.dataset_path()}?mode=ro", uri=True) as conn:
        codes = [r[0] for r in conn.execute("SELECT DISTINCT provinceCode FROM admin_units_legacy")]
    return core_orgunits.load_legacy(sorted(codes))


def current_unit_count() -> int:
    """Provinces and communes of the 34-province list (from 1/7/2025)."""
    with sqlite3.connect(f"file:{core_orgunits.dataset_path()}?mode=ro", uri=True) as conn:
        codes = [r[0] for r in conn.execute("SELECT DISTINCT provinceCode FROM admin_units")]
    return len(core_orgunits.load_current(sorted(codes)))


@dataclass
class Tree:
    """Org units in a fixed order with parent indexes, and which province each belongs to."""

    units: list[core.OrgUnit]
    parent: IntArray  # index of the parent, -1 for a province
    province: IntArray  # index of the province (itself for a province)

    @classmethod
    def of(cls, units: Sequence[core.OrgUnit]) -> Tree:
        index = {u.code: i for i, u in enumerate(units)}
        parent = np.array([index[u.parent_code] if u.parent_code else -1 for u in units], dtype=np.int64)
        province = np.arange(len(units), dtype=np.int64)
        for i in range(len(units)):
            p = i
            while parent[p] >= 0:
                p = int(parent[p])
            province[i] = p
        return cls(list(units), parent, province)

    def levels(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for u in self.units:
            out[u.level] = out.get(u.level, 0) + 1
        return out

    def subset(self, province_codes: set[str]) -> Tree:
        keep = [u for i, u in enumerate(self.units) if self.units[self.province[i]].code in province_codes]
        return Tree.of(keep)


def pick_provinces(tree: Tree, scale: float, seed: int) -> list[str]:
    """Whole provinces, Hải Dương first then in a seeded random order, until ``scale`` of the units."""
    provinces = [u.code for u in tree.units if u.parent_code is None]
    rng = np.random.default_rng(seed)
    order = [HOME_PROVINCE] + [
        provinces[i] for i in rng.permutation(len(provinces)) if provinces[i] != HOME_PROVINCE
    ]
    sizes = {code: 0 for code in provinces}
    for i in range(len(tree.units)):
        sizes[tree.units[tree.province[i]].code] += 1
    wanted, total = scale * len(tree.units), 0
    chosen: list[str] = []
    for code in order:
        if code not in sizes:
            continue
        if chosen and total >= wanted:
            break
        chosen.append(code)
        total += sizes[code]
    return chosen


def synthetic_catalog(indicators: int, sectors: int) -> core.Catalog:
    """bench/engine.py's catalog shape over several sectors: in each sector, families of a total
    and its ``PARTS`` parts first, then indicators that stand alone."""
    per = max(1, indicators // sectors)
    offices = [core.Office(f"VP{s + 1:02d}", f"Phòng thử tải {s + 1}") for s in range(sectors)]
    secs = [
        core.Sector(f"thu{s + 1:02d}", f"T{s + 1:02d}", f"Lĩnh vực thử {s + 1}", f"VP{s + 1:02d}")
        for s in range(sectors)
    ]
    inds: list[core.Indicator] = []
    for i in range(indicators):
        s = min(i // per, sectors - 1)
        k = i - s * per
        n_in_sector = per if s < sectors - 1 else indicators - s * per
        families = n_in_sector // (PARTS + 1)
        parent = None
        if k < families * (PARTS + 1) and k % (PARTS + 1):
            parent = f"T{s + 1:02d}.{k - k % (PARTS + 1) + 1:03d}"
        inds.append(
            core.Indicator(
                code=f"T{s + 1:02d}.{k + 1:03d}",
                name=f"Chỉ tiêu thử {i + 1}",
                unit="ha",
                sector=secs[s].code,
                office=secs[s].office,
                kind=core.IndicatorKind.FLOW,
                decimals=1,
                direction=core.Direction.UP,
                aggregation=core.Aggregation.SUM,
                parent=parent,
            )
        )
    catalog = core.Catalog(
        offices=offices,
        sectors=secs,
        indicators=inds,
        units=core.UnitRegistry([core.Unit("ha", "ha", "area", Decimal(10000))]),
    )
    problems = catalog.problems()
    if problems:
        raise SystemExit("synthetic catalog is broken: " + "; ".join(problems[:5]))
    return catalog


def generate(tree: Tree, catalog: core.Catalog, years: int, seed: int) -> dict[str, IntArray]:
    """Dense values in tenths, kind -> (indicator × unit × year), with bench/engine.py's model:
    leaf series of the lowest units drawn, totals = Σ parts, every parent unit = Σ children."""
    rng = np.random.default_rng(seed)
    codes = list(catalog)
    index = {c: i for i, c in enumerate(codes)}
    parts_of: dict[int, list[int]] = {}
    for c in codes:
        whole = catalog[c].parent
        if whole:
            parts_of.setdefault(index[whole], []).append(index[c])
    is_total = np.zeros(len(codes), dtype=bool)
    is_total[list(parts_of)] = True
    leaves = np.nonzero(~is_total)[0]
    has_child = np.zeros(len(tree.units), dtype=bool)
    has_child[tree.parent[tree.parent >= 0]] = True
    lowest = np.nonzero(~has_child)[0]
    base = rng.integers(2_000, 120_000, size=(len(leaves), len(lowest), 1)).astype(np.float64)
    growth = np.cumprod(rng.uniform(0.97, 1.10, size=(len(leaves), 1, years)), axis=2)
    estimate = np.rint(base * growth * rng.uniform(0.95, 1.05, size=(len(leaves), len(lowest), years)))
    del base, growth
    plan = np.rint(estimate * rng.uniform(0.9, 1.1, size=estimate.shape)).astype(np.int64)
    final = (estimate + np.rint(estimate * rng.uniform(-0.02, 0.02, size=estimate.shape))).astype(np.int64)
    drawn = {"estimate": estimate.astype(np.int64), "plan": plan, "final": final}
    del estimate
    # parents after children: deepest units first
    depth = np.zeros(len(tree.units), dtype=np.int64)
    for i in range(len(tree.units)):
        p = int(tree.parent[i])
        while p >= 0:
            depth[i] += 1
            p = int(tree.parent[p])
    out: dict[str, IntArray] = {}
    for kind, leaf in drawn.items():
        dense = np.zeros((len(codes), len(tree.units), years), dtype=np.int64)
        dense[np.ix_(leaves, lowest)] = leaf
        for t, parts in parts_of.items():
            dense[t][lowest] = dense[parts][:, lowest].sum(axis=0)
        for d in range(int(depth.max()), 0, -1):
            kids = np.nonzero(depth == d)[0]
            np.add.at(dense, (slice(None), tree.parent[kids]), dense[:, kids])  # type: ignore[arg-type]
        out[kind] = dense
    return out


def row_count(tree: Tree, indicators: int, years: int) -> int:
    """Values stored: estimate and plan every year, final every year but the last."""
    return indicators * len(tree.units) * (3 * years - 1)


def copy_lines(
    values: dict[str, IntArray],
    *,
    indicator_ids: Sequence[int],
    unit_ids: Sequence[int],
    period_ids: Sequence[int],
    seed: int,
    stamp: str,
) -> Iterator[str]:
    """COPY text lines for ``datavalues_datavalue``, year by year, units in random order within
    a year (as if every unit typed its numbers in the year-end rush), a unit's values together."""
    rng = np.random.default_rng(seed + 1)
    years = len(period_ids)
    ind_ids = [str(i) for i in indicator_ids]
    for y in range(years):
        kinds = [k for k in KINDS if k != "final" or y < years - 1]
        for u in rng.permutation(len(unit_ids)):
            head = f"\t{unit_ids[u]}\t{period_ids[y]}\t"
            for kind in kinds:
                col = values[kind][:, u, y]
                tail = f"\t{kind}\t\t\t\t\t\tf\t[]\t\t\t\\N\t\\N\t{stamp}\t{stamp}\t0.050000\t1\n"
                for s, v in enumerate(col.tolist()):
                    yield f"{ind_ids[s]}{head}{v // 10}.{v % 10}{tail}"


COPY_COLUMNS = (
    "indicator_id, org_unit_id, period_id, value, kind, category, option, form, qualifier, "
    "source_text, derived, flags, formula, note, value_high, error_high, created_at, updated_at, error, version"
)


# --------------------------------------------------------------------------- the database


def server_url(server: str, db: str) -> str:
    return server.rstrip("/") + "/" + db


def recreate_database(server: str) -> None:
    import psycopg

    if not re.fullmatch(r"ktxh_scale", DB_NAME):  # never anything else
        raise SystemExit("refusing to drop a database that is not ktxh_scale")
    with psycopg.connect(server_url(server, "postgres"), autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (DB_NAME,),
        )
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def ktxh_init(url: str) -> None:
    ktxh = Path(sys.executable).with_name("ktxh")
    cmd = [str(ktxh), "init"] if ktxh.exists() else [sys.executable, "-m", "ktxh", "init"]
    env = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"ktxh init failed:\n{done.stderr}")


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url  # this process only: the bench's own database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ktxh.web.settings")
    import django

    django.setup()


def secondary_ddl(cur: Any, table: str) -> tuple[list[str], list[str]]:
    """(indexes but the primary key, foreign keys) of ``table`` as CREATE / ALTER statements."""
    cur.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid = %s::regclass AND NOT indisprimary AND NOT indisunique",
        (table,),
    )
    indexes = [r[1] for r in cur.fetchall()]
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype IN ('f', 'u')",
        (table,),
    )
    cons = [f'ALTER TABLE {table} ADD CONSTRAINT "{n}" {d}' for n, d in cur.fetchall()]
    return indexes, cons


def bulk_load(url: str, lines: Iterator[str], expected: int) -> tuple[float, float]:
    """COPY the values with ktxh's secondary indexes and constraints dropped, then rebuild them.

    Returns (seconds copying, seconds rebuilding).
    """
    import psycopg

    with psycopg.connect(url) as conn, conn.cursor() as cur:
        indexes, cons = secondary_ddl(cur, FLAT)
        for ddl in cons:
            name = ddl.split('"')[1]
            cur.execute(f'ALTER TABLE {FLAT} DROP CONSTRAINT "{name}"')
        cur.execute(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = %s::regclass "
            "AND NOT indisprimary AND NOT indisunique",
            (FLAT,),
        )
        for (name,) in cur.fetchall():
            cur.execute(f"DROP INDEX {name}")
        conn.commit()
        t0 = time.perf_counter()
        n, chunk = 0, []
        with cur.copy(f"COPY {FLAT} ({COPY_COLUMNS}) FROM STDIN") as copy:
            for line in lines:
                chunk.append(line)
                if len(chunk) >= 50_000:
                    copy.write("".join(chunk))
                    n += len(chunk)
                    chunk = []
                    if n % 1_000_000 == 0:
                        log(f"  copied {n:,} / {expected:,} rows")
            copy.write("".join(chunk))
            n += len(chunk)
        conn.commit()
        copied = time.perf_counter() - t0
        log(
            f"  COPY: {n:,} rows in {copied:.1f} s; rebuilding {len(indexes)} indexes, {len(cons)} constraints"
        )
        t0 = time.perf_counter()
        cur.execute("SET maintenance_work_mem = '512MB'")
        for ddl in cons + indexes:
            cur.execute(ddl)
        conn.commit()
        return copied, time.perf_counter() - t0


def store_world(
    tree: Tree, catalog: core.Catalog, years: list[str]
) -> tuple[list[int], list[int], list[int]]:
    """Org units, catalog and periods through ktxh's own services; their database ids."""
    from ktxh.web.catalog.models import Indicator
    from ktxh.web.catalog.services import catalog_sync
    from ktxh.web.datavalues.models import Period
    from ktxh.web.orgunits.models import OrgUnit
    from ktxh.web.orgunits.services import orgunits_sync

    orgunits_sync(units=tree.units)
    catalog_sync(catalog=catalog)
    ids = {(o.code, o.valid_from): o.pk for o in OrgUnit.objects.all()}
    unit_ids = [ids[(u.code, u.valid_from)] for u in tree.units]
    by_code = dict(Indicator.objects.values_list("code", "pk"))
    indicator_ids = [by_code[c] for c in catalog]
    period_ids = [Period.get_for(y).pk for y in years]
    return unit_ids, indicator_ids, period_ids


# --------------------------------------------------------------------------- timing


@dataclass
class Sample:
    """One district the probes run on, with what they need around it."""

    unit: Any  # OrgUnit
    province: Any  # OrgUnit
    province_key: int
    year: int
    indicator: Any  # Indicator
    sector: Any  # Sector


@dataclass
class Probe:
    name: str
    label: str
    call: Callable[[Sample], Any]  # what the app runs, on ktxh's own table
    prunable: bool = True  # every statement stays within one province
    max_runs: int | None = None  # the slow ones run fewer times


@dataclass
class Timings:
    full: list[float] = field(default_factory=list)  # the whole Python call (ORM, engine), ms
    db: dict[str, list[float]] = field(default_factory=dict)  # variant -> its statements only, ms
    parts: dict[str, list[float]] = field(default_factory=dict)  # e.g. findings: read / engine
    rows: int = 0
    statements: int = 0


def ms(seconds: float) -> float:
    return seconds * 1000.0


def median(xs: Sequence[float]) -> float:
    return float(statistics.median(xs)) if xs else float("nan")


def p95(xs: Sequence[float]) -> float:
    return float(np.percentile(xs, 95)) if xs else float("nan")


def probes(findings_runs: int) -> list[Probe]:
    from django.db.models import Sum

    from ktxh.web.datavalues import selectors
    from ktxh.web.datavalues.models import DataValue
    from ktxh.web.orgunits.models import OrgUnit

    related = ("indicator", "org_unit", "period", "base_period", "source_document", "entered_by")

    def overview(s: Sample) -> Any:
        return selectors.indicator_rows(org_unit=s.unit, period=core.Period.year(s.year))

    def sector_page(s: Sample) -> Any:
        # what a sector page needs: the unit's values of one sector over ten years, as core values
        years = [str(s.year - k) for k in range(10)]
        rows = (
            DataValue.objects.filter(org_unit=s.unit, period__code__in=years, indicator__sector=s.sector)
            .select_related(*related)
            .order_by("pk")
        )
        return [r.to_core() for r in rows]

    def findings(s: Sample) -> Any:
        # findings_for's own body, timed in two halves (checked against findings_for in main)
        return findings_split(s)

    def findings_lean(s: Sample) -> Any:
        # not in ktxh today: the same rows as findings_for, only the columns the engine needs
        from django.db import connection

        units = [s.unit.pk, *OrgUnit.objects.filter(parent=s.unit).values_list("pk", flat=True)]
        years = ", ".join(f"'{s.year - k}'" for k in range(10))
        sql = (
            f'SELECT i.code, u.code, p.code, "{FLAT}"."kind", "{FLAT}"."category", "{FLAT}"."option", '
            f'"{FLAT}"."value", "{FLAT}"."error", "{FLAT}"."derived", "{FLAT}"."qualifier" FROM "{FLAT}" '
            f'JOIN catalog_indicator i ON i.id = "{FLAT}"."indicator_id" '
            f'JOIN orgunits_orgunit u ON u.id = "{FLAT}"."org_unit_id" '
            f'JOIN datavalues_period p ON p.id = "{FLAT}"."period_id" '
            f'WHERE "{FLAT}"."org_unit_id" IN ({", ".join(str(u) for u in units)}) AND p.code IN ({years})'
        )
        with connection.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()

    def ranking(s: Sample) -> Any:
        # every commune of the district, one indicator, one year, every kind
        children = OrgUnit.objects.filter(parent=s.unit)
        rows = (
            DataValue.objects.filter(org_unit__in=children, indicator=s.indicator, period__code=str(s.year))
            .select_related("org_unit", "period")
            .order_by("-value")
        )
        return [(r.org_unit.code, r.kind, r.value) for r in rows]

    def province_sum(s: Sample) -> Any:
        # Σ over every commune of the province (commune → district → province), one indicator-year
        return list(
            DataValue.objects.filter(
                org_unit__parent__parent=s.province, indicator=s.indicator, period__code=str(s.year)
            )
            .values("kind")
            .annotate(total=Sum("value"))
            .order_by("kind")
        )

    def province_sum_by_id(s: Sample) -> Any:
        # the same sum with the period given by its id (resolved once), not joined by its code
        from ktxh.web.datavalues.models import Period

        period = Period.objects.get(code=str(s.year))
        return list(
            DataValue.objects.filter(
                org_unit__parent__parent=s.province, indicator=s.indicator, period=period
            )
            .values("kind")
            .annotate(total=Sum("value"))
            .order_by("kind")
        )

    def api_unit(s: Sample) -> Any:
        # GET /api/values?unit=…&period=…&sector=… as a district user sees it: count + first page
        from ktxh.web.api.api import _ValueRows

        visible = [s.unit.pk, *OrgUnit.objects.filter(parent=s.unit).values_list("pk", flat=True)]
        qs = (
            DataValue.objects.select_related("indicator", "org_unit", "period", "source_document")
            .order_by("pk")
            .filter(org_unit_id__in=visible)
            .filter(org_unit__code=s.unit.code)
            .filter(period__code=str(s.year))
            .filter(indicator__sector__code=s.sector.code)
        )
        page = _ValueRows(qs)
        return page.count(), page[0:100]

    def api_national(s: Sample) -> Any:
        # GET /api/values?indicator=…&period=…&kind=estimate as the national admin: every unit
        from ktxh.web.api.api import _ValueRows

        qs = (
            DataValue.objects.select_related("indicator", "org_unit", "period", "source_document")
            .order_by("pk")
            .filter(period__code=str(s.year))
            .filter(indicator__code=s.indicator.code)
            .filter(kind="estimate")
        )
        page = _ValueRows(qs)
        return page.count(), page[0:100]

    return [
        Probe("overview", "overview page: indicator_rows, one district-year", overview),
        Probe("sector_10y", "sector page: one district, one sector, 10 years", sector_page),
        Probe("ranking", "commune ranking: children of a district, one indicator-year", ranking),
        Probe("province_sum", "province sum over communes, one indicator-year", province_sum),
        Probe("province_pid", "the same, period by id instead of by code (not in ktxh)", province_sum_by_id),
        Probe("api_unit", "API /values?unit&period&sector (district user): count + page", api_unit),
        Probe(
            "api_national", "API /values?indicator&period&kind (all units): count + page", api_national, False
        ),
        Probe(
            "findings_lean",
            "findings read with only the engine's columns (not in ktxh)",
            findings_lean,
            max_runs=2 * findings_runs,
        ),
        Probe(
            "findings", "findings_for: district + communes, 10 years, rules", findings, max_runs=findings_runs
        ),
    ]


# probe name -> sample index -> the statements it ran on the values table
CAPTURED: dict[str, dict[int, list[str]]] = {}
FINDINGS_FOUND: dict[int, int] = {}  # sample index -> findings of findings_split


def capture(call: Callable[[], Any]) -> tuple[Any, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        result = call()
    return result, [q["sql"] for q in ctx.captured_queries if f'"{FLAT}"' in q["sql"]]


def top_level_where(sql: str) -> int:
    """Where the outermost WHERE of ``sql`` starts (outside parentheses and quotes), or -1."""
    depth, quoted, i = 0, False, 0
    while i < len(sql):
        ch = sql[i]
        if ch == "'":
            quoted = not quoted
        elif not quoted:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            elif depth == 0 and sql.startswith(" WHERE ", i):
                return i
        i += 1
    return -1


def variant_sql(sql: str, variant: str, province_key: int) -> str:
    """The statement on the partitioned copy, optionally with the province key (pruning)."""
    if variant in ("flat", "flat_idx"):
        return sql
    out = sql.replace(f'"{FLAT}"', f'"{PART}"')
    if variant == "part_key":
        at = top_level_where(out)
        if at < 0:
            raise ValueError(f"cannot place the province key in: {sql[:200]}")
        key = f' WHERE "{PART}"."province_key" = {province_key} AND '
        out = out[:at] + key + out[at + len(" WHERE ") :]
    return out


def run_sql(statements: list[str], without: Sequence[str] = ()) -> tuple[float, int]:
    """Seconds to run and fetch ``statements``, and rows fetched. ``without``: indexes to hide
    from them (dropped in a transaction that is rolled back; the drop is not timed)."""
    from django.db import connection

    rows = 0
    with connection.cursor() as cur:
        if without:
            cur.execute("BEGIN")
            for name in without:
                cur.execute(f"DROP INDEX {name}")
            for sql in statements:  # the drop invalidates cached table data: reload it untimed
                cur.execute("EXPLAIN " + sql)
                cur.fetchall()
        t0 = time.perf_counter()
        for sql in statements:
            cur.execute(sql)
            rows += len(cur.fetchall())
        elapsed = time.perf_counter() - t0
        if without:
            cur.execute("ROLLBACK")
            for sql in statements:  # and so does the rollback, for whatever runs next
                cur.execute("EXPLAIN " + sql)
                cur.fetchall()
    return elapsed, rows


def findings_split(s: Sample) -> tuple[float, float, int]:
    """findings_for's body in two timed halves: the database read (values, stated figures,
    catalog) as core objects, then the engine (cube + rules)."""
    from ktxh.core.validate import UnitInfo, validate_values
    from ktxh.web.datavalues import selectors
    from ktxh.web.datavalues.models import DataValue
    from ktxh.web.orgunits.models import OrgUnit

    period = core.Period.year(s.year)
    t0 = time.perf_counter()
    org_unit = s.unit
    day = min(period.end, org_unit.valid_to or period.end)
    children = list(OrgUnit.objects.valid_at(day).filter(parent=org_unit))
    units = [org_unit, *children]
    years = [period.shift_years(-k).code for k in range(0, 10)]
    rows = (
        DataValue.objects.filter(org_unit__in=units, period__code__in=years)
        .select_related("indicator", "org_unit", "period", "base_period", "source_document", "entered_by")
        .order_by("pk")
    )
    values = [r.to_core() for r in rows]
    infos = [UnitInfo(u.code, u.name, u.level, org_unit.code if u != org_unit else None) for u in units]
    catalog = selectors.stored_catalog()
    stated = selectors.stated_for(org_units=units, period_codes=years)
    t1 = time.perf_counter()
    found = validate_values(
        catalog=catalog,
        values=values,
        units=infos,
        stated=stated,
        report_units={u.code for u in units},
        report_periods={period.code},
    )
    return t1 - t0, time.perf_counter() - t1, len(found)


def time_probes(
    plist: list[Probe],
    samples: list[Sample],
    repeat: int,
    variants: Sequence[str],
    deadline: float,
    *,
    full_calls: bool = True,
    hide: dict[str, list[str]] | None = None,
) -> dict[str, Timings]:
    """Each probe ``repeat`` times, cycling over the samples; the variants of a round run back to
    back in a rotating order so that the machine's noise falls on all of them alike.

    ``full_calls``: time the app's whole call each round too (else its statements are captured
    once per sample); ``hide``: variant -> indexes hidden from it (see ``run_sql``)."""
    out: dict[str, Timings] = {}
    hide = hide or {}
    for probe in plist:
        t = out[probe.name] = Timings(db={v: [] for v in variants})
        cached = CAPTURED.setdefault(probe.name, {})
        for r in range(min(repeat, probe.max_runs or repeat)):
            if r >= 3 and time.perf_counter() > deadline:
                log(f"  {probe.name}: stopping after {r} rounds (time budget)")
                break
            s = samples[r % len(samples)]
            result: Any = None
            if full_calls or r % len(samples) not in cached:
                t0 = time.perf_counter()
                result, sqls = capture(partial(probe.call, s))
                if full_calls:
                    t.full.append(ms(time.perf_counter() - t0))
                cached[r % len(samples)] = sqls
            sqls = cached[r % len(samples)]
            t.statements = len(sqls)
            order = list(variants)[r % len(variants) :] + list(variants)[: r % len(variants)]
            for v in order:
                if v == "part_key" and not probe.prunable:
                    continue
                secs, n = run_sql([variant_sql(q, v, s.province_key) for q in sqls], hide.get(v, ()))
                t.db[v].append(ms(secs))
                if v == "flat" and r == 0:
                    t.rows = n
            if probe.name == "findings" and result is not None:
                read, engine, n_found = result
                FINDINGS_FOUND.setdefault(r % len(samples), n_found)
                t.parts.setdefault("read", []).append(ms(read))
                t.parts.setdefault("engine", []).append(ms(engine))
        log(
            f"  {probe.name}: full {median(t.full) if t.full else float('nan'):.1f} ms; "
            + ", ".join(f"{v} {median(x):.2f} ms" for v, x in t.db.items() if x)
        )
    return out


def explain(statements: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """EXPLAIN (ANALYZE, BUFFERS) of each statement: its text and a summary."""
    from django.db import connection

    out = []
    with connection.cursor() as cur:
        for sql in statements:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            text = "\n".join(r[0] for r in cur.fetchall())
            hit = sum(int(x) for x in re.findall(r"shared hit=(\d+)", text.split("\n")[0] + "\n"))
            top = text.split("\n")[0]
            m = re.search(r"Execution Time: ([\d.]+) ms", text)
            p = re.search(r"Planning Time: ([\d.]+) ms", text)
            b = re.search(r"Buffers: ([^\n]+)", text)
            out.append(
                (
                    text,
                    {
                        "top": top.strip()[:120],
                        "execution_ms": float(m.group(1)) if m else None,
                        "planning_ms": float(p.group(1)) if p else None,
                        "buffers": b.group(1).strip() if b else "",
                        "first_line_hit": hit,
                        "seq_scans": len(re.findall(r"Seq Scan on (\w+)", text)),
                        "partitions_scanned": len(set(re.findall(rf" on ({PART}_\d+)\b", text))),
                    },
                )
            )
    return out


def build_partitioned(url: str, tree: Tree, all_provinces: list[core.OrgUnit], unit_ids: list[int]) -> float:
    """A copy of the values table LIST-partitioned by a province key (one partition per province
    of the whole country, loaded or not), with ktxh's indexes on every partition."""
    import psycopg

    t0 = time.perf_counter()
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute(f"DROP TABLE IF EXISTS {PART}")
        cur.execute(
            f"CREATE TABLE {PART} (LIKE {FLAT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS, "
            "province_key integer NOT NULL) PARTITION BY LIST (province_key)"
        )
        for p in all_provinces:
            cur.execute(
                f"CREATE TABLE {PART}_{int(p.code):02d} PARTITION OF {PART} FOR VALUES IN ({int(p.code)})"
            )
        cur.execute("CREATE TEMP TABLE unit_province (unit_id bigint PRIMARY KEY, province_key integer)")
        with cur.copy("COPY unit_province FROM STDIN") as copy:
            for i, uid in enumerate(unit_ids):
                copy.write_row((uid, int(tree.units[int(tree.province[i])].code)))
        cur.execute(
            f"INSERT INTO {PART} SELECT d.*, m.province_key FROM {FLAT} d "
            "JOIN unit_province m ON m.unit_id = d.org_unit_id ORDER BY d.id"
        )
        # ktxh's indexes on every partition. The unique ones are made per partition, without the
        # key: an org unit lies in one province, so per-partition uniqueness is uniqueness.
        for p in all_provinces:
            name = f"{PART}_{int(p.code):02d}"
            cur.execute(f"ALTER TABLE {name} ADD PRIMARY KEY (id)")
            cur.execute(
                f"CREATE UNIQUE INDEX ON {name} (indicator_id, org_unit_id, period_id, kind, category, option)"
            )
        indexes, _cons = secondary_ddl(cur, FLAT)
        for ddl in indexes:
            cols = ddl[ddl.index("(") :]
            cur.execute(f"CREATE INDEX ON {PART} {cols}")
        conn.commit()
        cur.execute(f"ANALYZE {PART}")
        conn.commit()
    return time.perf_counter() - t0


def table_mb(cur: Any, table: str) -> tuple[float, float]:
    cur.execute(
        "SELECT coalesce(sum(pg_table_size(c.oid)), 0), coalesce(sum(pg_indexes_size(c.oid)), 0) "
        "FROM pg_class c WHERE c.oid = %s::regclass "
        "OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = %s::regclass)",
        (table, table),
    )
    t, i = cur.fetchone()
    return round(t / 2**20, 1), round(i / 2**20, 1)


def pick_samples(tree: Tree, chosen: list[str], n: int, seed: int) -> list[Sample]:
    from ktxh.web.catalog.models import Indicator
    from ktxh.web.orgunits.models import OrgUnit

    rng = np.random.default_rng(seed + 2)
    districts = list(
        OrgUnit.objects.filter(level="district", parent__code__in=chosen)
        .select_related("parent")
        .order_by("code")
    )
    # some districts have no communes in the list: they would make no ranking
    with_kids = set(OrgUnit.objects.filter(parent__in=districts).values_list("parent_id", flat=True))
    districts = [d for d in districts if d.pk in with_kids]
    inds = list(Indicator.objects.select_related("sector").order_by("pk"))
    picks = [districts[i] for i in rng.choice(len(districts), size=min(n, len(districts)), replace=False)]
    home = [d for d in districts if d.code == "300"]  # Thanh Miện first when it is loaded
    picks = (home + [d for d in picks if d.code != "300"])[:n] if home else picks
    out = []
    for k, d in enumerate(picks):
        ind = inds[int(rng.integers(len(inds)))]
        out.append(Sample(d, d.parent, int(d.parent.code), LAST_YEAR - (k % 3), ind, ind.sector))
    return out


def index_usage() -> list[tuple[str, int, float]]:
    """(index, scans since the database was made, MB) for the values table: the load and the
    partitioned copy scan none, so the scans are the probes'."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_stat_force_next_flush()")
        cur.execute(
            "SELECT indexrelname, idx_scan, pg_relation_size(indexrelid) FROM pg_stat_user_indexes "
            "WHERE relname = %s ORDER BY idx_scan DESC, indexrelname",
            [FLAT],
        )
        return [(name, int(n), round(size / 2**20, 1)) for name, n, size in cur.fetchall()]


def time_dump(url: str, out_dir: Path) -> tuple[float, float]:
    """Seconds and MB of ``pg_dump -Fc`` of the database without the partitioned copy."""
    target = out_dir / "ktxh_scale.dump"
    t0 = time.perf_counter()
    done = subprocess.run(
        ["pg_dump", "-Fc", "--exclude-table", f"{PART}*", "-f", str(target), url],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - t0
    if done.returncode:
        log(f"pg_dump failed: {done.stderr.strip()[:200]}")
        return float("nan"), float("nan")
    size = target.stat().st_size / 2**20
    target.unlink()
    return seconds, size


def create_candidates(url: str, candidates: list[str]) -> list[tuple[str, str, float]]:
    import psycopg

    done = []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        for cols in candidates:
            name = "scale_cand_" + re.sub(r"\W+", "_", cols).strip("_")
            t0 = time.perf_counter()
            conn.execute(f"CREATE INDEX {name} ON {FLAT} ({cols})")
            conn.execute(f"ANALYZE {FLAT}")
            done.append((name, cols, time.perf_counter() - t0))
    return done


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", 1)[0])
    ap.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    ap.add_argument("--scale", type=float, default=0.05, help="share of the country's units to load (0-1]")
    ap.add_argument("--indicators", type=int, default=300)
    ap.add_argument("--sectors", type=int, default=20)
    ap.add_argument("--seed", type=int, default=20250701)
    ap.add_argument("--repeat", type=int, default=15, help="runs of each query (cycling over districts)")
    ap.add_argument("--findings-repeat", type=int, default=3, help="runs of the findings probe (slow)")
    ap.add_argument("--samples", type=int, default=5, help="districts the queries cycle over")
    ap.add_argument("--budget", type=float, default=600.0, help="seconds the whole run should stay within")
    ap.add_argument(
        "--candidate-index",
        action="append",
        default=None,
        help="columns of an index to try on the values table (repeatable; default: indicator_id, period_id)",
    )
    ap.add_argument("--no-dump", action="store_true", help="skip timing pg_dump")
    ap.add_argument("--no-partition", action="store_true", help="skip the partitioned copy")
    ap.add_argument("--out", default="var/scale", help="folder for the EXPLAIN output and the JSON")
    args = ap.parse_args(argv)
    if not 0 < args.scale <= 1:
        raise SystemExit("--scale must be in (0, 1]")
    candidates = args.candidate_index if args.candidate_index is not None else ["indicator_id, period_id"]
    started = time.perf_counter()
    run_date = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    url = server_url(args.server, DB_NAME)
    years = [str(y) for y in range(FIRST_YEAR, LAST_YEAR + 1)]

    log("the country: the 63-province list (provinces, districts, communes)")
    country = Tree.of(national_units())
    national = country.levels()
    chosen = pick_provinces(country, args.scale, args.seed)
    tree = country.subset(set(chosen))
    loaded = tree.levels()
    n_rows = row_count(tree, args.indicators, len(years))
    national_rows = row_count(country, args.indicators, len(years))
    log(
        f"loading {len(chosen)} provinces ({', '.join(chosen)}): {len(tree.units):,} of {len(country.units):,} "
        f"units, {n_rows:,} values (the whole country would be {national_rows:,})"
    )

    log(f"database {DB_NAME}: drop, create, ktxh init")
    recreate_database(args.server)
    ktxh_init(url)
    django_setup(url)

    log("org units, catalog, periods through ktxh's services")
    t0 = time.perf_counter()
    catalog = synthetic_catalog(args.indicators, args.sectors)
    store_country = Tree.of(country.units)  # every unit of the country is stored, values only for some
    all_ids, indicator_ids, period_ids = store_world(store_country, catalog, years)
    id_of = {(u.code, u.valid_from): all_ids[i] for i, u in enumerate(store_country.units)}
    unit_ids = [id_of[(u.code, u.valid_from)] for u in tree.units]
    world_seconds = time.perf_counter() - t0

    log("generating values (bench/engine.py's model)")
    t0 = time.perf_counter()
    values = generate(tree, catalog, len(years), args.seed)
    gen_seconds = time.perf_counter() - t0
    stamp = "2025-01-15 08:00:00+07"
    lines = copy_lines(
        values,
        indicator_ids=indicator_ids,
        unit_ids=unit_ids,
        period_ids=period_ids,
        seed=args.seed,
        stamp=stamp,
    )
    log("COPY into datavalues_datavalue")
    copy_seconds, index_seconds = bulk_load(url, lines, n_rows)
    del values

    import psycopg

    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cur:
        t0 = time.perf_counter()
        cur.execute("VACUUM ANALYZE")
        analyze_seconds = time.perf_counter() - t0
        cur.execute(f"SELECT count(*) FROM {FLAT}")
        stored = int(cur.fetchone()[0])  # type: ignore[index]
        flat_mb = table_mb(cur, FLAT)
        cur.execute("SHOW shared_buffers")
        shared_buffers = cur.fetchone()[0]  # type: ignore[index]
        cur.execute("SHOW work_mem")
        work_mem = cur.fetchone()[0]  # type: ignore[index]
        cur.execute("SELECT version()")
        version = cur.fetchone()[0].split(" on ")[0]  # type: ignore[index]
    if stored != n_rows:
        raise SystemExit(f"stored {stored:,} values, expected {n_rows:,}")
    log(f"stored {stored:,} values; table {flat_mb[0]} MB + indexes {flat_mb[1]} MB")

    part_seconds, part_mb = 0.0, (0.0, 0.0)
    variants = ["flat"]
    if not args.no_partition:
        log("copy partitioned by province (LIST, one partition per province of the country)")
        provinces = [u for u in store_country.units if u.parent_code is None]
        part_seconds = build_partitioned(url, tree, provinces, unit_ids)
        with psycopg.connect(url) as conn, conn.cursor() as cur:
            part_mb = table_mb(cur, PART)
        variants = ["flat", "part", "part_key"]
        log(f"  built in {part_seconds:.1f} s; {part_mb[0]} MB + indexes {part_mb[1]} MB")

    samples = pick_samples(tree, chosen, args.samples, args.seed)
    log(
        "samples: " + "; ".join(f"{s.unit.name} ({s.unit.code}) {s.year} {s.indicator.code}" for s in samples)
    )
    plist = probes(args.findings_repeat)
    for probe in plist:  # warm-up: caches, connections, Python imports (findings: too slow, and
        if probe.name != "findings":  # its first run reads what the others leave in the cache)
            probe.call(samples[0])
    s0 = samples[0]
    log(f"timing {len(plist)} probes × {args.repeat} runs × {variants}")
    deadline = started + 0.85 * args.budget
    timings = time_probes(plist, samples, args.repeat, variants, deadline)

    usage = index_usage()
    log("index scans by the probes: " + ", ".join(f"{n} {c}" for n, c, _mb in usage))

    # the plans of every probe's statements for the first sample, on every variant
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp_file = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    plans: dict[str, dict[str, list[dict[str, Any]]]] = {}
    explain_path = out_dir / f"explain-{stamp_file}.txt"
    with explain_path.open("w", encoding="utf-8") as fh:
        fh.write(f"bench/scale_pg.py {' '.join(argv or sys.argv[1:])}  run {run_date}\n")
        fh.write(f"sample: {s0.unit.name} ({s0.unit.code}), {s0.year}, {s0.indicator.code}\n")
        for probe in plist:
            sqls = CAPTURED[probe.name][0]
            for v in variants:
                if v == "part_key" and not probe.prunable:
                    continue
                res = explain([variant_sql(q, v, s0.province_key) for q in sqls])
                plans.setdefault(probe.name, {})[v] = [summary for _t, summary in res]
                for k, (text, _summary) in enumerate(res):
                    fh.write(
                        f"\n===== {probe.name} [{v}] statement {k + 1}/{len(res)}\n{sqls[k]}\n--\n{text}\n"
                    )

    # candidate indexes: create them, time the plain table's statements again
    index_results: dict[str, Any] = {}
    if candidates:
        log(f"candidate indexes: {candidates}")
        made = create_candidates(url, candidates)
        names = [n for n, _c, _s in made]
        after = time_probes(
            plist,
            samples,
            args.repeat,
            ["flat", "flat_idx"],
            started + args.budget,
            full_calls=False,
            hide={"flat": names},
        )
        with psycopg.connect(url) as conn, conn.cursor() as cur:
            cand_mb = table_mb(cur, FLAT)
        with explain_path.open("a", encoding="utf-8") as fh:
            for probe in plist:
                res = explain(CAPTURED[probe.name][0])
                plans.setdefault(probe.name, {})["flat_idx"] = [summary for _t, summary in res]
                for k, (text, _summary) in enumerate(res):
                    fh.write(
                        f"\n===== {probe.name} [flat + candidate indexes] statement {k + 1}\n--\n{text}\n"
                    )
        index_results = {
            "created": [{"name": n, "columns": c, "build_seconds": round(sec, 1)} for n, c, sec in made],
            "index_mb_after": cand_mb[1],
            "db_median_ms_without": {p: round(median(t.db["flat"]), 2) for p, t in after.items()},
            "db_median_ms_with": {p: round(median(t.db["flat_idx"]), 2) for p, t in after.items()},
            "db_p95_ms_with": {p: round(p95(t.db["flat_idx"]), 2) for p, t in after.items()},
            "with_over_without": {
                p: round(median(t.db["flat_idx"]) / median(t.db["flat"]), 2) for p, t in after.items()
            },
        }

    dump_seconds, dump_mb = float("nan"), float("nan")
    if not args.no_dump and time.perf_counter() - started < args.budget:
        log("pg_dump -Fc (without the partitioned copy)")
        dump_seconds, dump_mb = time_dump(url, out_dir)
    # findings_split must stay what findings_for does: compare once, when the budget allows
    checked: bool | None = None
    if (
        0 in FINDINGS_FOUND
        and time.perf_counter() - started + median(timings["findings"].full) / 1000 < args.budget
    ):
        from ktxh.web.datavalues.selectors import findings_for

        log("checking findings_split against findings_for")
        checked = len(findings_for(org_unit=s0.unit, period=core.Period.year(s0.year))) == FINDINGS_FOUND[0]
        if not checked:
            log("WARNING: findings_split no longer does what findings_for does: update it")
    total_seconds = time.perf_counter() - started
    # ---- the table
    print(
        f"ktxh scale bench ({run_date}; {version}, shared_buffers {shared_buffers}, work_mem {work_mem}; "
        f"{os.cpu_count()} CPUs, shared machine)"
    )
    print(
        f"country (63-province list): {national.get('province', 0)} provinces, {national.get('district', 0)} "
        f"districts, {national.get('commune', 0)} communes; {args.indicators} indicators, {len(years)} years "
        f"({years[0]}-{years[-1]}), estimate+plan every year, final all but the last -> "
        f"{national_rows:,} values ({national_rows // len(years):,} per year)"
    )
    bytes_per_value = (flat_mb[0] + flat_mb[1]) * 2**20 / stored
    current_units = current_unit_count()
    print(
        f"projection at the measured {bytes_per_value:.0f} bytes/value (table + ktxh's indexes): whole country, "
        f"10 years: {national_rows * bytes_per_value / 2**30:.1f} GiB; each further year "
        f"{args.indicators * len(country.units) * 3:,} values = "
        f"{args.indicators * len(country.units) * 3 * bytes_per_value / 2**30:.2f} GiB on the 63-province list, "
        f"{args.indicators * current_units * 3:,} values = "
        f"{args.indicators * current_units * 3 * bytes_per_value / 2**30:.2f} GiB on the 34-province list "
        f"({current_units:,} units); COPY of the whole country at the measured rate: "
        f"{national_rows / (stored / copy_seconds) / 60:.0f} min"
    )
    print(
        f"loaded --scale {args.scale}: {len(chosen)} provinces ({', '.join(chosen)}), {loaded.get('district', 0)} "
        f"districts, {loaded.get('commune', 0)} communes = {len(tree.units) / len(country.units):.1%} of the "
        f"units; {stored:,} values"
    )
    print(
        f"load: org units+catalog {world_seconds:.1f} s, generate {gen_seconds:.1f} s, COPY {copy_seconds:.1f} s "
        f"({stored / copy_seconds:,.0f} rows/s), rebuild ktxh's indexes {index_seconds:.1f} s, "
        f"VACUUM ANALYZE {analyze_seconds:.1f} s; partitioned copy {part_seconds:.1f} s"
    )
    print(
        f"size: {FLAT} {flat_mb[0]} MB + indexes {flat_mb[1]} MB "
        f"({(flat_mb[0] + flat_mb[1]) * 2**20 / stored:.0f} bytes/value); "
        f"{PART} {part_mb[0]} MB + indexes {part_mb[1]} MB"
    )
    head = (
        f"{'query':<14}{'rows':>7}{'stmts':>6}{'page med':>10}{'page p95':>10}"
        f"{'db med':>9}{'db p95':>9}{'part/flat':>10}{'part+key/flat':>14}"
    )
    if index_results:
        head += f"{'idx: with/without':>19}"
    print("times in ms; 'page' = the whole Python call (ORM + engine), 'db' = its SQL statements only,")
    print("on ktxh's table; ratios = median of the partitioned copy's db time / the plain table's (same run)")
    print(head)
    summary: dict[str, Any] = {}
    for probe in plist:
        t = timings[probe.name]
        flat_med = median(t.db["flat"])
        part_ratio = median(t.db.get("part", [])) / flat_med if t.db.get("part") else float("nan")
        key_ratio = median(t.db.get("part_key", [])) / flat_med if t.db.get("part_key") else float("nan")
        line = (
            f"{probe.name:<14}{t.rows:>7}{t.statements:>6}{median(t.full):>10.1f}{p95(t.full):>10.1f}"
            f"{flat_med:>9.2f}{p95(t.db['flat']):>9.2f}{part_ratio:>10.2f}{key_ratio:>14.2f}"
        )
        if index_results:
            line += f"{index_results['with_over_without'][probe.name]:>19.2f}"
        print(line)
        summary[probe.name] = {
            "label": probe.label,
            "runs": len(t.full),
            "rows": t.rows,
            "statements": t.statements,
            "page_median_ms": round(median(t.full), 1),
            "page_p95_ms": round(p95(t.full), 1),
            "db": {
                v: {"median_ms": round(median(x), 2), "p95_ms": round(p95(x), 2)}
                for v, x in t.db.items()
                if x
            },
            "part_over_flat": round(part_ratio, 2),
            "part_key_over_flat": round(key_ratio, 2),
            "parts": {
                k: {"median_ms": round(median(x), 1), "p95_ms": round(p95(x), 1)} for k, x in t.parts.items()
            },
            "plans": plans.get(probe.name, {}),
        }
    f = summary["findings"]["parts"]
    if f:
        print(
            f"findings_for split: database read {f['read']['median_ms']:.1f} ms (p95 {f['read']['p95_ms']:.1f}), "
            f"engine {f['engine']['median_ms']:.1f} ms (p95 {f['engine']['p95_ms']:.1f})"
        )
    heavy = sorted(plist, key=lambda p: -median(timings[p.name].db["flat"]))[:3]
    for probe in heavy:
        for v, stmts in plans.get(probe.name, {}).items():
            for k, st in enumerate(stmts):
                print(
                    f"plan {probe.name}[{v}] #{k + 1}: exec {st['execution_ms']} ms, plan {st['planning_ms']} ms, "
                    f"partitions {st['partitions_scanned']}, {st['buffers']}; {st['top'][:70]}"
                )
    print(
        "index scans by the probes (ktxh's indexes on the values table): "
        + "; ".join(f"{n} {c} scans {mb} MB" for n, c, mb in usage)
    )
    print(
        f"pg_dump -Fc of the database (values table {stored:,} rows, no partitioned copy): "
        f"{dump_seconds:.1f} s, {dump_mb:.1f} MB"
    )
    print(f"EXPLAIN (ANALYZE, BUFFERS) of every statement: {explain_path}")
    print(f"findings split checked against findings_for: {checked}")
    print(f"whole run {total_seconds:.0f} s")
    result = {
        "run_date": run_date,
        "server": version,
        "shared_buffers": shared_buffers,
        "work_mem": work_mem,
        "cpus": os.cpu_count(),
        "scale": args.scale,
        "provinces_loaded": chosen,
        "units_loaded": loaded,
        "units_national": national,
        "indicators": args.indicators,
        "sectors": args.sectors,
        "years": [years[0], years[-1]],
        "values_loaded": stored,
        "values_national": national_rows,
        "values_national_per_year": national_rows // len(years),
        "seconds": {
            "world": round(world_seconds, 1),
            "generate": round(gen_seconds, 1),
            "copy": round(copy_seconds, 1),
            "indexes": round(index_seconds, 1),
            "vacuum_analyze": round(analyze_seconds, 1),
            "partitioned_copy": round(part_seconds, 1),
            "total": round(total_seconds, 1),
        },
        "copy_rows_per_second": round(stored / copy_seconds),
        "flat_mb": {"table": flat_mb[0], "indexes": flat_mb[1]},
        "partitioned_mb": {"table": part_mb[0], "indexes": part_mb[1]},
        "samples": [f"{s.unit.code} {s.year} {s.indicator.code}" for s in samples],
        "probes": summary,
        "candidate_indexes": index_results,
        "explain_file": str(explain_path),
        "findings_split_matches_findings_for": checked,
        "bytes_per_value": round(bytes_per_value),
        "units_current_list": current_units,
        "index_usage": [{"index": n, "scans": c, "mb": mb} for n, c, mb in usage],
        "pg_dump": {"seconds": round(dump_seconds, 1), "mb": round(dump_mb, 1)},
    }
    (out_dir / f"result-{stamp_file}.json").write_text(
        json.dumps(result, indent=1, default=str), encoding="utf-8"
    )
    print(
        json.dumps(
            {k: v for k, v in result.items() if k != "probes"}
            | {"probes": {k: {kk: vv for kk, vv in v.items() if kk != "plans"} for k, v in summary.items()}},
            default=str,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
