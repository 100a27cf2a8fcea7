"""Drafting in a browser: the planning office edits a section's text, sees the generated
sentence in the live preview, saves, generates the DOCX and downloads it; the edited sentence,
with its number computed from the data, is in the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx

from ktxh import core

from .conftest import log_in

DRAFT = "/du-thao/300/2023/"
SECTION = "1.1. Sản xuất nông nghiệp:"
ADDED = "Phòng Tài chính - Kế hoạch bổ sung: diện tích lúa cả năm {{ v('NN.DT_LUA') }}."


def _rice_area() -> str:
    """NN.DT_LUA of the district in 2023 as the report must print it, from the stored row."""
    from ktxh.web.datavalues.models import DataValue

    row = DataValue.objects.select_related("indicator__unit").get(
        org_unit__code="300", indicator__code="NN.DT_LUA", period__code="2023", category="", kind="estimate"
    )
    return f"{core.format_vi(row.value, row.indicator.decimals)} {row.indicator.unit.symbol}"


def test_the_planning_office_edits_a_section_and_downloads_the_docx(
    browser: Any, live_server: Any, demo: None, shots: Path, tmp_path: Path
) -> None:
    expected = f"Phòng Tài chính - Kế hoạch bổ sung: diện tích lúa cả năm {_rice_area()}."
    base = live_server.url
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="vi-VN", accept_downloads=True
    )
    page = context.new_page()
    log_in(page, base, "tckh")
    page.goto(base + DRAFT)
    page.get_by_role("navigation", name="Các mục của báo cáo").get_by_role("link", name=SECTION).click()
    page.wait_for_load_state()
    assert page.locator("#sec-heading").inner_text().startswith(SECTION)

    editor = page.get_by_label("Nội dung mục (lời văn và lời gọi số liệu)")
    editor.fill(editor.input_value() + "\n\n" + ADDED)
    # the live preview renders the call with the stored value, before anything is saved
    page.locator("#preview-body").get_by_text(expected).wait_for(timeout=15_000)
    page.screenshot(path=str(shots / "drafting-editor-1366x768.png"))

    page.get_by_role("button", name="Lưu phiên bản mới").click()
    page.wait_for_load_state()
    assert f"Đã lưu mục «{SECTION}», phiên bản 1." in page.locator(".messages").inner_text()

    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("link", name="Tạo DOCX").click()
    download = info.value
    assert download.suggested_filename == "bao-cao-ktxh-300-2023.docx"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    paragraphs = [p.text for p in docx.Document(str(target)).paragraphs]
    assert expected in paragraphs
    assert not any("{{" in p for p in paragraphs)

    page.get_by_role("link", name="Xem toàn văn").first.click()
    page.wait_for_load_state()
    assert page.get_by_text(expected).count() == 1
    page.screenshot(path=str(shots / "drafting-preview-1366x768.png"))
    page.get_by_text(expected).scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "drafting-preview-edited-1366x768.png"))

    page.go_back()
    page.get_by_role("link", name="Các phiên bản, so sánh").click()
    page.wait_for_load_state()
    assert (
        page.locator(".diff ins").first.inner_text().strip().startswith("Phòng Tài chính - Kế hoạch bổ sung")
    )
    page.screenshot(path=str(shots / "drafting-versions-1366x768.png"))
    context.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True)
    mobile = phone.new_page()
    log_in(mobile, base, "tckh")
    mobile.goto(base + DRAFT)
    mobile.get_by_role("navigation", name="Các mục của báo cáo").get_by_role("link", name=SECTION).click()
    mobile.wait_for_load_state()
    mobile.screenshot(path=str(shots / "drafting-editor-390x844.png"))
    mobile.locator("#preview-body").scroll_into_view_if_needed()
    mobile.screenshot(path=str(shots / "drafting-editor-preview-390x844.png"))
    mobile.goto(base + DRAFT + "xem-truoc/")
    mobile.screenshot(path=str(shots / "drafting-preview-390x844.png"))
    mobile.get_by_text(expected).scroll_into_view_if_needed()
    mobile.screenshot(path=str(shots / "drafting-preview-edited-390x844.png"))
    phone.close()
