"""Numbers as the dashboards show them: formatted the Vietnamese way, each with its provenance.

A :class:`Cell` is one number on a page and where it comes from: the document line it was
read from (``/tai-lieu/<key>/#L56``), the person who entered it (the value's history page),
or the computation that made it (a derived value's formula, or "= 14.739 / 14.254 × 100"
for a % of plan computed here). Templates render a cell with ``{% cell c %}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from ktxh import core
from ktxh.core.summary import PCT_DECIMALS, IndicatorRow
from ktxh.web.links import link

MINUS = "−"


@dataclass(frozen=True, slots=True)
class Cell:
    """One number on a dashboard.

    ``href`` is where clicking the number leads (its source line or its history);
    ``formula`` set means the number was computed or derived and a popover explains it.
    """

    text: str
    key: str = ""  # unique on the page: the popover's id
    href: str = ""
    title: str = ""
    formula: str = ""
    derived: bool = False
    source_href: str = ""
    source_label: str = ""
    history_href: str = ""
    entered_by: str = ""
    links: tuple[tuple[str, str], ...] = ()  # more (href, label) pairs for the popover

    @property
    def has_popover(self) -> bool:
        return bool(self.formula)


def source_href(document: str | None, line: int | None) -> str:
    if not document or not line:
        return ""
    return link("dashboard:source", document) + f"#L{line}"


def history_href(org_unit: str, period: str, indicator: str) -> str:
    return link("entry:history", org_unit, period, indicator)


def signed(value: Decimal, decimals: int, suffix: str = "") -> str:
    """ "+10,2%", "−1,5%": a sign on every change, the true minus sign."""
    dec = core.quantize(value, decimals)
    sign = "+" if dec > 0 else (MINUS if dec < 0 else "")
    return sign + core.format_vi(abs(dec), decimals) + suffix


def number(value: Decimal, decimals: int) -> str:
    text = core.format_vi(value, decimals)
    return text.replace("-", MINUS) if text.startswith("-") else text


def value_cell(value: core.Value | None, decimals: int, key: str) -> Cell | None:
    """A stored value: linked to the line it was read from, else to its history."""
    if value is None:
        return None
    p = value.provenance
    text = number(value.value, decimals)
    src = source_href(p.document, p.line)
    hist = history_href(value.org_unit, value.period, value.indicator)
    src_label = _("Dòng {line}: «{text}»").format(line=p.line, text=p.text or "") if src else ""
    if value.derived:
        return Cell(
            text=text,
            key=key,
            href=src or hist,
            title=_("Số suy ra: {formula}").format(formula=p.formula or ""),
            formula=_("Suy ra: {formula}").format(formula=p.formula or _("từ tỷ lệ báo cáo nêu")),
            derived=True,
            source_href=src,
            source_label=src_label,
            history_href=hist,
            entered_by=p.entered_by or "",
        )
    if src:
        title = src_label
    elif p.entered_by:
        title = _("Do {user} nhập; bấm để xem lịch sử").format(user=p.entered_by)
    else:
        title = _("Xem lịch sử nhập liệu")
    return Cell(
        text=text,
        key=key,
        href=src or hist,
        title=title,
        source_href=src,
        source_label=src_label,
        history_href=hist,
        entered_by=p.entered_by or "",
    )


def _operand(value: core.Value, decimals: int) -> str:
    return number(value.value, decimals)


def _operand_links(*pairs: tuple[str, core.Value | None]) -> tuple[tuple[str, str], ...]:
    """Links from a computed figure to the stored numbers it was computed from."""
    out = []
    for label, v in pairs:
        if v is None:
            continue
        href = source_href(v.provenance.document, v.provenance.line)
        if href:
            out.append((href, _("{label}: dòng {line}").format(label=label, line=v.provenance.line)))
        else:
            out.append(
                (history_href(v.org_unit, v.period, v.indicator), _("{label}: lịch sử").format(label=label))
            )
    return tuple(out)


def pct_plan_cell(row: IndicatorRow, key: str) -> Cell | None:
    pct = row.pct_plan
    if pct is None or row.value is None or row.plan is None:
        return None
    d = row.indicator.decimals
    base = _("dự toán") if row.plan.kind is core.ValueKind.BUDGET_ESTIMATE else _("kế hoạch")
    formula = f"= {_operand(row.value, d)} / {_operand(row.plan, d)} × 100"
    return Cell(
        text=core.format_pct(pct, PCT_DECIMALS),
        key=key,
        title=_("{formula} (thực hiện / {base} × 100)").format(formula=formula, base=base),
        formula=formula,
        links=_operand_links((_("thực hiện"), row.value), (base, row.plan)),
    )


def change_cell(row: IndicatorRow, key: str) -> Cell | None:
    """% change on last year, or the change in percentage points for a rate in %."""
    if row.value is None or row.previous is None:
        return None
    d = row.indicator.decimals
    v, p = _operand(row.value, d), _operand(row.previous, d)
    pp = row.pp_change
    if pp is not None:
        formula = f"= {v} − {p}"
        return Cell(
            text=signed(pp, max(d, 2), " " + _("điểm %")),
            key=key,
            title=formula + " " + _("(điểm phần trăm)"),
            formula=formula,
            links=_operand_links((row.value.period, row.value), (row.previous.period, row.previous)),
        )
    pct = row.pct_change
    if pct is None:
        return None
    formula = f"= ({v} − {p}) / {p} × 100"
    return Cell(
        text=signed(pct, PCT_DECIMALS, "%"),
        key=key,
        title=formula,
        formula=formula,
        links=_operand_links((row.value.period, row.value), (row.previous.period, row.previous)),
    )


def cell_key(*parts: str) -> str:
    """An HTML id from an indicator code and a role: "c-NN-DT_LUA-plan"."""
    return "c-" + "-".join(p.replace(".", "-").replace(" ", "_") for p in parts if p)
