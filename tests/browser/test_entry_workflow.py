"""The yearly cycle in a browser: a commune enters and submits, the planning office approves
and locks, the commune can no longer edit, and the history shows every step."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from ktxh import core
from ktxh.core import compute

from .conftest import log_in

FORM = "/nhap-lieu/11275/2023/nong_nghiep/"
WORKFLOW = "/nhap-lieu/11275/2023/duyet/"
RICE = "Diện tích cấy lúa cả năm"  # NN.DT_LUA's name in ktxh/data/catalog/nong_nghiep.yaml


def _give_the_commune_a_plan() -> Decimal:
    """The district sets xã Ngũ Hùng's 2023 rice-area plan (through the same service as the API)."""
    from django.contrib.auth import get_user_model

    from ktxh.web.accounts.permissions import Access
    from ktxh.web.datavalues.entry import Entry, values_save
    from ktxh.web.datavalues.models import Period
    from ktxh.web.orgunits.models import OrgUnit

    plan = Decimal("1000")
    unit = OrgUnit.objects.get(code="11275", valid_to__isnull=False)
    result = values_save(
        access=Access(get_user_model().objects.get(username="tckh")),
        org_unit=unit,
        period=Period.get_for("2023"),
        entries=[Entry(indicator="NN.DT_LUA", value=plan, kind="plan", version=0)],
        source="api",
        entry_kinds=("plan",),
    )
    assert result.stored, result.errors
    return plan


def test_a_value_goes_from_a_commune_to_locked_with_its_history(
    browser: Any, live_server: Any, demo: None, shots: Path
) -> None:
    plan = _give_the_commune_a_plan()
    base = live_server.url
    commune = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN").new_page()
    log_in(commune, base, "xa_ngohung")
    commune.goto(base + FORM)
    value = commune.get_by_label(f"Giá trị: {RICE}", exact=True)
    value.fill("1.234,5")
    typed = core.parse_vi("1.234,5")
    expected = core.format_pct(compute.pct_of(typed, plan), 1)  # computed by the engine, not retyped
    commune.wait_for_function(
        "([id, text]) => document.getElementById(id).innerText.includes(text)",
        arg=["calc-NN-DT_LUA", expected],
    )
    commune.screenshot(path=str(shots / "entry-1366x768.png"))
    commune.get_by_role("button", name="Lưu số liệu").click()
    assert "Đã lưu: 1 số liệu mới" in commune.locator(".messages").inner_text()
    commune.goto(base + WORKFLOW)
    commune.get_by_role("button", name="Gửi duyệt").click()
    assert commune.locator("#state").inner_text() == "Đã gửi duyệt"

    planning = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN").new_page()
    log_in(planning, base, "tckh")
    planning.goto(base + WORKFLOW)
    planning.get_by_role("button", name="Duyệt").click()
    assert planning.locator("#state").inner_text() == "Đã duyệt"
    planning.get_by_role("button", name="Khóa số liệu").click()
    assert planning.locator("#state").inner_text() == "Đã khóa"
    planning.screenshot(path=str(shots / "workflow-1366x768.png"))

    commune.goto(base + FORM)
    assert "đã khóa" in commune.locator("[role=alert]").first.inner_text()
    assert commune.get_by_role("button", name="Lưu số liệu").count() == 0
    assert commune.get_by_label(f"Giá trị: {RICE}", exact=True).get_attribute("readonly") is not None

    commune.goto(base + "/nhap-lieu/11275/2023/lich-su/NN.DT_LUA/")
    history = commune.locator("table.history").inner_text()
    for step in (
        "tạo mới → 1.234,5",
        "Gửi duyệt",
        "Duyệt",
        "Khóa số liệu",
        "UBND xã Ngũ Hùng",
        "Phòng Tài chính - Kế hoạch huyện",
    ):
        assert step in history, step
    commune.screenshot(path=str(shots / "history-1366x768.png"), full_page=True)


def test_the_entry_form_works_on_a_phone(browser: Any, live_server: Any, demo: None, shots: Path) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="vi-VN")
    log_in(page, live_server.url, "xa_ngohung")
    page.goto(live_server.url + FORM)
    field = page.get_by_label(f"Giá trị: {RICE}", exact=True)
    field.scroll_into_view_if_needed()
    assert field.is_visible()
    box = field.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390  # no sideways scrolling to reach it
    page.keyboard.press("Tab")  # keyboard use: the next control takes focus
    page.screenshot(path=str(shots / "entry-390x844.png"))
