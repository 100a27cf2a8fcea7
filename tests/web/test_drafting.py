"""The drafting screen: the section tree, who writes which section, previews with computed
numbers, versions and their diff, restore, conflicts, refused texts, and the generated files."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import docx
import openpyxl
import pytest
from django.test import Client

from ktxh import core, report
from ktxh.web.datavalues.models import DataValue
from ktxh.web.datavalues.selectors import org_unit_at
from ktxh.web.drafting import services
from ktxh.web.drafting.models import SectionText
from ktxh.web.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db

BASE = "/du-thao/300/2023/"
NEW_SENTENCE = "Câu thử nghiệm của phòng: diện tích lúa cả năm {{ v('NN.DT_LUA') }}."


def _district() -> OrgUnit:
    return org_unit_at("300", date(2023, 12, 31))


def _tree() -> list[services.DraftSection]:
    ref = services.template_for(_district(), 2023)
    return [s for top in services.section_tree(ref.doc, services.SectorDirectory.load()) for s in top.walk()]


def _sec(heading: str, under: str = "Phần I") -> services.DraftSection:
    """The first section whose heading starts with ``heading``, in the part ``under``."""
    return next(s for s in _tree() if s.heading.startswith(heading) and s.key.startswith(_tree_part(under)))


def _tree_part(under: str) -> str:
    return next(s.key for s in _tree() if s.level == 0 and s.heading == under)


def _url(sec: services.DraftSection, tail: str = "") -> str:
    return f"{BASE}muc/{sec.key}/{tail}"


def _stored_value(code: str) -> DataValue:
    return DataValue.objects.filter(
        org_unit__code="300",
        indicator__code=code,
        period__code="2023",
        kind__in=["final", "estimate"],
        category="",
    ).get()


def _expected(code: str) -> str:
    """The value as a Vietnamese reader expects it, computed here from the stored row."""
    row = _stored_value(code)
    return f"{core.format_vi(row.value, row.indicator.decimals)} {row.indicator.unit.symbol}"


def _save(client: Client, sec: services.DraftSection, text: str, base: int | None = None) -> Any:
    if base is None:
        base = (
            SectionText.objects.filter(section=sec.key, org_unit__code="300", year=2023)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
            or 0
        )
    return client.post(_url(sec), {"text": text, "base_version": base, "action": "save"})


def _versions(sec: services.DraftSection) -> list[SectionText]:
    return list(
        SectionText.objects.filter(section=sec.key, org_unit__code="300", year=2023).order_by("version")
    )


# -- the tree and the mapping section → sector ------------------------------------------------------------
def test_the_tree_lists_the_templates_sections_and_marks_what_the_office_may_write(
    login: Callable[[str], Client],
) -> None:
    html = login("nongnghiep").get(BASE).content.decode()
    assert "1.1. Sản xuất nông nghiệp:" in html and "2.1. Công nghiệp:" in html
    assert "Phần II" in html and "IV. CẢI CÁCH HÀNH CHÍNH VÀ XÂY DỰNG CHÍNH QUYỀN" in html
    # the agriculture office's page opens on its first section, with an editor
    assert "<textarea" in html and "1.1. Sản xuất nông nghiệp:" in html.split('id="sec-heading"')[1][:200]
    items = re.findall(r'<li class="lvl-\d[^"]*">\s*<a [^>]*>([^<]+)</a>\s*(<span class="badge edit")?', html)
    editable = {h for h, badge in items if badge}
    assert "1.1. Sản xuất nông nghiệp:" in editable and "1.2. Xây dựng nông thôn mới:" in editable
    assert "2.1. Công nghiệp:" not in editable and "Phần I" not in editable


def test_sections_map_to_the_sectors_their_office_owns_and_their_text_quotes() -> None:
    assert _sec("1.1. Sản xuất nông nghiệp").sectors == {"nong_nghiep"}  # NNPTNT, inherited
    assert _sec("2.1. Công nghiệp").sectors == {"cong_nghiep"}  # KTHT owns five; the text quotes CN.*
    assert _sec("2.2. Xây dựng").sectors == {"xay_dung"}
    assert _sec("4.2. Tín dụng").sectors == {"tin_dung"}
    # no office of its own, among sections that name theirs: the sectors its text quotes
    assert _sec("3. Công tác tiếp dân").sectors == {"thanh_tra", "tu_phap", "thi_hanh_an"}
    # a summary among summaries stays with the planning office
    assert _sec("1.2. Lĩnh vực văn hóa - xã hội").sectors <= {"tong_hop", "tai_chinh"}


def test_an_explicit_sectors_key_in_the_template_wins() -> None:
    template = {
        "report": {},
        "sections": [
            {
                "heading": "Phần I",
                "office": "TCKH",
                "sections": [
                    {"heading": "1. Việc chung", "sectors": ["y_te", "giao_duc"], "paragraphs": ["x"]}
                ],
            }
        ],
    }
    tree = services.section_tree(template, services.SectorDirectory.load())
    assert tree[0].children[0].sectors == {"y_te", "giao_duc"}
    assert tree[0].children[0].key == "phan-i.1-viec-chung"


# -- permissions -------------------------------------------------------------------------------------------
def test_an_office_edits_its_own_section(login: Callable[[str], Client]) -> None:
    sec = _sec("1.1. Sản xuất nông nghiệp")
    response = _save(login("nongnghiep"), sec, sec.template_text + "\n\n" + NEW_SENTENCE)
    assert response.status_code == 302
    [v1] = _versions(sec)
    assert (v1.version, v1.author.username) == (1, "nongnghiep")
    assert v1.text.endswith(NEW_SENTENCE)


def test_an_office_may_not_edit_another_offices_section(login: Callable[[str], Client]) -> None:
    client = login("nongnghiep")
    sec = _sec("2.1. Công nghiệp")
    page = client.get(_url(sec)).content.decode()
    assert page.count("<textarea") == 0 and "Bạn chỉ được xem mục này" in page
    response = _save(client, sec, "Ngành công nghiệp tăng trưởng mạnh.")
    assert response.status_code == 403
    assert "Bạn không có quyền sửa mục «2.1. Công nghiệp:»" in response.content.decode()
    assert _versions(sec) == []


def test_a_commune_does_not_see_the_districts_draft(login: Callable[[str], Client]) -> None:
    # a draft is work in progress of the district's offices; the commune gets the issued report
    sec = _sec("1.1. Sản xuất nông nghiệp")
    assert login("xa_ngohung").get(_url(sec)).status_code == 403
    assert _save(login("xa_ngohung"), sec, "Sửa trái phép.").status_code == 403


@pytest.mark.parametrize("username", ["lanhdao"])
def test_leaders_and_communes_read_but_do_not_write(login: Callable[[str], Client], username: str) -> None:
    client = login(username)
    sec = _sec("1.1. Sản xuất nông nghiệp")
    page = client.get(_url(sec))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<textarea" not in html and 'class="badge edit"' not in html
    assert _expected("NN.DT_GIEO_TRONG") in html  # the preview of the section is there to read
    assert _save(client, sec, "Sửa trái phép.").status_code == 403
    restore = client.post(_url(sec, "phien-ban/"), {"version": 0, "base_version": 0})
    assert restore.status_code == 403
    assert _versions(sec) == []


def test_the_planning_office_writes_every_section(login: Callable[[str], Client]) -> None:
    client = login("tckh")
    for heading in ("2.1. Công nghiệp", "3. Công tác tiếp dân", "Phần I"):
        sec = _sec(heading)
        assert (
            _save(
                client, sec, sec.template_text + "\n\nĐoạn bổ sung của Phòng Tài chính - Kế hoạch."
            ).status_code
            == 302
        )
        assert len(_versions(sec)) == 1


def test_a_commune_may_not_open_another_districts_report(login: Callable[[str], Client]) -> None:
    assert login("xa_ngohung").get("/du-thao/288/2023/").status_code in (403, 404)


def test_a_unit_without_a_template_says_so(login: Callable[[str], Client]) -> None:
    response = login("tckh").get("/du-thao/11275/2023/")
    assert response.status_code == 404
    assert "Chưa có mẫu báo cáo cho Xã Ngũ Hùng năm 2023" in response.content.decode()


# -- previews ----------------------------------------------------------------------------------------------
def test_the_live_preview_renders_typed_text_with_current_numbers_and_saves_nothing(
    login: Callable[[str], Client],
) -> None:
    sec = _sec("1.1. Sản xuất nông nghiệp")
    response = login("nongnghiep").post(_url(sec, "xem-thu/"), {"text": NEW_SENTENCE})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'diện tích lúa cả năm <mark class="gen">{_expected("NN.DT_LUA")}</mark>.' in html
    assert _versions(sec) == []


def test_an_edit_shows_in_the_whole_report_preview_with_computed_numbers_and_footnotes(
    login: Callable[[str], Client],
) -> None:
    client = login("nongnghiep")
    sec = _sec("1.1. Sản xuất nông nghiệp")
    assert _save(client, sec, NEW_SENTENCE + "\n\n" + sec.template_text).status_code == 302
    html = client.get(BASE + "xem-truoc/").content.decode()
    assert (
        f'Câu thử nghiệm của phòng: diện tích lúa cả năm <mark class="gen">{_expected("NN.DT_LUA")}</mark>.'
        in html
    )
    assert "{{" not in html  # every call rendered
    assert 'id="fn-1"' in html and 'href="#fn-1"' in html  # footnotes, linked both ways
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html and "Nơi nhận:" in html
    # the edited paragraph comes first in its section, before the template's first sentence
    body = html.split(">1.1. Sản xuất nông nghiệp:")[1]
    assert body.index("Câu thử nghiệm") < body.index("Sản xuất nông nghiệp năm 2023")


def test_the_preview_follows_the_stored_values(login: Callable[[str], Client]) -> None:
    client = login("nongnghiep")
    sec = _sec("1.1. Sản xuất nông nghiệp")
    _save(client, sec, NEW_SENTENCE)
    row = _stored_value("NN.DT_LUA")
    DataValue.objects.filter(pk=row.pk).update(value=row.value + Decimal(1000))
    html = client.get(_url(sec)).content.decode()
    new = core.format_vi(row.value + Decimal(1000), row.indicator.decimals)
    assert f'diện tích lúa cả năm <mark class="gen">{new} {row.indicator.unit.symbol}</mark>' in html


# -- versions, diff, restore --------------------------------------------------------------------------------
def test_every_save_is_a_new_version_with_a_readable_diff_and_a_restore(
    login: Callable[[str], Client],
) -> None:
    client = login("nongnghiep")
    sec = _sec("1.2. Xây dựng nông thôn mới")
    first = "Chỉ đạo quyết liệt việc xây dựng nông thôn mới nâng cao."
    second = "Chỉ đạo đồng bộ việc xây dựng nông thôn mới kiểu mẫu."
    assert _save(client, sec, first).status_code == 302
    assert _save(client, sec, second).status_code == 302
    assert [(v.version, v.text) for v in _versions(sec)] == [(1, first), (2, second)]

    page = client.get(_url(sec, "phien-ban/")).content.decode()
    assert "Phòng Nông nghiệp và PTNT huyện" in page and "Khôi phục phiên bản 1" in page
    assert "<del>quyết liệt</del>" in page and "<ins>đồng bộ</ins>" in page  # 2 against 1 by default
    assert "<del>nâng cao.</del><ins>kiểu mẫu.</ins>" in page
    against_template = client.get(_url(sec, "phien-ban/"), {"a": 0, "b": 1}).content.decode()
    assert "<ins>" in against_template and "<del>" in against_template

    response = client.post(_url(sec, "phien-ban/"), {"version": 1, "base_version": 2})
    assert response.status_code == 302
    restored = _versions(sec)[-1]
    assert (restored.version, restored.text, restored.restored_from) == (3, first, 1)
    assert restored.note == "Khôi phục phiên bản 1"
    client.post(_url(sec, "phien-ban/"), {"version": 0, "base_version": 3})
    assert _versions(sec)[-1].text == sec.template_text
    assert len(_versions(sec)) == 4  # nothing was overwritten


def test_saving_the_same_text_makes_no_version(login: Callable[[str], Client]) -> None:
    client = login("nongnghiep")
    sec = _sec("1.2. Xây dựng nông thôn mới")
    response = _save(client, sec, sec.template_text)
    assert response.status_code == 302 and _versions(sec) == []


def test_the_second_of_two_concurrent_saves_is_refused_and_shows_the_others_text(
    login: Callable[[str], Client],
) -> None:
    office, planning = login("nongnghiep"), login("tckh")
    sec = _sec("1.1. Sản xuất nông nghiệp")
    theirs = "Bản của phòng Nông nghiệp: năng suất lúa {{ v('NN.NS_LUA') }}."
    mine = "Bản của phòng Tài chính - Kế hoạch."
    assert _save(office, sec, theirs, base=0).status_code == 302
    response = _save(planning, sec, mine, base=0)  # opened before the office saved
    assert response.status_code == 409
    html = response.content.decode()
    assert "Bản của phòng Nông nghiệp: năng suất lúa" in html  # their text, shown
    assert "Phòng Nông nghiệp và PTNT huyện" in html and "phiên bản 1" in html
    assert mine in html  # mine is kept in the editor
    assert 'name="base_version" value="1"' in html
    assert "Bài của bạn so với bài của họ" in html and "<ins>" in html  # what differs, word by word
    assert [v.text for v in _versions(sec)] == [theirs]
    # after reading theirs, the second save is on top of version 1
    assert _save(planning, sec, theirs + "\n\n" + mine, base=1).status_code == 302
    assert [v.version for v in _versions(sec)] == [1, 2]


# -- refused texts --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Diện tích lúa {{ v('NN.DT_LUA' }} ha.", "viết sai cú pháp"),
        ("Diện tích {{ v('NN.KHONG_CO_CHI_TIEU') }}.", "NN.KHONG_CO_CHI_TIEU"),
        ("Diện tích {{ v('NN.DT_LUA') }.", "thiếu dấu đóng"),
        ("Chú thích {{ fn('khong_co_chu_thich') }}.", "khong_co_chu_thich"),
        ("Hàm lạ {{ open('/etc/passwd') }}.", "«open» không phải là lời gọi số liệu"),
        ("Thiếu mã {{ ratio('NN.DT_LUA') }}.", "lời gọi ratio() còn thiếu tham số"),
    ],
)
def test_a_text_that_does_not_render_is_refused_with_the_section_named(
    login: Callable[[str], Client], text: str, says: str
) -> None:
    sec = _sec("1.1. Sản xuất nông nghiệp")
    response = _save(login("nongnghiep"), sec, sec.template_text + "\n\n" + text)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Chưa lưu." in html and "Mục «1.1. Sản xuất nông nghiệp:», đoạn 10" in html and says in html
    assert text.split("{{")[0] in html  # the text typed is kept in the editor
    assert _versions(sec) == []


@pytest.mark.parametrize(
    "text",
    [
        "{{ v.__globals__ }}",
        "{{ v.__globals__['__builtins__']['__import__']('os').getcwd() }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
        "{{ 'x' * 100000000000 }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ v }}",
        "{{ lipsum(1) }}",
    ],
)
def test_template_code_cannot_reach_python(login: Callable[[str], Client], text: str) -> None:
    sec = _sec("1.1. Sản xuất nông nghiệp")
    client = login("tckh")
    response = _save(client, sec, text)
    html = response.content.decode()
    assert response.status_code == 400 and "Mục «1.1. Sản xuất nông nghiệp:», đoạn 1" in html
    assert "<module" not in html and "__builtins__" not in html.replace(text, "").replace(
        "&#x27;__builtins__&#x27;", ""
    )
    assert "uid=" not in html and "/work" not in html
    assert "bound method" not in html and "object at 0x" not in html
    assert _versions(sec) == []
    preview = client.post(_url(sec, "xem-thu/"), {"text": text}).content.decode()
    assert "Không hiển thị được" in preview and "uid=" not in preview


def test_the_renderers_own_sandbox_refuses_internals_too() -> None:
    template = {"report": {}, "sections": [{"heading": "X", "paragraphs": ["{{ v.__globals__ }}"]}]}
    data = services.report_data(_district(), 2023)
    with pytest.raises(report.TemplateProblem, match="Mục «X», đoạn 1"):
        report.render(template, data)


# -- files -------------------------------------------------------------------------------------------------------
def test_the_generated_docx_carries_the_edited_text(login: Callable[[str], Client]) -> None:
    client = login("nongnghiep")
    sec = _sec("1.1. Sản xuất nông nghiệp")
    _save(client, sec, sec.template_text + "\n\n" + NEW_SENTENCE)
    response = client.get(BASE + "tai-ve.docx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-ktxh-300-2023.docx"'
    document = docx.Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    wanted = f"Câu thử nghiệm của phòng: diện tích lúa cả năm {_expected('NN.DT_LUA')}."
    assert wanted in texts
    assert not any("{{" in t or "\x01" in t for t in texts)
    # the template's text around it is still there
    assert any(t.startswith("Sản xuất nông nghiệp năm 2023 khá thuận lợi") for t in texts)


def test_the_xlsx_appendix_and_the_provenance_download(login: Callable[[str], Client]) -> None:
    client = login("lanhdao")
    xlsx = client.get(BASE + "tai-ve.xlsx")
    assert xlsx.status_code == 200
    assert "Nông nghiệp, nông thôn" in openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames
    prov = json.loads(client.get(BASE + "tai-ve.json").content)
    assert prov["unit"] == "300" and len(prov["numbers"]) > 500
    assert not any("\x01" in n["text"] for n in prov["numbers"])


def test_without_libreoffice_the_pdf_button_explains(
    login: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    client = login("tckh")
    page = client.get(BASE).content.decode()
    assert "tai-ve.pdf" not in page and "máy chủ chưa cài LibreOffice" in page
    response = client.get(BASE + "tai-ve.pdf", follow=True)
    assert "chưa cài LibreOffice" in response.content.decode()
    assert response.redirect_chain and response.redirect_chain[-1][0] == BASE


def _office(username: str, sectors: list[str]) -> Client:
    """A specialised office of the district that owns ``sectors`` (not one of the demo accounts)."""
    from django.contrib.auth import get_user_model

    from ktxh.web.accounts.models import Membership
    from ktxh.web.catalog.models import Sector

    user = get_user_model().objects.create_user(username=username, first_name="Phòng", last_name=username)
    membership = Membership.objects.create(user=user, role="office", org_unit_code="300")
    membership.sectors.set(Sector.objects.filter(code__in=sectors))
    client = Client()
    client.force_login(user)
    return client


def test_an_office_owning_several_sectors_writes_only_the_sections_of_its_own() -> None:
    construction = _office("xaydung", ["xay_dung"])
    assert _save(construction, _sec("2.2. Xây dựng"), "Ngành xây dựng phát triển ổn định.").status_code == 302
    assert _save(construction, _sec("2.1. Công nghiệp"), "Công nghiệp tăng.").status_code == 403
    inspection = _office("thanhtra", ["thanh_tra"])
    sec = _sec("3. Công tác tiếp dân")
    assert _save(inspection, sec, sec.template_text + "\n\nThanh tra huyện bổ sung.").status_code == 302
    assert (
        _save(inspection, _sec("1.1. Sản xuất nông nghiệp"), "Không phải việc của thanh tra.").status_code
        == 403
    )


def test_the_index_lists_the_reports_the_user_may_open(login: Callable[[str], Client]) -> None:
    html = login("tckh").get("/du-thao/").content.decode()
    assert 'href="/du-thao/300/2023/"' in html and "Huyện Thanh Miện" in html
    commune = login("xa_ngohung").get("/du-thao/").content.decode()
    assert 'href="/du-thao/300/2023/"' not in commune  # a commune sees its own unit's figures only


@pytest.mark.skipif(not __import__("shutil").which("soffice"), reason="LibreOffice is not installed")
def test_the_pdf_is_made_by_libreoffice_from_the_stored_texts(login: Callable[[str], Client]) -> None:
    import pdfplumber

    client = login("nongnghiep")
    sec = _sec("1.2. Xây dựng nông thôn mới")
    _save(client, sec, "Kiemtrapdf nông thôn mới.")
    response = client.get(BASE + "tai-ve.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages[:8])
    assert "Kiemtrapdf nông thôn mới." in text


def test_a_save_based_on_a_version_that_does_not_exist_is_refused(login: Callable[[str], Client]) -> None:
    sec = _sec("1.2. Xây dựng nông thôn mới")
    response = _save(login("nongnghiep"), sec, "Nội dung mới.", base=5)
    assert response.status_code == 400
    assert "chưa có phiên bản 5" in response.content.decode()
    assert _versions(sec) == []


# -- footnotes, edited with the section that first refers to them ---------------------------------------------
def test_a_section_carries_and_edits_the_bodies_of_its_footnotes(login: Callable[[str], Client]) -> None:
    import zipfile

    client = login("nongnghiep")
    sec = _sec("1.1. Sản xuất nông nghiệp")
    key = next(iter(sec.footnotes))
    assert f"[^{key}]: " in sec.template_text
    old_body = " ".join(sec.footnotes[key].split())
    new_body = "Chú thích đã sửa: diện tích lúa {{ v('NN.DT_LUA') }} trên toàn huyện."
    assert _save(client, sec, sec.template_text.replace(old_body, new_body)).status_code == 302
    shown = (
        f'Chú thích đã sửa: diện tích lúa <mark class="gen">{_expected("NN.DT_LUA")}</mark> trên toàn huyện.'
    )
    assert shown in client.get(BASE + "xem-truoc/").content.decode()
    with zipfile.ZipFile(io.BytesIO(client.get(BASE + "tai-ve.docx").content)) as z:
        notes = z.read("word/footnotes.xml").decode()
    assert f"diện tích lúa {_expected('NN.DT_LUA')} trên toàn huyện" in notes
    page = client.get(_url(sec, "phien-ban/")).content.decode()
    assert "<ins>Chú thích đã sửa:" in page


def test_a_footnote_is_edited_only_in_its_own_section_and_new_ones_may_be_added(
    login: Callable[[str], Client],
) -> None:
    client = login("nongnghiep")
    owner, other = _sec("1.1. Sản xuất nông nghiệp"), _sec("1.2. Xây dựng nông thôn mới")
    key = next(iter(owner.footnotes))
    response = _save(client, other, other.template_text + f"\n\n[^{key}]: Chép đè chú thích của mục khác.")
    assert response.status_code == 400
    assert f"chú thích «{key}» thuộc mục «1.1. Sản xuất nông nghiệp:»" in response.content.decode()
    added = (
        "Có thêm chú thích{{ fn('ntm_moi') }}.\n\n[^ntm_moi]: Chú thích mới của mục: {{ v('NN.DT_LUA') }}."
    )
    assert _save(client, other, other.template_text + "\n\n" + added).status_code == 302
    html = client.get(_url(other)).content.decode()
    assert f'Chú thích mới của mục: <mark class="gen">{_expected("NN.DT_LUA")}</mark>.' in html
    bad = _save(client, other, "Sai trong chú thích{{ fn('x1') }}.\n\n[^x1]: {{ v('NN.KHONG_CO') }}")
    assert bad.status_code == 400
    assert "Mục «1.2. Xây dựng nông thôn mới:», chú thích «x1»: " in bad.content.decode()
