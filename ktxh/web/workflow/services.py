"""Workflow steps: submit, approve, return, lock, unlock. Each is one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from ktxh.web.accounts.permissions import Access
from ktxh.web.datavalues.models import Period
from ktxh.web.orgunits.models import OrgUnit

from .choices import Action, State
from .models import Event, Status


class WorkflowError(Exception):
    """A step that is not allowed now; the message says why, in Vietnamese."""


class WorkflowPermissionError(WorkflowError):
    """The user may not take this step at all (HTTP 403)."""


@dataclass(frozen=True)
class Step:
    from_states: frozenset[State]
    to_state: State
    needs_reason: bool


STEPS: dict[Action, Step] = {
    Action.SUBMIT: Step(frozenset({State.DRAFT}), State.SUBMITTED, False),
    Action.APPROVE: Step(frozenset({State.SUBMITTED}), State.APPROVED, False),
    Action.RETURN: Step(frozenset({State.SUBMITTED, State.APPROVED}), State.DRAFT, True),
    Action.LOCK: Step(frozenset({State.APPROVED}), State.LOCKED, False),
    Action.UNLOCK: Step(frozenset({State.LOCKED}), State.DRAFT, True),
}


def state_of(org_unit: OrgUnit, period: Period) -> State:
    row = Status.objects.filter(org_unit=org_unit, period=period).only("state").first()
    return State(row.state) if row else State.DRAFT


def children_of(org_unit: OrgUnit, period: Period) -> list[OrgUnit]:
    """The units directly below ``org_unit`` that existed at the end of ``period``."""
    day = min(period.end, org_unit.valid_to or period.end)
    return list(OrgUnit.objects.valid_at(day).filter(parent=org_unit).order_by("code"))


def _ancestors(org_unit: OrgUnit) -> list[OrgUnit]:
    out = []
    unit = org_unit.parent
    while unit is not None and len(out) < 10:
        out.append(unit)
        unit = unit.parent
    return out


def _when(status: Status) -> str:
    return date_format(localtime(status.changed_at), "d/m/Y H:i")


def edit_block(org_unit: OrgUnit, period: Period) -> str | None:
    """Why figures of ``org_unit`` for ``period`` cannot be changed now, or None if they can."""
    units = [org_unit, *_ancestors(org_unit)]
    statuses = {
        s.org_unit_id: s
        for s in Status.objects.filter(org_unit__in=units, period=period).select_related("changed_by")
    }
    for unit in units[1:]:
        up = statuses.get(unit.pk)
        if up is not None and up.state == State.LOCKED:
            return _("Số liệu {period} của {unit} đã bị khóa (khóa ở cấp {above}); không sửa được.").format(
                period=period.code, unit=org_unit.name, above=unit.name
            )
    own = statuses.get(org_unit.pk)
    if own is None or own.state == State.DRAFT:
        return None
    who = own.changed_by.get_full_name() or own.changed_by.username if own.changed_by else ""
    if own.state == State.LOCKED:
        return _(
            "Số liệu {period} của {unit} đã khóa lúc {when} ({who}). Chỉ quản trị hệ thống mở khóa được, kèm lý do."
        ).format(period=period.code, unit=org_unit.name, when=_when(own), who=who)
    if own.state == State.APPROVED:
        return _(
            "Số liệu {period} của {unit} đã được duyệt lúc {when} ({who}); cần được trả lại mới sửa được."
        ).format(period=period.code, unit=org_unit.name, when=_when(own), who=who)
    return _("Số liệu {period} của {unit} đã gửi duyệt lúc {when}; cần được trả lại mới sửa được.").format(
        period=period.code, unit=org_unit.name, when=_when(own)
    )


def _allowed(access: Access, action: Action, unit: OrgUnit) -> bool:
    if action is Action.SUBMIT:
        return access.can_submit(unit)
    if action is Action.UNLOCK:
        return access.can_unlock()
    return access.can_review(unit)


def workflow_act(
    *,
    access: Access,
    org_unit: OrgUnit,
    period: Period,
    action: Action | str,
    reason: str = "",
    source: str = "screen",
) -> Status:
    """Take one workflow step for a unit and period, or raise WorkflowError saying why not."""
    action = Action(action)
    step = STEPS[action]
    if not _allowed(access, action, org_unit):
        raise WorkflowPermissionError(
            _("Bạn không có quyền «{action}» số liệu của {unit}.").format(
                action=action.label, unit=org_unit.name
            )
        )
    reason = reason.strip()
    if step.needs_reason and not reason:
        raise WorkflowError(_("Thao tác «{action}» cần ghi lý do.").format(action=action.label))
    with transaction.atomic():
        # Lock the status row: two reviewers (or a save and a lock) must not interleave,
        # or a value could be saved into a period that was locked a moment before.
        status, _created = Status.objects.select_for_update().get_or_create(org_unit=org_unit, period=period)
        current = State(status.state)
        if current not in step.from_states:
            raise WorkflowError(
                _("Không thể «{action}»: số liệu {period} của {unit} đang ở trạng thái «{state}».").format(
                    action=action.label, period=period.code, unit=org_unit.name, state=current.label
                )
            )
        if action is Action.APPROVE:
            _require_children_approved(org_unit, period)
        if action is Action.RETURN:
            parent = org_unit.parent
            if parent is not None and state_of(parent, period) in (State.APPROVED, State.LOCKED):
                raise WorkflowError(
                    _("{parent} đã duyệt số liệu {period}; cần trả lại số liệu của {parent} trước.").format(
                        parent=parent.name, period=period.code
                    )
                )
        status.state = step.to_state
        status.changed_by = access.user
        status.save()
        Event.objects.create(
            org_unit=org_unit,
            period=period,
            action=action,
            from_state=current,
            to_state=step.to_state,
            user=access.user,
            reason=reason,
            source=source,
        )
    return status


def _require_children_approved(org_unit: OrgUnit, period: Period) -> None:
    children = children_of(org_unit, period)
    if not children:
        return
    done = set(
        Status.objects.filter(
            org_unit__in=children, period=period, state__in=[State.APPROVED, State.LOCKED]
        ).values_list("org_unit_id", flat=True)
    )
    waiting = [c.name for c in children if c.pk not in done]
    if waiting:
        shown = ", ".join(waiting[:5]) + (
            _(" và {n} đơn vị khác").format(n=len(waiting) - 5) if len(waiting) > 5 else ""
        )
        raise WorkflowError(
            _("Chưa duyệt được {unit}: còn {n} đơn vị cấp dưới chưa được duyệt ({names}).").format(
                unit=org_unit.name, n=len(waiting), names=shown
            )
        )


def statuses_for(units: list[OrgUnit], period: Period) -> dict[int, Any]:
    """State per unit id (draft where nothing is stored)."""
    found = {
        s.org_unit_id: s
        for s in Status.objects.filter(org_unit__in=units, period=period).select_related("changed_by")
    }
    return {u.pk: found.get(u.pk) for u in units}
