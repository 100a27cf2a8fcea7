"""The dashboards: the unit's overview, a page per sector, commune rankings, the findings list,
and the source documents every number links back to.

Each view checks access first, then reads through ``selectors`` (a fixed number of queries)
and formats through ``cells`` and ``charts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ktxh import core
from ktxh.core.rules import SEVERITY_LABELS, Severity
from ktxh.core.summary import IndicatorRow
from ktxh.web.accounts.permissions import Access, access_for
from ktxh.web.datavalues import selectors as dv
from ktxh.web.datavalues.models import SourceDocument
from ktxh.web.orgunits.models import OrgUnit

from . import blocks, cells, charts, selectors

DEFAULT_UNIT = "300"
DEFAULT_YEAR = 2023


class BadRequest(Exception):
    """A unit or year that cannot be shown; the message is for the reader."""


@dataclass
class Place:
    access: Access
    unit: OrgUnit
    period: core.Period

    @property
    def query(self) -> str:
        return "?" + urlencode({"unit": self.unit.code, "year": self.period.start.year})

    def url(self, name: str, *args: str) -> str:
        return reverse(f"dashboard:{name}", args=args) + self.query


def _place(request: HttpRequest) -> Place:
    """The unit and year asked for (default: the user's own unit, its latest year), visible to the user."""
    access = access_for(request)
    own = [s.unit for s in access.scopes if s.unit]
    code = (request.GET.get("unit") or (own[0] if own else DEFAULT_UNIT)).strip()
    raw_year = request.GET.get("year")
    try:
        year = int(raw_year) if raw_year else (selectors.latest_year(code) or DEFAULT_YEAR)
        unit, period = selectors.place(code, year)
    except ValueError:
        raise BadRequest(_("Năm không hợp lệ.")) from None
    except core.KtxhError as exc:
        raise BadRequest(str(exc)) from None
    access.require_view(unit)
    return Place(access, unit, period)


def _bad(request: HttpRequest, template: str, exc: BadRequest) -> HttpResponse:
    return render(request, template, {"error": str(exc)}, status=400)


def _row_views(rows: list[IndicatorRow], place: Place) -> list[blocks.RowView]:
    return blocks.row_views(rows, place.unit.code, place.period.code)


def _common(place: Place, years: list[int] | None = None) -> dict[str, Any]:
    return {
        "unit": place.unit,
        "period": place.period,
        "previous": place.period.previous_year(),
        "query": place.query,
        "year": place.period.start.year,
        "years": years if years is not None else selectors.stored_years(place.unit),
        "units": selectors.nearby_units(place.unit, place.period, place.access),
    }


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    try:
        place = _place(request)
    except BadRequest as exc:
        return _bad(request, "dashboard/overview.html", exc)
    sectors = blocks.overview_blocks(org_unit=place.unit, period=place.period, query=place.query)
    context = {
        **_common(place),
        "sectors": sectors,
        "count": sum(b.n for b in sectors),
        "chart": charts.attainment_by_sector(sectors, lambda code: place.url("sector", code)),
        "findings_url": place.url("findings"),
    }
    return render(request, "dashboard/overview.html", context)


@login_required
def sector(request: HttpRequest, sector_code: str) -> HttpResponse:
    try:
        place = _place(request)
    except BadRequest as exc:
        return _bad(request, "dashboard/sector.html", exc)
    s = selectors.summary(org_unit=place.unit, period=place.period, sectors=[sector_code])
    sec = s.catalog.sectors.get(sector_code)
    if sec is None:
        raise Http404(_("Không có lĩnh vực «{code}».").format(code=sector_code))
    rows = [r for r in s.rows if r.indicator.sector == sector_code]
    trend = selectors.trend(org_unit=place.unit, sector=sector_code)
    trend_inds = trend.indicators(s.catalog)
    symbols = {
        code: (s.catalog.units[ind.unit].symbol if ind.unit in s.catalog.units else ind.unit)
        for code, ind in s.catalog.items()
        if ind.sector == sector_code
    }
    trend_rows = [
        {
            "indicator": ind,
            "unit": symbols.get(ind.code, ""),
            "cells": [
                (
                    y,
                    cells.value_cell(
                        trend.actual[ind.code].get(y), ind.decimals, cells.cell_key(ind.code, "t", str(y))
                    ),
                )
                for y in trend.years
            ],
        }
        for ind in trend_inds
    ]
    context = {
        **_common(place, years=trend.years or None),
        "sector": sec,
        "sector_names": [(x.code, x.name, place.url("sector", x.code)) for x in s.catalog.sectors.values()],
        "rows": _row_views(rows, place),
        "attainment": charts.plan_attainment(rows),
        "change": charts.yoy_change(rows),
        "trend": charts.trend_chart(trend, trend_inds, symbols),
        "trend_years": trend.years,
        "trend_rows": trend_rows,
        "rankings": [
            (r, place.url("ranking", r.code))
            for r in selectors.rankings_available(
                org_unit=place.unit, period=place.period, sector=sector_code
            )
        ],
        "overview_url": reverse("dashboard:overview") + place.query,
    }
    return render(request, "dashboard/sector.html", context)


@login_required
def ranking(request: HttpRequest, indicator_code: str) -> HttpResponse:
    try:
        place = _place(request)
    except BadRequest as exc:
        return _bad(request, "dashboard/ranking.html", exc)
    catalog = dv.stored_catalog()
    if indicator_code not in catalog:
        raise Http404(_("Không có chỉ tiêu «{code}».").format(code=indicator_code))
    ind = catalog[indicator_code]
    symbol = catalog.units[ind.unit].symbol if ind.unit in catalog.units else ind.unit
    r = selectors.ranking(org_unit=place.unit, period=place.period, indicator=ind, unit_symbol=symbol)
    d = ind.decimals
    entries = []
    total = r.total
    for e in r.entries:
        entries.append(
            {
                "entry": e,
                "cell": _rank_cell(e, d, place),
                "share": cells.number(e.value / total * 100, 1) + "%"
                if e.value is not None and total
                else "",
                "change": (
                    cells.signed((e.value - e.previous) / abs(e.previous) * 100, 1, "%")
                    if e.value is not None and e.previous
                    else ""
                ),
                "history": cells.history_href(e.unit.code, place.period.code, ind.code),
            }
        )
    own = cells.value_cell(r.own, d, cells.cell_key(ind.code, "own")) if r.own else None
    context = {
        **_common(place),
        "indicator": ind,
        "symbol": symbol,
        "sector": catalog.sectors.get(ind.sector),
        "sector_url": place.url("sector", ind.sector),
        "entries": entries,
        "has_change": any(e["change"] for e in entries),
        "ranked": len(r.ranked),
        "total": cells.number(total, d) if total is not None else "",
        "own": own,
        "mismatch": r.own is not None and total is not None and r.own.value != total,
        "chart": charts.ranking_chart(r),
        "direction": ind.direction.value,
    }
    return render(request, "dashboard/ranking.html", context)


def _rank_cell(e: selectors.RankEntry, decimals: int, place: Place) -> cells.Cell | None:
    if e.value is None:
        return None
    key = cells.cell_key(e.unit.code, "rank")
    if not e.summed:
        return cells.value_cell(e.parts[0], decimals, key)
    links = tuple(
        (href, f"{v.option}: {cells.number(v.value, decimals)}")
        for v in e.parts
        if (href := cells.source_href(v.provenance.document, v.provenance.line))
    )
    formula = "= " + " + ".join(cells.number(v.value, decimals) for v in e.parts)
    return cells.Cell(
        text=cells.number(e.value, decimals),
        key=key,
        title=_("Tổng các phân tổ: {formula}").format(formula=formula),
        formula=_("Tổng các phân tổ: {formula}").format(formula=formula),
        links=links,
        history_href=cells.history_href(e.unit.code, place.period.code, e.parts[0].indicator),
    )


SEVERITY_ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO)
_VALUE_KINDS = {k.value for k in core.ValueKind}


@login_required
def findings(request: HttpRequest) -> HttpResponse:
    try:
        place = _place(request)
    except BadRequest as exc:
        return _bad(request, "dashboard/findings.html", exc)
    found = dv.findings_for(org_unit=place.unit, period=place.period)
    groups = []
    for sev in SEVERITY_ORDER:
        items = [
            {
                "finding": f,
                "values": [
                    {
                        "v": v,
                        "source": cells.source_href(v.document, v.line),
                        "history": (
                            cells.history_href(v.org_unit, v.period, v.indicator)
                            if v.kind in _VALUE_KINDS
                            else ""
                        ),
                    }
                    for v in f.values
                ],
            }
            for f in found
            if f.severity is sev
        ]
        if items:
            groups.append({"severity": sev.value, "label": SEVERITY_LABELS[sev], "items": items})
    context = {**_common(place), "groups": groups, "count": len(found)}
    return render(request, "dashboard/findings.html", context)


@login_required
def source(request: HttpRequest, key: str) -> HttpResponse:
    """A stored source document, one anchored line per line (``#L56``)."""
    access = access_for(request)
    doc = get_object_or_404(SourceDocument, key=key)
    if not access.is_admin:
        units = OrgUnit.objects.filter(pk__in=selectors.document_readers(doc))
        if not any(access.can_view(u) for u in units):
            raise PermissionDenied(_("Bạn không có quyền xem tài liệu «{title}».").format(title=doc.title))
    context = {"doc": doc, "lines": selectors.document_lines(doc)}
    return render(request, "dashboard/source.html", context)
