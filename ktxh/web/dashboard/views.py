"""The first page: every sector's indicators for one unit and year."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ktxh import core
from ktxh.web.accounts.permissions import access_for
from ktxh.web.datavalues import selectors

DEFAULT_UNIT = "300"
DEFAULT_YEAR = 2023


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    access = access_for(request)
    own = [s.unit for s in access.scopes if s.unit]
    unit_code = request.GET.get("unit") or (own[0] if own else DEFAULT_UNIT)
    error = None
    try:
        year = int(request.GET.get("year", DEFAULT_YEAR))
        period = core.Period.year(year)
        unit = selectors.org_unit_at(unit_code, min(period.end, date.today()))
        access.require_view(unit)
        rows = selectors.indicator_rows(org_unit=unit, period=period)
    except (ValueError, core.KtxhError) as exc:
        error = str(exc) if isinstance(exc, core.KtxhError) else _("Năm không hợp lệ.")
        return render(request, "dashboard/overview.html", {"error": error}, status=400)
    sectors: dict[str, dict[str, Any]] = {}
    catalog_sectors = {s.code: s for s in selectors.stored_catalog().sectors.values()}
    for row in rows:
        sector = catalog_sectors[row.indicator.sector]
        sectors.setdefault(sector.code, {"sector": sector, "rows": []})["rows"].append(row)
    context = {
        "unit": unit,
        "period": period,
        "previous": period.previous_year(),
        "sectors": list(sectors.values()),
        "count": len(rows),
    }
    return render(request, "dashboard/overview.html", context)
