"""The ``ktxh`` command. Thin: it parses arguments, calls services, prints results.

Exit codes: 0 ok, 1 findings, 2 usage or input error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from ktxh import __version__, cli_accounts, cli_backup, cli_extract, cli_reorg, core

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


class UsageError(Exception):
    """Bad input from the user: printed as it is, exit code 2."""


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ktxh.web.settings")
    import django

    django.setup()


def _err(message: str) -> None:
    print(f"Lỗi: {message}", file=sys.stderr)


def _progress(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


# -- init ------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> int:
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    where = db["NAME"] if "sqlite" in str(db["ENGINE"]) else f"{db.get('HOST')}:{db.get('PORT')}/{db['NAME']}"
    _progress(f"Tạo/cập nhật cơ sở dữ liệu: {where}")
    call_command("migrate", interactive=False, verbosity=0)
    print(f"Cơ sở dữ liệu đã sẵn sàng: {where}")
    return EXIT_OK


# -- load-demo -------------------------------------------------------------------
def cmd_load_demo(args: argparse.Namespace) -> int:
    _setup_django()
    from ktxh.web.datavalues.services import demo_load

    result = demo_load(progress=_progress)
    for label, counts in (
        ("Danh mục", result.catalog),
        ("Đơn vị hành chính", result.org_units),
        ("Số liệu", result.values),
        ("Tỷ lệ được nêu", result.stated),
    ):
        print(f"{label}: thêm {counts.created}, sửa {counts.updated}, giữ nguyên {counts.unchanged}")
    if not result.changed:
        print("Dữ liệu mẫu đã có sẵn, không có gì thay đổi.")
    return EXIT_OK


# -- demo users ------------------------------------------------------------------
def _demo_logins() -> list[dict[str, str]]:
    """One demo account per role; passwords are kept in KTXH_HOME/demo-logins.json."""
    from django.conf import settings

    from ktxh.web.accounts.services import demo_accounts_ensure

    return demo_accounts_ensure(home=Path(settings.HOME))


# -- serve / demo ----------------------------------------------------------------
def cmd_serve(args: argparse.Namespace) -> int:
    if getattr(args, "production", False):
        return _serve_production(args)
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_RUNSERVER_HIDE_WARNING", "true")
    if args.host not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS.append(args.host)
    print(f"ktxh đang chạy tại http://{args.host}:{args.port}/  (Ctrl+C để dừng)", flush=True)
    call_command("runserver", f"{args.host}:{args.port}", use_reloader=False, verbosity=0)
    return EXIT_OK


def _serve_production(args: argparse.Namespace) -> int:
    """gunicorn + WhiteNoise, settings from the environment (docs/deploy.md)."""
    from django.core.exceptions import ImproperlyConfigured

    os.environ["KTXH_PRODUCTION"] = "1"
    os.environ["KTXH_LOG_STDOUT"] = "1"
    try:
        _setup_django()
        from ktxh.web import production

        options = production.ServeOptions(
            host=args.host,
            port=args.port,
            workers=args.workers or production.default_workers(),
            threads=args.threads or production.default_threads(),
        )
    except ImproperlyConfigured as exc:  # a missing secret, a bad value: say so, serve nothing
        raise UsageError(f"cấu hình production chưa đúng: {exc}") from None
    found = production.check(options)
    for line in found.facts:
        print(line)
    for line in found.warnings:
        print(f"Cảnh báo: {line}", file=sys.stderr)
    if found.errors:
        raise UsageError("\n- ".join(["không chạy được ứng dụng:", *found.errors]))
    if args.check:
        print("Cấu hình hợp lệ / configuration OK.")
        return EXIT_OK
    _progress("Chuẩn bị tệp tĩnh (collectstatic, lần đầu mất khoảng nửa phút)…")
    count, collected = production.collect_static()
    _progress(f"{count} tệp tĩnh sẵn sàng{'' if collected else ' (không đổi từ lần trước)'}.")
    print(f"ktxh (production) đang chạy tại http://{args.host}:{args.port}/  (SIGTERM để dừng)", flush=True)
    production.run(options)
    return EXIT_OK


def _positive(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 256:
        raise argparse.ArgumentTypeError(f"cần một số nguyên từ 1 đến 256 (nhận được «{text}»)")
    return int(text)


def cmd_demo(args: argparse.Namespace) -> int:
    cmd_init(args)
    cmd_load_demo(args)
    logins = _demo_logins()
    print("\nTài khoản dùng thử / demo logins:")
    for login in logins:
        who = login["role"] if login["name"] == login["role"] else f"{login['role']} ({login['name']})"
        print(f"  {who}: {login['username']} / {login['password']}")
    return cmd_serve(args)


# -- values ----------------------------------------------------------------------
def _period_and_unit(args: argparse.Namespace) -> tuple[core.Period, Any]:
    """The year asked for and the org unit carrying --unit on that year's date (Django set up)."""
    try:
        period = core.Period.year(args.year)
    except core.PeriodError as exc:
        raise UsageError(str(exc)) from None
    _setup_django()
    from ktxh.web.datavalues import selectors

    day = min(period.end, date.today()) if period.start <= date.today() else period.start
    try:
        return period, selectors.org_unit_at(args.unit, day)
    except core.OrgUnitError as exc:
        raise UsageError(str(exc)) from None


def _table(rows: list[core.IndicatorRow], period: core.Period) -> str:
    prev = period.previous_year().code
    head = ["Mã", "Chỉ tiêu", "ĐVT", f"TH {period.code}", "Kế hoạch", "% KH", prev, "± %"]
    body = []
    for r in rows:
        d = r.indicator.decimals

        def fmt(v: core.Value | None, d: int = d) -> str:
            if v is None:
                return ""
            return core.format_vi(v.value, d) + ("*" if v.derived else "")

        name = r.indicator.name if len(r.indicator.name) <= 48 else r.indicator.name[:47] + "…"
        body.append(
            [
                r.indicator.code,
                name,
                r.unit_symbol,
                fmt(r.value),
                fmt(r.plan),
                core.format_pct(r.pct_plan) if r.pct_plan is not None else "",
                fmt(r.previous),
                core.format_pct(r.pct_change) if r.pct_change is not None else "",
            ]
        )
    widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(len(head))]
    numeric = {3, 4, 5, 6, 7}
    lines = []
    for row in [head, *body]:
        cells = [
            str(c).rjust(widths[i]) if i in numeric else str(c).ljust(widths[i]) for i, c in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("\n* số suy ra từ tỷ lệ báo cáo nêu, không phải số báo cáo công bố.")
    return "\n".join(lines)


def cmd_values(args: argparse.Namespace) -> int:
    if args.as_of:
        try:
            period = core.Period.year(args.year)
        except core.PeriodError as exc:
            raise UsageError(str(exc)) from None
        _setup_django()
        return _values_as_of(args, period)
    period, unit = _period_and_unit(args)
    from ktxh.web.datavalues import selectors

    rows = selectors.indicator_rows(org_unit=unit, period=period)
    if not rows:
        raise UsageError(
            f"Không có số liệu {period.label} của {unit.name} (mã {unit.code}). "
            "Nhập số liệu, hoặc chạy «ktxh load-demo» để nạp dữ liệu mẫu."
        )
    if args.format == "json":
        json.dump([r.as_json() for r in rows], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(f"{unit.name} (mã {unit.code}) - {period.label}: {len(rows)} chỉ tiêu\n")
        print(_table(rows, period))
    return EXIT_OK


def _values_as_of(args: argparse.Namespace, period: core.Period) -> int:
    from ktxh.web.datavalues.reexpress import values_as_of

    try:
        target, rows = values_as_of(code=args.unit, year=period.start.year, as_of=args.as_of)
    except core.OrgUnitError as exc:
        raise UsageError(str(exc)) from None
    if not rows:
        raise UsageError(
            f"Không có số liệu {period.label} của các đơn vị tiền thân của {target.name} (mã {target.code})."
        )
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    print(f"{target.name} (mã {target.code}, theo đơn vị ngày {args.as_of:%d/%m/%Y}) - {period.label}")
    print(
        "Số liệu được quy đổi từ các đơn vị cũ: cộng các phần sáp nhập, chia phần tách theo khóa phân bổ.\n"
    )
    for r in rows:
        value = core.format_vi(Decimal(r["value"])) if r["value"] is not None else "không tính được"
        flag = "" if r["complete"] else "  (chưa đủ: thiếu " + ", ".join(r["missing"]) + ")"
        print(f"{r['code']}  {r['name']}: {value} {r['unit']}{flag}")
        for part in r["parts"]:
            key = part["allocation"][0]["key_label"] if part["allocation"] else "sáp nhập toàn bộ"
            shown = core.format_vi(Decimal(part["value"])) if part["value"] is not None else "-"
            print(
                f"    + {part['name']} ({part['old_hierarchy']}): {shown} × {core.format_pct(Decimal(part['share']) * 100, 0)} [{key}]"
            )
    return EXIT_OK


# -- validate --------------------------------------------------------------------
def cmd_validate(args: argparse.Namespace) -> int:
    period, unit = _period_and_unit(args)
    from ktxh.core.rules import SEVERITY_LABELS
    from ktxh.web.datavalues import selectors

    if not selectors.values_for(org_unit=unit, period_codes=[period.code]):
        raise UsageError(f"Không có số liệu {period.label} của {unit.name} (mã {unit.code}) để kiểm tra.")
    if args.format == "text":
        _progress(f"Kiểm tra số liệu {period.label} của {unit.name} và các đơn vị trực thuộc…")
    rules = None
    if args.rules:
        from ktxh.core.rules import load_rules, rule_from_entry, rule_problems

        rules = load_rules()
        for path in args.rules:
            try:
                import yaml

                doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError) as exc:
                raise UsageError(f"Không đọc được tệp quy tắc {path}: {exc}") from None
            rules += [rule_from_entry(entry, Path(path).name) for entry in doc.get("rules") or []]
        problems = rule_problems(rules, selectors.stored_catalog())
        if problems:
            raise UsageError("Tệp quy tắc có lỗi:\n- " + "\n- ".join(problems))
    findings = selectors.findings_for(org_unit=unit, period=period, rules=rules)
    if args.format == "json":
        json.dump({"findings": [f.as_json() for f in findings]}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        if not findings:
            print(f"{unit.name} - {period.label}: không có phát hiện nào.")
        for i, f in enumerate(findings, 1):
            print(f"{i}. [{SEVERITY_LABELS[f.severity]}] {f.code}")
            print(f"   {f.message}")
            for v in f.values:
                where = f" (dòng {v.line}: «{v.text}»)" if v.line else ""
                derived = " [số suy ra]" if v.derived else ""
                label = v.option or (v.org_name if v.org_unit != unit.code else v.name)
                print(f"   - {label}: {v.shown}{derived}{where}")
            if f.suggestion:
                print(f"   Gợi ý: {f.suggestion}")
        counts = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITY_LABELS}
        print("\nTổng cộng: " + ", ".join(f"{n} {SEVERITY_LABELS[s].lower()}" for s, n in counts.items()))
    return EXIT_FINDINGS if findings else EXIT_OK


# -- report ----------------------------------------------------------------------
def cmd_report(args: argparse.Namespace) -> int:
    from ktxh import report

    frame = Path(args.frame) if args.frame else None
    if args.template and args.template.lower().endswith(".docx"):
        frame, args.template = Path(args.template), None  # a Word frame given as the template
    if frame is not None and not frame.exists():
        raise UsageError(f"Không có tệp khung báo cáo {frame}.")
    template_path = Path(args.template) if args.template else report.TEMPLATES / "thanh_mien_2023.yaml"
    if not template_path.exists():
        raise UsageError(f"Không có tệp mẫu báo cáo {template_path}.")
    template = report.load_template(template_path)
    period, unit = _period_and_unit(args)
    from ktxh.web.datavalues import selectors

    day = min(period.end, date.today())
    values = selectors.report_values(org_unit=unit, year=args.year)
    if not values:
        raise UsageError(f"Không có số liệu {period.label} của {unit.name} (mã {unit.code}) để lập báo cáo.")
    data = report.ReportData(
        catalog=selectors.stored_catalog(),
        values=values,
        unit=unit.code,
        year=args.year,
        registry=core.demo_registry(),
        day=day,
    )
    _progress(f"Soạn báo cáo {period.label} của {unit.name} từ {len(values)} số liệu…")
    document, provenance = report.render(template, data)
    output = Path(args.output)
    charts = [] if args.no_charts else report.default_charts(data)
    try:
        report.write_docx(document, output, charts, frame)
    except ValueError as exc:  # a frame without the body marker or the named styles
        raise UsageError(str(exc)) from None
    prov_path = output.with_suffix(".provenance.json")
    prov_path.write_text(
        json.dumps(
            {
                "report": str(output.name),
                "unit": unit.code,
                "year": args.year,
                "numbers": [u.as_json() for u in provenance.uses],
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    print(
        f"Đã tạo {output} ({len(provenance.uses)} con số, {len(document.footnotes)} chú thích); "
        f"nguồn gốc từng con số: {prov_path}"
    )
    if args.xlsx:
        report.write_xlsx(data, Path(args.xlsx))
        print(f"Đã tạo phụ lục {args.xlsx}")
    if args.pdf:
        _progress("Chuyển sang PDF bằng LibreOffice…")
        report.to_pdf(output, Path(args.pdf))
        print(f"Đã tạo {args.pdf}")
    return EXIT_OK


def cmd_frame(args: argparse.Namespace) -> int:
    import shutil

    from ktxh.report.docx_writer import BODY_MARKER, DEFAULT_FRAME

    shutil.copyfile(DEFAULT_FRAME, args.output)
    print(
        f"Đã ghi khung {args.output}. Có thể sửa trong Word; giữ nguyên các chỗ {{{{ … }}}}, {{%p … %}} "
        f"và đoạn «{BODY_MARKER}» (nơi đặt nội dung báo cáo)."
    )
    return EXIT_OK


# -- parser ----------------------------------------------------------------------
def _year(text: str) -> int:
    if not text.isdigit() or len(text) != 4:
        raise argparse.ArgumentTypeError(f"năm phải gồm 4 chữ số, ví dụ 2023 (nhận được «{text}»)")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"cổng phải là số từ 1 đến 65535 (nhận được «{text}»)")
    return int(text)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # exit code 2 with a Vietnamese lead
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"Lỗi cú pháp lệnh / usage error: {message}\n")


def _unit_and_year(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--unit", required=True, metavar="MÃ", help="mã đơn vị hành chính (mã thống kê), ví dụ 300"
    )
    p.add_argument("--year", required=True, type=_year, metavar="NĂM", help="năm, ví dụ 2023")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ktxh",
        description=(
            "ktxh: lập kế hoạch, theo dõi, kiểm tra và báo cáo phát triển kinh tế - xã hội.\n"
            "ktxh: plan, monitor, check and report socio-economic development.\n\n"
            "Dữ liệu nằm trong thư mục KTXH_HOME (mặc định ./var); DATABASE_URL chọn PostgreSQL.\n"
            "Data lives in KTXH_HOME (default ./var); DATABASE_URL selects PostgreSQL."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ktxh {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="LỆNH", parser_class=_Parser)

    def add(name: str, vi: str, en: str) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=f"{vi} / {en}".replace("%", "%%"),  # argparse %-formats help, not descriptions
            description=f"{vi}\n{en}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        return p

    p = add(
        "init",
        "Tạo hoặc cập nhật cơ sở dữ liệu (SQLite WAL trong KTXH_HOME, hoặc DATABASE_URL).",
        "Create or migrate the database (SQLite WAL in KTXH_HOME, or DATABASE_URL).",
    )
    p.set_defaults(func=cmd_init)

    p = add(
        "load-demo",
        "Nạp dữ liệu mẫu: báo cáo năm 2023 của huyện Thanh Miện. Chạy lại không thay đổi gì.",
        "Load the Thanh Miện 2023 demo. Running it twice changes nothing.",
    )
    p.set_defaults(func=cmd_load_demo)

    for name, vi, en, func in (
        ("serve", "Chạy ứng dụng web.", "Run the web app.", cmd_serve),
        (
            "demo",
            "Tạo CSDL, nạp dữ liệu mẫu, in tài khoản dùng thử rồi chạy ứng dụng web.",
            "Init, load the demo, print the demo logins, then serve.",
            cmd_demo,
        ),
    ):
        p = add(name, vi, en)
        p.add_argument(
            "--host", default="127.0.0.1", help="địa chỉ lắng nghe / listen address (mặc định 127.0.0.1)"
        )
        p.add_argument("--port", type=_port, default=8000, help="cổng / port (mặc định 8000)")
        if name == "serve":
            p.add_argument(
                "--production",
                action="store_true",
                help="chạy bằng gunicorn, cấu hình lấy từ biến môi trường (docs/deploy.md) / "
                "serve with gunicorn, settings from the environment",
            )
            p.add_argument(
                "--workers",
                type=_positive,
                metavar="N",
                help="số tiến trình (mặc định KTXH_WORKERS, hoặc 4 × số CPU, từ 4 đến 16) / worker processes",
            )
            p.add_argument(
                "--threads",
                type=_positive,
                metavar="N",
                help="số luồng mỗi tiến trình (mặc định KTXH_THREADS hoặc 1) / threads per worker",
            )
            p.add_argument(
                "--check",
                action="store_true",
                help="chỉ kiểm tra cấu hình và cơ sở dữ liệu rồi thoát (mã 0 hoặc 2) / "
                "check the configuration and exit",
            )
        p.set_defaults(func=func)

    p = add(
        "values",
        "Số liệu một đơn vị, một năm: giá trị, kế hoạch (dự toán với chỉ tiêu ngân sách), % kế hoạch, "
        "năm trước, % tăng/giảm, kèm nguồn.",
        "One unit's values for a year: value, plan (budget estimate where budgeted), % of plan, "
        "previous year, % change, with sources.",
    )
    _unit_and_year(p)
    p.add_argument("--format", choices=["table", "json"], default="table", help="table (mặc định) hoặc json")
    p.add_argument(
        "--as-of",
        type=cli_reorg.parse_day,
        metavar="NGÀY",
        help="biểu diễn số liệu theo đơn vị hành chính có hiệu lực ngày này (ví dụ 2025-07-01); "
        "--unit được tra theo ngày này",
    )
    p.set_defaults(func=cmd_values)

    p = add(
        "validate",
        "Kiểm tra số liệu đã lưu của một đơn vị (và các đơn vị trực thuộc) trong một năm theo các quy tắc. "
        "Mã thoát: 0 không có phát hiện, 1 có phát hiện, 2 lỗi đầu vào.",
        "Run the validation rules on one unit's (and its children's) stored values for a year. "
        "Exit 0: no findings, 1: findings, 2: usage error.",
    )
    _unit_and_year(p)
    p.add_argument("--format", choices=["text", "json"], default="text", help="text (mặc định) hoặc json")
    p.add_argument(
        "--rules",
        action="append",
        metavar="TỆP",
        help="thêm một tệp quy tắc YAML của người dùng (docs/rules-format.md); dùng nhiều lần được",
    )
    p.set_defaults(func=cmd_validate)
    cli_reorg.add_commands(add, _setup_django)
    cli_extract.add_commands(add, _setup_django)
    cli_accounts.add_commands(add, _setup_django)
    cli_backup.add_commands(add, _setup_django)

    p = add(
        "report",
        "Soạn dự thảo báo cáo từ số liệu: DOCX theo Nghị định 30/2020, phụ lục XLSX, PDF (nếu có LibreOffice), "
        "kèm tệp JSON nguồn gốc của từng con số.",
        "Draft the report from data: DOCX per Decree 30/2020, XLSX appendix, PDF (with LibreOffice), "
        "and a JSON map from every number to its source.",
    )
    _unit_and_year(p)
    p.add_argument("--output", required=True, metavar="TỆP.docx")
    p.add_argument("--xlsx", metavar="TỆP.xlsx")
    p.add_argument("--pdf", metavar="TỆP.pdf")
    p.add_argument("--template", metavar="TỆP.yaml", help="mẫu báo cáo (mặc định: mẫu Thanh Miện 2023)")
    p.add_argument("--no-charts", action="store_true", help="không kèm phụ lục biểu đồ")
    p.add_argument(
        "--frame",
        metavar="KHUNG.docx",
        help="khung văn bản Word (tiêu đề, chữ ký, kiểu chữ, lề) đã sửa; lấy khung mặc định bằng «ktxh frame»",
    )
    p.set_defaults(func=cmd_report)

    p = add(
        "frame",
        "Ghi ra khung văn bản Word theo Nghị định 30/2020 để sửa (phông, lề, khối tiêu đề, chữ ký) rồi dùng lại "
        "với «ktxh report --frame».",
        "Write the Decree 30 Word frame for editing, to use again with «ktxh report --frame».",
    )
    p.add_argument("--output", required=True, metavar="KHUNG.docx")
    p.set_defaults(func=cmd_frame)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_INPUT
    try:
        return int(args.func(args))
    except (
        UsageError,
        cli_reorg.ReorgUsageError,
        cli_extract.ExtractUsageError,
        cli_backup.BackupUsageError,
        cli_accounts.AccountsUsageError,
    ) as exc:
        _err(str(exc))
        return EXIT_INPUT
    except core.KtxhError as exc:
        _err(str(exc))
        return EXIT_INPUT
    except BrokenPipeError:  # "ktxh units … | head": the reader left; nothing is wrong
        sys.stderr.close()
        return EXIT_OK
    except Exception as exc:
        from django.db import DatabaseError

        from ktxh.web.middleware import database_problem

        message = database_problem(exc) if isinstance(exc, DatabaseError) else None
        if message is None:
            raise
        _err(message)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
