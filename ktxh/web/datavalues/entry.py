"""Saving values typed on a screen, uploaded in a spreadsheet or sent to the API.

One service, :func:`values_save`, serves all three, so they share permissions, the
lock check, the lost-update check, the audit trail and the validation rules.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from ktxh import core
from ktxh.core.rules import Finding, Severity
from ktxh.web.accounts.permissions import Access
from ktxh.web.catalog.models import Indicator
from ktxh.web.orgunits.models import OrgUnit

from .choices import ValueKind
from .models import ChangeSource, DataValue, Period, ValueChange

ENTRY_KINDS = (ValueKind.ESTIMATE, ValueKind.FINAL)


@dataclass
class Entry:
    """One value to store. ``version`` is the version the person saw (0: none existed);
    None skips the lost-update check (an explicit overwrite, still audited)."""

    indicator: str
    value: Decimal
    kind: str = ValueKind.ESTIMATE
    comment: str = ""
    version: int | None = None
    row: int | None = None  # spreadsheet row or API list position, for messages
    category: str = ""
    option: str = ""


@dataclass
class RowError:
    indicator: str
    field: str
    message: str
    row: int | None = None
    current: Decimal | None = None  # for a conflict: the value someone else saved
    current_by: str = ""
    current_version: int | None = None


@dataclass
class RowResult:
    indicator: str
    status: str  # created | updated | unchanged | error
    row: int | None = None
    version: int | None = None
    error: RowError | None = None


@dataclass
class SaveResult:
    rows: list[RowResult] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    blocking: list[Finding] = field(default_factory=list)  # error findings waiting for a reason
    findings: list[Finding] = field(default_factory=list)  # every finding about the saved cells
    stored: bool = False

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


class Blocked(Exception):
    """Raised inside the transaction to roll it back."""


def finding_key(f: Finding) -> str:
    """A stable id for a finding: its rule and the cells it is about."""
    cells = sorted((v.indicator, v.org_unit, v.period, v.kind, v.category, v.option) for v in f.values)
    return hashlib.sha1(repr((f.code, cells)).encode("utf-8")).hexdigest()[:12]


def _who(user: Any) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _last_change(value: DataValue) -> str:
    change = value.changes.select_related("user").order_by("-at", "-pk").first()
    if change is None:
        return _("nạp từ báo cáo") if value.source_document_id else ""
    return _("{who}, lúc {when}").format(
        who=_who(change.user) or change.get_source_display(),
        when=date_format(localtime(change.at), "d/m/Y H:i"),
    )


def values_save(
    *,
    access: Access,
    org_unit: OrgUnit,
    period: Period,
    entries: list[Entry],
    source: str = ChangeSource.SCREEN,
    acknowledgements: dict[str, str] | None = None,
    accept_valid: bool = False,
    dry_run: bool = False,
    check_rules: bool = True,
    entry_kinds: tuple[str, ...] = ENTRY_KINDS,
) -> SaveResult:
    """Store ``entries`` for one unit and period, all or nothing.

    Raises PermissionDenied if any entry is outside the user's units or sectors (nothing is
    stored), and WorkflowError if the period is submitted, approved or locked. Rows with
    errors (unknown indicator, wrong kind, a value someone else changed meanwhile) stop the
    whole save unless ``accept_valid``. An error-level finding of the validation rules on a
    saved cell stops it too, until it is acknowledged with a reason (``acknowledgements``:
    finding key → reason).
    """
    from ktxh.web.workflow.models import Status
    from ktxh.web.workflow.services import WorkflowError, edit_block

    acknowledgements = {k: v.strip() for k, v in (acknowledgements or {}).items() if v and v.strip()}
    codes = {e.indicator for e in entries}
    indicators = {
        i.code: i for i in Indicator.objects.filter(code__in=codes).select_related("sector", "unit")
    }
    for e in entries:
        ind = indicators.get(e.indicator)
        if ind is not None and not access.can_edit(org_unit, ind.sector.code):
            access.require_edit(org_unit, ind.sector.code, ind.sector.name)
    if not access.scopes or not any(access.can_edit(org_unit, i.sector.code) for i in indicators.values()):
        if entries:
            raise PermissionDenied(
                _("Bạn không có quyền nhập số liệu của {unit}.").format(unit=org_unit.name)
            )

    result = SaveResult()
    try:
        with transaction.atomic():
            # The status row is locked first: a lock or an approval taken at the same moment
            # waits for this save (or this save waits and then sees the lock), never both.
            Status.objects.select_for_update().get_or_create(org_unit=org_unit, period=period)
            block = edit_block(org_unit, period)
            if block:
                raise WorkflowError(block)
            # Lock the cells being written: of two people saving the same value, the second
            # waits here, then sees the first one's version and is refused.
            # Only these cells: of=("self",) leaves the catalog rows joined in unlocked (two
            # communes saving the same indicator must not wait for each other), and ids
            # instead of codes keep the plan a plain index lookup even before ANALYZE.
            by_id = {i.pk: i for i in indicators.values()}
            stored: dict[tuple[str, str, str, str], DataValue] = {}
            for d in DataValue.objects.select_for_update(of=("self",)).filter(
                org_unit=org_unit, period=period, indicator_id__in=list(by_id)
            ):
                # The indicator, unit and period are the ones already read (the audit row and
                # the messages use them): set, not read again per cell.
                d.indicator, d.org_unit, d.period = by_id[d.indicator_id], org_unit, period
                stored[(d.indicator.code, d.kind, d.category, d.option)] = d
            writes: list[tuple[Entry, DataValue | None, Indicator]] = []
            for e in entries:
                error = _check_entry(e, indicators, stored, entry_kinds)
                if error is not None:
                    result.errors.append(error)
                    result.rows.append(RowResult(e.indicator, "error", e.row, error=error))
                else:
                    key = (e.indicator, str(e.kind), e.category, e.option)
                    writes.append((e, stored.get(key), indicators[e.indicator]))
            if result.errors and not accept_valid:
                for e, existing, _ind in writes:  # what the valid rows would have done
                    same = existing is not None and existing.value == e.value and not existing.derived
                    status = "created" if existing is None else ("unchanged" if same else "updated")
                    result.rows.append(RowResult(e.indicator, status, e.row))
                raise Blocked
            changes = []
            for e, existing, ind in writes:
                row, change = _write(access, org_unit, period, e, existing, ind, source)
                result.rows.append(
                    RowResult(e.indicator, row, e.row, version=change.version if change else None)
                )
                if change is not None:
                    changes.append(change)
            if check_rules and changes:
                _run_rules(org_unit, period, changes, acknowledgements, result)
                if result.blocking:
                    raise Blocked
            for change in changes:
                change.save()
            result.stored = not dry_run
            if dry_run:
                raise Blocked
    except Blocked:
        pass
    result.rows.sort(key=lambda r: r.row or 0)
    return result


def _check_entry(
    e: Entry,
    indicators: dict[str, Indicator],
    stored: dict[tuple[str, str, str, str], DataValue],
    kinds: tuple[str, ...],
) -> RowError | None:
    ind = indicators.get(e.indicator)
    if ind is None:
        return RowError(
            e.indicator, "indicator", _("Không có chỉ tiêu mã «{code}».").format(code=e.indicator), e.row
        )
    if str(e.kind) not in {str(k) for k in kinds}:
        allowed = ", ".join(str(ValueKind(k).label) for k in kinds)
        return RowError(
            e.indicator,
            "kind",
            _("Loại số liệu «{kind}» không nhập được ở đây (được: {allowed}).").format(
                kind=e.kind, allowed=allowed
            ),
            e.row,
        )
    if not e.value.is_finite() or abs(e.value) >= Decimal(10) ** 21:
        return RowError(e.indicator, "value", _("Giá trị quá lớn hoặc không phải số."), e.row)
    if ind.unit.code == "pct" and e.value < 0:
        return RowError(e.indicator, "value", _("Tỷ lệ không thể âm."), e.row)
    existing = stored.get((e.indicator, str(e.kind), e.category, e.option))
    have = existing.version if existing is not None else 0
    if e.version is not None and e.version != have:
        if existing is None:
            return RowError(e.indicator, "value", _("Số liệu này vừa bị xóa; hãy tải lại trang."), e.row)
        return RowError(
            e.indicator,
            "value",
            _(
                "Người khác đã lưu giá trị {value} cho chỉ tiêu này ({who}) sau khi bạn mở trang. "
                "Giá trị của bạn chưa được lưu: hãy xem lại rồi lưu lần nữa."
            ).format(value=core.format_vi(existing.value, ind.decimals), who=_last_change(existing)),
            e.row,
            current=existing.value,
            current_by=_last_change(existing),
            current_version=existing.version,
        )
    return None


def _write(
    access: Access,
    org_unit: OrgUnit,
    period: Period,
    e: Entry,
    existing: DataValue | None,
    ind: Indicator,
    source: str,
) -> tuple[str, ValueChange | None]:
    user = access.user if getattr(access.user, "is_authenticated", False) else None
    comment = e.comment.strip()
    if existing is not None and existing.value == e.value and not existing.derived:
        if not comment or comment == existing.note:
            return "unchanged", None
    if existing is None:
        dv = DataValue.objects.create(
            indicator=ind,
            org_unit=org_unit,
            period=period,
            kind=str(e.kind),
            category=e.category,
            option=e.option,
            value=e.value,
            note=comment,
            entered_by=user,
            version=1,
        )
        old = None
        status = "created"
    else:
        dv = existing
        old = dv.value
        dv.value = e.value
        dv.version += 1
        dv.entered_by = user
        if comment:
            dv.note = comment
        # A typed figure replaces one implied by a percentage: it is reported now.
        dv.derived = False
        dv.formula = ""
        dv.error = None
        dv.save()
        status = "updated"
    change = ValueChange.of(dv, old=old, source=source, user=user, reason=comment)
    return status, change


def _run_rules(
    org_unit: OrgUnit,
    period: Period,
    changes: list[ValueChange],
    acknowledgements: dict[str, str],
    result: SaveResult,
) -> None:
    from .selectors import findings_for

    try:
        cp = core.Period.parse(period.code)
    except core.KtxhError:
        return
    touched = {(c.indicator.code, org_unit.code, period.code) for c in changes}
    saved = {c.indicator.code for c in changes}
    for f in findings_for(org_unit=_report_root(org_unit, period), period=cp, indicators=saved):
        if not any((v.indicator, v.org_unit, v.period) in touched for v in f.values):
            continue
        result.findings.append(f)
        if f.severity is Severity.ERROR:
            key = finding_key(f)
            reason = acknowledgements.get(key)
            if reason is None:
                result.blocking.append(f)
                continue
            ack = {"key": key, "code": f.code, "message": f.message, "reason": reason}
            for c in changes:
                if any(
                    (v.indicator, v.org_unit, v.period) == (c.indicator.code, org_unit.code, period.code)
                    for v in f.values
                ):
                    c.acknowledged = [*c.acknowledged, ack]


def _report_root(org_unit: OrgUnit, period: Period) -> OrgUnit:
    """Rules about a commune's figure include the district sums it feeds: run them from the parent."""
    parent = org_unit.parent
    if parent is not None and parent.level == "district":
        return parent
    return org_unit
