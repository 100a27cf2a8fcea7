"""``ktxh check``, ``ktxh extract`` and ``ktxh import``: exit codes, output shapes, bad input,
and an import that stores everything or nothing."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ktxh.cli import main

SEED = Path(__file__).resolve().parents[2] / "ktxh" / "data" / "demo" / "thanh_mien_2023" / "source.txt"

GOOD = """BÁO CÁO
Kết quả thực hiện nhiệm vụ phát triển kinh tế - xã hội năm 2021

1. Nông nghiệp
Tổng diện tích gieo trồng cả năm ước thực hiện 15.100 ha, đạt 101,2% kế hoạch. Năng suất lúa bình quân \
cả năm ước đạt 62,5 tạ/ha. Tổng sản lượng lương thực ước đạt 80.100 tấn.
Tổng sản lượng thịt hơi xuất chuồng 12.000 tấn.
"""

SLIP = """BÁO CÁO
Kết quả năm 2021

Tổng số việc phải thi hành là 569 việc, trong đó số việc có điều kiện thi hành là 437 việc chiếm 83%.
"""


COMMUNE = """ỦY BAN NHÂN DÂN XÃ TÂN LẬP
BÁO CÁO
Tình hình thực hiện nhiệm vụ phát triển kinh tế - xã hội 6 tháng đầu năm 2024

I. LĨNH VỰC KINH TẾ
1. Nông nghiệp
Tổng diện tích gieo trồng vụ Xuân ước thực hiện 512,5 ha, đạt 100,5% kế hoạch, tăng 1,2% so với cùng kỳ (cùng kỳ năm 2023 đạt 506,4 ha), trong đó diện tích lúa 450,2 ha, diện tích rau màu 62,3 ha. Năng suất lúa ước đạt 65,2 tạ/ha, sản lượng thóc ước đạt 2.935,3 tấn.
Tổng đàn lợn 3.250 con, tăng 4,8% so với cùng kỳ; đàn gia cầm khoảng 45.000 con.
Diện tích nuôi trồng thủy sản 35 ha (350.000 m²), sản lượng ước đạt 180 tấn.
2. Tài chính
Tổng thu ngân sách trên địa bàn ước đạt 12,5 tỷ đồng, bằng 62,5% dự toán (dự toán 20 tỷ đồng); tổng chi ngân sách 8.350 triệu đồng (8,35 tỷ đồng).
3. Xây dựng nông thôn mới
Xã đạt 19/19 tiêu chí nông thôn mới nâng cao, đạt 100% kế hoạch. Có 4/5 thôn đạt chuẩn thôn kiểu mẫu, đạt 80%.
Tổng kinh phí làm đường giao thông 3,6 tỷ đồng, gồm: ngân sách tỉnh 1,5 tỷ đồng, ngân sách xã 1,2 tỷ đồng, nhân dân đóng góp 0,9 tỷ đồng.
II. VĂN HÓA - XÃ HỘI
Số hộ nghèo còn 45 hộ, chiếm 1,8% tổng số hộ, giảm 0,4 điểm phần trăm so với năm 2023. Tỷ lệ tham gia bảo hiểm y tế đạt 92,5%.
Tiếp nhận 320 hồ sơ thủ tục hành chính, trong đó trực tuyến 288 hồ sơ, đạt 90%; trực tiếp 32 hồ sơ, chiếm 10%.
"""

# the same report with slips typed in: a swapped % (65,2 for 62,5), a swapped output, a wrong
# m² restatement, a ×10 tỷ đồng restatement, an item list that no longer adds up, a wrong change
COMMUNE_SLIPS = {
    "bằng 62,5% dự toán": "bằng 65,2% dự toán",
    "sản lượng thóc ước đạt 2.935,3 tấn": "sản lượng thóc ước đạt 2.395,3 tấn",
    "(350.000 m²)": "(360.000 m²)",
    "(8,35 tỷ đồng)": "(83,5 tỷ đồng)",
    "trực tuyến 288 hồ sơ": "trực tuyến 278 hồ sơ",
    "tăng 1,2% so với cùng kỳ": "tăng 2,1% so với cùng kỳ",
}


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(list(args))
    return code, json.loads(capsys.readouterr().out)


# -- check -------------------------------------------------------------------------------------


def test_it_reports_the_seeds_slips_as_json_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _json(capsys, "check", str(SEED), "--format", "json")
    assert code == 1
    findings = out["findings"]
    keys = {"code", "severity", "message", "lines", "quote", "stated", "expected", "suggestion"}
    assert findings and all(set(f) == keys for f in findings)
    assert all(isinstance(f["lines"], list) and f["lines"] for f in findings)
    errors = {(f["code"], f["stated"], f["expected"]) for f in findings if f["severity"] == "error"}
    assert ("STATED_PCT", "83%", "76,8%") in errors
    assert ("PARTS_SUM", "22.256 suất", "22.511 suất") in errors
    assert ("UNIT_CONVERSION", "260,436 ha", "260,4316 ha") in errors
    roads = [f for f in findings if f["stated"] == "40,531 km"]
    assert roads and "996 → 0,996" in roads[0]["suggestion"]


def test_a_report_whose_numbers_hold_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _json(capsys, "check", _write(tmp_path, "tot.txt", GOOD), "--format", "json")
    assert (code, out) == (0, {"findings": []})


def test_another_units_report_checks_clean_and_its_slips_are_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _json(capsys, "check", _write(tmp_path, "xa.txt", COMMUNE), "--format", "json")
    assert (code, out) == (0, {"findings": []})
    text = COMMUNE
    for right, wrong in COMMUNE_SLIPS.items():
        assert right in text
        text = text.replace(right, wrong)
    code, out = _json(capsys, "check", _write(tmp_path, "xa_loi.txt", text), "--format", "json")
    assert code == 1
    found = {(f["code"], f["stated"], f["expected"]) for f in out["findings"]}
    assert ("STATED_PCT", "65,2%", "62,5%") in found
    assert ("STATED_PCT", "2,1%", "1,2%") in found
    assert ("YIELD_AREA_OUTPUT", "2.395,3 tấn", "2.935,3 tấn") in found
    assert ("UNIT_CONVERSION", "360.000 m²", "350.000 m²") in found
    assert ("UNIT_CONVERSION", "83,5 tỷ đồng", "8,35 tỷ đồng") in found
    assert ("PARTS_SUM", "320 hồ sơ", "310 hồ sơ") in found
    assert len(out["findings"]) == len(COMMUNE_SLIPS)


def test_text_output_names_lines_quote_and_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", _write(tmp_path, "loi.txt", SLIP)]) == 1
    out = capsys.readouterr().out
    assert "[Lỗi] STATED_PCT (dòng 4)" in out
    assert "Ghi: 83%; tính lại: 76,8%" in out
    assert "Gợi ý:" in out and "437 → 473" in out
    assert "1 lỗi, 0 cảnh báo, 0 lưu ý" in out


def test_long_files_show_progress_on_stderr_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(SEED)]) == 1
    captured = capsys.readouterr()
    assert "Tìm số liệu:" in captured.err and "247/247" in captured.err
    assert "Tìm số liệu" not in captured.out


def _locked_pdf(path: Path) -> None:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), encrypt=pdfencrypt.StandardEncryption("mật khẩu", ownerPassword="chủ"))
    c.drawString(100, 750, "14.739 ha")
    c.save()


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("rong.txt", b"", "rỗng"),
        ("rac.bin", bytes(range(256)) * 20, "nhị phân"),
        ("hong.pdf", b"%PDF-1.4\n1 0 obj <<", "bị hỏng"),
        ("khoa.pdf", None, "mật khẩu"),
        ("khong_co.txt", "missing", "Không tìm thấy"),
    ],
)
@pytest.mark.parametrize("command", ["check", "extract"])
def test_bad_input_gets_a_vietnamese_message_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: Any, words: str, command: str
) -> None:
    path = tmp_path / name
    if content is None:
        _locked_pdf(path)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    assert main([command, str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("Lỗi: ") and words in captured.err
    assert "Traceback" not in captured.err and captured.out == ""


# -- extract ------------------------------------------------------------------------------------


def test_extract_prints_facts_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _json(capsys, "extract", _write(tmp_path, "tot.txt", GOOD))
    assert code == 0
    facts = out["facts"]
    keys = {"line", "quote", "value", "unit", "role", "subject", "indicator", "confidence"}
    assert facts and all(set(f) == keys for f in facts)
    area = next(f for f in facts if f["value"] == "15100")
    assert (area["unit"], area["role"], area["line"]) == ("ha", "value", 5)
    pct = next(f for f in facts if f["unit"] == "%")
    assert pct["value"] == "101.2" and pct["role"] == "pct_plan"
    assert any(f["unit"] == "tạ/ha" and f["value"] == "62.5" for f in facts)


def test_extract_prints_csv_with_a_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", _write(tmp_path, "tot.txt", GOOD), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and list(rows[0]) == [
        "line",
        "quote",
        "value",
        "unit",
        "role",
        "subject",
        "indicator",
        "confidence",
    ]
    assert any(r["value"] == "80100" and r["unit"] == "tấn" for r in rows)


# -- import --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_dry_run_prints_the_plan_and_stores_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ktxh.web.datavalues.models import DataValue, SourceDocument

    before = (DataValue.objects.count(), SourceDocument.objects.count())
    path = _write(tmp_path, "bao_cao_2021.txt", GOOD)
    assert main(["import", path, "--unit", "300", "--year", "2021", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Chạy thử (không lưu gì)" in out and "4 số liệu mới" in out
    assert "NN.DT_GIEO_TRONG · Huyện Thanh Miện · 2021 · ước thực hiện = 15.100 ha" in out
    assert (DataValue.objects.count(), SourceDocument.objects.count()) == before


@pytest.mark.django_db
def test_an_import_stores_values_with_provenance_and_twice_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ktxh.web.datavalues.models import DataValue

    path = _write(tmp_path, "bao_cao_2021.txt", GOOD)
    assert main(["import", path, "--unit", "300", "--year", "2021"]) == 0
    assert "Đã nhập" in capsys.readouterr().out
    dv = DataValue.objects.select_related("source_document").get(
        indicator__code="NN.DT_GIEO_TRONG", org_unit__code="300", period__code="2021"
    )
    assert (dv.kind, dv.value, dv.source_line) == ("estimate", 15100, 5)
    assert "15.100 ha" in dv.source_text
    assert dv.source_document is not None and dv.source_document.line(5).startswith(
        "Tổng diện tích gieo trồng"
    )
    meat = DataValue.objects.get(indicator__code="NN.SL_THIT_HOI", org_unit__code="300", period__code="2021")
    assert meat.kind == "final"
    assert main(["import", path, "--unit", "300", "--year", "2021"]) == 0
    assert "0 số liệu mới, 0 thay đổi, 4 không đổi" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_changed_report_updates_the_value_and_says_what_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "bao_cao_2021.txt", GOOD)
    assert main(["import", path, "--unit", "300", "--year", "2021"]) == 0
    capsys.readouterr()
    changed = _write(tmp_path, "bao_cao_2021_sua.txt", GOOD.replace("12.000 tấn", "12.500 tấn"))
    assert main(["import", changed, "--unit", "300", "--year", "2021", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "1 thay đổi" in out and "= 12.500 tấn (trước: 12.000 tấn)" in out


@pytest.mark.django_db
def test_a_failure_in_the_middle_leaves_nothing_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ktxh.web.datavalues import importer
    from ktxh.web.datavalues.models import DataValue, SourceDocument

    real = importer._write
    calls = {"n": 0}

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("mất kết nối giữa chừng")
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "_write", failing)
    before = (DataValue.objects.count(), SourceDocument.objects.count())
    with pytest.raises(RuntimeError):
        importer.import_document(
            path=_write(tmp_path, "bao_cao_2021.txt", GOOD), unit_code="300", year=2021, dry_run=False
        )
    assert calls["n"] == 3
    assert (DataValue.objects.count(), SourceDocument.objects.count()) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args, words",
    [
        (["--unit", "99999", "--year", "2021"], "«99999»"),
        (["--unit", "300", "--year", "2026"], "không có hiệu lực"),
    ],
)
def test_import_rejects_an_unknown_unit_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    assert main(["import", _write(tmp_path, "a.txt", GOOD), *args]) == 2
    assert words in capsys.readouterr().err


@pytest.mark.django_db
def test_import_of_an_unreadable_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "rong.txt"
    path.write_bytes(b"")
    assert main(["import", str(path), "--unit", "300", "--year", "2021"]) == 2
    assert "rỗng" in capsys.readouterr().err


@pytest.mark.django_db
def test_stated_percentages_are_kept_for_validation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ktxh.web.datavalues.models import StatedFigure

    assert (
        main(["import", _write(tmp_path, "bao_cao_2021.txt", GOOD), "--unit", "300", "--year", "2021"]) == 0
    )
    assert "1 tỷ lệ được nêu để kiểm tra" in capsys.readouterr().out
    sf = StatedFigure.objects.get(indicator__code="NN.DT_GIEO_TRONG", period__code="2021")
    assert (sf.measure, sf.value, sf.decimals, sf.source_line) == ("pct_plan", Decimal("101.2"), 1, 5)


@pytest.mark.django_db
def test_import_refuses_a_report_of_another_year(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ktxh.web.datavalues.models import DataValue

    before = DataValue.objects.count()
    assert main(["import", _write(tmp_path, "xa.txt", COMMUNE), "--unit", "300", "--year", "2021"]) == 2
    err = capsys.readouterr().err
    assert "là của năm 2024" in err and "--year" in err
    assert DataValue.objects.count() == before


@pytest.mark.django_db
def test_every_imported_value_leaves_an_audit_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ktxh.web.datavalues.models import ValueChange

    path = _write(tmp_path, "bao_cao_2021.txt", GOOD)
    assert main(["import", path, "--unit", "300", "--year", "2021"]) == 0
    rows = ValueChange.objects.filter(source="import", period__code="2021")
    assert rows.count() == 4 and all(r.old_value is None and "dòng" in r.reason for r in rows)
    changed = _write(tmp_path, "bao_cao_2021_sua.txt", GOOD.replace("12.000 tấn", "12.500 tấn"))
    assert main(["import", changed, "--unit", "300", "--year", "2021"]) == 0
    last = ValueChange.objects.filter(source="import", indicator__code="NN.SL_THIT_HOI").order_by("pk").last()
    assert last is not None and (last.old_value, last.new_value, last.version) == (12000, 12500, 2)


@pytest.mark.django_db
def test_a_locked_period_takes_no_imported_figure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ktxh.web.datavalues.models import DataValue, Period
    from ktxh.web.orgunits.models import OrgUnit
    from ktxh.web.workflow.models import Status

    unit = OrgUnit.objects.filter(code="300").first()
    Status.objects.create(org_unit=unit, period=Period.get_for("2021"), state="locked")
    before = DataValue.objects.count()
    assert main(["import", _write(tmp_path, "a.txt", GOOD), "--unit", "300", "--year", "2021"]) == 2
    err = capsys.readouterr().err
    assert "khóa" in err and "Không nhập gì" in err
    assert DataValue.objects.count() == before


@pytest.mark.django_db
def test_a_change_amount_is_not_imported_as_the_periods_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        GOOD.split("1. Nông nghiệp")[0]
        + "Tổng sản lượng thịt hơi xuất chuồng tăng 150 tấn so với năm 2020.\n"
    )
    path = _write(tmp_path, "bao_cao_2021.txt", text)
    assert main(["import", path, "--unit", "300", "--year", "2021", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "0 số liệu mới" in out and "1 bỏ qua" in out
    assert "= 150 tấn" not in out
