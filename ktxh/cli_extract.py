"""``ktxh check``, ``ktxh extract`` and ``ktxh import``: reading past reports.

``check`` and ``extract`` need no database. ``import`` stores the mapped facts as values
through ``ktxh.web.datavalues.importer.import_document`` (one transaction, with a dry run).
Exit codes: 0 ok (no findings), 1 findings, 2 unreadable input or bad arguments.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ktxh.core.numbers import plain

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2

Setup = Callable[[], None]


class ExtractUsageError(Exception):
    """Unreadable input or bad arguments: printed as it is, exit code 2."""


def _say(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


class _Steps:
    """Progress on stderr for long files: about ten lines per phase, none for short files."""

    def __init__(self, what: str, unit: str, long_from: int) -> None:
        self.what = what
        self.unit = unit
        self.long_from = long_from
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        if total < self.long_from:
            return
        bucket = min(done, total) * 10 // total
        if bucket != self.shown:
            self.shown = bucket
            _say(f"{self.what}: {min(done, total)}/{total} {self.unit}")


def read_and_extract(path: str, *, quiet: bool = False) -> tuple[Any, list[Any]]:
    """The document and its facts; ExtractUsageError (Vietnamese) when the file cannot be read."""
    from ktxh.extract.facts import extract
    from ktxh.extract.model import ReadError
    from ktxh.extract.readers import read

    try:
        doc = read(path, progress=None if quiet else _Steps(f"Đọc {Path(path).name}", "trang", 5))
    except ReadError as exc:
        raise ExtractUsageError(str(exc)) from None
    except (OSError, UnicodeError, ValueError) as exc:  # a reader bug must still not show a traceback
        raise ExtractUsageError(f"Không đọc được tệp «{Path(path).name}»: {exc}") from None
    if not any(p.text.strip() for p in doc.paragraphs):
        raise ExtractUsageError(f"Tệp «{Path(path).name}» không có nội dung văn bản để đọc.")
    facts = extract(doc, progress=None if quiet else _Steps("Tìm số liệu", "đoạn", 100))
    return doc, facts


# -- check -------------------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace) -> int:
    from ktxh.core.rules import SEVERITY_LABELS
    from ktxh.extract.checker import check, summary

    doc, facts = read_and_extract(args.file, quiet=args.format == "json")
    findings = check(doc, facts)
    if args.format == "json":
        json.dump({"findings": [f.as_json() for f in findings]}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return EXIT_FINDINGS if findings else EXIT_OK
    name = Path(args.file).name
    if not findings:
        print(f"{name}: không thấy sai sót số học nào ({len(facts)} số liệu đã kiểm tra).")
        return EXIT_OK
    for i, f in enumerate(findings, 1):
        lines = ", ".join(str(n) for n in f.lines)
        print(f"{i}. [{SEVERITY_LABELS[f.severity]}] {f.code} (dòng {lines})")
        print(f"   {f.message}")
        if f.quote:
            print(f"   Trích: «{f.quote}»")
        if f.stated or f.expected:
            print(f"   Ghi: {f.stated or '—'}; tính lại: {f.expected or '—'}")
        if f.suggestion:
            print(f"   Gợi ý: {f.suggestion}")
    print(f"\n{name}: {len(facts)} số liệu; tổng cộng: {summary(findings)}")
    return EXIT_FINDINGS


# -- extract -------------------------------------------------------------------------------------

FACT_COLUMNS = ("line", "quote", "value", "unit", "role", "subject", "indicator", "confidence")


def fact_row(f: Any) -> dict[str, Any]:
    return {
        "line": f.line,
        "quote": f.quote,
        "value": plain(f.value),
        "unit": f.unit,
        "role": f.role,
        "subject": f.subject,
        "indicator": f.indicator,
        "confidence": round(float(f.confidence), 3),
    }


def cmd_extract(args: argparse.Namespace) -> int:
    _doc, facts = read_and_extract(args.file, quiet=True)
    rows = [fact_row(f) for f in facts]
    if args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=FACT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
        return EXIT_OK
    json.dump({"facts": rows}, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return EXIT_OK


# -- import ----------------------------------------------------------------------------------------

KIND_LABELS = {
    "estimate": "ước thực hiện",
    "final": "chính thức",
    "plan": "kế hoạch",
    "budget_estimate": "dự toán",
    "target": "mục tiêu",
}


def cmd_import(args: argparse.Namespace, *, setup: Setup) -> int:
    path = Path(args.file)
    if not path.exists():
        raise ExtractUsageError(f"Không tìm thấy tệp «{path.name}».")
    setup()
    from ktxh.web.datavalues.importer import ImportInputError, import_document

    try:
        result = import_document(
            path=path, unit_code=args.unit, year=args.year, dry_run=args.dry_run, progress=_say
        )
    except ImportInputError as exc:
        raise ExtractUsageError(str(exc)) from None
    head = "Chạy thử (không lưu gì)" if args.dry_run else "Đã nhập"
    print(
        f"{head}: {path.name} → {result.unit_name} (mã {result.unit_code}), năm {args.year}: "
        f"{len(result.created)} số liệu mới, {len(result.changed)} thay đổi, "
        f"{len(result.unchanged)} không đổi, {len(result.skipped)} bỏ qua; "
        f"{result.stated_created + result.stated_unchanged} tỷ lệ được nêu để kiểm tra."
    )
    listed = [("Mới", result.created), ("Thay đổi", result.changed)]
    if args.verbose:
        listed.append(("Không đổi", result.unchanged))
    for title, rows in listed:
        if rows:
            print(f"\n{title}:")
        for r in rows:
            old = f" (trước: {r.old_shown})" if r.old_shown else ""
            print(
                f"  dòng {r.line}: {r.indicator} · {r.org_name} · {r.period} · {KIND_LABELS.get(r.kind, r.kind)}"
                f" = {r.shown}{old}  «{r.quote}»"
            )
    if result.skipped and args.verbose:
        print("\nBỏ qua:")
        for s in result.skipped:
            print(f"  dòng {s.line}: {s.reason}  «{s.quote}»")
    elif result.skipped:
        print(f"\n({len(result.skipped)} số liệu không nhập được; thêm --verbose để xem lý do.)")
    return EXIT_OK


def _year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"năm phải là số, ví dụ 2023 (nhận được «{text}»)") from None
    if not 1900 <= year <= 2100:
        raise argparse.ArgumentTypeError(f"năm {year} nằm ngoài khoảng 1900–2100")
    return year


def add_commands(add: Any, setup: Setup) -> None:
    p = add(
        "check",
        "Kiểm tra số học một báo cáo (.txt, .docx, .pdf): tổng các thành phần, tỷ lệ nêu, năng suất × diện tích, "
        "quy đổi đơn vị, sai hàng đơn vị, số nêu hai lần, nhận định đạt/vượt kế hoạch. "
        "Mã thoát: 0 không có phát hiện, 1 có phát hiện, 2 không đọc được tệp.",
        "Check a report's arithmetic from its text alone. Exit 0: no findings, 1: findings, 2: unreadable input.",
    )
    p.add_argument("file", metavar="TỆP", help="báo cáo cần kiểm tra")
    p.add_argument("--format", choices=["text", "json"], default="text", help="text (mặc định) hoặc json")
    p.set_defaults(func=cmd_check)

    p = add(
        "extract",
        "Liệt kê các số liệu tìm thấy trong một báo cáo: dòng, trích dẫn, giá trị, đơn vị, vai trò, chỉ tiêu.",
        "List the figures found in a report: line, quote, value, unit, role, indicator.",
    )
    p.add_argument("file", metavar="TỆP", help="báo cáo (.txt, .docx, .pdf)")
    p.add_argument("--format", choices=["json", "csv"], default="json", help="json (mặc định) hoặc csv")
    p.set_defaults(func=cmd_extract)

    p = add(
        "import",
        "Nhập các số liệu của một báo cáo cũ vào cơ sở dữ liệu (kèm nguồn: tài liệu, dòng, trích dẫn). "
        "--dry-run chỉ in những gì sẽ tạo/đổi, không lưu. Lỗi giữa chừng thì không lưu gì.",
        "Import a past report's figures as values with their provenance. --dry-run stores nothing.",
    )
    p.add_argument("file", metavar="TỆP", help="báo cáo (.txt, .docx, .pdf)")
    p.add_argument("--unit", required=True, metavar="MÃ", help="mã đơn vị báo cáo (mã thống kê), ví dụ 300")
    p.add_argument("--year", required=True, type=_year, metavar="NĂM", help="năm của báo cáo, ví dụ 2023")
    p.add_argument("--dry-run", action="store_true", help="chạy thử: in kết quả, không lưu")
    p.add_argument("--verbose", action="store_true", help="in cả các số liệu bị bỏ qua và lý do")
    p.set_defaults(func=lambda a: cmd_import(a, setup=setup))
