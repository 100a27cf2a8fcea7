"""The dashboards beyond the overview: sector pages, rankings, findings, source documents,
provenance links, access, and query counts that do not grow with the data."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ktxh import core
from ktxh.core.summary import PCT_DECIMALS
from ktxh.web import fragments
from ktxh.web.datavalues import selectors as dv
from ktxh.web.datavalues.models import DataValue, SourceDocument

from .perf_world import build_perf_world

pytestmark = pytest.mark.django_db

Q = "?unit=300&year=2023"
PAGE_QUERY_BOUND = 15


def _chart(html: str, chart_id: str) -> dict:  # type: ignore[type-arg]
    found = re.search(rf'<script id="{chart_id}" type="application/json">(.*?)</script>', html, re.S)
    assert found, chart_id
    return json.loads(found.group(1))


def _rows(html: str, table_class: str) -> list[str]:
    table = re.search(rf'<table class="[^"]*{table_class}[^"]*">(.*?)</table>', html, re.S)
    assert table, table_class
    return re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S)[1:]


def _text(fragment: str, sep: str = " ") -> str:
    return unescape(re.sub(r"<[^>]+>", sep, fragment))


def _sector_rows() -> list[core.IndicatorRow]:
    unit = dv.org_unit_at("300", core.Period.year(2023).end)
    return [
        r
        for r in dv.indicator_rows(org_unit=unit, period=core.Period.year(2023))
        if r.indicator.sector == "nong_nghiep"
    ]


def test_it_shows_a_sector_with_its_table_and_charts(leader_client: Client) -> None:
    response = leader_client.get("/linh-vuc/nong_nghiep/" + Q)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Nông nghiệp, nông thôn</h1>" in html
    assert "/static/ktxh/vendor/echarts/echarts-6.1.0.min.js" in html and "cdn" not in html.lower()
    rows = _sector_rows()
    attainment = _chart(html, "chart-attainment")["items"]
    expected = [r for r in rows if r.pct_plan is not None]
    assert [i["name"] for i in attainment] == [r.indicator.name for r in expected]
    assert [i["label"] for i in attainment] == [core.format_pct(r.pct_plan, PCT_DECIMALS) for r in expected]
    assert _chart(html, "chart-attainment")["mark"] == 100
    change = _chart(html, "chart-change")["items"]
    assert {i["name"] for i in change} == {
        r.indicator.name for r in rows if r.pct_change is not None and r.pp_change is None
    }
    assert "−1,5%" in {i["label"] for i in change}  # seed line 56, computed from the stored numbers
    trend = _chart(html, "chart-trend")
    assert trend["years"] == ["2022", "2023"]
    # every number of the table is in the page, in Vietnamese format
    assert len(_rows(html, "sector-table")) == len(rows)


def test_every_number_leads_to_its_provenance(leader_client: Client) -> None:
    html = leader_client.get("/linh-vuc/nong_nghiep/" + Q).content.decode()
    # the value: its document line
    assert (
        '<a class="num-link" href="/tai-lieu/thanh_mien_2023/#L56" title="Dòng 56: «14.739»">14.739</a>'
        in html
    )
    # the derived plan: its formula, and the line of the percentage it came from
    plan = DataValue.objects.get(indicator__code="NN.DT_GIEO_TRONG", period__code="2023", kind="plan")
    assert plan.derived and plan.formula in unescape(html)
    # the computed % of plan: the operation on the stored numbers
    assert "= 14.739 / 14.254 × 100" in html
    assert "= (14.739 − 14.963) / 14.963 × 100" in html
    # who entered it: the history page
    assert 'href="/nhap-lieu/300/2023/lich-su/NN.DT_GIEO_TRONG/"' in html


def test_a_number_entered_on_screen_leads_to_its_history(login: Callable[[str], Client]) -> None:
    row = DataValue.objects.get(indicator__code="NN.DT_GIEO_TRONG", period__code="2023", kind="estimate")
    row.source_document = None
    row.source_line = None
    row.entered_by = get_user_model().objects.get(username="nongnghiep")
    row.save()
    html = login("lanhdao").get("/linh-vuc/nong_nghiep/" + Q).content.decode()
    link = re.search(r'<a class="num-link" href="([^"]+)" title="([^"]+)">14\.739</a>', html)
    assert link and link.group(1) == "/nhap-lieu/300/2023/lich-su/NN.DT_GIEO_TRONG/"
    assert "Phòng Nông nghiệp" in unescape(link.group(2)) or "nongnghiep" in link.group(2)


def test_the_overview_charts_plan_attainment_by_sector_and_links_each_sector(leader_client: Client) -> None:
    html = leader_client.get("/" + Q).content.decode()
    chart = _chart(html, "chart-sectors")
    unit = dv.org_unit_at("300", core.Period.year(2023).end)
    rows = dv.indicator_rows(org_unit=unit, period=core.Period.year(2023))
    catalog = dv.stored_catalog()
    farm = catalog.sectors["nong_nghiep"].name
    i = chart["categories"].index(farm)
    counts = {s["name"]: s["data"][i] for s in chart["series"]}
    farm_rows = [r for r in rows if r.indicator.sector == "nong_nghiep"]
    assert counts == {s: sum(1 for r in farm_rows if r.status == s) for s in ("vượt", "đạt", "không đạt")}
    assert chart["links"][i] == "/linh-vuc/nong_nghiep/" + Q
    assert 'href="/linh-vuc/nong_nghiep/?unit=300&amp;year=2023"' in html
    assert 'href="/phat-hien/?unit=300&amp;year=2023"' in html


def test_it_refuses_an_unknown_sector_or_indicator(leader_client: Client) -> None:
    assert leader_client.get("/linh-vuc/khong_co/" + Q).status_code == 404
    assert leader_client.get("/xep-hang/KHONG.CO/" + Q).status_code == 404
    assert leader_client.get("/linh-vuc/nong_nghiep/?unit=300&year=abc").status_code == 400


def _commune_values(code: str) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for name, value in DataValue.objects.filter(
        indicator__code=code,
        org_unit__parent__code="300",
        period__code="2023",
        kind__in=["estimate", "final"],
    ).values_list("org_unit__name", "value"):
        out[name] = out.get(name, Decimal(0)) + value
    return out


def test_it_ranks_the_communes_best_first(leader_client: Client) -> None:
    code = "GT.CD_DUONG_THON_XOM"
    html = leader_client.get(f"/xep-hang/{code}/" + Q).content.decode()
    values = _commune_values(code)
    assert len(values) == 17
    expected = sorted(values, key=lambda n: (-values[n], n))
    shown = [_text(r) for r in _rows(html, "ranking")]
    assert [next(n for n in values if n in row) for row in shown] == expected
    assert shown[0].split()[0] == "1"
    chart = _chart(html, "chart-ranking")
    assert [i["name"] for i in chart["items"]] == expected
    decimals = dv.stored_catalog()[code].decimals
    assert [i["label"] for i in chart["items"]] == [core.format_vi(values[n], decimals) for n in expected]
    # the communes' sum differs from the district's figure (the seed's Lê Hồng 996 km): said, and linked
    assert "khác số của Huyện Thanh Miện" in html
    assert 'href="/phat-hien/?unit=300&amp;year=2023"' in html


def test_a_commune_with_only_a_breakdown_is_ranked_on_its_sum(leader_client: Client) -> None:
    code = "NN.DT_LUA_CAY_MAY_CX"
    html = leader_client.get(f"/xep-hang/{code}/" + Q).content.decode()
    values = _commune_values(code)
    parts = DataValue.objects.filter(indicator__code=code, org_unit__code="11275", period__code="2023")
    assert parts.count() > 1
    total = sum(p.value for p in parts)
    row = next(r for r in _rows(html, "ranking") if "Xã Ngũ Hùng" in r)
    assert core.format_vi(total, 0) in _text(row)
    assert "Tổng các phân tổ: = " in row
    for p in parts:
        assert f"/tai-lieu/thanh_mien_2023/#L{p.source_line}" in row
    assert len([r for r in _rows(html, "ranking") if "chưa có số liệu" not in r]) == len(values)


def test_the_sector_page_links_the_rankings_it_has(leader_client: Client) -> None:
    html = leader_client.get("/linh-vuc/giao_thong/" + Q).content.decode()
    assert 'href="/xep-hang/GT.CD_DUONG_THON_XOM/?unit=300&amp;year=2023"' in html
    farm = leader_client.get("/linh-vuc/nong_nghiep/" + Q).content.decode()
    assert "/xep-hang/GT.CD_DUONG_THON_XOM/" not in farm
    assert "/xep-hang/NN.DT_LUA_CAY_MAY_CX/" in farm


def test_the_findings_list_is_grouped_by_severity_with_links_to_each_value(leader_client: Client) -> None:
    html = leader_client.get("/phat-hien/" + Q).content.decode()
    unit = dv.org_unit_at("300", core.Period.year(2023).end)
    found = dv.findings_for(org_unit=unit, period=core.Period.year(2023))
    assert found
    text = unescape(html)
    for f in found:
        assert f.message in text
        for v in f.values:
            if v.document and v.line:
                assert f"/tai-lieu/{v.document}/#L{v.line}" in html
    severities = [s for s in ("error", "warning", "info") if any(f.severity.value == s for f in found)]
    positions = [html.index(f'<section id="{s}"') for s in severities]
    assert positions == sorted(positions)


def test_the_source_document_numbers_its_lines_and_marks_what_was_read(leader_client: Client) -> None:
    doc = SourceDocument.objects.get(key="thanh_mien_2023")
    html = leader_client.get("/tai-lieu/thanh_mien_2023/").content.decode()
    line = re.search(r'<div class="line has-cited" id="L56">(.*?)</div>', html, re.S)
    assert line, "line 56 carries values"
    assert '<mark class="cited"' in line.group(1) and ">14.739</mark>" in line.group(1)
    number, text = re.match(r'<a class="ln"[^>]*>(\d+)</a>(.*)', line.group(1), re.S).groups()  # type: ignore[union-attr]
    assert number == "56" and _text(text, "").strip() == doc.line(56).strip()
    assert html.count('class="line') == len(doc.text.split("\n"))
    assert leader_client.get("/tai-lieu/khong-co/").status_code == 404


def test_users_see_only_the_units_they_may(login: Callable[[str], Client]) -> None:
    commune = login("xa_ngohung")
    for url in ("/", "/linh-vuc/nong_nghiep/", "/xep-hang/GT.CD_DUONG_THON_XOM/", "/phat-hien/"):
        assert commune.get(url + Q).status_code == 403, url
    own = commune.get("/linh-vuc/nong_nghiep/?unit=11275&year=2023")
    assert own.status_code == 200
    options = re.findall(r'<option value="(\d+)"', own.content.decode().split('name="year"')[0])
    assert options == ["11275"]  # the district is not offered
    leader_options = re.findall(
        r'<option value="(\d+)"', login("lanhdao").get("/" + Q).content.decode().split('name="year"')[0]
    )
    assert leader_options[0] == "300" or "300" in leader_options
    assert len(leader_options) >= 18  # the district and its 17 communes


def test_a_user_without_any_unit_may_not_read_a_source_document(db: None) -> None:
    user = get_user_model().objects.create_user("khach", password="x-Khach-12345")
    client = Client()
    client.force_login(user)
    assert client.get("/tai-lieu/thanh_mien_2023/").status_code == 403


def _count(client: Client, url: str) -> int:
    fragments.clear()  # count the full drawing, not a page whose tables were kept
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_the_big_pages_take_the_same_few_queries_with_ten_years_of_data(
    leader_client: Client, login: Callable[[str], Client], django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    urls = ["/" + Q, "/linh-vuc/nong_nghiep/" + Q, "/linh-vuc/tai_chinh/" + Q, "/xep-hang/NN.DT_LUA/" + Q]
    before = {u: _count(leader_client, u) for u in urls}
    world = build_perf_world()
    assert world.units == 18 and len(world.years) == 10 and world.created > 20_000
    after = {u: _count(leader_client, u) for u in urls}
    assert after == before
    for client in (leader_client, login("tckh"), login("nongnghiep")):  # roles read access differently
        for u in urls:
            with django_assert_max_num_queries(PAGE_QUERY_BOUND):
                assert client.get(u).status_code == 200
    # and the data is really there: the trend runs over the ten years, the ranking over 17 communes
    html = leader_client.get("/linh-vuc/nong_nghiep/" + Q).content.decode()
    assert _chart(html, "chart-trend")["years"] == [str(y) for y in world.years]
    ranking = leader_client.get("/xep-hang/NN.DT_LUA/" + Q).content.decode()
    assert len(_chart(ranking, "chart-ranking")["items"]) == 17


def test_line_numbers_and_years_are_never_grouped_like_amounts(leader_client: Client) -> None:
    """Django's vi format groups thousands: 1526 must stay "L1526" in an anchor, 2023 a year."""
    far = DataValue.objects.filter(source_line__gte=1000).values_list("source_line", flat=True).first()
    assert far
    doc = leader_client.get("/tai-lieu/thanh_mien_2023/").content.decode()
    assert f'id="L{far}"' in doc and f'href="#L{far}"' in doc
    findings = leader_client.get("/phat-hien/" + Q).content.decode()
    assert re.search(r">dòng \d{4}</a>", findings) and not re.search(r">dòng \d\.\d{3}</a>", findings)
    sector = leader_client.get("/linh-vuc/nong_nghiep/" + Q).content.decode()
    assert '<option value="2023" selected>2023</option>' in sector and "2.023" not in sector


@pytest.mark.parametrize("url", ["/" + Q, "/linh-vuc/nong_nghiep/" + Q])
def test_a_database_failure_gets_the_503_page(
    leader_client: Client, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    from django.db import OperationalError

    def broken(**_kwargs: object) -> None:
        raise OperationalError("no such table: datavalues_datavalue")

    monkeypatch.setattr("ktxh.web.dashboard.selectors.summary", broken)
    response = leader_client.get(url)
    assert response.status_code == 503
    assert "ktxh init" in response.content.decode()


def test_a_year_without_data_shows_empty_pages_not_errors(leader_client: Client) -> None:
    for url in (
        "/?unit=300&year=2019",
        "/linh-vuc/nong_nghiep/?unit=300&year=2019",
        "/phat-hien/?unit=300&year=2019",
    ):
        response = leader_client.get(url)
        assert response.status_code == 200, url
    html = leader_client.get("/?unit=300&year=2019").content.decode()
    assert "0 chỉ tiêu có số liệu năm 2019" in html and 'id="chart-sectors"' not in html
    assert (
        "chưa có số liệu năm 2019"
        in leader_client.get("/linh-vuc/nong_nghiep/?unit=300&year=2019").content.decode()
    )
