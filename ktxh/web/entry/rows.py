"""The entry form's rows, written in Python.

A sector has up to a hundred indicators, each row with hidden fields, a value input wired to
the live calculation, the kind menu, the comment and links; the template engine took about
three quarters of the page's time to draw them. The markup is the same as a template would
write, built with ``format_html`` (every value escaped).
"""

from __future__ import annotations

from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ktxh.web.dashboard.templatetags.vi_numbers import vi_number, vi_pct, vi_signed_pct
from ktxh.web.links import link


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


def _errors(errors: Any, **attrs: str) -> SafeString:
    if not errors:
        return mark_safe("")
    extra = format_html_join("", ' {}="{}"', attrs.items())
    return format_html('<div class="errorlist"{}>{}</div>', extra, " ".join(str(e) for e in errors))


def rows_html(
    lines: list[dict[str, Any]],
    *,
    unit: str,
    period: str,
    sector: str,
    can_edit: bool,
    kinds: list[tuple[str, str]],
) -> SafeString:
    """The ``<tr>`` of every line ({"form", "row", "calc"}) of the entry table."""
    labels = {
        "unit": _("Đơn vị tính"),
        "prev": _("Năm trước"),
        "plan": _("Kế hoạch"),
        "value": _("Giá trị"),
        "kind": _("Loại"),
        "kind_of": _("Loại số liệu"),
        "final": _("Chính thức"),
        "estimate": _("Ước"),
        "pct": _("%% KH").replace("%%", "%"),  # as {% translate "% KH" %} looks it up
        "change": _("So với năm trước"),
        "points": _("điểm %"),
        "note": _("Ghi chú"),
        "history_title": _("Lịch sử thay đổi"),
        "history": _("Lịch sử"),
    }
    preview = link("entry:preview", unit, period, sector)
    readonly = mark_safe("") if can_edit else mark_safe("readonly")
    out = []
    for line in lines:
        f, r, calc = line["form"], line["row"], line["calc"]
        ind = r.indicator
        code_f, version_f, value_f, kind_f, comment_f = (
            f["code"],
            f["version"],
            f["value"],
            f["kind"],
            f["comment"],
        )
        dom = r.dom_id
        chosen = kind_f.value()
        if can_edit:
            options = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((v, mark_safe(" selected") if v == chosen else "", label) for v, label in kinds),
            )
            kind_cell = format_html(
                '<label class="sr-only" for="{}">{}</label><select name="{}" id="{}">{}</select>',
                kind_f.id_for_label,
                labels["kind_of"],
                kind_f.html_name,
                kind_f.id_for_label,
                options,
            )
        else:
            kind_cell = labels["final"] if chosen == "final" else labels["estimate"]
        pct = vi_pct(calc["pct_plan"])
        status = format_html(' <span class="lead">({})</span>', calc["status"]) if calc["status"] else ""
        if calc["points"]:
            change = (
                format_html("{} {}", vi_number(calc["change"], 2), labels["points"])
                if calc["change"] is not None
                else ""
            )
        else:
            change = vi_signed_pct(calc["change"])
        invalid = format_html('aria-invalid="true" aria-describedby="err-{}"', dom) if value_f.errors else ""
        history = (
            format_html(
                '<a href="{}" title="{}">{}</a>',
                link("entry:history", unit, period, r.code),
                labels["history_title"],
                labels["history"],
            )
            if r.current
            else ""
        )
        out.append(
            format_html(
                '<tr id="row-{dom}">\n'
                '<td class="name">{name}{non_field}'
                '<input type="hidden" name="{code_name}" value="{code_value}" id="{code_id}">'
                '<input type="hidden" name="{version_name}" value="{version_value}" id="{version_id}"></td>\n'
                '<td data-label="{l_unit}">{symbol}</td>\n'
                '<td data-label="{l_prev}" class="num">{prev}</td>\n'
                '<td data-label="{l_plan}" class="num">{plan}</td>\n'
                '<td data-label="{l_value}">\n'
                '<label class="sr-only" for="{value_id}">{value_label}</label>\n'
                '<input type="text" inputmode="decimal" class="value" name="{value_name}" id="{value_id}" '
                'value="{value}" {readonly} autocomplete="off" {invalid} '
                'hx-post="{preview}" hx-trigger="input changed delay:250ms" '
                'hx-vals=\'{{"code": "{code}"}}\' hx-target="#calc-{dom}" hx-swap="innerHTML">\n'
                "{value_errors}</td>\n"
                '<td data-label="{l_kind}">{kind_cell}</td>\n'
                '<td data-label="{l_pct}" class="calc" id="calc-{dom}" aria-live="polite">{pct}{status}</td>\n'
                '<td data-label="{l_change}" class="calc"><span id="chg-{dom}">{change}</span></td>\n'
                '<td data-label="{l_note}"><label class="sr-only" for="{comment_id}">{l_note}</label>'
                '<input type="text" class="comment" name="{comment_name}" id="{comment_id}" '
                'value="{comment}" maxlength="500" {readonly}>{comment_errors}</td>\n'
                "<td>{history}</td>\n"
                "</tr>\n",
                dom=dom,
                name=ind.name,
                non_field=_errors(f.non_field_errors(), role="alert"),
                code_name=code_f.html_name,
                code_value=_shown(code_f.value()),
                code_id=code_f.auto_id,
                version_name=version_f.html_name,
                version_value=_shown(version_f.value()),
                version_id=version_f.auto_id,
                l_unit=labels["unit"],
                symbol=ind.unit.symbol,
                l_prev=labels["prev"],
                prev=vi_number(r.previous.value if r.previous else None, ind.decimals),
                l_plan=labels["plan"],
                plan=vi_number(r.plan.value if r.plan else None, ind.decimals),
                l_value=labels["value"],
                value_label=_("Giá trị: %(n)s") % {"n": ind.name},
                value_name=value_f.html_name,
                value_id=value_f.id_for_label,
                value=_shown(value_f.value()),
                readonly=readonly,
                invalid=invalid,
                preview=preview,
                code=r.code,
                value_errors=_errors(value_f.errors, id=f"err-{dom}", role="alert"),
                l_kind=labels["kind"],
                kind_cell=kind_cell,
                l_pct=labels["pct"],
                pct=pct,
                status=status,
                l_change=labels["change"],
                change=change,
                l_note=labels["note"],
                comment_id=comment_f.id_for_label,
                comment_name=comment_f.html_name,
                comment=_shown(comment_f.value()),
                comment_errors=_errors(comment_f.errors),
                history=history,
            )
        )
    return SafeString("".join(out))
