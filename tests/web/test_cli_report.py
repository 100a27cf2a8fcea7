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


def test_a_frame_edited_in_word_is_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import docx
    from docx.shared import Mm

    frame = tmp_path / "khung.docx"
    assert main(["frame", "--output", str(frame)]) == 0
    # the office widens the left margin and renames the signing title, in Word
    edited = docx.Document(str(frame))
    edited.sections[0].left_margin = Mm(35)
    for p in edited.paragraphs:
        if p.text == "{{ type }}":
            p.runs[0].font.size = docx.shared.Pt(15)
    edited.save(str(frame))
    out = tmp_path / "bao-cao.docx"
    assert (
        main(
            [
                "report",
                "--unit",
                "300",
                "--year",
                "2023",
                "--output",
                str(out),
                "--frame",
                str(frame),
                "--no-charts",
            ]
        )
        == 0
    )
    d = docx.Document(str(out))
    assert round(d.sections[0].left_margin.mm) == 35
    title = next(p for p in d.paragraphs if p.text == "BÁO CÁO")
    assert title.runs[0].font.size.pt == 15
    assert any(p.text.startswith("Sản xuất nông nghiệp năm 2023") for p in d.paragraphs)


def test_a_frame_without_the_body_marker_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import docx

    frame = tmp_path / "khung.docx"
    docx.Document().save(str(frame))
    code = main(
        [
            "report",
            "--unit",
            "300",
            "--year",
            "2023",
            "--output",
            str(tmp_path / "x.docx"),
            "--frame",
            str(frame),
            "--no-charts",
        ]
    )
    assert code == 2 and "thiếu kiểu đoạn" in capsys.readouterr().err
