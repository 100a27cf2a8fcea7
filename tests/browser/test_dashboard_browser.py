"""The dashboards in a browser: a leader opens the overview, drills into a sector, follows a
number to the line of the report it was read from; screenshots of each dashboard page at a
laptop's and a phone's size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ktxh import core

from .conftest import log_in

Q = "?unit=300&year=2023"
HIGHLIGHT = "rgb(255, 241, 168)"  # .doc .line:target in dashboard.css


def _source_line() -> tuple[str, int, str]:
    """The stored value behind the sown area (NN.DT_GIEO_TRONG): its literal, line and text."""
    from ktxh.web.datavalues.models import DataValue

    v = DataValue.objects.select_related("source_document").get(
        indicator__code="NN.DT_GIEO_TRONG", org_unit__code="300", period__code="2023", kind="estimate"
    )
    assert v.source_document is not None and v.source_line
    return core.format_vi(v.value, 0), v.source_line, v.source_document.line(v.source_line)


def test_a_leader_drills_from_the_overview_to_the_source_line(
    browser: Any, live_server: Any, demo: None, shots: Path
) -> None:
    shown, line, text = _source_line()
    base = live_server.url
    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    log_in(page, base, "lanhdao")
    page.goto(base + "/" + Q)
    assert "Huyện Thanh Miện" in page.locator("h1").inner_text()
    chart = page.locator('.chart[data-chart="chart-sectors"]')
    chart.locator("svg").first.wait_for()  # ECharts drew it (from the vendored file)
    assert chart.is_visible()

    page.locator(".sector-nav").get_by_role("link", name="Nông nghiệp, nông thôn").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Nông nghiệp, nông thôn"
    for chart_id in ("chart-attainment", "chart-change", "chart-trend"):
        page.locator(f'.chart[data-chart="{chart_id}"] svg').first.wait_for()

    # a computed percentage explains itself
    page.locator("table.sector-table").get_by_role("button", name="103,4%").click()
    formula = page.locator("#c-NN-DT_GIEO_TRONG-pct")
    assert formula.is_visible() and "= 14.739 / 14.254 × 100" in formula.inner_text()
    page.keyboard.press("Escape")

    page.locator("table.sector-table").get_by_role("link", name=shown, exact=True).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"#L{line}")
    target = page.locator(f"#L{line}")
    assert target.is_visible() and target.inner_text().split("\n", 1)[-1].strip() == text.strip()
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] < 768  # scrolled into view
    assert target.evaluate("el => getComputedStyle(el).backgroundColor") == HIGHLIGHT
    assert target.locator("mark.cited", has_text=shown).count() == 1
    page.screenshot(path=str(shots / "dashboard-source-1366x768.png"))


PAGES = {
    "overview": "/" + Q,
    "sector": "/linh-vuc/nong_nghiep/" + Q,
    "ranking": "/xep-hang/GT.CD_DUONG_THON_XOM/" + Q,
    "findings": "/phat-hien/" + Q,
}


@pytest.mark.parametrize("width, height", [(1366, 768), (390, 844)])
def test_screenshots_of_each_dashboard(
    browser: Any, live_server: Any, demo: None, shots: Path, width: int, height: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": height}, locale="vi-VN")
    log_in(page, live_server.url, "lanhdao")
    for name, url in PAGES.items():
        page.goto(live_server.url + url)
        charts = page.locator(".chart[data-chart]")
        for i in range(charts.count()):
            charts.nth(i).locator("svg").first.wait_for()
        # nothing wider than the screen: no sideways scrolling on a phone
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (name, overflow)
        page.screenshot(path=str(shots / f"dashboard-{name}-{width}x{height}.png"))
        page.screenshot(path=str(shots / f"dashboard-{name}-{width}x{height}-full.png"), full_page=True)
    # a computed figure's popover opens beside it, inside the screen
    page.goto(live_server.url + PAGES["sector"] + "#bang")
    page.locator("table.sector-table").get_by_role("button", name="103,4%").click()
    pop = page.locator("#c-NN-DT_GIEO_TRONG-pct")
    assert pop.is_visible()
    box = pop.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    assert 0 <= box["y"] and box["y"] + box["height"] <= height
    page.screenshot(path=str(shots / f"dashboard-popover-{width}x{height}.png"))
