"""Import review in a browser: the planning office uploads a past report, watches it being read,
reviews its facts, imports them and finds them on the overview page.

The demo already holds the seed's 2023 figures, so the seed itself would mostly come back as
"không đổi". The report uploaded here is the seed with every year moved back two years
(2023 → 2021, 2022 → 2020, 2024 → 2022): the same text, for a year with no data, so an accepted
figure visibly appears on the overview of 2021. The reading job runs in its background thread,
as in production.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import log_in

SEED = Path(__file__).resolve().parents[2] / "ktxh/data/demo/thanh_mien_2023/source.txt"
_SHIFT = {"2022": "2020", "2023": "2021", "2024": "2022"}


def _seed_2021(folder: Path) -> Path:
    text = SEED.read_text(encoding="utf-8")
    path = folder / "bao-cao-kt-xh-2021.txt"
    path.write_text(re.sub(r"202[234]", lambda m: _SHIFT[m.group(0)], text), encoding="utf-8")
    return path


@pytest.mark.parametrize("width, height", [(1366, 768), (390, 844)])
def test_the_planning_office_imports_a_past_report_and_sees_it_on_the_overview(
    browser: Any, live_server: Any, demo: None, shots: Path, tmp_path: Path, width: int, height: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": height}, locale="vi-VN")
    log_in(page, live_server.url, "tckh")
    page.goto(live_server.url + "/nhap-bao-cao/")
    assert page.locator("h1").inner_text() == "Nhập số liệu từ báo cáo cũ"
    page.get_by_label("Đơn vị báo cáo").select_option("300")
    page.get_by_label("Năm báo cáo").fill("2021")
    page.get_by_label("Tệp báo cáo (.txt, .docx hoặc .pdf)").set_input_files(str(_seed_2021(tmp_path)))
    page.screenshot(path=str(shots / f"imports-upload-{width}x{height}.png"), full_page=True)
    page.get_by_role("button", name="Tải lên và đọc tệp").click()

    # the progress bar polls until the review screen replaces it
    page.wait_for_selector(".imp-review", timeout=60_000)
    assert "Rà soát «bao-cao-kt-xh-2021.txt»" in page.locator("h1").inner_text()
    assert page.locator(".imp-finding-list li.imp-sev-error").count() >= 1
    sown = page.locator("article.imp-fact", has_text="NN.DT_GIEO_TRONG").filter(has_text="14.739 ha").first
    assert "Giá trị" in sown.inner_text() and "tin cậy" in sown.inner_text()

    # clicking a fact brings its line into view, highlighted
    sown.locator(".imp-goto").click()
    line = sown.locator(".imp-goto").get_attribute("data-line")
    highlighted = page.locator(f"#l-{line}")
    assert "imp-hl" in (highlighted.get_attribute("class") or "")
    assert highlighted.is_visible() and "14.739 ha" in highlighted.inner_text()
    page.screenshot(path=str(shots / f"imports-review-{width}x{height}.png"), full_page=False)

    # correct one mapping in place (htmx): the fact says it was corrected
    seedlings = page.locator("article.imp-fact", has_text="NN.DT_LUA_CHIEM_XUAN").first
    n = (seedlings.get_attribute("id") or "").removeprefix("f-")
    seedlings.locator("summary", has_text="Đổi chỉ tiêu").click()
    seedlings.get_by_label("Chỉ tiêu (gõ tên hoặc mã để tìm)").fill("NN.DT_LUA_MUA")
    seedlings.get_by_role("button", name="Lưu").click()
    page.wait_for_selector(f"#f-{n} .imp-corrected")
    assert "NN.DT_LUA_MUA" in page.locator(f"#f-{n}").inner_text()
    page.locator(f"#f-{n}").get_by_role("button", name="Loại").click()
    page.wait_for_selector(f"#f-{n}.imp-dec-rejected")

    # accept every mapped fact, look at the dry run, confirm
    page.get_by_role("button", name="Nhận tất cả số đã gắn chỉ tiêu").click()
    page.wait_for_load_state()
    assert "Đã nhận" in page.locator(".messages").inner_text()
    page.get_by_role("link", name="Xem trước khi nhập").click()
    assert page.locator("h1").inner_text() == "Chạy thử: chưa có gì được lưu"
    created = int(page.locator(".imp-summary li").first.locator("strong").inner_text())
    assert created > 100
    page.screenshot(path=str(shots / f"imports-dry-run-{width}x{height}.png"), full_page=False)
    page.get_by_role("button", name="Xác nhận nhập").click()
    page.wait_for_load_state()
    assert f"{created} số liệu mới" in page.locator("[role=status]").first.inner_text()

    # the overview of 2021 shows the imported figure, traced to its line
    page.get_by_role("link", name="Xem trang tổng quan").click()
    page.wait_for_load_state()
    assert page.url.endswith("/?unit=300&year=2021")
    row = page.locator("tr", has_text="Tổng diện tích gieo trồng cả năm").first
    assert "14.739" in row.locator("td").all_inner_texts()
    page.close()


@pytest.mark.parametrize("width, height", [(1366, 768), (390, 844)])
def test_a_scanned_report_shows_its_reading_progress(
    browser: Any, live_server: Any, demo: None, shots: Path, tmp_path: Path, width: int, height: int
) -> None:
    """A scanned PDF is read by OCR, page by page, in the background; the bar follows it."""
    from tests.extract.docs import scanned_pdf

    pdf = scanned_pdf(tmp_path / "bao-cao-scan.pdf", pages=3)
    page = browser.new_page(viewport={"width": width, "height": height}, locale="vi-VN")
    log_in(page, live_server.url, "tckh")
    page.goto(live_server.url + "/nhap-bao-cao/")
    page.get_by_label("Năm báo cáo").fill("2023")
    page.get_by_label("Tệp báo cáo (.txt, .docx hoặc .pdf)").set_input_files(str(pdf))
    page.get_by_role("button", name="Tải lên và đọc tệp").click()
    page.wait_for_selector("#imp-progress")
    page.wait_for_function(
        "() => /Đang đọc trang [1-3]\\/3/.test(document.querySelector('.imp-progress-text')?.innerText || '')",
        timeout=60_000,
    )
    text = page.locator(".imp-progress-text").inner_text()
    page.screenshot(path=str(shots / f"imports-progress-{width}x{height}.png"), full_page=False)
    assert re.search(r"Đang đọc trang [1-3]/3…", text)
    page.wait_for_selector(".imp-review", timeout=120_000)
    assert page.locator("article.imp-fact").count() > 5
    page.close()
