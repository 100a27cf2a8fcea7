"""The English interface: the catalogue is complete and consistent, and the screens switch language.

Data (indicator, unit and sector names) stays Vietnamese; only the interface is translated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.test import Client

import ktxh.web

LC_MESSAGES = Path(ktxh.web.__file__).parent / "locale" / "en" / "LC_MESSAGES"

INDEX = "/nhap-lieu/"
FORM = "/nhap-lieu/300/2023/nong_nghiep/"
WORKFLOW = "/nhap-lieu/300/2023/duyet/"

# {name} (str.format) and %(name)s (Django templates, %-formatting); msgfmt --check covers the rest.
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}|%\([A-Za-z_][A-Za-z0-9_]*\)[sd]")


def _catalog() -> Catalog:
    with (LC_MESSAGES / "django.po").open("rb") as f:
        return read_po(f, locale="en")


def _messages(catalog: Catalog) -> Iterator[Message]:
    return (m for m in catalog if m.id)


def _ids(message: Message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, (tuple, list)) else (str(message.id),)


def _strings(message: Message) -> tuple[str, ...]:
    if isinstance(message.string, (tuple, list)):  # read_mo gives lists
        return tuple(message.string)
    return (message.string or "",)


def _english(login: Callable[[str], Client], username: str = "tckh") -> Client:
    client = login(username)
    response = client.post("/i18n/setlang/", {"language": "en", "next": INDEX})
    assert response.status_code == 302 and response["Location"] == INDEX
    return client


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    html = str(response.content.decode())
    assert '<html lang="en">' in html
    return html


# --- the catalogue ---------------------------------------------------------------------------------------


def test_every_message_has_an_english_translation() -> None:
    catalog = _catalog()
    messages = list(_messages(catalog))
    assert len(messages) > 300
    untranslated = [m.id for m in messages if not all(s.strip() for s in _strings(m))]
    assert untranslated == []
    assert [m.id for m in messages if m.fuzzy] == [] and not catalog.fuzzy


def test_the_header_declares_english_and_its_plural_rule() -> None:
    catalog = _catalog()
    headers = dict(catalog.mime_headers)
    assert headers["Language"] == "en"
    assert headers["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert "charset=utf-8" in headers["Content-Type"].lower()
    for message in _messages(catalog):
        if message.pluralizable:
            assert len(_strings(message)) == 2, message.id


def test_translations_keep_every_placeholder() -> None:
    wrong = []
    for message in _messages(catalog := _catalog()):
        wanted = sorted(PLACEHOLDER.findall(_ids(message)[-1]))
        for text in _strings(message):
            if sorted(PLACEHOLDER.findall(text)) != wanted:
                wrong.append((message.id, text))
    assert catalog and wrong == []


def test_translations_are_english_not_copied_vietnamese() -> None:
    # Vietnamese-only letters; the spreadsheet messages may quote Vietnamese column names in «…».
    vietnamese = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
    leftovers = [
        (m.id, s)
        for m in _messages(_catalog())
        for s in _strings(m)
        if vietnamese.search(re.sub(r"«[^»]*»|\bước\b|\bchính thức\b", "", s)) and s != "Tiếng Việt"
    ]
    assert leftovers == []


def test_the_compiled_catalogue_matches_the_po_file() -> None:
    with (LC_MESSAGES / "django.mo").open("rb") as f:
        compiled = read_mo(f)
    stale = []
    for message in _messages(_catalog()):
        entry = compiled.get(message.id)
        if entry is None or _strings(entry) != _strings(message):
            stale.append(message.id)
    assert stale == [], "run compilemessages -l en"


# --- the screens -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_entry_index_in_english(login: Callable[[str], Client]) -> None:
    html = _page(_english(login), INDEX)
    for text in ("Data entry for 2023", ">Year</label>", ">Show</button>", ">Status</th>", "Entry by sector"):
        assert text in html, text
    for text in ("Nhập số liệu", "Trạng thái", "Nhập theo lĩnh vực", "Đăng xuất"):
        assert text not in html, text
    assert "Log out" in html and "Huyện Thanh Miện" in html  # data stays Vietnamese


@pytest.mark.django_db
def test_the_entry_form_in_english(login: Callable[[str], Client]) -> None:
    html = _page(_english(login), FORM)
    for text in (
        ">Indicator</th>",
        ">Unit of measure</th>",
        ">Previous year</th>",
        ">% of plan</th>",
        "Compared with previous year",
        "Save figures",
        "Download the Excel form",
    ):
        assert text in html, text
    assert re.search(r'<option value="estimate"[^>]*>Estimate</option>', html)
    assert re.search(r'<option value="final"[^>]*>Final</option>', html)
    for text in ("Chỉ tiêu</th>", "Năm trước", "Lưu số liệu", "Tải biểu Excel về", "% KH"):
        assert text not in html, text


@pytest.mark.django_db
def test_the_workflow_page_in_english(login: Callable[[str], Client]) -> None:
    html = _page(_english(login), WORKFLOW)
    for text in (
        "← List of units",
        "Workflow: Draft → Submitted → Approved → Locked",
        ">Subordinate units</h2>",
        ">Steps taken</h2>",
        'value="submit" class="primary">Submit for approval</button>',
    ):
        assert text in html, text
    assert re.search(r'id="state">(Draft|Submitted|Approved|Locked)<', html)
    for text in ("Danh sách đơn vị", "Đơn vị cấp dưới", "Các bước đã thực hiện", "Đang nhập"):
        assert text not in html, text


@pytest.mark.django_db
def test_switching_back_to_vietnamese(login: Callable[[str], Client]) -> None:
    client = _english(login)
    client.post("/i18n/setlang/", {"language": "vi", "next": INDEX})
    html = client.get(WORKFLOW).content.decode()
    assert "Danh sách đơn vị" in html and "List of units" not in html


def test_a_browser_set_to_english_still_gets_vietnamese_until_the_user_chooses(login) -> None:  # type: ignore[no-untyped-def]
    client = login("tckh")
    html = client.get("/nhap-lieu/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Nhập số liệu" in html


# --- the dashboards, drafting and import pages -----------------------------------------------------------

OVERVIEW = "/?unit=300&year=2023"
SECTOR = "/linh-vuc/nong_nghiep/?unit=300&year=2023"
DRAFTING = "/du-thao/"
IMPORTS = "/nhap-bao-cao/"


def _english_at(login: Callable[[str], Client], username: str = "tckh") -> Client:
    client = login(username)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    return client


def _nav(html: str) -> str:
    found = re.search(r'<nav aria-label="Main navigation">(.*?)</nav>', html, re.S)
    assert found, "the main navigation is missing or its label is not translated"
    return found.group(1)


def _assert_english_nav(html: str) -> None:
    nav = _nav(html)
    for text in (
        ">Overview</a>",
        ">Data entry</a>",
        ">Draft report</a>",
        ">Import past reports</a>",
        "Log out",
    ):
        assert text in nav, text
    for text in ("Tổng quan", "Nhập số liệu", "Dự thảo báo cáo", "Nhập báo cáo cũ", "Đăng xuất"):
        assert text not in nav, text


@pytest.mark.django_db
def test_the_overview_in_english(login: Callable[[str], Client]) -> None:
    html = _page(_english_at(login), OVERVIEW)
    _assert_english_nav(html)
    for text in (
        ">Plan attainment by sector</h2>",
        ">Detail page of each sector</h2>",
        ">Code</th>",
        ">Indicator</th>",
        ">Unit of measure</th>",
        ">Plan 2023</th>",
        ">Actual 2023</th>",
        ">% of plan</th>",
        ">Assessment</th>",
        ">Compared with 2022</th>",
        "indicators have figures for",
        "Details, charts ›",
    ):
        assert text in html, text
    for text in (
        "Mức độ thực hiện kế hoạch",
        "Trang chi tiết của từng lĩnh vực",
        "Đơn vị tính",
        "Đánh giá",
        "So với",
    ):
        assert text not in html, text
    assert "Huyện Thanh Miện" in html and "Nông nghiệp, nông thôn" in html  # data stays Vietnamese
    statuses = set(re.findall(r'class="status st-(?:up|ok|down)">([^<]*)</td>', html))
    assert statuses and statuses <= {"exceeded", "met", "missed"}, statuses


@pytest.mark.django_db
def test_a_sector_page_in_english(login: Callable[[str], Client]) -> None:
    html = _page(_english_at(login), SECTOR)
    _assert_english_nav(html)
    for text in (
        "<h1>Nông nghiệp, nông thôn</h1>",
        ">Other sectors</summary>",
        ">Attainment against the plan</h2>",
        ">Increase or decrease compared with 2022</h2>",
        ">Actual 2023</th>",
        ">History</th>",
        ">view</a>",
    ):
        assert text in html, text
    for text in ("Lĩnh vực khác", "Tỷ lệ thực hiện so với kế hoạch", "Lịch sử</th>", ">xem</a>"):
        assert text not in html, text


@pytest.mark.django_db
def test_the_drafting_index_in_english(login: Callable[[str], Client]) -> None:
    html = _page(_english_at(login), DRAFTING)
    _assert_english_nav(html)
    assert re.search(r"<h1>Report drafting \d{4}</h1>", html)
    assert ">Year <input" in html and ">Show</button>" in html
    assert "Socio-economic report" in html or "There is no report you can view for this year." in html
    for text in ("Soạn thảo báo cáo", "Báo cáo kinh tế - xã hội năm", "Chưa có báo cáo nào"):
        assert text not in html, text


@pytest.mark.django_db
def test_the_import_page_in_english(login: Callable[[str], Client]) -> None:
    html = _page(_english_at(login), IMPORTS)
    _assert_english_nav(html)
    for text in (
        "<h1>Import figures from past reports</h1>",
        "Upload a socio-economic report that has already been issued.",
        ">Upload and read the file</button>",
        "At most ",
        "Reporting unit",
        "Report file (.txt, .docx or .pdf)",
    ):
        assert text in html, text
    for text in ("Nhập số liệu từ báo cáo cũ", "Tải lên và đọc tệp", "Tối đa", "Đơn vị báo cáo"):
        assert text not in html, text
