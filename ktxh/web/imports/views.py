"""Import review: upload a past report, watch it being read, review its facts, import them.

Views check access, validate a form and call a service (``services``); the rules live there.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from ktxh import core
from ktxh.core.rules.model import with_unit
from ktxh.web.accounts.permissions import EDIT_ROLES, Access, access_for
from ktxh.web.datavalues import selectors as dv_selectors
from ktxh.web.datavalues.models import DataValue, Period
from ktxh.web.orgunits.models import OrgUnit
from ktxh.web.workflow.services import edit_block

from . import services
from .forms import FactForm, UploadForm
from .models import Decision, ImportFact, ImportJob, JobState

ROLE_LABELS = {
    "value": gettext_lazy("Giá trị"),
    "part": gettext_lazy("Thành phần"),
    "plan": gettext_lazy("Kế hoạch"),
    "target": gettext_lazy("Mục tiêu"),
    "prior": gettext_lazy("Kỳ trước"),
    "pct_plan": gettext_lazy("% kế hoạch"),
    "pct_budget": gettext_lazy("% dự toán"),
    "pct_change": gettext_lazy("% tăng, giảm"),
    "pp_change": gettext_lazy("Điểm phần trăm"),
    "share": gettext_lazy("Tỷ lệ"),
    "count_of": gettext_lazy("Số đạt (x/y)"),
    "count_total": gettext_lazy("Tổng số (x/y)"),
    "range_low": gettext_lazy("Cận dưới"),
    "range_high": gettext_lazy("Cận trên"),
    "rank": gettext_lazy("Thứ hạng"),
}
SEVERITY_LABELS = {
    "error": gettext_lazy("Lỗi"),
    "warning": gettext_lazy("Cảnh báo"),
    "info": gettext_lazy("Lưu ý"),
}
KIND_LABELS = {
    "estimate": gettext_lazy("ước thực hiện"),
    "final": gettext_lazy("chính thức"),
    "plan": gettext_lazy("kế hoạch"),
    "budget_estimate": gettext_lazy("dự toán"),
    "target": gettext_lazy("mục tiêu"),
}


# -- access ----------------------------------------------------------------------------------


def _may_import(access: Access, unit: OrgUnit) -> bool:
    editable = access.editable_sectors(unit)
    return editable is None or bool(editable)


def _units_for(access: Access) -> list[OrgUnit]:
    """The units whose report this user may import: their own units and the units below them."""
    if not any(s.role in EDIT_ROLES for s in access.scopes):
        return []
    codes = {s.unit for s in access.scopes if s.role in EDIT_ROLES}
    if None in codes:
        ids = DataValue.objects.values_list("org_unit_id", flat=True).distinct()
        roots = list(OrgUnit.objects.filter(pk__in=ids, level__in=["province", "district"]))
    else:
        roots = list(OrgUnit.objects.filter(code__in=codes))
    children = OrgUnit.objects.filter(parent__in=roots).order_by("name")
    seen: set[str] = set()
    out = []
    for u in [*sorted(roots, key=lambda u: u.code), *children]:
        if u.code not in seen and _may_import(access, u):
            seen.add(u.code)
            out.append(u)
    return out


def _job_for(request: HttpRequest, pk: int, *, change: bool = False) -> tuple[ImportJob, Access]:
    """The job, if this user uploaded it (or reviews its unit); ``change``: and may import there."""
    access = access_for(request)
    job = get_object_or_404(ImportJob.objects.select_related("org_unit", "user"), pk=pk)
    if job.user_id != request.user.pk and not access.can_review(job.org_unit):
        raise PermissionDenied(_("Đây là lượt nhập của người khác."))
    if change and not _may_import(access, job.org_unit):
        raise PermissionDenied(
            _("Bạn không có quyền nhập số liệu của {unit}.").format(unit=job.org_unit.name)
        )
    return job, access


# -- upload ----------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    access = access_for(request)
    units = _units_for(access)
    if not units:
        raise PermissionDenied(_("Bạn không có quyền nhập số liệu của đơn vị nào."))
    choices = [(u.code, f"{u.name} ({u.code})") for u in units]
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, units=choices)
        if form.is_valid():
            year = form.cleaned_data["year"]
            try:
                unit = dv_selectors.org_unit_at(form.cleaned_data["unit"], date(year, 12, 31))
            except core.KtxhError as exc:
                form.add_error("unit", str(exc))
            else:
                if not _may_import(access, unit):
                    raise PermissionDenied(
                        _("Bạn không có quyền nhập số liệu của {unit}.").format(unit=unit.name)
                    )
                try:
                    job = services.job_create(
                        user=request.user, org_unit=unit, year=year, upload=form.cleaned_data["file"]
                    )
                except services.UploadRefused as exc:
                    form.add_error("file", str(exc))
                else:
                    services.job_start(job=job)
                    services.jobs_cleanup(user=request.user)
                    return redirect("imports:job", pk=job.pk)
        status = 400
    else:
        form = UploadForm(units=choices, initial={"unit": units[0].code})
        status = 200
    jobs = ImportJob.objects.filter(user=request.user).select_related("org_unit")[:10]
    context = {
        "form": form,
        "jobs": jobs,
        "limit_mb": core.format_vi(settings.KTXH_MAX_UPLOAD_BYTES // 2**20),
    }
    return render(request, "imports/index.html", context, status=status)


# -- progress --------------------------------------------------------------------------------


@login_required
@require_GET
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress: JSON (``?format=json``) or the htmx fragment the page polls."""
    job, _access = _job_for(request, pk)
    job = services.job_refresh(job=job)
    if request.GET.get("format") == "json":
        return JsonResponse(job.progress_json())
    if getattr(request, "htmx", False) and job.state in (JobState.REVIEW, JobState.DONE):
        return HttpResponseClientRefresh()  # the page becomes the review screen
    return render(request, "imports/_progress.html", {"job": job})


# -- the job page: progress, review or result ------------------------------------------------


@login_required
@require_GET
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    job, access = _job_for(request, pk)
    job = services.job_refresh(job=job)
    if job.state == JobState.REVIEW:
        return render(
            request, "imports/review.html", _review_context(job, access, request.GET.get("xem", ""))
        )
    if job.state == JobState.DONE:
        return render(request, "imports/done.html", {"job": job, "result": _result_rows(job.result or {})})
    return render(request, "imports/job.html", {"job": job})


def _catalog_rows() -> tuple[core.Catalog, dict[str, str]]:
    catalog = dv_selectors.stored_catalog()
    sector_names = {s.code: s.name for s in catalog.sectors.values()}
    return catalog, sector_names


def _fact_view(row: ImportFact, catalog: core.Catalog, editable: frozenset[str] | None) -> dict[str, Any]:
    ind = catalog.get(row.indicator) if row.indicator else None
    proposed = catalog.get(row.proposed) if row.proposed else None
    decimals = int(row.extra.get("decimals") or 0)
    shown = core.format_vi(row.value, max(decimals, 0))
    return {
        "row": row,
        "shown": with_unit(shown, row.unit) if row.unit != "%" else f"{shown}%",
        "role": ROLE_LABELS.get(row.role, row.role),
        "indicator": ind,
        "unit_symbol": catalog.units[ind.unit].symbol if ind else "",
        "proposed": proposed,
        "confidence": round(row.confidence * 100),
        "importable": row.role in services.IMPORTABLE_ROLES,
        "allowed": ind is None or editable is None or ind.sector in editable,
        "org_unit": row.extra.get("org_unit") or "",
        "period": row.extra.get("period") or "",
    }


# the review list's filters: ?xem=… → which facts are shown
SHOW = {
    "": (gettext_lazy("Tất cả"), lambda r: True),
    "chua-xet": (
        gettext_lazy("Chưa xét"),
        lambda r: r.decision == Decision.PENDING and r.role in services.IMPORTABLE_ROLES,
    ),
    "chua-gan": (
        gettext_lazy("Chưa gắn chỉ tiêu"),
        lambda r: not r.indicator and r.role in services.IMPORTABLE_ROLES,
    ),
    "nhan": (gettext_lazy("Đã nhận"), lambda r: r.decision == Decision.ACCEPTED),
    "loai": (gettext_lazy("Đã loại"), lambda r: r.decision == Decision.REJECTED),
}


def _review_context(job: ImportJob, access: Access, show: str) -> dict[str, Any]:
    catalog, sector_names = _catalog_rows()
    editable = access.editable_sectors(job.org_unit)
    rows = list(job.facts.all())
    show = show if show in SHOW else ""
    keep = SHOW[show][1]
    facts = [_fact_view(r, catalog, editable) for r in rows if keep(r)]
    filters = [
        {"key": key, "label": label, "n": sum(1 for r in rows if test(r)), "current": key == show}
        for key, (label, test) in SHOW.items()
    ]
    finding_lines: set[int] = set()
    findings = []
    for f in job.findings or []:
        finding_lines.update(f.get("lines") or [])
        findings.append({**f, "severity_label": SEVERITY_LABELS.get(f.get("severity", ""), "")})
    fact_lines = {r.line for r in rows}
    lines = [
        {"n": n, "text": text, "fact": n in fact_lines, "finding": n in finding_lines}
        for n, text in enumerate(job.text.split("\n"), start=1)
    ]
    counts = {
        "total": len(rows),
        "mapped": sum(1 for r in rows if r.indicator),
        "accepted": sum(1 for r in rows if r.decision == Decision.ACCEPTED),
        "rejected": sum(1 for r in rows if r.decision == Decision.REJECTED),
    }
    counts["pending"] = sum(1 for r in rows if SHOW["chua-xet"][1](r))
    indicators = [
        {
            "code": i.code,
            "name": i.name,
            "unit": catalog.units[i.unit].symbol,
            "sector": sector_names.get(i.sector),
        }
        for i in catalog.values()
        if editable is None or i.sector in editable
    ]
    period = Period.objects.filter(code=str(job.year)).first()
    return {
        "job": job,
        "facts": facts,
        "filters": filters,
        "findings": findings,
        "lines": lines,
        "counts": counts,
        "indicators": indicators,
        "blocked": edit_block(job.org_unit, period) if period else None,
    }


# -- review actions --------------------------------------------------------------------------


@login_required
@require_POST
def fact(request: HttpRequest, pk: int, n: int) -> HttpResponse:
    job, access = _job_for(request, pk, change=True)
    form = FactForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _("Lựa chọn không hợp lệ.")
    else:
        op = form.cleaned_data["op"]
        try:
            if op == "map":
                code = form.cleaned_data["indicator"]
                if not code:
                    raise services.ReviewError(_("Hãy chọn một chỉ tiêu trong danh sách."))
                services.fact_review(
                    job=job, n=n, indicator=code, editable=access.editable_sectors(job.org_unit)
                )
            elif op == "none":
                services.fact_review(job=job, n=n, indicator="", editable=None)
            else:
                decision = {
                    "accept": Decision.ACCEPTED,
                    "reject": Decision.REJECTED,
                    "reset": Decision.PENDING,
                }[op]
                services.fact_review(
                    job=job, n=n, decision=decision, editable=access.editable_sectors(job.org_unit)
                )
        except services.ReviewError as exc:
            error = str(exc)
        except ImportFact.DoesNotExist:
            error = _("Không có số liệu này.")
    if getattr(request, "htmx", False):
        row = job.facts.filter(n=n).first()
        if row is None:
            return HttpResponse(error, status=404)
        catalog, _names = _catalog_rows()
        item = _fact_view(row, catalog, access.editable_sectors(job.org_unit))
        return render(request, "imports/_fact.html", {"f": item, "job": job, "error": error})
    if error:
        messages.error(request, error)
    return redirect(reverse("imports:job", args=[job.pk]) + f"#f-{n}")


@login_required
@require_POST
def accept_mapped(request: HttpRequest, pk: int) -> HttpResponse:
    job, access = _job_for(request, pk, change=True)
    try:
        n = services.facts_accept_mapped(job=job, editable=access.editable_sectors(job.org_unit))
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã nhận {n} số liệu đã gắn chỉ tiêu.").format(n=n))
    return redirect("imports:job", pk=job.pk)


@login_required
@require_GET
def dry_run(request: HttpRequest, pk: int) -> HttpResponse:
    """What the import would create, change and leave unchanged; nothing is stored."""
    job, access = _job_for(request, pk, change=True)
    try:
        result = services.job_import(
            job=job, user=request.user, dry_run=True, editable=access.editable_sectors(job.org_unit)
        )
    except services.ReviewError as exc:
        messages.error(request, str(exc))
        return redirect("imports:job", pk=job.pk)
    rows = _result_rows(services.result_json(result))
    return render(request, "imports/dry_run.html", {"job": job, "result": rows})


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job, access = _job_for(request, pk, change=True)
    try:
        services.job_import(
            job=job, user=request.user, dry_run=False, editable=access.editable_sectors(job.org_unit)
        )
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    return redirect("imports:job", pk=job.pk)


def _result_rows(result: dict[str, Any]) -> dict[str, Any]:
    catalog = dv_selectors.stored_catalog()

    def label(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {
                **r,
                "kind_label": KIND_LABELS.get(r["kind"], r["kind"]),
                "name": catalog[r["indicator"]].name if r["indicator"] in catalog else "",
            }
            for r in rows
        ]

    return {
        "created": label(result.get("created", [])),
        "changed": label(result.get("changed", [])),
        "unchanged": label(result.get("unchanged", [])),
        "skipped": result.get("skipped", []),
        "stated": result.get("stated", 0),
        "writes": len(result.get("created", [])) + len(result.get("changed", [])),
    }
