"""``ktxh units`` and ``ktxh allocate``, and ``ktxh values --as-of``: units over time."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ktxh import core
from ktxh.core import reorg
from ktxh.core.orgunits import LEGACY_START


class ReorgUsageError(Exception):
    """Bad input: printed as it is, exit code 2."""


def parse_day(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            from datetime import datetime

            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"ngày phải có dạng 2025-07-01 hoặc 01/07/2025 (nhận được «{text}»)")


def _unit_json(history: reorg.History, unit: core.OrgUnit) -> dict[str, Any]:
    made_from = []
    if unit.valid_from == reorg.REFORM_DATE:
        for part in history.parts(unit, reorg.LEGACY_END, include_zero=True):
            made_from.append(
                {
                    "code": part.unit.code,
                    "name": part.unit.name,
                    "share": core.plain(part.share, 6),
                    "key": part.keys[0].key.value if part.keys else None,
                    "whole": not part.keys,
                }
            )
    becomes = [
        {
            "code": ref.code,
            "name": history.unit(ref).name,
            "share": core.plain(share, 6),
            "event": str(kind),
            "key": alloc.key.value if alloc else None,
        }
        for ref, share, alloc, kind in history.successors(reorg.UnitRef.of(unit))
    ]
    return {
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "parent": unit.parent_code,
        "valid_from": unit.valid_from.isoformat() if unit.valid_from != LEGACY_START else None,
        "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
        "made_from": made_from,
        "becomes": becomes,
    }


def _share_label(part: dict[str, Any]) -> str:
    """ "" for a whole unit; "(một phần, chưa có khóa phân bổ)" or "(một phần: 62%)" for a split."""
    if not part.get("key"):
        return ""
    if part["key"] == reorg.KeyKind.DEFAULT.value:
        return " (một phần, chưa có khóa phân bổ)"
    return f" (một phần: {core.format_pct(Decimal(part['share']) * 100, 1)})"


def _history(setup: Any) -> reorg.History:
    """The national reorganisation, with the allocation keys recorded in the database if there is one."""
    try:
        setup()
        from ktxh.web.datavalues.reexpress import national_history

        return national_history()
    except Exception as exc:  # no database yet: the dataset's defaults still answer
        from django.db import DatabaseError

        if not isinstance(exc, DatabaseError):
            raise
        return reorg.reform_2025()


def cmd_units(args: argparse.Namespace, *, setup: Any) -> int:
    history = _history(setup)
    try:
        parent = history.registry.resolve(args.under, args.at)
    except core.OrgUnitError as exc:
        raise ReorgUsageError(str(exc)) from None
    children = sorted(history.registry.children(parent.code, args.at), key=lambda u: u.code)
    rows = [_unit_json(history, u) for u in children]
    if args.format == "json":
        out = {"at": args.at.isoformat(), "under": _unit_json(history, parent), "units": rows}
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"{parent.name} (mã {parent.code}) ngày {args.at:%d/%m/%Y}: {len(rows)} đơn vị trực thuộc\n")
    for r in rows:
        line = f"  {r['code']:>6}  {r['name']}"
        if r["made_from"]:
            parts = ", ".join(p["name"] + _share_label(p) for p in r["made_from"])
            line += f"  ← {parts}"
        if r["becomes"]:
            line += "  → " + ", ".join(b["name"] + _share_label(b) for b in r["becomes"])
        print(line)
    return 0


def cmd_allocate(args: argparse.Namespace, *, setup: Any) -> int:
    history = reorg.reform_2025()
    try:
        source = history.registry.resolve(args.unit, args.at)
    except core.OrgUnitError as exc:
        raise ReorgUsageError(str(exc)) from None
    split = next(
        (
            e
            for e in history.events
            if e.kind is reorg.ChangeKind.SPLIT and e.sources[0] == reorg.UnitRef.of(source)
        ),
        None,
    )
    if split is None:
        raise ReorgUsageError(f"{source.name} (mã {source.code}) không bị chia tách: không cần khóa phân bổ.")
    targets = {history.unit(t).code: history.unit(t) for t in split.targets}
    parts: dict[core.OrgUnit, Decimal] = {}
    for item in args.part:
        code, _, number = item.partition("=")
        if code not in targets:
            names = ", ".join(f"{c} ({u.name})" for c, u in targets.items())
            raise ReorgUsageError(
                f"«{code}» không nhận phần nào của {source.name}. Các đơn vị nhận: {names}."
            )
        try:
            parts[targets[code]] = core.parse_vi(number) if "," in number else Decimal(number)
        except (core.NumberFormatError, InvalidOperation):
            raise ReorgUsageError(f"--part {item}: «{number}» không phải là số.") from None
    setup()
    from ktxh.web.orgunits.services import allocation_record

    try:
        allocations = allocation_record(
            source=source, parts=parts, key=args.key, recorded_by=args.by or "cli", note=args.note or ""
        )
    except core.OrgUnitError as exc:
        raise ReorgUsageError(str(exc)) from None
    print(f"Đã ghi khóa phân bổ {reorg.KEY_LABELS[reorg.KeyKind(args.key)]} cho {source.name}:")
    for a in allocations:
        print(f"  → {history.unit(a.target).name}: {core.format_pct(a.share * 100, 2)}")
    return 0


def add_commands(add: Any, setup: Any) -> None:
    p = add(
        "units",
        "Các đơn vị hành chính có hiệu lực vào một ngày, trực thuộc một đơn vị; kèm đơn vị tiền thân/kế tiếp.",
        "Org units valid on a date under a unit, with what they were made from or became.",
    )
    p.add_argument("--at", required=True, type=parse_day, metavar="NGÀY", help="ngày, ví dụ 2025-07-01")
    p.add_argument(
        "--under", required=True, metavar="MÃ", help="mã đơn vị cấp trên (mã thống kê), tra theo ngày --at"
    )
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=lambda a: cmd_units(a, setup=setup))

    p = add(
        "allocate",
        "Ghi khóa phân bổ (dân số, diện tích hoặc tỷ lệ) cho một đơn vị bị chia tách khi sắp xếp.",
        "Record the allocation key (population, area or share) of a unit split in the reorganisation.",
    )
    p.add_argument("--unit", required=True, metavar="MÃ", help="mã đơn vị bị chia, ví dụ 11239")
    p.add_argument(
        "--at",
        type=parse_day,
        default=reorg.LEGACY_END,
        metavar="NGÀY",
        help="ngày đơn vị cũ còn hiệu lực (mặc định 30/6/2025)",
    )
    p.add_argument("--key", required=True, choices=["population", "area", "share"])
    p.add_argument(
        "--part",
        required=True,
        action="append",
        metavar="MÃ=SỐ",
        help="đơn vị nhận và dân số / diện tích / tỷ lệ của phần nó nhận; lặp lại cho mỗi phần",
    )
    p.add_argument("--by", metavar="TÊN", help="người ghi")
    p.add_argument("--note", metavar="GHI_CHÚ", help="căn cứ, ví dụ số liệu dân số ngày 1/4/2025")
    p.set_defaults(func=lambda a: cmd_allocate(a, setup=setup))
