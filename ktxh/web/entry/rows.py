"""The entry form's rows, written in Python.

A sector has up to a hundred indicators, each row with hidden fields, a value input wired to
the live calculation, the kind menu, the comment and links; the template engine took about
three quarters of the page's time to draw them. The markup is the same as a template would
write, built with ``format_html`` (every value escaped).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ktxh.web.dashboard.templatetags.vi_numbers import vi_number, vi_pct, vi_signed_pct
from ktxh.web.links import link

from .forms import EntryRowForm
from .selectors import EntryRow


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


def _errors(errors: Any, **attrs: str) -> SafeString:
    if not errors:
        return mark_safe("")
    extra = format_html_join("", ' {}="{}"', attrs.items())
    return format_html('<div class="errorlist"{}>{}</div>', extra, " ".join(str(e) for e in errors))


@dataclass(frozen=True)
class Line:
    """One row of the entry table: the indicator's stored row, what its fields show and their
    errors, and the live calculation (% of plan, change) for the value shown."""

    prefix: str  # the form's prefix in the formset: "form-3"
    row: EntryRow
    calc: dict[str, Any]
    shown: dict[str, str]  # code, version, value, kind, comment as the inputs show them
    errors: dict[str, tuple[str, ...]] = field(default_factory=dict)  # value, comment, __all__

    @classmethod
    def of_form(cls, form: Any, row: EntryRow, calc: dict[str, Any]) -> Line:
        """A row as a (possibly posted) form shows it, with the form's errors."""
        shown = {name: _shown(form[name].value()) for name in FIELDS}
        errors = {name: tuple(str(e) for e in form[name].errors) for name in ("value", "comment")}
        errors["__all__"] = tuple(str(e) for e in form.non_field_errors())
        return cls(form.prefix, row, calc, shown, errors)

    @classmethod
    def of_initial(cls, prefix: str, initial: dict[str, Any], row: EntryRow, calc: dict[str, Any]) -> Line:
        """A row as stored, drawn without a form: the same markup as ``of_form`` on an unbound
        form with this ``initial`` (checked in tests/web/test_entry.py)."""
        return cls(prefix, row, calc, {name: _shown(initial.get(name)) for name in FIELDS})


FIELDS = tuple(EntryRowForm.base_fields)  # code, version, value, kind, comment


def rows_html(
    lines: list[Line],
    *,
    unit: str,
    period: str,
    sector: str,
    can_edit: bool,
    kinds: list[tuple[str, str]],
) -> SafeString:
    """The ``<tr>`` of every line of the entry table.

    A row without errors is drawn from plain values only, so the same row in the same language
    is written once per process and then reused (a save redraws the table, but most of its rows
    are as they were)."""
    preview = link("entry:preview", unit, period, sector)
    kinds_key = tuple(kinds)
    language = get_language()
    out = []
    for line in lines:
        r, calc = line.row, line.calc
        ind = r.indicator
        args = (
            language,
            line.prefix,
            r.code,
            r.dom_id,
            ind.name,
            ind.unit.symbol,
            vi_number(r.previous.value if r.previous else None, ind.decimals),
            vi_number(r.plan.value if r.plan else None, ind.decimals),
            r.current is not None,
            tuple(line.shown[name] for name in FIELDS),
            (calc["pct_plan"], calc["change"], calc["points"], str(calc["status"] or "")),
            unit,
            period,
            preview,
            can_edit,
            kinds_key,
        )
        if any(line.errors.values()):
            out.append(_row.__wrapped__(*args, errors=line.errors))
        else:
            out.append(_row(*args))
    return SafeString("".join(out))


def _labels() -> dict[str, str]:
    return {
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


@lru_cache(maxsize=4096)  # about 1,5 kB a row: some 6 MB per process at most
def _row(
    language: str,
    prefix: str,
    code: str,
    dom: str,
    name: str,
    symbol: str,
    prev: str,
    plan: str,
    has_history: bool,
    shown: tuple[str, ...],
    calc: tuple[Any, ...],
    unit: str,
    period: str,
    preview: str,
    can_edit: bool,
    kinds: tuple[tuple[str, str], ...],
    errors: dict[str, tuple[str, ...]] | None = None,
) -> str:
    """One ``<tr>``, from plain values only (``language`` is the active one: the labels)."""
    labels = _labels()
    errors = errors or {}
    code_v, version_v, value_v, chosen, comment_v = shown
    pct_plan, change_v, points, status_text = calc
    ids = {n: f"id_{prefix}-{n}" for n in FIELDS}
    names = {n: f"{prefix}-{n}" for n in FIELDS}
    readonly = mark_safe("") if can_edit else mark_safe("readonly")
    if can_edit:
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((v, mark_safe(" selected") if v == chosen else "", label) for v, label in kinds),
        )
        kind_cell = format_html(
            '<label class="sr-only" for="{}">{}</label><select name="{}" id="{}">{}</select>',
            ids["kind"],
            labels["kind_of"],
            names["kind"],
            ids["kind"],
            options,
        )
    else:
        kind_cell = labels["final"] if chosen == "final" else labels["estimate"]
    status = format_html(' <span class="lead">({})</span>', status_text) if status_text else ""
    if points:
        change = (
            format_html("{} {}", vi_number(change_v, 2), labels["points"]) if change_v is not None else ""
        )
    else:
        change = vi_signed_pct(change_v)
    invalid = format_html('aria-invalid="true" aria-describedby="err-{}"', dom) if errors.get("value") else ""
    history = (
        format_html(
            '<a href="{}" title="{}">{}</a>',
            link("entry:history", unit, period, code),
            labels["history_title"],
            labels["history"],
        )
        if has_history
        else ""
    )
    return format_html(
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
        name=name,
        non_field=_errors(errors.get("__all__"), role="alert"),
        code_name=names["code"],
        code_value=code_v,
        code_id=ids["code"],
        version_name=names["version"],
        version_value=version_v,
        version_id=ids["version"],
        l_unit=labels["unit"],
        symbol=symbol,
        l_prev=labels["prev"],
        prev=prev,
        l_plan=labels["plan"],
        plan=plan,
        l_value=labels["value"],
        value_label=_("Giá trị: %(n)s") % {"n": name},
        value_name=names["value"],
        value_id=ids["value"],
        value=value_v,
        readonly=readonly,
        invalid=invalid,
        preview=preview,
        code=code,
        value_errors=_errors(errors.get("value"), id=f"err-{dom}", role="alert"),
        l_kind=labels["kind"],
        kind_cell=kind_cell,
        l_pct=labels["pct"],
        pct=vi_pct(pct_plan),
        status=status,
        l_change=labels["change"],
        change=change,
        l_note=labels["note"],
        comment_id=ids["comment"],
        comment_name=names["comment"],
        comment=comment_v,
        comment_errors=_errors(errors.get("comment")),
        history=history,
    )
