from pathlib import Path
from typing import Any

import pytest

from .conftest import log_in


@pytest.mark.parametrize("width, height", [(1366, 768), (390, 844)])
def test_a_reader_finds_the_sown_area_and_its_source(
    browser: Any, live_server: Any, demo: None, shots: Path, width: int, height: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": height}, locale="vi-VN")
    log_in(page, live_server.url, "lanhdao")
    page.goto(live_server.url + "/")
    assert "Huyện Thanh Miện" in page.locator("h1").inner_text()
    # the agriculture table, row of the sown area: seed line 56
    row = page.locator("section#nong_nghiep tr", has_text="Tổng diện tích gieo trồng cả năm").first
    cells = row.locator("td").all_inner_texts()
    assert "14.739" in cells and "103,4%" in cells and "−1,5%" in cells
    assert "Dòng 56" in (row.locator("td[title^='Dòng']").first.get_attribute("title") or "")
    # the plan is implied by "đạt 103,4% kế hoạch": shown as derived, never as reported
    derived = row.locator("td.derived")
    assert derived.count() == 2
    page.locator("nav.toc a", has_text="Thi hành án dân sự").click()
    assert page.locator("section#thi_hanh_an").is_visible()
    page.screenshot(path=str(shots / f"overview-{width}x{height}.png"), full_page=False)
    page.close()


def test_a_bad_unit_gets_a_vietnamese_message(browser: Any, live_server: Any, demo: None) -> None:
    page = browser.new_page()
    log_in(page, live_server.url, "lanhdao")
    response = page.goto(live_server.url + "/?unit=99999")
    assert response is not None and response.status == 400
    assert "Không có đơn vị hành chính mã «99999»" in page.locator("[role=alert]").inner_text()
    page.close()
