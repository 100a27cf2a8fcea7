"""PDF through LibreOffice headless, when it is installed (Debian libreoffice-writer-nogui)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ktxh import core


class PdfUnavailable(core.KtxhError):
    """LibreOffice is not installed: say so, and say how to install it."""


def to_pdf(docx: Path, target: Path) -> None:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise PdfUnavailable(
            "Không tạo được PDF: máy chưa cài LibreOffice. Cài bằng "
            "«apt-get install -y libreoffice-writer-nogui», hoặc mở tệp DOCX bằng Word rồi lưu thành PDF."
        )
    with tempfile.TemporaryDirectory() as tmp:
        result = subprocess.run(
            [
                office,
                "--headless",
                f"-env:UserInstallation=file://{tmp}/profile",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(docx),
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
        produced = Path(tmp) / (docx.stem + ".pdf")
        if result.returncode != 0 or not produced.exists():
            raise PdfUnavailable(
                f"LibreOffice không chuyển được sang PDF: {result.stderr.strip() or result.stdout.strip()}"
            )
        shutil.move(str(produced), target)
