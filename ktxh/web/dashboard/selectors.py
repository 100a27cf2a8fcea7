"""The reads behind the dashboards: a fixed number of queries per page, whatever the data size.

Every function here issues a constant number of queries (the catalog, one query for the
values it needs, one for the units around); none loops over indicators, units or years
with a query inside. ``tests/web/test_dashboard_pages.py`` holds them to that.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from ktxh import core
from ktxh.core.summary import IndicatorRow
from ktxh.web.accounts.permissions import Access
from ktxh.web.datavalues import selectors as dv
from ktxh.web.datavalues.models import DataValue, SourceDocument, StatedFigure
from ktxh.web.orgunits.models import OrgUnit

ACTUAL_KINDS = (core.ValueKind.FINAL, core.ValueKind.ESTIMATE)  # final wins over an estimate
PLAN_KINDS = (core.ValueKind.PLAN, core.ValueKind.BUDGET_ESTIMATE)


def _values(**filters: object) -> QuerySet[DataValue]:
    """Values ready for ``core()`` (or ``to_core()`` on each row), oldest first."""
    return DataValue.objects.filter(**filters).for_core().order_by("pk")


def latest_year(unit_code: str) -> int | None:
    """The last year with an actual value for any unit carrying ``unit_code``."""
    found = (
        DataValue.objects.filter(
            org_unit__code=unit_code, period__type="year", kind__in=[k.value for k in ACTUAL_KINDS]
        )
        .order_by("-period__start")
        .values_list("period__start", flat=True)
        .first()
    )
    return found.year if found else None


def place(unit_code: str, year: int) -> tuple[OrgUnit, core.Period]:
    """The unit carrying ``unit_code`` in ``year`` and the year as a period (KtxhError if none)."""
    period = core.Period.year(year)
    return dv.org_unit_at(unit_code, min(period.end, date.today())), period


def stored_years(org_unit: OrgUnit) -> list[int]:
    """Every year with at least one value of this unit, oldest first."""
    starts = (
        DataValue.objects.filter(org_unit=org_unit, period__type="year")
        .values_list("period__start", flat=True)
        .distinct()
    )
    return sorted({d.year for d in starts})


def nearby_units(org_unit: OrgUnit, period: core.Period, access: Access) -> list[OrgUnit]:
    """The units a reader may switch to: the one above, this one, those below (if visible)."""
    day = min(period.end, org_unit.valid_to or period.end)
    around = OrgUnit.objects.filter(
        Q(pk=org_unit.parent_id)
        | Q(pk__in=OrgUnit.objects.valid_at(day).filter(parent=org_unit).values("pk"))
    ).order_by("name")
    parent = [u for u in around if u.pk == org_unit.parent_id]
    children = [u for u in around if u.pk != org_unit.parent_id]
    return (
        [u for u in parent if access.can_view(u)] + [org_unit] + [u for u in children if access.can_view(u)]
    )


@dataclass
class Summary:
    catalog: core.Catalog
    rows: list[IndicatorRow]


def summary(
    *,
    org_unit: OrgUnit,
    period: core.Period,
    sectors: list[str] | None = None,
    catalog: core.Catalog | None = None,
) -> Summary:
    """The catalog (read once) and the rows of value, plan, % of plan and change
    (of these sectors only, when given)."""
    catalog = catalog or dv.stored_catalog()
    codes = [period.code, period.previous_year().code]
    qs = _values(org_unit=org_unit, period__code__in=codes)
    if sectors is not None:
        qs = qs.filter(indicator__sector__code__in=sectors)
    values = qs.core()
    return Summary(catalog, core.indicator_rows(catalog, values, org_unit=org_unit.code, period=period))


STATUSES = ("vượt", "đạt", "không đạt")


@dataclass
class SectorSummary:
    sector: core.Sector
    rows: list[IndicatorRow] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        c = Counter(r.status for r in self.rows)
        return {s: c.get(s, 0) for s in STATUSES}

    @property
    def assessed(self) -> int:
        return sum(self.counts.values())


def by_sector(s: Summary) -> list[SectorSummary]:
    """Rows grouped by sector, in catalog order."""
    sectors = {sec.code: sec for sec in s.catalog.sectors.values()}
    out: dict[str, SectorSummary] = {}
    for row in s.rows:
        code = row.indicator.sector
        out.setdefault(code, SectorSummary(sectors[code])).rows.append(row)
    return list(out.values())


@dataclass
class Trend:
    """A sector's indicators over every stored year: actual and plan per year."""

    years: list[int]
    actual: dict[str, dict[int, core.Value]]
    plan: dict[str, dict[int, core.Value]]

    def indicators(self, catalog: core.Catalog) -> list[core.Indicator]:
        """Indicators with an actual value in at least two years, in catalog order."""
        return [
            ind
            for code, ind in catalog.items()
            if code in self.actual and len(self.actual[code]) >= 2 and ind.sector
        ]


def trend(*, org_unit: OrgUnit, sector: str) -> Trend:
    """Totals (no breakdown) of one sector's indicators for one unit, every year stored."""
    # Plain tuples rather than model rows: ten years of a sector are a thousand values or more,
    # and a chart point needs only the number and where it came from.
    rows = (
        DataValue.objects.filter(
            org_unit=org_unit,
            indicator__sector__code=sector,
            period__type="year",
            category="",
            option="",
            kind__in=[k.value for k in (*ACTUAL_KINDS, *PLAN_KINDS)],
        )
        .order_by("pk")
        .values_list(
            "indicator__code",
            "period__code",
            "period__start",
            "kind",
            "value",
            "derived",
            "source_document__key",
            "source_line",
            "source_text",
            "formula",
            "entered_by__username",
        )
    )
    actual: dict[str, dict[int, core.Value]] = defaultdict(dict)
    plan: dict[str, dict[int, core.Value]] = defaultdict(dict)
    years: set[int] = set()
    kinds_by_name = {k.value: k for k in core.ValueKind}
    for code, period_code, start, kind_name, value, derived, doc, line, text, formula, user in rows:
        kind = kinds_by_name[kind_name]
        v = core.Value(
            indicator=code,
            org_unit=org_unit.code,
            period=period_code,
            kind=kind,
            value=value,
            derived=derived,
            provenance=core.Provenance(
                document=doc, line=line, text=text or None, entered_by=user, formula=formula or None
            ),
        )
        year = start.year
        years.add(year)
        target = actual if kind in ACTUAL_KINDS else plan
        kinds = ACTUAL_KINDS if kind in ACTUAL_KINDS else PLAN_KINDS
        held = target[v.indicator].get(year)
        # a final figure over an estimate (a plan and a budget estimate rarely share a year)
        if held is None or kinds.index(kind) < kinds.index(held.kind):
            target[v.indicator][year] = v
    return Trend(sorted(years), dict(actual), dict(plan))


@dataclass(frozen=True)
class RankingLink:
    code: str
    name: str
    units: int


def rankings_available(
    *, org_unit: OrgUnit, period: core.Period, sector: str | None = None
) -> list[RankingLink]:
    """Indicators with values for the units below ``org_unit`` in ``period``."""
    qs = DataValue.objects.filter(
        org_unit__parent=org_unit, period__code=period.code, kind__in=[k.value for k in ACTUAL_KINDS]
    )
    if sector:
        qs = qs.filter(indicator__sector__code=sector)
    found = (
        qs.values("indicator__code", "indicator__name", "indicator__sector__order", "indicator__order")
        .annotate(n=Count("org_unit", distinct=True))
        .order_by("indicator__sector__order", "indicator__order")
    )
    return [RankingLink(r["indicator__code"], r["indicator__name"], r["n"]) for r in found]


@dataclass
class RankEntry:
    """One unit below: its value (a total, or the sum of its breakdown) and last year's."""

    unit: OrgUnit
    value: Decimal | None = None
    parts: list[core.Value] = field(default_factory=list)  # the stored values it is made of
    previous: Decimal | None = None
    rank: int | None = None

    @property
    def summed(self) -> bool:
        return len(self.parts) > 1 or (len(self.parts) == 1 and bool(self.parts[0].category))


@dataclass
class Ranking:
    indicator: core.Indicator
    unit_symbol: str
    entries: list[RankEntry]
    own: core.Value | None  # the unit's own total, to compare with the sum of its units

    @property
    def ranked(self) -> list[RankEntry]:
        return [e for e in self.entries if e.value is not None]

    @property
    def total(self) -> Decimal | None:
        values = [e.value for e in self.ranked if e.value is not None]
        return sum(values, Decimal(0)) if values else None


def _pick_actual(values: list[core.Value]) -> list[core.Value]:
    """Of one unit's values of one year: the total if any, else one category's options summed;
    final figures over estimates."""
    for kind in ACTUAL_KINDS:
        of_kind = [v for v in values if v.kind is kind]
        if not of_kind:
            continue
        totals = [v for v in of_kind if not v.category and not v.option]
        if totals:
            return totals[:1]
        by_cat: dict[str, list[core.Value]] = defaultdict(list)
        for v in of_kind:
            by_cat[v.category].append(v)
        # the category with the most options is the fullest breakdown
        best = sorted(by_cat.items(), key=lambda kv: (-len(kv[1]), kv[0]))[0][1]
        return sorted(best, key=lambda v: v.option)
    return []


def ranking(
    *, org_unit: OrgUnit, period: core.Period, indicator: core.Indicator, unit_symbol: str
) -> Ranking:
    """The units below ``org_unit`` ranked on ``indicator`` in ``period``, best first by the
    indicator's good direction (largest first when it has none)."""
    day = min(period.end, org_unit.valid_to or period.end)
    children = list(OrgUnit.objects.valid_at(day).filter(parent=org_unit).order_by("name"))
    codes = [period.code, period.previous_year().code]
    rows = _values(
        indicator__code=indicator.code,
        org_unit__in=[org_unit, *children],
        period__code__in=codes,
        kind__in=[k.value for k in ACTUAL_KINDS],
    )
    cells: dict[tuple[int, str], list[core.Value]] = defaultdict(list)
    for r in rows:
        cells[(r.org_unit_id, r.period.code)].append(r.to_core())
    summable = indicator.aggregation is core.Aggregation.SUM
    entries = []
    for unit in children:
        e = RankEntry(unit)
        parts = _pick_actual(cells.get((unit.pk, period.code), []))
        if parts and (len(parts) == 1 or summable):
            e.parts = parts
            e.value = sum((v.value for v in parts), Decimal(0))
        prev = _pick_actual(cells.get((unit.pk, codes[1]), []))
        if prev and (len(prev) == 1 or summable):
            e.previous = sum((v.value for v in prev), Decimal(0))
        entries.append(e)
    down = indicator.direction is core.Direction.DOWN
    ranked = sorted(
        (e for e in entries if e.value is not None),
        key=lambda e: (e.value if down else -e.value, e.unit.name),  # type: ignore[operator]
    )
    for i, e in enumerate(ranked):
        e.rank = i + 1 if i == 0 or e.value != ranked[i - 1].value else ranked[i - 1].rank
    own = _pick_actual(cells.get((org_unit.pk, period.code), []))
    unranked = [e for e in entries if e.value is None]
    return Ranking(indicator, unit_symbol, ranked + unranked, own[0] if len(own) == 1 else None)


def document_readers(doc: SourceDocument) -> list[int]:
    """The org units (row ids) holding values read from ``doc``."""
    return list(
        DataValue.objects.filter(source_document=doc).values_list("org_unit_id", flat=True).distinct()
    )


@dataclass(frozen=True)
class Line:
    number: int
    html: SafeString
    cited: bool


def _literal_pattern(texts: list[str]) -> re.Pattern[str]:
    # A literal counts only as a whole number: "1,5" must not light up inside "11,5" or "1,55".
    alts = "|".join(re.escape(t) for t in sorted(set(texts), key=len, reverse=True))
    return re.compile(rf"(?<![\d.,])(?:{alts})(?!\d|[.,]\d)")


def document_lines(doc: SourceDocument) -> list[Line]:
    """The document's lines, each number that became a value marked with what it became."""
    cited: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for model in (DataValue, StatedFigure):
        for line, text, name in model.objects.filter(source_document=doc).values_list(
            "source_line", "source_text", "indicator__name"
        ):
            if line and text:
                cited[line][text].append(name)
    out = []
    for n, raw in enumerate(doc.text.split("\n"), start=1):
        found = cited.get(n)
        if not found:
            out.append(Line(n, escape(raw), False))
            continue
        pattern = _literal_pattern(list(found))
        pieces: list[str] = []
        last = 0
        for m in pattern.finditer(raw):
            pieces.append(escape(raw[last : m.start()]))
            names = "; ".join(dict.fromkeys(found[m.group(0)]))
            pieces.append(format_html('<mark class="cited" title="{}">{}</mark>', names, m.group(0)))
            last = m.end()
        pieces.append(escape(raw[last:]))
        out.append(Line(n, mark_safe("".join(pieces)), True))  # noqa: S308 - every piece escaped above
    return out
