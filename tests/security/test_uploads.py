"""Oversized uploads, zip bombs in XLSX and DOCX, and file names that try to leave their folder.

The entry spreadsheet upload checks sizes and the compression ratio before unzipping; the
report readers (``ktxh.extract.readers.read``, used by the report import) refuse a DOCX bomb
with a ReadError before python-docx inflates it, without the memory it would take.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from ktxh.web.datavalues.models import DataValue, ValueChange

from .conftest import Login

pytestmark = pytest.mark.django_db

FORM = "/nhap-lieu/300/2023/nong_nghiep/"
UPLOAD = FORM + "tai-len/"


def _download(client: Client) -> bytes:
    response = client.get(FORM + "tai-ve.xlsx")
    assert response.status_code == 200
    return response.content


def _with_member(data: bytes, name: str, size: int, fill: bytes = b"0") -> bytes:
    """The workbook with one more member of ``size`` bytes of one repeated byte (compresses ~1000×)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info.filename))
        with zout.open(name, "w", force_zip64=True) as f:
            block = fill * (1 << 20)
            for _ in range(size >> 20):
                f.write(block)
    return out.getvalue()


def _counts() -> tuple[int, int]:
    return DataValue.objects.count(), ValueChange.objects.count()


def _upload(client: Client, data: bytes, name: str = "bieu.xlsx") -> tuple[int, str]:
    response = client.post(UPLOAD, {"file": SimpleUploadedFile(name, data)}, follow=True)
    return response.status_code, response.content.decode()


def test_it_refuses_an_oversized_spreadsheet(login: Login) -> None:
    client = login("tckh")
    data = _download(client)
    before = _counts()
    with override_settings(KTXH_MAX_UPLOAD_BYTES=len(data) - 1):
        status, html = _upload(client, data)
    assert status == 200 and "Tệp quá lớn" in html
    assert _counts() == before
    assert not any(k.startswith("upload:") for k in client.session.keys())  # nothing kept for a later step


@pytest.mark.parametrize(
    ("member", "size"),
    [("xl/media/bomb.bin", 60 << 20), ("xl/worksheets/sheet9.xml", 8 << 20)],
    ids=["over-50MB", "ratio-over-100"],
)
def test_it_refuses_a_spreadsheet_zip_bomb(login: Login, member: str, size: int) -> None:
    client = login("tckh")
    bomb = _with_member(_download(client), member, size)
    assert len(bomb) < size / 100  # small on the wire
    before = _counts()
    status, html = _upload(client, bomb)
    assert status == 200 and "giải nén bất thường" in html
    assert _counts() == before


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04 not really a zip", b"<html>=cmd|' /C calc'!A0</html>", b"\x00" * 2048, b""],
    ids=["broken-zip", "html", "binary", "empty"],
)
def test_it_refuses_a_file_that_is_not_a_spreadsheet(login: Login, data: bytes) -> None:
    client = login("tckh")
    before = _counts()
    status, html = _upload(client, data)
    assert status == 200 and "msg-error" in html  # the form again with a message, never a 500
    assert _counts() == before


def test_it_refuses_a_request_body_over_the_form_limit(login: Login) -> None:
    client = login("tckh")
    body = "reason=" + "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)
    response = client.post(
        "/nhap-lieu/300/2023/duyet/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


def test_it_refuses_an_oversized_api_body(bearer: Callable[[str], dict[str, str]]) -> None:
    row = {"indicator": "NN.DAN_TRAU_BO", "value": "1", "comment": "x" * 400}
    rows = [row] * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 400 + 10)
    body = json.dumps({"unit": "300", "period": "2023", "rows": rows})
    before = _counts()
    response = Client().post("/api/values/bulk", body, content_type="application/json", **bearer("tckh"))
    assert response.status_code in (400, 413, 422)
    assert _counts() == before


# -- DOCX bombs for the report readers ---------------------------------------------------------------


def _docx_bomb(path: Path, megabytes: int) -> Path:
    """A real .docx whose document.xml inflates to ``megabytes`` MB of paragraphs."""
    from docx import Document

    buf = io.BytesIO()
    Document().save(buf)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                out.writestr(info, src.read(info.filename))
                continue
            head = src.read(info.filename).split(b"<w:body>")[0]
            with out.open("word/document.xml", "w", force_zip64=True) as f:
                f.write(head + b"<w:body>")
                para = b"<w:p><w:r><w:t>" + b"A" * 1000 + b"</w:t></w:r></w:p>"
                block = para * 1024
                for _ in range(megabytes):
                    f.write(block)
                f.write(b"</w:body></w:document>")
    return path


# VmHWM is the peak memory of this process image (getrusage would count the forked pytest too).
PROBE = """
import re, sys
from ktxh.extract.readers import read
from ktxh.extract.model import ReadError
try:
    read(sys.argv[1])
    print("READ")
except ReadError as exc:
    print("REFUSED", exc)
status = open("/proc/self/status").read()
print("RSS_MB", int(re.search(r"VmHWM:\\s+(\\d+)", status).group(1)) // 1024)
"""


def test_it_refuses_a_docx_zip_bomb_without_inflating_it(tmp_path: Path) -> None:
    bomb = _docx_bomb(tmp_path / "bao-cao.docx", 300)
    assert bomb.stat().st_size < 3 << 20
    # In a child process, so its peak memory is the reader's alone.
    run = subprocess.run(
        [sys.executable, "-c", PROBE, str(bomb)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    out = run.stdout
    assert "REFUSED" in out and "giải nén bất thường" in out, run.stdout + run.stderr
    rss = int(out.split("RSS_MB")[1])
    assert rss < 200, f"peak memory {rss} MB"


def test_it_still_reads_a_normal_docx(tmp_path: Path) -> None:
    from docx import Document

    from ktxh.extract.readers import read

    doc = Document()
    doc.add_paragraph("Diện tích gieo trồng cả năm đạt 14.739 ha, bằng 103,4% kế hoạch. " * 50)
    doc.add_paragraph("Tổng sản lượng lương thực đạt 85.600 tấn.")
    doc.save(str(tmp_path / "ok.docx"))
    text = "\n".join(p.text for p in read(tmp_path / "ok.docx").paragraphs)
    assert "14.739 ha" in text and "85.600 tấn" in text


@override_settings(KTXH_IMPORT_SYNC=True)
def test_it_refuses_a_docx_bomb_uploaded_as_a_past_report(login: Login, tmp_path: Path) -> None:
    from ktxh.web.imports.models import ImportJob

    client = login("tckh")
    bomb = _docx_bomb(tmp_path / "bomb.docx", 300).read_bytes()
    before = _counts()
    response = client.post(
        "/nhap-bao-cao/",
        {"unit": "300", "year": "2023", "file": SimpleUploadedFile("bao-cao.docx", bomb)},
        follow=True,
    )
    assert response.status_code < 500
    job = ImportJob.objects.order_by("-pk").first()
    assert job is not None  # stored, then read at once (KTXH_IMPORT_SYNC): the reading failed, saying why
    assert job.state == "failed" and "giải nén bất thường" in job.message
    from ktxh.web.imports.services import upload_dir

    (upload_dir() / job.stored_name).unlink(missing_ok=True)
    assert _counts() == before


# -- file names ---------------------------------------------------------------------------------------

EVIL_NAMES = [
    "../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "/etc/passwd",
    "....//....//etc/passwd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "bieu\x00.xlsx",
    "../" * 40 + "x.xlsx",
]


@pytest.mark.parametrize("name", EVIL_NAMES)
def test_it_writes_no_file_outside_its_folder_for_an_uploaded_name(
    login: Login, name: str, tmp_path: Path
) -> None:
    client = login("tckh")
    data = _download(client)
    home = Path(settings.HOME)
    before = {p for p in home.rglob("*")}
    passwd = Path("/etc/passwd").stat().st_mtime
    status, html = _upload(client, data, name=name)
    assert status < 500
    assert Path("/etc/passwd").stat().st_mtime == passwd
    created = {p for p in home.rglob("*")} - before
    assert not any("passwd" in p.name or p.name.endswith(("win.ini", "x.xlsx")) for p in created)
    assert not (home.parent / "x.xlsx").exists() and not Path("/x.xlsx").exists()


@override_settings(KTXH_IMPORT_SYNC=True)
@pytest.mark.parametrize("name", EVIL_NAMES[:4])
def test_it_keeps_an_uploaded_report_inside_the_upload_folder(login: Login, name: str) -> None:
    from ktxh.web.imports.models import ImportJob
    from ktxh.web.imports.services import upload_dir

    client = login("tckh")
    text = "Diện tích gieo trồng cả năm đạt 14.739 ha.\n".encode()
    response = client.post(
        "/nhap-bao-cao/", {"unit": "300", "year": "2023", "file": SimpleUploadedFile(name, text)}, follow=True
    )
    assert response.status_code < 500
    job = ImportJob.objects.order_by("-pk").first()
    assert job is not None
    folder = upload_dir().resolve()
    assert (folder / job.stored_name).resolve().parent == folder
    assert "/" not in job.stored_name and "\\" not in job.stored_name and ".." not in job.stored_name
    assert "/" not in job.original_name and "\\" not in job.original_name
    (folder / job.stored_name).unlink(missing_ok=True)


@pytest.mark.parametrize(
    "url",
    [
        "/static/../../../../etc/passwd",
        "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/static/ktxh/..%5c..%5c..%5cetc%5cpasswd",
        "/nhap-lieu/300/2023/nong_nghiep/..%2f..%2f..%2fetc%2fpasswd/tai-ve.xlsx",
        "/nhap-lieu/300/2023/..%2f..%2fetc%2fpasswd/tai-ve.xlsx",
        "/du-thao/300/2023/tai-ve.%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/tai-lieu/..%2f..%2fetc%2fpasswd/",
    ],
)
def test_it_serves_no_file_for_a_traversal_path(login: Login, url: str) -> None:
    response = login("tckh").get(url)
    assert response.status_code in (400, 403, 404)
    body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    assert b"root:" not in body


@pytest.mark.parametrize(("unit", "sector"), [("300", "nong_nghiep"), ("11275", "y_te")])
def test_it_names_downloads_safely(login: Login, unit: str, sector: str) -> None:
    response = login("tckh").get(f"/nhap-lieu/{unit}/2023/{sector}/tai-ve.xlsx")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    name = disposition.split("filename=")[1].strip('"')
    assert name == os.path.basename(name) and ".." not in name and "\\" not in name
    assert all(ch.isalnum() or ch in "-_." for ch in name)
