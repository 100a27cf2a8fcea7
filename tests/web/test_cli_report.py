import json
from pathlib import Path

import openpyxl
import pytest

from ktxh.cli import main

pytestmark = pytest.mark.django_db


def test_it_drafts_the_demo_report_with_its_appendix_and_provenance(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, xlsx = tmp_path / "bao-cao.docx", tmp_path / "phu-luc.xlsx"
    assert main(["report", "--unit", "300", "--year", "2023", "--output", str(out), "--xlsx", str(xlsx)]) == 0
    assert out.stat().st_size > 20_000
    prov = json.loads(out.with_suffix(".provenance.json").read_text(encoding="utf-8"))
    assert prov["unit"] == "300" and len(prov["numbers"]) >= 600
    first = prov["numbers"][0]
    assert first["values"][0]["document"] == "thanh_mien_2023" and first["values"][0]["line"]
    assert "Nông nghiệp, nông thôn" in openpyxl.load_workbook(xlsx).sheetnames
    assert "con số" in capsys.readouterr().out


def test_a_broken_template_is_named_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "mau.yaml"
    bad.write_text(
        "report: {date: '2023-12-05'}\nsections:\n  - heading: X\n    paragraphs: [\"{{ v('NN.KHONG_CO') }}\"]\n",
        encoding="utf-8",
    )
    code = main(
        [
            "report",
            "--unit",
            "300",
            "--year",
            "2023",
            "--output",
            str(tmp_path / "x.docx"),
            "--template",
            str(bad),
        ]
    )
    assert code == 2
    assert "Mục «X», đoạn 1" in capsys.readouterr().err


def test_a_unit_without_data_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--unit", "300", "--year", "2019", "--output", str(tmp_path / "x.docx")]) == 2
    assert "Không có số liệu năm 2019" in capsys.readouterr().err
