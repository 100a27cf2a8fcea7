"""Values of a unit as it is at a later date: history re-expressed through merges and splits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ktxh import core
from ktxh.core import compute, reorg
from ktxh.core.numbers import plain
from ktxh.core.orgunits import LEGACY_START
from ktxh.web.orgunits.models import OrgUnit
from ktxh.web.orgunits.selectors import recorded_allocations

from .models import DataValue
from .selectors import stored_catalog


def national_history() -> reorg.History:
    """The 2025 reorganisation for the whole country, with the splits users have keyed."""
    return reorg.with_allocations(reorg.reform_2025(), recorded_allocations())


def _values(codes: set[str], day: date, periods: list[str]) -> list[core.Value]:
    units = OrgUnit.objects.valid_at(day).filter(code__in=codes)
    rows = DataValue.objects.filter(org_unit__in=units, period__code__in=periods).order_by("pk")
    return rows.core()


def _part_json(c: reorg.Contribution, history: reorg.History) -> dict[str, Any]:
    unit = c.part.unit
    parent = history.registry.resolve(unit.parent_code, unit.valid_from) if unit.parent_code else None
    grand = (
        history.registry.resolve(parent.parent_code, parent.valid_from)
        if parent and parent.parent_code
        else None
    )
    stored = c.source
    keys = [
        {
            "from": a.source.code,
            "to": a.target.code,
            "share": plain(a.share, 6),
            "key": a.key.value,
            "key_label": reorg.KEY_LABELS[a.key],
            "basis": plain(a.basis) if a.basis is not None else None,
        }
        for a in c.part.keys
    ]
    return {
        "code": unit.code,
        "name": unit.name,
        "valid_from": unit.valid_from.isoformat() if unit.valid_from != LEGACY_START else None,
        "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
        "old_hierarchy": " / ".join(u.name for u in (grand, parent) if u),
        "share": plain(c.part.share, 6),
        "allocation": keys,
        "events": [str(k) for k in c.part.events],
        "value": plain(c.value) if c.value is not None else None,
        "contribution": plain(c.value * c.part.share, 6) if c.value is not None else None,
        "source": {
            "document": getattr(getattr(stored, "provenance", None), "document", None),
            "line": getattr(getattr(stored, "provenance", None), "line", None),
            "text": getattr(getattr(stored, "provenance", None), "text", None),
        },
    }


def _by_old_hierarchy(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same total in the old hierarchy: subtotals by old province / district."""
    groups: dict[str, Decimal] = {}
    names: dict[str, list[str]] = {}
    for part in parts:
        if part["contribution"] is None:
            continue
        key = part["old_hierarchy"] or part["name"]
        groups[key] = groups.get(key, Decimal(0)) + Decimal(part["contribution"])
        names.setdefault(key, []).append(part["name"])
    return [{"path": k, "value": plain(v, 6), "parts": names[k]} for k, v in groups.items()]


def values_as_of(*, code: str, year: int, as_of: date) -> tuple[core.OrgUnit, list[dict[str, Any]]]:
    """Rows like ``ktxh values``, for the unit carrying ``code`` on ``as_of``, re-expressed."""
    history = national_history()
    target = history.registry.resolve(code, as_of)
    period = core.Period.year(year)
    day = min(period.end, reorg.LEGACY_END) if period.end >= reorg.REFORM_DATE else period.end
    parts = history.parts(target, day)
    if not parts:
        raise core.OrgUnitError(
            f"{target.name} không có đơn vị tiền thân nào có hiệu lực ngày {day:%d/%m/%Y}."
        )
    catalog = stored_catalog()
    codes = {p.unit.code for p in parts}
    values = _values(codes, day, [period.code, period.previous_year().code])
    this = {
        r.indicator: r
        for r in reorg.reexpress(
            history=history, target=target, at=day, values=values, catalog=catalog, period=period.code
        )
    }
    plans = {
        (r.indicator, r.kind): r
        for r in reorg.reexpress(
            history=history,
            target=target,
            at=day,
            values=values,
            catalog=catalog,
            period=period.code,
            kinds=("plan", "budget_estimate"),
        )
    }
    before = {
        r.indicator: r
        for r in reorg.reexpress(
            history=history,
            target=target,
            at=day,
            values=values,
            catalog=catalog,
            period=period.previous_year().code,
        )
    }
    rows = []
    for code_ in catalog:
        now = this.get(code_)
        if now is None:
            continue
        ind = catalog[code_]
        order = ("budget_estimate", "plan") if ind.budgeted else ("plan", "budget_estimate")
        plan = next(
            (plans[(code_, k)] for k in order if (code_, k) in plans and plans[(code_, k)].value is not None),
            None,
        )
        prev = before.get(code_)
        d = ind.decimals

        def num(x: Decimal | None, places: int) -> str | None:
            return None if x is None else plain(x, places)

        rows.append(
            {
                "code": code_,
                "name": ind.name,
                "unit": catalog.units[ind.unit].symbol,
                "value": num(now.value, d),
                "plan": num(plan.value if plan else None, d),
                "pct_plan": num(compute.pct_of(now.value, plan.value if plan else None), 1),
                "previous": num(prev.value if prev else None, d),
                "pct_change": num(compute.pct_change(now.value, prev.value if prev else None), 1),
                "reexpressed": True,
                "as_of": as_of.isoformat(),
                "method": now.method,
                "complete": not now.missing,
                "missing": [u.name for u in now.missing],
                "note": now.note,
                "parts": (parts_json := [_part_json(c, history) for c in now.contributions]),
                "by_old_hierarchy": _by_old_hierarchy(parts_json),
                "sources": [
                    {
                        "role": "value",
                        "unit": c.part.unit.code,
                        "line": getattr(getattr(c.source, "provenance", None), "line", None),
                        "text": getattr(getattr(c.source, "provenance", None), "text", None),
                        "derived": getattr(c.source, "derived", False),
                    }
                    for c in now.contributions
                ],
            }
        )
    return target, rows
