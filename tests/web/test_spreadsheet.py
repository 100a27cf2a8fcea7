"""Download the entry form as XLSX, fill it offline, upload it: dry run first, errors by row."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from ktxh.web.datavalues.models import DataValue, ValueChange

pytestmark = pytest.mark.django_db

FORM = "/nhap-lieu/300/2023/nong_nghiep/"


def _download(client: Client) -> bytes:
    response = client.get(FORM + "tai-ve.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def _edit(data: bytes, values: dict[str, object], kind: dict[str, str] | None = None) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    for row in ws.iter_rows(min_row=6):
        code = row[0].value
        if code in values:
            row[5].value = values[code]
        if kind and code in kind:
            row[6].value = kind[code]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(client: Client, data: bytes, name: str = "bieu.xlsx") -> str:
    response = client.post(FORM + "tai-len/", {"file": SimpleUploadedFile(name, data)}, follow=True)
    return response.content.decode()


def _token(html: str) -> str:
    return html.split('name="token" value="', 1)[1].split('"', 1)[0]


def test_the_downloaded_form_lists_the_sector_with_last_year_and_plan(login: Callable[[str], Client]) -> None:
    wb = load_workbook(io.BytesIO(_download(login("nongnghiep"))))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[5]]
    assert header[:6] == ["Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Năm trước", "Kế hoạch", "Giá trị"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=6)}
    stored = DataValue.objects.get(
        org_unit__code="300", period__code="2023", indicator__code="NN.DT_LUA", kind="estimate"
    )
    assert Decimal(str(rows["NN.DT_LUA"][5].value)) == stored.value
    assert rows["NN.DT_LUA"][8].value == stored.version
    assert wb["ktxh"].sheet_state == "hidden"


def test_an_upload_is_a_dry_run_listing_errors_by_row_and_stores_only_when_confirmed(
    login: Callable[[str], Client],
) -> None:
    client = login("nongnghiep")
    data = _edit(
        _download(client),
        {"NN.DAN_TRAU_BO": "2.755", "NN.DAN_LON": "41,000.5", "NN.DAN_GIA_CAM": 1070000},
        {"NN.DAN_GA": "tạm"},
    )
    before = ValueChange.objects.count()
    html = _upload(client, data)
    assert "Chưa có gì được lưu" in html
    assert "cột «Giá trị»: «41,000.5» không phải là số" in html
    assert ValueChange.objects.count() == before
    token = _token(html)
    # the whole file is not valid: "store all" is refused, "store the valid rows" works
    refused = client.post(FORM + "tai-len/", {"token": token, "mode": "all"}, follow=True).content.decode()
    assert "còn dòng lỗi" in refused
    assert ValueChange.objects.count() == before
    html = client.post(FORM + "tai-len/", {"token": token, "mode": "valid"}, follow=True).content.decode()
    assert "Đã lưu từ tệp" in html
    saved = {c.indicator.code: c for c in ValueChange.objects.filter(source="xlsx")}
    assert saved["NN.DAN_TRAU_BO"].new_value == Decimal("2755")
    assert saved["NN.DAN_GIA_CAM"].new_value == Decimal("1070000")
    assert "NN.DAN_LON" not in saved


def test_a_form_for_another_unit_is_refused(login: Callable[[str], Client]) -> None:
    commune_form = login("xa_ngohung").get("/nhap-lieu/11275/2023/nong_nghiep/tai-ve.xlsx").content
    html = _upload(login("nongnghiep"), commune_form)
    assert "không phải «300»" in html


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"not a spreadsheet", "không phải là tệp Excel"),
        (b"", "Chưa chọn tệp"),
    ],
)
def test_junk_is_refused_with_a_message(login: Callable[[str], Client], payload: bytes, message: str) -> None:
    assert message in _upload(login("nongnghiep"), payload)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(login: Callable[[str], Client]) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    html = _upload(login("nongnghiep"), out.getvalue())
    assert "giải nén bất thường" in html


def test_exported_text_that_looks_like_a_formula_is_written_as_text(login: Callable[[str], Client]) -> None:
    client = login("nongnghiep")
    from ktxh.web.datavalues.models import DataValue as DV

    value = DV.objects.get(
        org_unit__code="300", period__code="2023", indicator__code="NN.DAN_TRAU_BO", kind="estimate"
    )
    value.note = '=HYPERLINK("http://x")'
    value.save()
    wb = load_workbook(io.BytesIO(_download(client)))
    notes = [r[7].value for r in wb.worksheets[0].iter_rows(min_row=6) if r[0].value == "NN.DAN_TRAU_BO"]
    assert notes == ['\'=HYPERLINK("http://x")']
