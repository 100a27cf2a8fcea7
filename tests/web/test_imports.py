"""Import review (/nhap-bao-cao/): upload a past report, follow its reading, review its facts,
import them with provenance and audit; permissions; bad files; progress.

Setup: the world "Thanh Miện 2023 loaded" already holds the seed's 2023 figures, so importing
the seed itself into 2023 would mostly restate them ("không đổi"). The tests upload a copy of
the seed with every year moved back two years (2023 → 2021, 2022 → 2020, 2024 → 2022): the same
text and facts, for a year the demo holds nothing in, so every accepted fact visibly lands.
The reading job runs synchronously here (``KTXH_IMPORT_SYNC``) so tests never race a thread.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

SEED = Path(__file__).resolve().parents[2] / "ktxh/data/demo/thanh_mien_2023/source.txt"
_SHIFT = {"2022": "2020", "2023": "2021", "2024": "2022"}


def seed_2021() -> bytes:
    text = SEED.read_text(encoding="utf-8")
    return re.sub(r"202[234]", lambda m: _SHIFT[m.group(0)], text).encode("utf-8")


@pytest.fixture(autouse=True)
def _sync_jobs(settings: Any, tmp_path: Path) -> None:
    settings.KTXH_IMPORT_SYNC = True
    settings.HOME = tmp_path


def upload(
    client: Client, data: bytes, name: str = "bao-cao-2021.txt", unit: str = "300", year: int = 2021
) -> Any:
    return client.post(
        "/nhap-bao-cao/", {"unit": unit, "year": str(year), "file": SimpleUploadedFile(name, data)}
    )


def latest_job() -> Any:
    from ktxh.web.imports.models import ImportJob

    return ImportJob.objects.order_by("-pk").first()


# -- the whole review ---------------------------------------------------------------------------


def test_it_imports_reviewed_facts_with_provenance_and_audit(login: Callable[[str], Client]) -> None:
    from ktxh.core.catalog import load_catalog
    from ktxh.web.datavalues.models import DataValue, ValueChange
    from ktxh.web.imports.models import ImportFact

    client = login("tckh")
    response = upload(client, seed_2021())
    job = latest_job()
    assert response.status_code == 302 and response["Location"] == f"/nhap-bao-cao/{job.pk}/"
    assert job.state == "review" and job.org_unit.code == "300" and job.year == 2021

    page = client.get(f"/nhap-bao-cao/{job.pk}/").content.decode()
    # the text with its line numbers, the facts beside it, the checker's findings on top
    assert 'id="l-56"' in page and "14.739 ha" in page and "103,4%" in page
    assert "260,436 ha" in page and "Lỗi" in page  # the seed's m² → ha slip
    assert job.findings and all({"severity", "message", "lines"} <= set(f) for f in job.findings)
    assert page.count('<article id="f-') == job.facts.count() > 100

    facts = list(job.facts.all())
    sown = next(f for f in facts if f.indicator == "NN.DT_GIEO_TRONG" and f.role == "value")
    assert sown.value == Decimal("14739") and sown.unit == "ha" and sown.confidence > 0.5
    # correct one mapping: an area fact moves to an area indicator no fact of the report uses
    used = {f.indicator for f in facts} | {f.proposed for f in facts}
    catalog = load_catalog()
    moved = next(f for f in facts if f.role == "value" and f.unit == "ha" and f.indicator and f is not sown)
    target = next(i.code for i in catalog.values() if i.unit == "ha" and i.code not in used)
    r = client.post(f"/nhap-bao-cao/{job.pk}/so-lieu/{moved.n}/", {"op": "map", "indicator": target})
    assert r.status_code == 302
    # reject one, accept the rest that carry an indicator
    client.post(f"/nhap-bao-cao/{job.pk}/so-lieu/{sown.n}/", {"op": "reject"})
    client.post(f"/nhap-bao-cao/{job.pk}/nhan-tat-ca/")
    assert ImportFact.objects.get(pk=sown.pk).decision == "rejected"
    assert ImportFact.objects.get(pk=moved.pk).decision == "accepted"
    accepted = job.facts.filter(decision="accepted").count()
    assert accepted > 100

    # the dry run says what would happen and stores nothing
    before = DataValue.objects.filter(period__code="2021").count()
    dry = client.get(f"/nhap-bao-cao/{job.pk}/chay-thu/")
    assert dry.status_code == 200
    body = dry.content.decode()
    assert "Chạy thử" in body and "số liệu mới" in body and target in body
    assert DataValue.objects.filter(period__code="2021").count() == before == 0

    r = client.post(f"/nhap-bao-cao/{job.pk}/xac-nhan/")
    assert r.status_code == 302
    job.refresh_from_db()
    assert job.state == "done" and job.result and job.result["created"]
    done = client.get(f"/nhap-bao-cao/{job.pk}/").content.decode()
    assert "Đã nhập" in done and "/?unit=300&amp;year=2021" in done

    value = DataValue.objects.get(indicator__code=target, org_unit__code="300", period__code="2021")
    assert value.value == moved.value and value.source_line == moved.line
    assert value.source_document.filename == "bao-cao-2021.txt"
    assert value.source_text == moved.quote[:200] and value.note == f"Trang {moved.page}."
    assert value.source_document.line(moved.line).strip() in moved.quote or moved.quote.count(" ") > 3
    assert "imported" in value.flags and value.entered_by.username == "tckh"
    # nothing came from the rejected fact; the proposed mapping of the moved one was not used
    imported = DataValue.objects.filter(source_document=value.source_document)
    assert not imported.filter(indicator__code="NN.DT_GIEO_TRONG", source_line=sown.line).exists()
    assert not imported.filter(indicator__code=moved.proposed, source_line=moved.line).exists()
    # one audit row of source "import" per value created
    created = imported
    audit = ValueChange.objects.filter(source="import", data_value__in=created)
    assert audit.count() == created.count() == len(job.result["created"])
    assert {a.user.username for a in audit} == {"tckh"} and all(a.old_value is None for a in audit)
    # a second confirmation imports nothing twice
    client.post(f"/nhap-bao-cao/{job.pk}/xac-nhan/")
    assert ValueChange.objects.filter(source="import", data_value__in=created).count() == audit.count()


def test_it_updates_one_fact_in_place_for_htmx(login: Callable[[str], Client]) -> None:
    client = login("tckh")
    upload(client, seed_2021())
    job = latest_job()
    fact = job.facts.exclude(indicator="").first()
    r = client.post(f"/nhap-bao-cao/{job.pk}/so-lieu/{fact.n}/", {"op": "accept"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and html.startswith(f'<article id="f-{fact.n}"') and "✓ Nhận" in html
    r = client.post(
        f"/nhap-bao-cao/{job.pk}/so-lieu/{fact.n}/",
        {"op": "map", "indicator": "KHONG.CO"},
        HTTP_HX_REQUEST="true",
    )
    assert "Không có chỉ tiêu mã «KHONG.CO» trong danh mục." in r.content.decode()
    r = client.post(f"/nhap-bao-cao/{job.pk}/so-lieu/{fact.n}/", {"op": "none"}, HTTP_HX_REQUEST="true")
    fact.refresh_from_db()
    assert fact.indicator == "" and fact.decision == "rejected" and "không nhập" in r.content.decode()
    r = client.post(f"/nhap-bao-cao/{job.pk}/so-lieu/{fact.n}/", {"op": "accept"}, HTTP_HX_REQUEST="true")
    assert "Hãy chọn chỉ tiêu trước khi nhận" in r.content.decode()


def test_a_locked_period_refuses_the_import_with_the_importers_message(
    login: Callable[[str], Client],
) -> None:
    from ktxh.web.datavalues.models import DataValue, Period
    from ktxh.web.orgunits.models import OrgUnit
    from ktxh.web.workflow.models import Status

    client = login("tckh")
    upload(client, seed_2021())
    job = latest_job()
    client.post(f"/nhap-bao-cao/{job.pk}/nhan-tat-ca/")
    unit = OrgUnit.objects.get(code="300", level="district")
    Status.objects.create(org_unit=unit, period=Period.get_for("2021"), state="locked")
    assert "đã khóa" in client.get(f"/nhap-bao-cao/{job.pk}/").content.decode()
    r = client.post(f"/nhap-bao-cao/{job.pk}/xac-nhan/", follow=True)
    assert "đã khóa" in r.content.decode() and "Không nhập gì từ báo cáo này." in r.content.decode()
    assert DataValue.objects.filter(period__code="2021").count() == 0
    job.refresh_from_db()
    assert job.state == "review"


# -- permissions --------------------------------------------------------------------------------


def test_a_commune_cannot_import_for_another_unit(login: Callable[[str], Client]) -> None:
    client = login("xa_thanhtung")
    assert client.get("/nhap-bao-cao/").status_code == 200
    assert upload(client, seed_2021(), unit="11275").status_code == 403
    assert upload(client, seed_2021(), unit="300").status_code == 403
    assert latest_job() is None


def test_a_leader_cannot_import(leader_client: Client) -> None:
    assert leader_client.get("/nhap-bao-cao/").status_code == 403
    assert upload(leader_client, seed_2021()).status_code == 403


def test_another_user_cannot_see_or_change_someone_elses_job(login: Callable[[str], Client]) -> None:
    upload(login("tckh"), seed_2021())
    job = latest_job()
    other = login("xa_ngohung")
    assert other.get(f"/nhap-bao-cao/{job.pk}/").status_code == 403
    assert other.get(f"/nhap-bao-cao/{job.pk}/tien-do/?format=json").status_code == 403
    assert other.post(f"/nhap-bao-cao/{job.pk}/nhan-tat-ca/").status_code == 403


def test_an_office_accepts_only_facts_of_its_own_sectors(login: Callable[[str], Client]) -> None:
    from ktxh.core.catalog import load_catalog

    catalog = load_catalog()
    client = login("nongnghiep")
    upload(client, seed_2021())
    job = latest_job()
    client.post(f"/nhap-bao-cao/{job.pk}/nhan-tat-ca/")
    accepted = {f.indicator for f in job.facts.filter(decision="accepted")}
    assert accepted and {catalog[c].sector for c in accepted} == {"nong_nghiep"}
    other = job.facts.exclude(indicator="").exclude(indicator__startswith="NN.").first()
    r = client.post(f"/nhap-bao-cao/{job.pk}/so-lieu/{other.n}/", {"op": "accept"}, follow=True)
    assert "lĩnh vực bạn không được nhập" in r.content.decode()


# -- bad files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("rong.txt", b"", "rỗng"),
        ("anh.txt", bytes(range(256)) * 40, "không phải văn bản"),
        ("cu.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "Word cũ (.doc)"),
        ("bao-cao.rtf", b"{\\rtf1\\ansi hello}", "không phải .txt, .docx hoặc .pdf"),
    ],
)
def test_a_bad_file_is_refused_with_a_message(
    login: Callable[[str], Client], name: str, data: bytes, message: str
) -> None:
    r = upload(login("tckh"), data, name=name)
    assert r.status_code == 400 and message in r.content.decode()
    assert latest_job() is None


def test_a_file_over_the_limit_is_refused(login: Callable[[str], Client], settings: Any) -> None:
    settings.KTXH_MAX_UPLOAD_BYTES = 1024
    r = upload(login("tckh"), seed_2021())
    assert r.status_code == 400 and "quá lớn" in r.content.decode() and "giới hạn" in r.content.decode()


def test_a_corrupt_pdf_ends_the_job_with_the_readers_message(login: Callable[[str], Client]) -> None:
    client = login("tckh")
    r = upload(client, b"%PDF-1.7\n" + b"rac " * 500, name="hong.pdf")
    job = latest_job()
    assert r.status_code == 302 and job.state == "failed"
    page = client.get(f"/nhap-bao-cao/{job.pk}/").content.decode()
    assert "Không đọc được tệp." in page and "hong.pdf" in page and job.stored_name not in page
    assert client.get(f"/nhap-bao-cao/{job.pk}/tien-do/?format=json").json()["finished"] is True


def test_a_report_of_another_year_is_refused(login: Callable[[str], Client]) -> None:
    client = login("tckh")
    upload(client, SEED.read_bytes(), name="bao-cao-2023.txt", year=2021)
    job = latest_job()
    assert job.state == "failed" and "năm 2023" in job.message and "chọn đúng năm" in job.message


def test_the_file_is_stored_under_a_generated_name(login: Callable[[str], Client], tmp_path: Path) -> None:
    upload(login("tckh"), seed_2021(), name="../../../tmp/ten xau;rm -rf.txt")
    job = latest_job()
    stored = list((tmp_path / "uploads").iterdir())
    assert [p.name for p in stored] == [job.stored_name]
    assert re.fullmatch(r"[0-9a-f]{32}\.txt", job.stored_name)
    assert job.original_name == "ten xau;rm -rf.txt"
    assert stored[0].read_bytes() == seed_2021()


# -- progress -----------------------------------------------------------------------------------


def test_progress_reports_done_and_total_while_reading(
    login: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader's page callback lands on the job row; the JSON and the polled fragment show it."""
    from ktxh.extract import readers

    client = login("tckh")
    seen: dict[str, Any] = {}
    real = readers.read

    def slow_read(path: Any, *, progress: Any = None) -> Any:
        progress(3, 12)
        job = latest_job()
        seen["json"] = client.get(f"/nhap-bao-cao/{job.pk}/tien-do/?format=json").json()
        seen["html"] = client.get(f"/nhap-bao-cao/{job.pk}/tien-do/", HTTP_HX_REQUEST="true").content.decode()
        seen["page"] = client.get(f"/nhap-bao-cao/{job.pk}/").content.decode()
        return real(path, progress=progress)

    monkeypatch.setattr(readers, "read", slow_read)
    upload(client, seed_2021())
    assert seen["json"] == {
        "state": "reading",
        "done": 3,
        "total": 12,
        "percent": 25,
        "message": "Đang đọc trang 3/12…",
        "finished": False,
    }
    assert "Đang đọc trang 3/12…" in seen["html"] and 'hx-trigger="every 1s"' in seen["html"]
    assert 'aria-valuenow="25"' in seen["page"]
    job = latest_job()
    done = client.get(f"/nhap-bao-cao/{job.pk}/tien-do/?format=json").json()
    assert done["state"] == "review" and done["done"] == done["total"] > 0 and done["finished"] is True
    # once done, the polling fragment asks htmx to reload the page into the review screen
    r = client.get(f"/nhap-bao-cao/{job.pk}/tien-do/", HTTP_HX_REQUEST="true")
    assert r.headers.get("HX-Refresh") == "true"


def test_an_error_in_the_job_ends_it_with_a_message(
    login: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ktxh.extract import facts

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(facts, "extract", broken)
    client = login("tckh")
    upload(client, seed_2021())
    job = latest_job()
    assert job.state == "failed" and "Lỗi không mong đợi" in job.message
    html = client.get(f"/nhap-bao-cao/{job.pk}/tien-do/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in html and "Lỗi không mong đợi" in html


def test_a_job_whose_thread_stopped_is_ended_not_left_hanging(login: Callable[[str], Client]) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from ktxh.web.imports.models import ImportJob

    client = login("tckh")
    upload(client, seed_2021())
    job = latest_job()
    ImportJob.objects.filter(pk=job.pk).update(
        state="reading", done=2, total=9, updated_at=timezone.now() - timedelta(minutes=30)
    )
    data = client.get(f"/nhap-bao-cao/{job.pk}/tien-do/?format=json").json()
    assert data["state"] == "failed" and data["finished"] and "dừng giữa chừng" in data["message"]


def test_the_job_runs_in_a_background_thread_by_default(
    settings: Any, login: Callable[[str], Client]
) -> None:
    """Without the test setting the upload returns at once and a thread is started after commit."""
    from django.db import transaction

    from ktxh.web.imports import services

    settings.KTXH_IMPORT_SYNC = False
    started: list[Any] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(services.threading.Thread, "start", lambda self: started.append(self.name))
        mp.setattr(transaction, "on_commit", lambda fn: fn())
        r = upload(login("tckh"), seed_2021())
    job = latest_job()
    assert r.status_code == 302 and job.state == "queued" and started == [f"ktxh-import-{job.pk}"]


def test_a_docx_is_recognised_by_its_content_not_its_name(
    login: Callable[[str], Client], tmp_path: Path
) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("BÁO CÁO Kết quả thực hiện nhiệm vụ phát triển kinh tế - xã hội năm 2021")
    document.add_paragraph(
        "Tổng diện tích gieo trồng cả năm ước thực hiện 15.100 ha, đạt 101,2% kế hoạch, "
        "tăng 1,5% so với năm 2020. Sản lượng lương thực ước đạt 80.120 tấn."
    )
    path = tmp_path / "b.docx"
    document.save(str(path))
    client = login("tckh")
    upload(client, path.read_bytes(), name="bao-cao-that-ra-la-word.txt")
    job = latest_job()
    assert job.file_kind == "docx" and job.stored_name.endswith(".docx") and job.state == "review"
    sown = job.facts.get(indicator="NN.DT_GIEO_TRONG", role="value")
    assert sown.value == Decimal("15100") and sown.unit == "ha"
    assert "15.100 ha" in client.get(f"/nhap-bao-cao/{job.pk}/").content.decode()


def test_the_review_list_filters_facts(login: Callable[[str], Client]) -> None:
    client = login("tckh")
    upload(client, seed_2021())
    job = latest_job()
    unmapped = job.facts.filter(indicator="", role__in=["value", "part"]).count()
    assert unmapped > 0
    page = client.get(f"/nhap-bao-cao/{job.pk}/?xem=chua-gan").content.decode()
    shown = page.count('<article id="f-')
    assert 0 < shown < job.facts.count() and "chưa gắn chỉ tiêu" in page
    assert f"Chưa gắn chỉ tiêu ({shown})" in page
    client.post(f"/nhap-bao-cao/{job.pk}/nhan-tat-ca/")
    accepted = job.facts.filter(decision="accepted").count()
    assert (
        client.get(f"/nhap-bao-cao/{job.pk}/?xem=nhan").content.decode().count('<article id="f-') == accepted
    )


def test_old_unimported_jobs_and_their_files_are_dropped(
    login: Callable[[str], Client], tmp_path: Path
) -> None:
    from ktxh.web.imports import services
    from ktxh.web.imports.models import ImportJob

    client = login("tckh")
    data = "Kết quả năm 2021: tổng diện tích gieo trồng cả năm ước thực hiện 15.100 ha.".encode()
    for k in range(3):
        upload(client, data, name=f"b{k}.txt")
    services.jobs_cleanup(user=latest_job().user, keep=2)
    kept = list(ImportJob.objects.order_by("pk").values_list("original_name", "stored_name"))
    assert [k[0] for k in kept] == ["b1.txt", "b2.txt"]
    assert sorted(p.name for p in (tmp_path / "uploads").iterdir()) == sorted(k[1] for k in kept)
