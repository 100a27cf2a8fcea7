"""Data entry, spreadsheets, approval and history. Views check access, read the form and
call a service; the rules live in the services."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ktxh import core
from ktxh.core.summary import status_label
from ktxh.web import fragments
from ktxh.web.accounts.permissions import Access, access_for
from ktxh.web.catalog.models import Indicator, Sector
from ktxh.web.datavalues import selectors as dv_selectors
from ktxh.web.datavalues.choices import ValueKind
from ktxh.web.datavalues.entry import Entry, finding_key, values_save
from ktxh.web.datavalues.models import ChangeSource, DataValue, Period, ValueChange
from ktxh.web.links import link
from ktxh.web.orgunits.models import OrgUnit
from ktxh.web.workflow.choices import Action, State
from ktxh.web.workflow.models import Event
from ktxh.web.workflow.services import (
    WorkflowError,
    WorkflowPermissionError,
    children_of,
    edit_block,
    statuses_for,
    workflow_act,
)

from . import spreadsheet
from .forms import EntryFormSet, ReasonForm, UploadForm
from .rows import Line, rows_html
from .selectors import entry_rows, previous_code

DEFAULT_YEAR = 2023


def resolve(unit_code: str, period_code: str) -> tuple[OrgUnit, Period]:
    """The unit carrying ``unit_code`` during the period, and the stored period (404 otherwise)."""
    try:
        cp = core.Period.parse(period_code)
    except core.KtxhError as exc:
        raise Http404(str(exc)) from None
    try:
        unit = dv_selectors.org_unit_at(unit_code, min(cp.end, date.today()))
    except core.KtxhError as exc:
        raise Http404(str(exc)) from None
    return unit, Period.get_for(cp.code)


def _roots(access: Access) -> list[OrgUnit]:
    """Where the unit list starts: the user's own units, or every district with data."""
    codes = {s.unit for s in access.scopes if s.unit}
    if any(s.unit is None for s in access.scopes):
        ids = DataValue.objects.values_list("org_unit_id", flat=True).distinct()
        return list(OrgUnit.objects.filter(pk__in=ids, level__in=["district", "province"]).order_by("code"))
    return list(OrgUnit.objects.filter(code__in=codes).order_by("code", "-valid_from"))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    access = access_for(request)
    try:
        year = int(request.GET.get("year", DEFAULT_YEAR))
        cp = core.Period.year(year)
    except (ValueError, core.KtxhError):
        raise Http404(_("Năm không hợp lệ.")) from None
    period = Period.get_for(cp.code)
    day = min(cp.end, date.today())
    units: list[OrgUnit] = []
    for root in _roots(access):
        if root.valid_from > day or (root.valid_to and root.valid_to < day):
            continue
        units.append(root)
        units.extend(children_of(root, period))
    seen: set[int] = set()
    units = [u for u in units if not (u.pk in seen or seen.add(u.pk))]  # type: ignore[func-returns-value]
    states = statuses_for(units, period)
    sectors = list(Sector.objects.order_by("order"))
    rows = []
    for u in units:
        if not access.can_view(u):
            continue
        editable = access.editable_sectors(u)
        shown = (
            [s for s in sectors if editable is None or s.code in editable]
            if access.can_submit(u) or editable
            else []
        )
        rows.append(
            {
                "unit": u,
                "status": states.get(u.pk),
                "state": State(states[u.pk].state) if states.get(u.pk) else State.DRAFT,
                "workflow": link("entry:workflow", u.code, period.code),
                "sectors": [(link("entry:form", u.code, period.code, s.code), s.name) for s in shown],
            }
        )
    return render(request, "entry/index.html", {"rows": rows, "period": period, "year": year})


@login_required
def entry_form(request: HttpRequest, unit: str, period: str, sector: str) -> HttpResponse:
    access = access_for(request)
    org_unit, per = resolve(unit, period)
    sec = get_object_or_404(Sector, code=sector)
    access.require_view(org_unit)
    can_edit = access.can_edit(org_unit, sec.code)
    block = edit_block(org_unit, per)
    kinds = _entry_kinds(access, org_unit)
    editable = can_edit and not block
    context: dict[str, Any] = {
        "unit": org_unit,
        "period": per,
        "sector": sec,
        "can_edit": editable,
        "locked_msg": block,
        "upload_form": UploadForm(),
        "sectors": Sector.objects.order_by("order"),
    }
    if request.method != "POST":
        # The table as stored is drawn once and kept until one of its numbers (or the
        # catalog) changes; see ktxh.web.fragments.
        stamp = dv_selectors.value_stamps(
            org_unit=org_unit, period_codes=[per.code, *filter(None, [previous_code(per)])]
        ).get(sec.code)
        context["table"] = fragments.cached(
            "entry",
            (org_unit.pk, org_unit.code, per.code, sec.code, editable, tuple(kinds), stamp),
            lambda: _table(org_unit, per, sec, editable, kinds, None)[0],
        )
        return render(request, "entry/form.html", context)

    access.require_edit(org_unit, sec.code, sec.name)
    rows = entry_rows(org_unit=org_unit, period=per, sector=sec)
    by_code = {r.code: r for r in rows}
    formset = _with_kinds(EntryFormSet(request.POST, initial=_initial(rows)), kinds)
    acks = {k[4:]: v for k, v in request.POST.items() if k.startswith("ack-")}
    result = None
    if block:
        messages.error(request, block)
    elif formset.is_valid():
        entries = _changed_entries(formset, by_code, org_unit, per)
        if entries is None:
            pass  # field errors were added to the forms
        elif not entries:
            messages.info(request, _("Không có số liệu nào thay đổi."))
            return redirect(request.path)
        else:
            try:
                result = values_save(
                    access=access,
                    org_unit=org_unit,
                    period=per,
                    entries=entries,
                    source=ChangeSource.SCREEN,
                    entry_kinds=tuple(k for k, _label in kinds),
                    acknowledgements=acks,
                )
            except WorkflowError as exc:
                messages.error(request, str(exc))
            else:
                if result.stored:
                    messages.success(
                        request,
                        _("Đã lưu: {created} số liệu mới, {updated} số liệu sửa.").format(
                            created=result.count("created"), updated=result.count("updated")
                        ),
                    )
                    for f in result.findings:
                        messages.warning(request, f.message)
                    return redirect(request.path)
                _attach_row_errors(formset, result)
    context["table"], context["formset"] = _table(org_unit, per, sec, editable, kinds, formset, rows)
    context["result"] = result
    context["blocking"] = [
        {"key": finding_key(f), "finding": f, "reason": acks.get(finding_key(f), "")}
        for f in (result.blocking if result else [])
    ]
    return render(request, "entry/form.html", context, status=400 if result and not result.stored else 200)


def _initial(rows: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "code": r.code,
            "version": r.version,
            "value": core.format_vi(r.current.value) if r.current else "",
            "kind": r.kind,
            "comment": r.current.note if r.current else "",
        }
        for r in rows
    ]


def _table(
    org_unit: OrgUnit,
    per: Period,
    sec: Sector,
    editable: bool,
    kinds: list[tuple[str, str]],
    formset: Any,
    rows: list[Any] | None = None,
) -> tuple[str, Any]:
    """The form's table (and its formset): the stored values, or what was just posted."""
    if rows is None:
        rows = entry_rows(org_unit=org_unit, period=per, sector=sec)
    if formset is None:
        # As stored: no form at all (the kind menus are written from ``kinds``; a form's choices
        # matter on POST only).
        formset, changed = EntryFormSet(initial=_initial(rows)), {}
    else:
        # Posted back: the rows that were changed are forms (with what was typed and its errors).
        changed = {form.prefix: form for form in formset.forms}
    by_code = {r.code: r for r in rows}
    lines = []
    for i, stored in enumerate(rows):
        prefix = formset.add_prefix(i)
        form = changed.get(prefix)
        if form is None:  # as stored, drawn from the initial values
            current = stored.current.value if stored.current else None
            lines.append(Line.of_initial(prefix, formset.initial[i], stored, _calc(stored, current)))
            continue
        row = by_code.get(form.initial.get("code") or form.data.get(form.add_prefix("code")))
        if row is None:
            continue
        typed = form.cleaned_data.get("value") if hasattr(form, "cleaned_data") else None
        shown = typed if typed is not None else (row.current.value if row.current else None)
        lines.append(Line.of_form(form, row, _calc(row, shown)))
    body = rows_html(
        lines, unit=org_unit.code, period=per.code, sector=sec.code, can_edit=editable, kinds=kinds
    )
    # The management form is passed on its own: "formset.management_form" in a template is
    # first tried as formset["management_form"], which builds every row's form.
    context = {"management_form": formset.management_form, "body": body}
    return render_to_string("entry/_table.html", context), formset


def _entry_kinds(access: Access, unit: OrgUnit) -> list[tuple[str, str]]:
    """Estimates and finals for everyone who enters figures; plans and budget estimates too for
    the planning office (it sets them for its unit and the communes below it)."""
    kinds = [(ValueKind.ESTIMATE.value, _("Ước")), (ValueKind.FINAL.value, _("Chính thức"))]
    if access.can_review(unit):
        kinds += [(ValueKind.PLAN.value, _("Kế hoạch")), (ValueKind.BUDGET_ESTIMATE.value, _("Dự toán"))]
    return kinds


def _with_kinds(formset: Any, kinds: list[tuple[str, str]]) -> Any:
    for form in formset.forms:
        form.fields["kind"].choices = kinds
    return formset


def _changed_entries(
    formset: Any, by_code: dict[str, Any], unit: OrgUnit, period: Period
) -> list[Entry] | None:
    entries = []
    bad = False
    for form in formset.forms:
        data = form.cleaned_data
        row = by_code.get(data.get("code"))
        if row is None:
            form.add_error(
                None, _("Chỉ tiêu «{code}» không thuộc lĩnh vực này.").format(code=data.get("code"))
            )
            bad = True
            continue
        value = data.get("value")
        current = row.current
        if value is None:
            if current is not None:
                form.add_error(
                    "value",
                    _(
                        "Ô đã có số liệu không để trống được; số liệu cũ vẫn được giữ. Muốn xóa, hãy liên hệ quản trị."
                    ),
                )
                bad = True
            continue
        kind = data.get("kind") or "estimate"
        comment = (data.get("comment") or "").strip()
        same_cell = current is not None and current.kind == kind
        if same_cell and current.value == value and comment == (current.note or ""):
            continue
        version = data.get("version") if same_cell else 0
        if not same_cell:
            # Another kind (an estimate becoming final, a plan): its own cell, which may not exist yet.
            other = DataValue.objects.filter(
                indicator=row.indicator, org_unit=unit, period=period, kind=kind, category="", option=""
            ).first()
            version = other.version if other else 0
        entries.append(Entry(indicator=row.code, value=value, kind=kind, comment=comment, version=version))
    return None if bad else entries


def _attach_row_errors(formset: Any, result: Any) -> None:
    by_code = {f.cleaned_data.get("code"): f for f in formset.forms if hasattr(f, "cleaned_data")}
    for err in result.errors:
        form = by_code.get(err.indicator)
        field = err.field if err.field in ("value", "kind", "comment") else None
        if form is not None:
            form.add_error(field, err.message)


def _calc(row: Any, value: Decimal | None) -> dict[str, Any]:
    pct = row.pct_plan(value)
    change, points = row.change(value)
    status = status_label(pct, core.Direction(row.indicator.direction))
    return {"pct_plan": pct, "change": change, "points": points, "status": status}


@login_required
@require_POST
def preview(request: HttpRequest, unit: str, period: str, sector: str) -> HttpResponse:
    """% of plan and change for a value being typed (htmx), computed by the engine."""
    access = access_for(request)
    org_unit, per = resolve(unit, period)
    access.require_view(org_unit)
    code = request.POST.get("code", "")
    # htmx sends the whole form: the row's value is the one whose "-code" twin names the indicator.
    prefix = next(
        (k[: -len("-code")] for k, v in request.POST.items() if k.endswith("-code") and v == code), None
    )
    text = request.POST.get(f"{prefix}-value" if prefix else "value", "")
    sec = get_object_or_404(Sector, code=sector)
    rows = entry_rows(org_unit=org_unit, period=per, sector=sec, codes=[code])
    if not rows:
        raise Http404(_("Không có chỉ tiêu «{code}».").format(code=code))
    row = rows[0]
    error = ""
    value = None
    if text.strip():
        try:
            value = core.parse_vi(text)
        except core.NumberFormatError as exc:
            error = str(exc)
    return render(request, "entry/_calc.html", {"row": row, "calc": _calc(row, value), "error": error})


@login_required
def download(request: HttpRequest, unit: str, period: str, sector: str) -> HttpResponse:
    access = access_for(request)
    org_unit, per = resolve(unit, period)
    sec = get_object_or_404(Sector, code=sector)
    access.require_view(org_unit)
    rows = entry_rows(org_unit=org_unit, period=per, sector=sec)
    data = spreadsheet.build(org_unit=org_unit, period=per, sector=sec, rows=rows)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"nhap-lieu-{org_unit.code}-{per.code}-{sec.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def upload(request: HttpRequest, unit: str, period: str, sector: str) -> HttpResponse:
    """Step 1: read the file and dry-run it. Step 2 (``confirm``): store all rows, or the valid ones."""
    access = access_for(request)
    org_unit, per = resolve(unit, period)
    sec = get_object_or_404(Sector, code=sector)
    access.require_edit(org_unit, sec.code, sec.name)
    back = reverse("entry:form", args=[org_unit.code, per.code, sec.code])
    acks = {k[4:]: v for k, v in request.POST.items() if k.startswith("ack-")}
    token = request.POST.get("token")
    if token:
        pending = request.session.get(f"upload:{token}")
        if not pending or pending["where"] != [org_unit.code, per.code, sec.code]:
            messages.error(request, _("Phiên tải tệp đã hết hạn; hãy tải tệp lên lại."))
            return redirect(back)
        entries = [spreadsheet.entry_from_json(e) for e in pending["entries"]]
        parse_errors = [spreadsheet.error_from_json(e) for e in pending["errors"]]
        mode = request.POST.get("mode", "all")
        if parse_errors and mode != "valid":
            messages.error(
                request, _("Tệp còn dòng lỗi: chỉ lưu được các dòng hợp lệ, hoặc sửa tệp rồi tải lên lại.")
            )
            return redirect(back)
        try:
            result = values_save(
                access=access,
                org_unit=org_unit,
                period=per,
                entries=entries,
                source=ChangeSource.XLSX,
                acknowledgements=acks,
                accept_valid=mode == "valid",
            )
        except WorkflowError as exc:
            messages.error(request, str(exc))
            return redirect(back)
        if result.stored:
            del request.session[f"upload:{token}"]
            messages.success(
                request,
                _(
                    "Đã lưu từ tệp: {created} số liệu mới, {updated} số liệu sửa, {unchanged} không đổi."
                ).format(
                    created=result.count("created"),
                    updated=result.count("updated"),
                    unchanged=result.count("unchanged"),
                ),
            )
            return redirect(back)
        return _upload_page(request, org_unit, per, sec, token, parse_errors, result, acks)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Chưa chọn tệp để tải lên."))
        return redirect(back)
    try:
        parsed = spreadsheet.read(form.cleaned_data["file"], org_unit=org_unit, period=per, sector=sec)
    except spreadsheet.SpreadsheetError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    try:
        result = values_save(
            access=access,
            org_unit=org_unit,
            period=per,
            entries=parsed.entries,
            source=ChangeSource.XLSX,
            accept_valid=True,
            dry_run=True,
        )
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    token = secrets.token_urlsafe(12)
    request.session[f"upload:{token}"] = {
        "where": [org_unit.code, per.code, sec.code],
        "entries": [spreadsheet.entry_to_json(e) for e in parsed.entries],
        "errors": [spreadsheet.error_to_json(e) for e in parsed.errors],
    }
    return _upload_page(request, org_unit, per, sec, token, parsed.errors, result, {})


def _upload_page(
    request: HttpRequest,
    unit: OrgUnit,
    per: Period,
    sec: Sector,
    token: str,
    parse_errors: list[Any],
    result: Any,
    acks: dict[str, str],
) -> HttpResponse:
    errors = sorted([*parse_errors, *result.errors], key=lambda e: (e.row or 0, e.field))
    context = {
        "unit": unit,
        "period": per,
        "sector": sec,
        "token": token,
        "errors": errors,
        "result": result,
        "valid": sum(1 for r in result.rows if r.status in ("created", "updated", "unchanged")),
        "blocking": [
            {"key": finding_key(f), "finding": f, "reason": acks.get(finding_key(f), "")}
            for f in result.blocking
        ],
    }
    return render(request, "entry/upload.html", context)


@login_required
def workflow(request: HttpRequest, unit: str, period: str) -> HttpResponse:
    access = access_for(request)
    org_unit, per = resolve(unit, period)
    access.require_view(org_unit)
    if request.method == "POST":
        form = ReasonForm(request.POST)
        action = request.POST.get("action", "")
        if action not in Action.values or not form.is_valid():
            messages.error(request, _("Thao tác không hợp lệ."))
        else:
            try:
                workflow_act(
                    access=access,
                    org_unit=org_unit,
                    period=per,
                    action=action,
                    reason=form.cleaned_data["reason"],
                )
            except WorkflowPermissionError as exc:
                raise PermissionDenied(str(exc)) from None
            except WorkflowError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Đã thực hiện: {action}.").format(action=Action(action).label))
                return redirect(request.path)
    children = children_of(org_unit, per)
    states = statuses_for([org_unit, *children], per)
    own = states.get(org_unit.pk)
    state = State(own.state) if own else State.DRAFT
    actions = []
    for action in Action:
        allowed = {
            Action.SUBMIT: access.can_submit(org_unit) and state == State.DRAFT,
            Action.APPROVE: access.can_review(org_unit) and state == State.SUBMITTED,
            Action.RETURN: access.can_review(org_unit) and state in (State.SUBMITTED, State.APPROVED),
            Action.LOCK: access.can_review(org_unit) and state == State.APPROVED,
            Action.UNLOCK: access.can_unlock() and state == State.LOCKED,
        }[action]
        if allowed:
            actions.append({"action": action, "needs_reason": action in (Action.RETURN, Action.UNLOCK)})
    context = {
        "unit": org_unit,
        "period": per,
        "state": state,
        "status": own,
        "actions": actions,
        "children": [
            {"unit": c, "state": State(states[c.pk].state) if states.get(c.pk) else State.DRAFT}
            for c in children
        ],
        "events": Event.objects.filter(org_unit=org_unit, period=per)
        .select_related("user")
        .order_by("-at", "-pk"),
        "sectors": Sector.objects.order_by("order"),
        "reason_form": ReasonForm(),
    }
    return render(request, "entry/workflow.html", context)


@login_required
def history(request: HttpRequest, unit: str, period: str, indicator: str) -> HttpResponse:
    """Every change of one indicator's values for a unit and period, and the workflow steps around them."""
    access = access_for(request)
    org_unit, per = resolve(unit, period)
    access.require_view(org_unit)
    ind = get_object_or_404(Indicator.objects.select_related("unit", "sector"), code=indicator)
    changes = (
        ValueChange.objects.filter(indicator=ind, org_unit=org_unit, period=per)
        .select_related("user")
        .order_by("at", "pk")
    )
    values = DataValue.objects.filter(indicator=ind, org_unit=org_unit, period=per).select_related(
        "source_document", "entered_by"
    )
    timeline: list[dict[str, Any]] = [{"at": c.at, "change": c} for c in changes]
    timeline += [
        {"at": e.at, "event": e}
        for e in Event.objects.filter(org_unit=org_unit, period=per).select_related("user")
    ]
    timeline.sort(key=lambda t: t["at"])
    context = {"unit": org_unit, "period": per, "indicator": ind, "values": values, "timeline": timeline}
    return render(request, "entry/history.html", context)
