"""The JSON API (django-ninja): same services and permissions as the screens.

Schema: /api/openapi.json; browsable docs: /api/docs (served locally, no CDN).
"""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from ktxh import core
from ktxh.web.accounts.permissions import access_for
from ktxh.web.catalog.models import Indicator
from ktxh.web.datavalues import selectors as dv_selectors
from ktxh.web.datavalues.entry import Entry, finding_key, values_save
from ktxh.web.datavalues.models import ChangeSource, DataValue, Period
from ktxh.web.entry.views import resolve
from ktxh.web.orgunits.models import OrgUnit
from ktxh.web.workflow.choices import Action, State
from ktxh.web.workflow.models import Status
from ktxh.web.workflow.services import WorkflowError, WorkflowPermissionError, workflow_act

from .auth import AUTH
from .schemas import (
    CODE,
    ActionIn,
    BulkIn,
    BulkOut,
    FindingOut,
    IndicatorOut,
    Message,
    OrgUnitOut,
    PeriodOut,
    RowErrorOut,
    RowOut,
    StatusOut,
    ValueOut,
)

api = NinjaAPI(
    title="ktxh API",
    version="1",
    description="Danh mục, đơn vị, kỳ, số liệu, phát hiện và duyệt số liệu. "
    "Xác thực: Authorization: Bearer <khóa API>, hoặc phiên đăng nhập.",
    auth=AUTH,
    urls_namespace="api",
)
router = Router()


class Pages(LimitOffsetPagination):
    """limit/offset with bounds: a huge offset is a 422, not a database error."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=1000, description="số dòng mỗi trang (tối đa 1000)")
        offset: int = Field(0, ge=0, le=10**9, description="bỏ qua bao nhiêu dòng")


ERRORS: dict[int, Any] = {400: Message, 401: Message, 403: Message, 404: Message, 409: Message}


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Không có quyền."}, status=403)


@api.exception_handler(WorkflowError)
def _conflict(request: HttpRequest, exc: Exception) -> HttpResponse:
    status = 403 if isinstance(exc, WorkflowPermissionError) else 409
    return api.create_response(request, {"detail": str(exc)}, status=status)


@api.exception_handler(core.KtxhError)
def _bad(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(Http404)
def _missing(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Không tìm thấy."}, status=404)


def _day(at: date | None) -> date:
    return at or date.today()


@router.get("/indicators", response=list[IndicatorOut], summary="Danh mục chỉ tiêu")
@paginate(Pages)
def indicators(
    request: HttpRequest,
    sector: str | None = Query(None, pattern=CODE),
    q: str | None = Query(None, max_length=100),
) -> Any:
    qs = Indicator.objects.select_related("unit", "sector", "office", "parent").order_by(
        "sector__order", "order"
    )
    if sector:
        qs = qs.filter(sector__code=sector)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return [
        {
            "code": i.code,
            "name": i.name,
            "unit": i.unit.code,
            "sector": i.sector.code,
            "office": i.office.code,
            "kind": i.kind,
            "decimals": i.decimals,
            "direction": i.direction,
            "parent": i.parent.code if i.parent_id else None,
            "budgeted": i.budgeted,
            "formula": i.formula,
        }
        for i in qs
    ]


@router.get("/orgunits", response=list[OrgUnitOut], summary="Đơn vị hành chính (có hiệu lực vào ngày at)")
@paginate(Pages)
def orgunits(
    request: HttpRequest,
    parent: str | None = Query(None, pattern=CODE),
    level: str | None = Query(None, pattern=r"^(province|district|commune)$"),
    at: date | None = None,
) -> Any:
    access = access_for(request)
    qs = OrgUnit.objects.valid_at(_day(at)).select_related("parent").order_by("code")
    if parent:
        qs = qs.filter(parent__code=parent)
    if level:
        qs = qs.filter(level=level)
    visible = access.visible_unit_ids()
    if visible is not None:
        qs = qs.filter(pk__in=visible)
    return [
        {
            "code": u.code,
            "name": u.name,
            "level": u.level,
            "parent": u.parent.code if u.parent_id else None,
            "valid_from": u.valid_from.isoformat(),
            "valid_to": u.valid_to.isoformat() if u.valid_to else None,
        }
        for u in qs
    ]


@router.get("/periods", response=list[PeriodOut], summary="Kỳ báo cáo đã có")
@paginate(Pages)
def periods(request: HttpRequest) -> Any:
    return [
        {"code": p.code, "type": p.type, "start": p.start.isoformat(), "end": p.end.isoformat()}
        for p in Period.objects.order_by("start", "end")
    ]


@router.get(
    "/values", response=list[ValueOut], summary="Số liệu (lọc theo đơn vị, kỳ, chỉ tiêu, loại, lĩnh vực)"
)
@paginate(Pages)
def values(
    request: HttpRequest,
    unit: str | None = Query(None, pattern=CODE),
    period: str | None = Query(None, pattern=r"^[0-9A-Za-z\-]{4,12}$"),
    indicator: str | None = Query(None, pattern=CODE),
    kind: str | None = Query(None, pattern=r"^(estimate|final|plan|budget_estimate|target)$"),
    sector: str | None = Query(None, pattern=CODE),
) -> Any:
    access = access_for(request)
    qs = DataValue.objects.order_by("pk")
    if unit:  # the units carrying this code (one per version of it) that the reader may see
        qs = qs.filter(
            org_unit_id__in=[u.pk for u in OrgUnit.objects.filter(code=unit) if access.can_view(u)]
        )
    else:
        visible = access.visible_unit_ids()
        if visible is not None:
            qs = qs.filter(org_unit_id__in=visible)
    if period:
        qs = qs.filter(period__code=period)
    if indicator:
        qs = qs.filter(indicator__code=indicator)
    if kind:
        qs = qs.filter(kind=kind)
    if sector:
        qs = qs.filter(indicator__sector__code=sector)
    return _ValueRows(qs)


class _ValueRows:
    """A lazily sliced queryset mapped to dicts, so pagination reads one page only."""

    def __init__(self, qs: Any) -> None:
        self.qs = qs

    def count(self) -> int:
        return int(self.qs.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        # Plain columns only: a joined source document would bring its whole text (the report,
        # half a megabyte) into every row.
        rows = self.qs[item].values_list(
            "pk",
            "indicator__code",
            "org_unit__code",
            "period__code",
            "kind",
            "category",
            "option",
            "value",
            "derived",
            "version",
            "source_document__key",
            "source_line",
            "source_text",
            "updated_at",
        )
        return [
            {
                "id": pk,
                "indicator": indicator,
                "org_unit": org_unit,
                "period": period,
                "kind": kind,
                "category": category,
                "option": option,
                "value": core.plain(value),
                "derived": derived,
                "version": version,
                "source": source,
                "line": line,
                "quote": quote,
                "updated_at": updated_at.isoformat(),
            }
            for (
                pk,
                indicator,
                org_unit,
                period,
                kind,
                category,
                option,
                value,
                derived,
                version,
                source,
                line,
                quote,
                updated_at,
            ) in rows
        ]


def _finding(f: Any) -> dict[str, Any]:
    return {
        "key": finding_key(f),
        "code": f.code,
        "check": f.check,
        "severity": str(f.severity),
        "message": f.message,
        "org_unit": f.org_unit,
        "period": f.period,
        "expected": core.plain(f.expected) if f.expected is not None else None,
        "suggestion": f.suggestion,
    }


@router.post(
    "/values/bulk", response={200: BulkOut, **ERRORS}, summary="Ghi nhiều số liệu, kết quả từng dòng"
)
def values_bulk(request: HttpRequest, payload: BulkIn) -> Any:
    """Rows with errors stop the whole write when ``all_or_nothing`` (the default); otherwise the
    valid rows are stored. A value someone changed since ``version`` is refused with theirs."""
    access = access_for(request)
    org_unit, per = resolve(payload.unit, payload.period)
    entries = [
        Entry(indicator=r.indicator, value=r.value, kind=r.kind, comment=r.comment, version=r.version, row=i)
        for i, r in enumerate(payload.rows)
    ]
    result = values_save(
        access=access,
        org_unit=org_unit,
        period=per,
        entries=entries,
        source=ChangeSource.API,
        acknowledgements=payload.acknowledgements,
        accept_valid=not payload.all_or_nothing,
        entry_kinds=("estimate", "final", "plan", "budget_estimate", "target"),
    )
    rows = []
    for r in result.rows:
        err = None
        if r.error is not None:
            err = RowErrorOut(
                field=r.error.field,
                message=r.error.message,
                current=core.plain(r.error.current) if r.error.current is not None else None,
                current_version=r.error.current_version,
            )
        rows.append(
            RowOut(index=r.row or 0, indicator=r.indicator, status=r.status, version=r.version, error=err)
        )
    return {
        "stored": result.stored,
        "created": result.count("created"),
        "updated": result.count("updated"),
        "unchanged": result.count("unchanged"),
        "errors": result.count("error"),
        "results": rows,
        "blocking_findings": [_finding(f) for f in result.blocking],
    }


@router.get(
    "/findings", response={200: list[FindingOut], **ERRORS}, summary="Phát hiện của các quy tắc kiểm tra"
)
def findings(
    request: HttpRequest, unit: str = Query(..., pattern=CODE), year: int = Query(..., ge=1976, le=2100)
) -> Any:
    access = access_for(request)
    org_unit, per = resolve(unit, str(year))
    access.require_view(org_unit)
    return [_finding(f) for f in dv_selectors.findings_for(org_unit=org_unit, period=core.Period.year(year))]


def _status(org_unit: OrgUnit, per: Period) -> dict[str, Any]:
    row = Status.objects.filter(org_unit=org_unit, period=per).select_related("changed_by").first()
    return {
        "unit": org_unit.code,
        "period": per.code,
        "state": row.state if row else State.DRAFT.value,
        "changed_at": row.changed_at.isoformat() if row else None,
        "changed_by": row.changed_by.username if row and row.changed_by else None,
    }


@router.get("/workflow/{unit}/{period}", response={200: StatusOut, **ERRORS}, summary="Trạng thái duyệt")
def workflow_status(request: HttpRequest, unit: str, period: str) -> Any:
    access = access_for(request)
    org_unit, per = resolve(unit, period)
    access.require_view(org_unit)
    return _status(org_unit, per)


@router.post(
    "/workflow/{unit}/{period}/{action}",
    response={200: StatusOut, **ERRORS},
    summary="Gửi duyệt, duyệt, trả lại, khóa, mở khóa (submit, approve, return, lock, unlock)",
)
def workflow_action(request: HttpRequest, unit: str, period: str, action: Action, payload: ActionIn) -> Any:
    access = access_for(request)
    org_unit, per = resolve(unit, period)
    access.require_view(org_unit)
    workflow_act(
        access=access, org_unit=org_unit, period=per, action=action, reason=payload.reason, source="api"
    )
    return _status(org_unit, per)


api.add_router("/", router)
