"""``ktxh backup FILE`` and ``ktxh restore FILE``: the whole database in one portable file.

Exit codes: 0 done, 2 a file that cannot be written or restored (the message says why;
nothing is changed by a refused restore).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from ktxh.core.numbers import format_vi

EXIT_OK, EXIT_INPUT = 0, 2

Setup = Callable[[], None]


class BackupUsageError(Exception):
    """A backup that cannot be written or a file that cannot be restored: printed, exit code 2."""


def _say(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


def _summary(counts: dict[str, int]) -> str:
    def total(*labels: str) -> int:
        return sum(counts.get(x, 0) for x in labels)

    parts = [
        ("chỉ tiêu", total("catalog.indicator")),
        ("đơn vị hành chính", total("orgunits.orgunit")),
        ("số liệu", total("datavalues.datavalue")),
        ("dòng lịch sử thay đổi", total("datavalues.valuechange")),
        ("người dùng", total("auth.user")),
        ("bước duyệt", total("workflow.event")),
    ]
    return ", ".join(f"{format_vi(n)} {what}" for what, n in parts)


def cmd_backup(args: argparse.Namespace, setup: Setup) -> int:
    target = Path(args.file)
    if target.exists() and not args.force:
        raise BackupUsageError(f"Tệp «{target}» đã có; chọn tên khác hoặc dùng --force để ghi đè.")
    setup()
    from ktxh.web.backup import BackupError, backup

    _say(f"Sao lưu cơ sở dữ liệu vào {target}…")
    try:
        result = backup(target, progress=_say)
    except BackupError as exc:
        raise BackupUsageError(str(exc)) from None
    size = target.stat().st_size
    print(
        f"Đã sao lưu {format_vi(result.rows)} dòng của {len(result.counts)} bảng vào {target} "
        f"({format_vi(Decimal(size) / 1024 / 1024, 1)} MB): {_summary(result.counts)}."
    )
    print("Tệp có mã băm mật khẩu và khóa API: hãy cất giữ như dữ liệu mật.")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, setup: Setup) -> int:
    source = Path(args.file)
    if not source.is_file():
        raise BackupUsageError(f"Không có tệp sao lưu «{source}».")
    setup()
    from ktxh.web.backup import BackupError, inspect, restore

    try:
        if args.check:
            manifest = inspect(source)
            print(
                f"Tệp {source.name} hợp lệ: sao lưu lúc {manifest.get('created_at')} bởi ktxh "
                f"{manifest.get('ktxh_version')} ({manifest.get('database', {}).get('vendor')}); "
                f"{_summary(manifest.get('counts') or {})}."
            )
            return EXIT_OK
        _say(f"Khôi phục từ {source}{' (thay thế dữ liệu hiện có)' if args.replace else ''}…")
        result = restore(source, replace=args.replace, progress=_say)
    except BackupError as exc:
        raise BackupUsageError(str(exc)) from None
    print(f"Đã khôi phục {format_vi(result.rows)} dòng từ {source.name}: {_summary(result.counts)}.")
    if result.skipped:
        print(f"Bỏ qua {len(result.skipped)} liên kết tới quyền không có ở cài đặt này: {result.skipped[:5]}")
    return EXIT_OK


def add_commands(add: Callable[[str, str, str], argparse.ArgumentParser], setup: Setup) -> None:
    """Register the two commands on the main parser (``add`` is ``build_parser``'s helper)."""

    def bind(func: Callable[[argparse.Namespace, Setup], int]) -> Callable[[argparse.Namespace], int]:
        def run(args: argparse.Namespace) -> int:
            return func(args, setup)

        return run

    p = add(
        "backup",
        "Sao lưu toàn bộ dữ liệu (danh mục, đơn vị, số liệu kèm nguồn, người dùng và quyền, duyệt, lịch sử "
        "thay đổi) vào một tệp zip có phiên bản, khôi phục được trên SQLite hoặc PostgreSQL.",
        "Back up all data (catalog, units, values with provenance, users and roles, workflow, audit trail) "
        "to one versioned zip, restorable on SQLite or PostgreSQL.",
    )
    p.add_argument("file", metavar="TỆP.zip")
    p.add_argument("--force", action="store_true", help="ghi đè nếu tệp đã có / overwrite")
    p.set_defaults(func=bind(cmd_backup))

    p = add(
        "restore",
        "Khôi phục từ tệp sao lưu vào cơ sở dữ liệu trống (đã «ktxh init»), hoặc thay thế dữ liệu hiện có "
        "với --replace. Tất cả hoặc không gì cả.",
        "Restore a backup into an empty initialised database, or replace the current data with --replace. "
        "All or nothing.",
    )
    p.add_argument("file", metavar="TỆP.zip")
    p.add_argument(
        "--replace",
        action="store_true",
        help="xóa dữ liệu hiện có (và mọi phiên đăng nhập) rồi khôi phục / wipe the current data first",
    )
    p.add_argument(
        "--check", action="store_true", help="chỉ kiểm tra tệp, không ghi gì / only check the file"
    )
    p.set_defaults(func=bind(cmd_restore))
