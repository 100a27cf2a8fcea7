"""The drafted report as a reader gets it: DOCX → PDF through LibreOffice, then its text.

Lives with the browser tests: both need system packages (scripts/install-system-deps.sh)."""

import shutil
import subprocess
from pathlib import Path

import pytest

from ktxh.cli import main

MINI = Path(__file__).parent.parent / "report" / "mini_template.yaml"


@pytest.mark.django_db
def test_the_report_converts_to_a_readable_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ktxh.web.datavalues.services import demo_load

    demo_load()
    assert shutil.which("soffice"), "LibreOffice missing: run scripts/install-system-deps.sh"
    out = tmp_path / "bao-cao.docx"
    code = main(
        [
            "report",
            "--unit",
            "300",
            "--year",
            "2023",
            "--output",
            str(out),
            "--pdf",
            str(tmp_path / "bao-cao.pdf"),
            "--template",
            str(MINI),
        ]
    )
    assert code == 0, capsys.readouterr().err
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "bao-cao.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "14.739 ha, đạt 103,4% kế" in text
    assert "Trong đó, diện tích cấy lúa cả năm 12.135 ha" in text  # the footnote, at the foot of the page
