"""Reusable reads of values, returned as ktxh.core types."""

from __future__ import annotations

from datetime import date

from ktxh import core
from ktxh.core.rules import Finding, Rule
from ktxh.core.validate import UnitInfo, validate_values
from ktxh.web.catalog.models import Indicator
from ktxh.web.orgunits.models import OrgUnit

from .models import DataValue


def org_unit_at(code: str, day: date) -> OrgUnit:
    """The org unit that carried ``code`` on ``day``; OrgUnitError otherwise."""
    unit = OrgUnit.objects.valid_at(day).filter(code=code.strip()).first()
    if unit is not None:
        return unit
    versions = list(OrgUnit.objects.filter(code=code.strip()))
    if not versions:
        raise core.OrgUnitError(f"Không có đơn vị hành chính mã «{code}».")
    spans = "; ".join(
        f"«{u.name}» ({u.valid_from:%d/%m/%Y} – {u.valid_to:%d/%m/%Y})"
        if u.valid_to
        else f"«{u.name}» (từ {u.valid_from:%d/%m/%Y})"
        for u in versions
    )
    raise core.OrgUnitError(
        f"Mã đơn vị «{code}» không có hiệu lực ngày {day:%d/%m/%Y}. Mã này từng là: {spans}."
    )


def catalog_stamp() -> tuple[object, ...]:
    """Row count and newest change of each catalog table, in one query: it differs as soon as
    anything in the catalog is added, edited or removed (every table records ``updated_at``)."""
    from django.db import connection

    from ktxh.web.catalog.models import Office, Sector, Unit

    q = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT {i}, COUNT(*), MAX({q('updated_at')}) FROM {q(m._meta.db_table)}"
        for i, m in enumerate((Office, Sector, Unit, Indicator))
    )
    with connection.cursor() as cur:
        cur.execute(sql)
        return (connection.alias, connection.settings_dict["NAME"], *sorted(cur.fetchall()))


_catalog_cache: tuple[tuple[object, ...], core.Catalog] | None = None


def stored_catalog() -> core.Catalog:
    """The catalog as stored (it may differ from the shipped files once users edit it).

    Read once per process and kept while the catalog's stamp is unchanged: the stamp costs
    one small query, reading the catalog some thirty times more."""
    return stored_catalog_stamped()[0]


def stored_catalog_stamped() -> tuple[core.Catalog, tuple[object, ...]]:
    """The stored catalog and the stamp it was read under."""
    global _catalog_cache
    stamp = catalog_stamp()
    cached = _catalog_cache
    if cached is not None and cached[0] == stamp:
        return cached[1], stamp
    catalog = _read_catalog()
    _catalog_cache = (stamp, catalog)
    return catalog, stamp


def _read_catalog() -> core.Catalog:
    from ktxh.web.catalog.models import Office, Sector, Unit

    return core.Catalog(
        offices=[core.Office(o.code, o.name) for o in Office.objects.all()],
        sectors=[
            core.Sector(s.code, s.prefix, s.name, s.office.code)
            for s in Sector.objects.select_related("office")
        ],
        indicators=[
            i.to_core()
            for i in Indicator.objects.select_related("unit", "sector", "office", "parent").order_by(
                "sector__order", "order"
            )
        ],
        units=core.UnitRegistry(
            core.Unit(u.code, u.symbol, u.dimension, u.factor) for u in Unit.objects.all()
        ),
    )


def value_stamps(*, org_unit: OrgUnit, period_codes: list[str]) -> dict[str, tuple[object, ...]]:
    """Per sector, a stamp of the unit's values in these periods that changes whenever one of
    them is added, changed or removed: row count, highest id, sum of versions (raised on every
    edit) and the newest ``updated_at``. One query. Pages keyed by it are never stale."""
    from django.db.models import Count, Max, Sum

    rows = (
        DataValue.objects.filter(org_unit=org_unit, period__code__in=period_codes)
        .order_by()
        .values_list("indicator__sector__code")
        .annotate(Count("pk"), Max("pk"), Sum("version"), Max("updated_at"))
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def values_for(*, org_unit: OrgUnit, period_codes: list[str]) -> list[core.Value]:
    """Every value of one org unit (this version of it) in the given periods, as core values."""
    rows = DataValue.objects.filter(org_unit=org_unit, period__code__in=period_codes).order_by("pk")
    return rows.core()


def indicator_rows(*, org_unit: OrgUnit, period: core.Period) -> list[core.IndicatorRow]:
    """The summary rows (value, plan, % of plan, change) of one unit and period."""
    catalog = stored_catalog()
    values = values_for(org_unit=org_unit, period_codes=[period.code, period.previous_year().code])
    return core.indicator_rows(catalog, values, org_unit=org_unit.code, period=period)


def stated_for(
    *, org_units: list[OrgUnit], period_codes: list[str], indicators: set[str] | None = None
) -> list[core.StatedFigure]:
    from .models import StatedFigure

    rows = StatedFigure.objects.filter(org_unit__in=org_units, period__code__in=period_codes)
    if indicators is not None:
        rows = rows.filter(indicator__code__in=indicators)
    return rows.core()


def findings_for(
    *,
    org_unit: OrgUnit,
    period: core.Period,
    rules: list[Rule] | None = None,
    indicators: set[str] | None = None,
) -> list[Finding]:
    """Run the rules on one unit and its child units for one period.

    Earlier years are read too (the previous year for changes, history for outliers),
    but only findings about ``period`` are returned. ``indicators``: only the rules and
    values that can judge these indicators (a save checks what it changed, not everything).
    """
    catalog = stored_catalog()
    codes = None
    if indicators is not None:
        from ktxh.core.rules import load_rules
        from ktxh.core.validate import related_indicators

        codes, rules = related_indicators(catalog, rules if rules is not None else load_rules(), indicators)
    day = min(period.end, org_unit.valid_to or period.end)
    children = list(OrgUnit.objects.valid_at(day).filter(parent=org_unit))
    units = [org_unit, *children]
    years = [period.shift_years(-k).code for k in range(0, 10)]
    rows = DataValue.objects.filter(org_unit__in=units, period__code__in=years).order_by("pk")
    if codes is not None:
        rows = rows.filter(indicator__code__in=codes)
    values = rows.core()
    infos = [UnitInfo(u.code, u.name, u.level, org_unit.code if u != org_unit else None) for u in units]
    stated = stated_for(org_units=units, period_codes=years, indicators=codes)
    return validate_values(
        catalog=catalog,
        values=values,
        units=infos,
        stated=stated,
        report_units={u.code for u in units},
        report_periods={period.code},
        rules=rules,
    )


def report_values(*, org_unit: OrgUnit, year: int) -> list[core.Value]:
    """Everything a report of ``year`` may quote: the unit and its children, last year to next
    year, and the multi-year terms that include the year."""
    day = min(core.Period.year(year).end, org_unit.valid_to or core.Period.year(year).end)
    children = list(OrgUnit.objects.valid_at(day).filter(parent=org_unit))
    from .models import Period as PeriodModel

    codes = [str(year - 1), str(year), str(year + 1)]
    codes += [
        p.code for p in PeriodModel.objects.filter(type="term", start__year__lte=year, end__year__gte=year)
    ]
    rows = DataValue.objects.filter(org_unit__in=[org_unit, *children], period__code__in=codes).order_by("pk")
    return rows.core()
