"""The overview's sector tables, rendered once and kept while their numbers are unchanged.

The overview shows every indicator of a unit (313 rows for a district, each number with its
provenance popover); drawing them is most of the page's cost. Each sector's table is kept
(``ktxh.web.fragments``) under a key made of what it shows: the unit, the year and the
sector's values stamp, with the language and the catalog's stamp. A save changes its sector's
stamp, so the next reader redraws that sector only; a stale table is never served.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ktxh import core
from ktxh.core.summary import IndicatorRow
from ktxh.web import fragments
from ktxh.web.datavalues import selectors as dv
from ktxh.web.orgunits.models import OrgUnit

from . import cells, selectors
from .templatetags.dashboard_cells import cell


@dataclass
class RowView:
    """An indicator's row with every number as a cell that knows its provenance."""

    row: IndicatorRow
    value: cells.Cell | None
    plan: cells.Cell | None
    previous: cells.Cell | None
    pct_plan: cells.Cell | None
    change: cells.Cell | None
    history: str


def row_views(rows: list[IndicatorRow], unit_code: str, period_code: str) -> list[RowView]:
    out = []
    for r in rows:
        code, d = r.indicator.code, r.indicator.decimals
        out.append(
            RowView(
                row=r,
                value=cells.value_cell(r.value, d, cells.cell_key(code, "value")),
                plan=cells.value_cell(r.plan, d, cells.cell_key(code, "plan")),
                previous=cells.value_cell(r.previous, d, cells.cell_key(code, "previous")),
                pct_plan=cells.pct_plan_cell(r, cells.cell_key(code, "pct")),
                change=cells.change_cell(r, cells.cell_key(code, "change")),
                history=cells.history_href(unit_code, period_code, code),
            )
        )
    return out


@dataclass(frozen=True)
class SectorBlock:
    """One sector of the overview: its counts (for the chart and the badges) and its table."""

    sector: core.Sector
    counts: dict[str, int]
    n: int
    html: SafeString

    @property
    def missed(self) -> int:
        return self.counts["không đạt"]

    @property
    def assessed(self) -> int:
        return sum(self.counts.values())


def overview_blocks(*, org_unit: OrgUnit, period: core.Period, query: str) -> list[SectorBlock]:
    """The sectors with rows for ``org_unit`` in ``period``, in catalog order, each with its
    rendered table (from the cache when its numbers have not changed)."""
    catalog, catalog_stamp = dv.stored_catalog_stamped()
    within = fragments.scope(catalog_stamp)
    codes = [period.code, period.previous_year().code]
    stamps = dv.value_stamps(org_unit=org_unit, period_codes=codes)
    base = (org_unit.pk, org_unit.code, period.code, query)
    keys = {code: fragments.key("overview", (*base, code, stamp), within) for code, stamp in stamps.items()}
    found: dict[str, SectorBlock | None] = {}
    cached = fragments.get_many(list(keys.values()))
    for code, key in keys.items():
        if key in cached:
            found[code] = cached[key]
    missing = [code for code in stamps if code not in found]
    if missing:
        fresh = _render(catalog, org_unit, period, query, missing)
        for code in missing:
            found[code] = fresh.get(code)  # None: values, but no row to show (breakdowns only)
        fragments.set_many({keys[code]: found[code] for code in missing})
    return [b for code in catalog.sectors if (b := found.get(code)) is not None]


_STATUS_CLASS = {"vượt": "st-up", "không đạt": "st-down", "đạt": "st-ok"}


def _num(value: core.Value | None) -> str:
    return "num derived" if value is not None and value.derived else "num"


def _rows_html(rows: list[RowView], period: core.Period) -> SafeString:
    """The table body. Written here rather than in the template: a district has some three
    hundred rows of nine cells, and the template engine took four times as long to draw them."""
    previous = period.previous_year().code
    labels = {
        "code": _("Mã"),
        "history": _("Lịch sử nhập liệu"),
        "unit": _("Đơn vị tính"),
        # The template's msgids ({% blocktranslate %} writes "%(code)s"), so one translation serves both.
        "plan": _("Kế hoạch %(code)s") % {"code": period.code},
        "value": _("Thực hiện %(code)s") % {"code": period.code},
        "pct": _("%% KH").replace("%%", "%"),  # as {% translate "% KH" %} looks it up
        "status": _("Đánh giá"),
        "change": _("So với %(code)s") % {"code": previous},
    }
    status_text = {"vượt": _("vượt"), "đạt": _("đạt"), "không đạt": _("không đạt")}
    out = []
    for v in rows:
        r = v.row
        line = r.value.provenance.line if r.value is not None else None
        value_title = (
            format_html(
                ' title="{}"',
                _("Dòng {line}: «{text}»").format(line=line, text=r.value.provenance.text or ""),
            )
            if r.value is not None and line
            else ""
        )
        status_class = _STATUS_CLASS.get(r.status, "st-ok") if r.status else ""
        out.append(
            format_html(
                "<tr>\n"
                '<td class="code" data-label="{l_code}"><a href="{history}" title="{l_history}">{code}</a></td>\n'
                '<td class="name">{name}</td>\n'
                '<td data-label="{l_unit}">{symbol}</td>\n'
                '<td data-label="{previous}" class="{c_prev}">{prev}</td>\n'
                '<td data-label="{l_plan}" class="{c_plan}">{plan}</td>\n'
                '<td data-label="{l_value}" class="{c_value}"{value_title}>{value}</td>\n'
                '<td data-label="{l_pct}" class="num">{pct}</td>\n'
                '<td data-label="{l_status}" class="status {status_class}">{status}</td>\n'
                '<td data-label="{l_change}" class="num">{change}</td>\n'
                "</tr>\n",
                l_code=labels["code"],
                history=v.history,
                l_history=labels["history"],
                code=r.indicator.code,
                name=r.indicator.name,
                l_unit=labels["unit"],
                symbol=r.unit_symbol,
                previous=previous,
                c_prev=_num(r.previous),
                prev=cell(v.previous),
                l_plan=labels["plan"],
                c_plan=_num(r.plan),
                plan=cell(v.plan),
                l_value=labels["value"],
                c_value=_num(r.value),
                value_title=value_title,
                value=cell(v.value),
                l_pct=labels["pct"],
                pct=cell(v.pct_plan),
                l_status=labels["status"],
                status_class=status_class,
                status=status_text.get(r.status, r.status),
                l_change=labels["change"],
                change=cell(v.change),
            )
        )
    return SafeString("".join(out))


def _render(
    catalog: core.Catalog, org_unit: OrgUnit, period: core.Period, query: str, sectors: list[str]
) -> dict[str, SectorBlock]:
    summary = selectors.summary(org_unit=org_unit, period=period, sectors=sectors, catalog=catalog)
    out = {}
    for sec in selectors.by_sector(summary):
        counts = Counter(r.status for r in sec.rows)
        html = render_to_string(
            "dashboard/_overview_sector.html",
            {
                "s": sec,
                "body": _rows_html(row_views(sec.rows, org_unit.code, period.code), period),
                "query": query,
                "period": period,
                "previous": period.previous_year(),
            },
        )
        out[sec.sector.code] = SectorBlock(
            sector=sec.sector,
            counts={s: counts.get(s, 0) for s in selectors.STATUSES},
            n=len(sec.rows),
            html=SafeString(html),
        )
    return out
