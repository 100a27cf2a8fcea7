"""Regenerate the screenshots of the user guide (docs/huong-dan-su-dung.md).

Usage (from the repository root):

    env -u DATABASE_URL .venv/bin/python scripts/screenshots.py [--out docs/img/huong-dan] [--keep]

What it does:

1. makes a throw-away KTXH_HOME (SQLite), runs ``ktxh init`` and ``ktxh load-demo``;
2. creates the demo accounts with a known password (``account_ensure``) and gives xã Ngũ Hùng a
   2023 rice-area plan (as the planning office, through ``values_save``) so the entry form can show
   the live % of plan;
3. starts ``ktxh serve`` on a free port in a subprocess;
4. drives Debian's chromium (Playwright, headless) through every page as the right person, logging
   in through the login form, and saves viewport screenshots at 1366×768 (a few at 390×844);
5. shrinks each PNG with Pillow (palette quantisation) when Pillow is installed.

Nothing in the repository's own KTXH_HOME or database is touched.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("KTXH_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
PASSWORD = secrets.token_urlsafe(12)  # made afresh for the throw-away database of each run
DESKTOP: Any = {"width": 1366, "height": 768}
PHONE: Any = {"width": 390, "height": 844}
Q = "?unit=300&year=2023"
FORM = "/nhap-lieu/11275/2023/nong_nghiep/"
WORKFLOW = "/nhap-lieu/11275/2023/duyet/"
RICE = "Diện tích cấy lúa cả năm"  # NN.DT_LUA's name in ktxh/data/catalog/nong_nghiep.yaml
SEED = ROOT / "ktxh/data/demo/thanh_mien_2023/source.txt"
SECTION = "1.1. Sản xuất nông nghiệp:"


def _ktxh(*args: str, env: dict[str, str]) -> None:
    exe = Path(sys.executable).with_name("ktxh")
    cmd = [str(exe), *args] if exe.exists() else [sys.executable, "-m", "ktxh", *args]
    subprocess.run(cmd, env=env, check=True, cwd=ROOT)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url + "/dang-nhap/", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"ktxh serve did not answer at {url} within {timeout:.0f} s")


def _prepare_database(home: Path) -> None:
    """Accounts with a known password, and a commune plan for the live % of plan."""
    os.environ["KTXH_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ktxh.web.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from ktxh.web.accounts.permissions import Access
    from ktxh.web.accounts.services import DEMO_ACCOUNTS, account_ensure
    from ktxh.web.datavalues.entry import Entry, values_save
    from ktxh.web.datavalues.models import Period
    from ktxh.web.orgunits.models import OrgUnit

    for spec in DEMO_ACCOUNTS:
        account_ensure(spec=spec, password=PASSWORD)
    unit = OrgUnit.objects.get(code="11275", valid_to__isnull=False)
    result = values_save(
        access=Access(get_user_model().objects.get(username="tckh")),
        org_unit=unit,
        period=Period.get_for("2023"),
        entries=[Entry(indicator="NN.DT_LUA", value=Decimal("1000"), kind="plan", version=0)],
        source="api",
        entry_kinds=("plan",),
    )
    if not result.stored:
        raise SystemExit(f"could not set the commune plan: {result.errors}")


def _seed_2021(folder: Path) -> Path:
    """The seed with its years moved back two, so an import lands on a year with no data."""
    shift = {"2022": "2020", "2023": "2021", "2024": "2022"}
    text = SEED.read_text(encoding="utf-8")
    path = folder / "bao-cao-kt-xh-2021.txt"
    path.write_text(re.sub(r"202[234]", lambda m: shift[m.group(0)], text), encoding="utf-8")
    return path


def _scanned_pdf(folder: Path) -> Path | None:
    """A small scanned PDF (pages as images) so the reading progress is visible."""
    try:
        sys.path.insert(0, str(ROOT))
        from tests.extract.docs import scanned_pdf

        return Path(scanned_pdf(folder / "bao-cao-scan.pdf", pages=3))
    except Exception as exc:  # noqa: BLE001 - optional screenshot only
        print(f"  (no scanned PDF for the progress screenshot: {exc})")
        return None


class Shots:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.taken: list[Path] = []

    def __call__(self, page: Any, name: str, *, full_page: bool = False) -> None:
        path = self.out / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        self.taken.append(path)
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def _log_in(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(base + "/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def _charts_drawn(page: Any) -> None:
    charts = page.locator(".chart[data-chart]")
    for i in range(charts.count()):
        charts.nth(i).locator("svg, canvas").first.wait_for(timeout=15_000)
    page.wait_for_timeout(400)  # ECharts' entry animation


def _step(name: str, fn: Callable[[], None]) -> None:
    """One group of screenshots; a failure is reported and the others still run."""
    print(name)
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - keep going, say what failed
        print(f"  !! {name} failed: {type(exc).__name__}: {exc}")


def run(base: str, shots: Shots, work: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )

        def context(user: str | None, size: Any = DESKTOP, **kw: Any) -> Any:
            ctx = browser.new_context(viewport=size, locale="vi-VN", **kw)
            page = ctx.new_page()
            if user:
                _log_in(page, base, user)
            return page

        # 1. Login
        def login() -> None:
            page = context(None)
            page.goto(base + "/dang-nhap/")
            page.get_by_label("Tên đăng nhập").fill("xa_ngohung")
            shots(page, "01-dang-nhap")
            page.context.close()

        _step("login", login)

        # 2. Dashboards, as the leader
        def dashboards() -> None:
            page = context("lanhdao")
            page.goto(base + "/" + Q)
            _charts_drawn(page)
            shots(page, "10-tong-quan")
            page.locator("table").first.evaluate("el => el.scrollIntoView({block: 'start'})")
            page.evaluate("() => window.scrollBy(0, -110)")  # the table's heading too
            shots(page, "11-tong-quan-bang")
            page.goto(base + "/linh-vuc/nong_nghiep/" + Q)
            _charts_drawn(page)
            shots(page, "12-linh-vuc")
            page.goto(base + "/linh-vuc/nong_nghiep/" + Q + "#bang")
            page.locator("table.sector-table").get_by_role("button", name="103,4%").click()
            page.wait_for_timeout(300)
            shots(page, "13-linh-vuc-cong-thuc")
            page.keyboard.press("Escape")
            # a ranking linked from a sector page
            page.goto(base + "/linh-vuc/giao_thong/" + Q)
            link = page.locator("a[href*='/xep-hang/']").first
            href = link.get_attribute("href") if link.count() else "/xep-hang/GT.CD_DUONG_THON_XOM/" + Q
            page.goto(base + href if href.startswith("/") else href)
            _charts_drawn(page)
            shots(page, "14-xep-hang")
            page.goto(base + "/phat-hien/" + Q)
            shots(page, "15-phat-hien")
            # follow a number on the overview to its source line
            page.goto(base + "/" + Q)
            number = page.locator("table a[href*='/tai-lieu/']:visible").first
            number.scroll_into_view_if_needed()
            number.click()
            page.wait_for_load_state()
            page.wait_for_timeout(300)
            shots(page, "16-dong-nguon")
            page.context.close()

            phone = context("lanhdao", PHONE, is_mobile=True)
            phone.goto(base + "/" + Q)
            _charts_drawn(phone)
            shots(phone, "17-tong-quan-dien-thoai")
            phone.goto(base + "/linh-vuc/nong_nghiep/" + Q)
            _charts_drawn(phone)
            shots(phone, "18-linh-vuc-dien-thoai")
            phone.context.close()

        _step("dashboards", dashboards)

        # 3. Data entry, as the commune; a conflicting save from a second window
        def entry() -> None:
            page = context("xa_ngohung")
            page.goto(base + "/nhap-lieu/")
            shots(page, "20-nhap-lieu-danh-sach")
            other = context("xa_ngohung")
            other.goto(base + FORM)  # opened before the first save: it will conflict
            page.goto(base + FORM)
            field = page.get_by_label(f"Giá trị: {RICE}", exact=True)
            field.scroll_into_view_if_needed()
            field.fill("1.234,5")
            page.wait_for_function(
                "() => /\\d/.test(document.getElementById('calc-NN-DT_LUA').innerText)", timeout=15_000
            )
            page.wait_for_timeout(300)
            shots(page, "21-nhap-lieu-bieu-mau")
            page.get_by_role("button", name="Lưu số liệu").click()
            page.wait_for_load_state()
            page.evaluate("() => window.scrollTo(0, 0)")
            shots(page, "22-nhap-lieu-da-luu")

            other_field = other.get_by_label(f"Giá trị: {RICE}", exact=True)
            other_field.fill("1.240")
            other.get_by_role("button", name="Lưu số liệu").click()
            other.wait_for_load_state()
            alert = other.locator("[role=alert]").first
            if alert.count():
                alert.scroll_into_view_if_needed()
            shots(other, "23-nhap-lieu-xung-dot")
            other.context.close()

            # Excel: download the form, fill two rows (one wrong), upload -> dry run
            with page.expect_download(timeout=30_000) as info:
                page.get_by_role("link", name="Tải biểu Excel về").click()
            xlsx = work / "bieu.xlsx"
            info.value.save_as(xlsx)
            import openpyxl

            wb = openpyxl.load_workbook(xlsx)
            ws = wb.active
            filled = 0
            for row in ws.iter_rows(min_row=6):
                code = str(row[0].value or "")
                if code.startswith("NN.") and code != "NN.DT_LUA" and row[5].value in (None, ""):
                    row[5].value = "12,5" if filled == 0 else "mười hai"
                    filled += 1
                    if filled == 2:
                        break
            wb.save(xlsx)
            page.goto(base + FORM)
            page.locator("#id_file").set_input_files(str(xlsx))
            page.get_by_role("button", name="Tải lên và kiểm tra").click()
            page.wait_for_load_state()
            shots(page, "24-excel-chay-thu")

            phone = context("xa_ngohung", PHONE, is_mobile=True)
            phone.goto(base + FORM)
            phone.get_by_label(f"Giá trị: {RICE}", exact=True).scroll_into_view_if_needed()
            shots(phone, "25-nhap-lieu-dien-thoai")
            phone.context.close()

            # Workflow: before (the commune submits), after (the district approves and locks)
            page.goto(base + WORKFLOW)
            shots(page, "30-duyet-truoc")
            page.get_by_role("button", name="Gửi duyệt").click()
            page.wait_for_load_state()
            planning = context("tckh")
            planning.goto(base + WORKFLOW)
            shots(planning, "31-duyet-cho-duyet")
            planning.get_by_role("button", name="Duyệt").click()
            planning.wait_for_load_state()
            planning.get_by_role("button", name="Khóa số liệu").click()
            planning.wait_for_load_state()
            shots(planning, "32-duyet-da-khoa")
            planning.context.close()
            admin = context("admin")
            admin.goto(base + WORKFLOW)
            shots(admin, "35-mo-khoa-quan-tri")
            admin.context.close()
            page.goto(base + FORM)
            shots(page, "33-nhap-lieu-da-khoa")
            page.goto(base + "/nhap-lieu/11275/2023/lich-su/NN.DT_LUA/")
            shots(page, "34-lich-su")
            page.context.close()

        _step("entry", entry)

        # 4. Drafting, as the planning office and as the agriculture office
        def drafting() -> None:
            page = context("tckh", accept_downloads=True)
            page.goto(base + "/du-thao/")
            shots(page, "40-du-thao-danh-sach")
            page.goto(base + "/du-thao/300/2023/")
            shots(page, "41-du-thao-cay-muc")
            with page.expect_download(timeout=120_000) as info:
                page.get_by_role("link", name="Tạo DOCX").click()
            info.value.save_as(work / "bao-cao.docx")
            nav = page.get_by_role("navigation", name="Các mục của báo cáo")
            nav.get_by_role("link", name=SECTION).click()
            page.wait_for_load_state()
            editor = page.get_by_label("Nội dung mục (lời văn và lời gọi số liệu)")
            added = "Phòng Tài chính - Kế hoạch bổ sung: diện tích lúa cả năm {{ v('NN.DT_LUA') }}."
            editor.fill(editor.input_value() + "\n\n" + added)
            page.locator("#preview-body").get_by_text("Phòng Tài chính - Kế hoạch bổ sung").wait_for(
                timeout=15_000
            )
            shots(page, "42-du-thao-soan-muc")
            page.get_by_role("button", name="Lưu phiên bản mới").click()
            page.wait_for_load_state()
            shots(page, "43-du-thao-da-luu")
            page.get_by_role("link", name="Các phiên bản, so sánh").click()
            page.wait_for_load_state()
            shots(page, "44-du-thao-phien-ban")
            page.goto(base + "/du-thao/300/2023/xem-truoc/")
            shots(page, "45-du-thao-xem-toan-van")
            page.context.close()

            office = context("nongnghiep")
            office.goto(base + "/du-thao/300/2023/")
            shots(office, "46-du-thao-phong-chuyen-mon")
            office.context.close()

        _step("drafting", drafting)

        # 5. Import of a past report, as the planning office
        def imports() -> None:
            page = context("tckh")
            page.goto(base + "/nhap-bao-cao/")
            page.get_by_label("Đơn vị báo cáo").select_option("300")
            page.get_by_label("Năm báo cáo").fill("2021")
            page.get_by_label("Tệp báo cáo (.txt, .docx hoặc .pdf)").set_input_files(str(_seed_2021(work)))
            shots(page, "50-nhap-bao-cao-tai-len")
            page.get_by_role("button", name="Tải lên và đọc tệp").click()
            page.wait_for_selector(".imp-review", timeout=120_000)
            shots(page, "52-nhap-bao-cao-ra-soat")
            sown = page.locator("article.imp-fact", has_text="NN.DT_GIEO_TRONG").filter(has_text="14.739 ha")
            sown.first.locator(".imp-goto").click()
            page.wait_for_timeout(300)
            shots(page, "53-nhap-bao-cao-so-lieu")
            fact = page.locator("article.imp-fact", has_text="NN.DT_LUA_CHIEM_XUAN").first
            fact.scroll_into_view_if_needed()
            fact.locator("summary", has_text="Đổi chỉ tiêu").click()
            fact.get_by_label("Chỉ tiêu (gõ tên hoặc mã để tìm)").fill("NN.DT_LUA_MUA")
            page.wait_for_timeout(300)
            shots(page, "54-nhap-bao-cao-doi-chi-tieu")
            page.get_by_role("button", name="Nhận tất cả số đã gắn chỉ tiêu").click()
            page.wait_for_load_state()
            page.get_by_role("link", name="Xem trước khi nhập").click()
            page.wait_for_load_state()
            shots(page, "55-nhap-bao-cao-chay-thu")
            page.get_by_role("button", name="Xác nhận nhập").click()
            page.wait_for_load_state()
            shots(page, "56-nhap-bao-cao-xong")

            pdf = _scanned_pdf(work)
            if pdf is not None:
                page.goto(base + "/nhap-bao-cao/")
                page.get_by_label("Năm báo cáo").fill("2023")
                page.get_by_label("Tệp báo cáo (.txt, .docx hoặc .pdf)").set_input_files(str(pdf))
                page.get_by_role("button", name="Tải lên và đọc tệp").click()
                page.wait_for_function(
                    "() => /Đang đọc trang/.test(document.querySelector('.imp-progress-text')?.innerText||'')",
                    timeout=60_000,
                )
                shots(page, "51-nhap-bao-cao-tien-do")
                page.wait_for_selector(".imp-review", timeout=180_000)
            page.context.close()

        _step("imports", imports)

        # 6. API documentation, language, lockout
        def misc() -> None:
            page = context("tckh")
            page.goto(base + "/api/docs")
            page.wait_for_timeout(1500)
            shots(page, "60-api-docs")
            page.goto(base + "/" + Q)
            page.locator("#lang-select").select_option("en")
            page.wait_for_load_state()
            _charts_drawn(page)
            shots(page, "61-tieng-anh")
            page.locator("#lang-select").select_option("vi")
            page.wait_for_load_state()
            page.context.close()

            guest = context(None)
            for _ in range(5):
                _log_in(guest, base, "khach_thu", "sai-mat-khau")
            shots(guest, "62-tam-khoa-dang-nhap")
            guest.context.close()

        _step("misc", misc)
        browser.close()


def _docx_pages(docx: Path, shots: Shots) -> None:
    """The generated DOCX as Word would print it (LibreOffice → PDF → PNG): the first page and the
    page with the signature block."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not docx.exists() or not soffice or not shutil.which("pdftoppm"):
        print("  (no DOCX pages: the DOCX, LibreOffice or pdftoppm is missing)")
        return
    folder = docx.parent
    profile = folder / "lo-profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = docx.with_suffix(".pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    pages = text.split("\f")
    signed = next((i + 1 for i, page in enumerate(pages) if "Nơi nhận" in page), len(pages))
    for name, number in (("47-docx-trang-dau", 1), ("48-docx-trang-chu-ky", signed)):
        stem = folder / name
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                str(number),
                "-l",
                str(number),
                "-singlefile",
                str(pdf),
                str(stem),
            ],
            check=True,
        )
        target = shots.out / f"{name}.png"
        shutil.move(str(stem.with_suffix(".png")), target)
        shots.taken.append(target)
        print(f"  {target}")


def _shrink(paths: list[Path]) -> None:
    try:
        from PIL import Image
    except ImportError:
        print("Pillow not installed: PNGs left as Chromium wrote them")
        return
    for path in paths:
        before = path.stat().st_size
        with Image.open(path) as im:
            small = im.convert("RGB").quantize(
                colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
            )
            buf = io.BytesIO()
            small.save(buf, format="PNG", optimize=True)
        if buf.tell() < before:
            path.write_bytes(buf.getvalue())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs/img/huong-dan")
    parser.add_argument("--keep", action="store_true", help="keep the temporary KTXH_HOME")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM}")
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="ktxh-shots-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["KTXH_HOME"] = str(home)
    server = None
    try:
        _ktxh("init", env=env)
        _ktxh("load-demo", env=env)
        _prepare_database(home)
        port = _free_port()
        exe = Path(sys.executable).with_name("ktxh")
        server = subprocess.Popen(
            [str(exe), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(home / "serve.log", "w"),  # noqa: SIM115 - closed with the process
        )
        base = f"http://127.0.0.1:{port}"
        _wait_for(base)
        shots = Shots(out)
        work = home / "work"
        work.mkdir()
        run(base, shots, work)
        _docx_pages(work / "bao-cao.docx", shots)
        _shrink(shots.taken)
        total = sum(p.stat().st_size for p in shots.taken)
        print(f"{len(shots.taken)} screenshots, {total / 1e6:.1f} MB in {out}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        if args.keep:
            print(f"KTXH_HOME kept: {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
