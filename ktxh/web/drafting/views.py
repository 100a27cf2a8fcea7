"""The drafting screen: the report's section tree, each office's text with a live preview,
versions and their diff, the whole report as HTML, and the DOCX/XLSX/PDF files.

Views check access, read the form and call a service; the rules live in services.py."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ktxh import core, report
from ktxh.web.accounts.permissions import Access, access_for
from ktxh.web.datavalues import selectors as dv_selectors
from ktxh.web.datavalues.models import DataValue
from ktxh.web.orgunits.models import OrgUnit

from . import services
from .forms import CompareForm, RestoreForm, SectionForm
from .models import SectionText
from .rendering import document_html, plain
from .services import Draft, DraftingError, DraftSection, TextRefused, VersionConflict

DEFAULT_YEAR = 2023


def _unit(code: str, year: int) -> OrgUnit:
    try:
        cp = core.Period.year(year)
        return dv_selectors.org_unit_at(code, min(cp.end, date.today()))
    except core.KtxhError as exc:
        raise Http404(str(exc)) from None


def _draft(request: HttpRequest, unit: str, year: int) -> tuple[Access, Draft]:
    access = access_for(request)
    org_unit = _unit(unit, year)
    if not services.may_read(access, org_unit):
        raise PermissionDenied(_("Bạn không có quyền xem báo cáo của {unit}.").format(unit=org_unit.name))
    try:
        draft = services.draft_for(unit=org_unit, year=year)
    except DraftingError as exc:
        raise Http404(str(exc)) from None
    return access, draft


def _section(draft: Draft, key: str) -> DraftSection:
    found = draft.section(key)
    if found is None:
        raise Http404(_("Báo cáo không có mục «{key}».").format(key=key))
    return found


def _offices(draft: Draft, section: DraftSection) -> list[str]:
    """The offices that write a section: the owners of its sectors, else its office."""
    codes = sorted({o for o, secs in draft.sectors.by_office.items() if secs & section.sectors})
    if section.office and section.office in codes:
        codes.remove(section.office)
        codes.insert(0, section.office)
    if not codes and section.office:
        codes = [section.office]
    return [draft.sectors.office_names.get(c, c) for c in codes]


def _tree_rows(access: Access, draft: Draft, selected: str | None) -> list[dict[str, Any]]:
    rows = []
    for s in draft.sections():
        row = draft.stored.get(s.key)
        rows.append(
            {
                "section": s,
                "editable": services.may_edit(access, draft.unit, s),
                "version": row.version if row else 0,
                "edited": row is not None,
                "selected": s.key == selected,
                "has_text": bool(s.paragraphs) or row is not None,
            }
        )
    return rows


def _preview_context(draft: Draft, section: DraftSection, text: str) -> dict[str, Any]:
    try:
        doc = draft.render_section(section, text, marked=True)
    except TextRefused as exc:
        return {"preview_error": str(exc)}
    except DraftingError as exc:
        return {"preview_error": str(exc)}
    return {"preview": document_html(doc, prefix="xt-")}


def _page(
    request: HttpRequest,
    access: Access,
    draft: Draft,
    section: DraftSection | None,
    form: SectionForm | None = None,
    *,
    conflict: SectionText | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = _tree_rows(access, draft, section.key if section else None)
    context: dict[str, Any] = {
        "draft": draft,
        "unit": draft.unit,
        "year": str(draft.year),
        "rows": rows,
        "all_editable": all(r["editable"] for r in rows),
        "section": section,
        "conflict": conflict,
        "pdf_available": _pdf_available(),
    }
    if section is not None:
        editable = services.may_edit(access, draft.unit, section)
        if form is None:
            form = SectionForm(
                initial={"text": draft.text_of(section), "base_version": draft.version_of(section)}
            )
        text = form.data.get("text", "") if form.is_bound else form.initial["text"]
        context.update(
            {
                "form": form,
                "editable": editable,
                "offices": _offices(draft, section),
                "current": draft.stored.get(section.key),
                "sector_names": [draft.sectors.names.get(c, c) for c in sorted(section.sectors)],
                "conflict_diff": services.text_diff(conflict.text, text) if conflict is not None else None,
                **_preview_context(draft, section, text),
            }
        )
    return render(request, "drafting/draft.html", context, status=status)


def _pdf_available() -> bool:
    import shutil

    return bool(shutil.which("soffice") or shutil.which("libreoffice"))


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The reports the user may open: their units (or every unit with data) that have a template."""
    access = access_for(request)
    try:
        year = int(request.GET.get("year", DEFAULT_YEAR))
        cp = core.Period.year(year)
    except (ValueError, core.KtxhError):
        raise Http404(_("Năm không hợp lệ.")) from None
    day = min(cp.end, date.today())
    if any(s.unit is None for s in access.scopes):
        ids = (
            DataValue.objects.filter(period__code=str(year)).values_list("org_unit_id", flat=True).distinct()
        )
        units = list(OrgUnit.objects.filter(pk__in=ids).exclude(level="commune").order_by("code"))
    else:
        codes = {s.unit for s in access.scopes if s.unit}
        units = list(OrgUnit.objects.valid_at(day).filter(code__in=codes))
        parents = [u.parent for u in units if u.parent_id and u.level == "commune" and u.parent]
        units = sorted({u.pk: u for u in [*units, *parents]}.values(), key=lambda u: u.code)
    reports = []
    for u in units:
        if not services.may_read(access, u):
            continue
        try:
            ref = services.template_for(u, year)
        except DraftingError:
            continue
        reports.append({"unit": u, "template": ref})
    return render(request, "drafting/index.html", {"reports": reports, "year": str(year)})


@login_required
def draft(request: HttpRequest, unit: str, year: int) -> HttpResponse:
    """The section tree, with the first section the user may write (or the first with text) open."""
    access, d = _draft(request, unit, year)
    rows = _tree_rows(access, d, None)
    first = next((r["section"] for r in rows if r["editable"] and r["has_text"]), None)
    first = first or next((r["section"] for r in rows if r["has_text"]), None)
    return _page(request, access, d, first)


@login_required
def section(request: HttpRequest, unit: str, year: int, key: str) -> HttpResponse:
    access, d = _draft(request, unit, year)
    sec = _section(d, key)
    if request.method != "POST":
        return _page(request, access, d, sec)
    if not services.may_edit(access, d.unit, sec):
        raise PermissionDenied(
            _("Bạn không có quyền sửa mục «{heading}» của báo cáo {unit}.").format(
                heading=sec.heading, unit=d.unit.name
            )
        )
    form = SectionForm(request.POST)
    if not form.is_valid():
        return _page(request, access, d, sec, form, status=400)
    if request.POST.get("action") == "preview":
        return _page(request, access, d, sec, form)
    try:
        saved = services.section_save(
            access=access,
            draft=d,
            section=sec,
            text=form.cleaned_data["text"],
            base_version=form.cleaned_data["base_version"],
        )
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from None
    except VersionConflict as exc:
        messages.error(request, str(exc))
        data = request.POST.copy()
        data["base_version"] = str(exc.current.version)  # a second save, after merging, is on top of theirs
        return _page(request, access, d, sec, SectionForm(data), conflict=exc.current, status=409)
    except (TextRefused, DraftingError) as exc:
        messages.error(request, _("Chưa lưu. {problem}").format(problem=str(exc)))
        return _page(request, access, d, sec, form, status=400)
    if saved is None:
        messages.info(request, _("Nội dung không thay đổi, không tạo phiên bản mới."))
    else:
        messages.success(
            request,
            _("Đã lưu mục «{heading}», phiên bản {v}.").format(heading=sec.heading, v=saved.version),
        )
    return redirect(reverse("drafting:section", args=[d.unit.code, d.year, sec.key]))


@login_required
@require_POST
def section_preview(request: HttpRequest, unit: str, year: int, key: str) -> HttpResponse:
    """The generated sentences for a text being typed (htmx); nothing is saved."""
    access, d = _draft(request, unit, year)
    sec = _section(d, key)
    text = request.POST.get("text", "")[: services.MAX_TEXT + 1]
    return render(request, "drafting/_preview.html", {"section": sec, **_preview_context(d, sec, text)})


@login_required
def versions(request: HttpRequest, unit: str, year: int, key: str) -> HttpResponse:
    """A section's versions (who, when), the diff between any two, and restoring one."""
    access, d = _draft(request, unit, year)
    sec = _section(d, key)
    rows = services.versions_of(unit=d.unit, year=d.year, template=d.ref.name, section=sec.key)
    current = rows[0].version if rows else 0
    editable = services.may_edit(access, d.unit, sec)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(
                _("Bạn không có quyền sửa mục «{heading}» của báo cáo {unit}.").format(
                    heading=sec.heading, unit=d.unit.name
                )
            )
        form = RestoreForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Thao tác không hợp lệ."))
        else:
            try:
                saved = services.section_restore(
                    access=access,
                    draft=d,
                    section=sec,
                    version=form.cleaned_data["version"],
                    base_version=form.cleaned_data["base_version"],
                )
            except (TextRefused, VersionConflict, DraftingError) as exc:
                messages.error(request, _("Chưa khôi phục. {problem}").format(problem=str(exc)))
            else:
                if saved is None:
                    messages.info(request, _("Phiên bản này chính là nội dung hiện hành."))
                else:
                    messages.success(
                        request,
                        _("Đã khôi phục phiên bản {old} thành phiên bản mới {v}.").format(
                            old=form.cleaned_data["version"], v=saved.version
                        ),
                    )
        return redirect(reverse("drafting:versions", args=[d.unit.code, d.year, sec.key]))
    compare = CompareForm(request.GET or None)
    if compare.is_bound and compare.is_valid():
        a, b = compare.cleaned_data["a"], compare.cleaned_data["b"]
    else:
        a, b = max(current - 1, 0), current
        compare = CompareForm(initial={"a": a, "b": b})
    old, new = (
        services.text_at(draft=d, section=sec, version=a),
        services.text_at(draft=d, section=sec, version=b),
    )
    if old is None or new is None:
        raise Http404(_("Không có phiên bản {v} của mục này.").format(v=a if old is None else b))
    choices = [(r.version, r) for r in rows] + [(0, None)]
    context = {
        "draft": d,
        "unit": d.unit,
        "year": str(d.year),
        "section": sec,
        "rows": rows,
        "current": current,
        "choices": choices,
        "a": a,
        "b": b,
        "compare": compare,
        "diff": services.text_diff(old, new) if a != b else None,
        "editable": editable,
    }
    return render(request, "drafting/versions.html", context)


@login_required
def preview(request: HttpRequest, unit: str, year: int) -> HttpResponse:
    """The whole report as HTML, with the stored texts and numbered footnotes."""
    access, d = _draft(request, unit, year)
    context: dict[str, Any] = {
        "draft": d,
        "unit": d.unit,
        "year": str(d.year),
        "pdf_available": _pdf_available(),
    }
    try:
        doc, prov = d.render(marked=True)
    except (report.TemplateProblem, DraftingError) as exc:
        context["error"] = str(exc)
        return render(request, "drafting/preview.html", context, status=422)
    keys = [s.key for s in d.sections()]
    context.update(
        {
            "header": doc.header,
            "html": document_html(doc, anchors=keys),
            "numbers": len(prov.uses),
            "edited": len(d.stored),
            "editable_keys": {s.key for s in d.sections() if services.may_edit(access, d.unit, s)},
        }
    )
    return render(request, "drafting/preview.html", context)


FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "json": "application/json",
}


@login_required
def download(request: HttpRequest, unit: str, year: int, fmt: str) -> HttpResponse:
    """The report as DOCX (with the stored texts), its XLSX appendix, PDF, or provenance JSON."""
    access, d = _draft(request, unit, year)
    if fmt not in FORMATS:
        raise Http404(_("Không có định dạng «{fmt}».").format(fmt=fmt))
    back = reverse("drafting:draft", args=[d.unit.code, d.year])
    name = f"bao-cao-ktxh-{d.unit.code}-{d.year}"
    try:
        if fmt == "docx":
            data, _prov = services.build_docx(d)
        elif fmt == "xlsx":
            data, name = services.build_xlsx(d), f"phu-luc-ktxh-{d.unit.code}-{d.year}"
        elif fmt == "pdf":
            data = services.build_pdf(d)
        else:
            _doc, prov = d.render()
            data = json.dumps(
                {
                    "unit": d.unit.code,
                    "year": d.year,
                    "template": d.ref.name,
                    "numbers": [{**u.as_json(), "text": plain(u.text)} for u in prov.uses],
                },
                ensure_ascii=False,
                indent=1,
            ).encode("utf-8")
            name = f"nguon-goc-{d.unit.code}-{d.year}.provenance"
    except report.PdfUnavailable as exc:
        messages.error(request, str(exc))
        return redirect(back)
    except (report.TemplateProblem, DraftingError) as exc:
        messages.error(request, _("Chưa tạo được báo cáo. {problem}").format(problem=str(exc)))
        return redirect(back)
    response = HttpResponse(data, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
