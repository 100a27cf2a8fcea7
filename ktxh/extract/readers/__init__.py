"""Readers: a .txt, .docx, text PDF or scanned PDF becomes one :class:`~ktxh.extract.model.Document`.

``read(path)`` looks at the bytes, not only the extension, to choose a reader, and turns
every failure into a :class:`~ktxh.extract.model.ReadError` with a Vietnamese message:

* ``ReadError`` — empty, unreadable, encrypted, corrupt or unsupported files; a scanned
  PDF when Tesseract or its Vietnamese model is missing (the message says what to install).

Heavy parts (pdfplumber, python-docx, Tesseract) are imported only when a file needs them.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from ..model import Document, ReadError
from ._decode import decode_text

__all__ = ["Progress", "ReadError", "read", "sniff"]

Progress = Callable[[int, int], None]


def sniff(head: bytes) -> str:
    """The kind of a file from its first bytes: "pdf", "zip", "ole", "rtf" or "txt"."""
    if head.lstrip(b"\x00\t\r\n \xef\xbb\xbf")[:5].startswith(b"%PDF-") or head[:1024].find(b"%PDF-") >= 0:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"  # Word 97-2003 .doc, or an encrypted .docx
    if head.startswith((b"{\\rtf",)):
        return "rtf"
    return "txt"


def read(path: str | Path, *, progress: Progress | None = None) -> Document:
    """Read any supported report into a Document, or raise ReadError saying why not."""
    p = Path(path)
    name = p.name
    try:
        if not p.exists():
            raise ReadError(f"Không tìm thấy tệp «{name}».")
        if p.is_dir():
            raise ReadError(f"«{name}» là một thư mục, không phải tệp báo cáo.")
        size = p.stat().st_size
        if size == 0:
            raise ReadError(f"Tệp «{name}» rỗng (0 byte), không có nội dung để đọc.")
        with p.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise ReadError(f"Không mở được tệp «{name}»: {exc.strerror or exc}.") from None

    kind = sniff(head)
    try:
        if kind == "pdf":
            from .pdf import read_pdf

            return read_pdf(p, progress=progress)
        if kind == "zip":
            return _read_zip(p, progress)
        if kind == "ole":
            raise ReadError(
                f"Tệp «{name}» là tài liệu Word cũ (.doc) hoặc tệp Word có mật khẩu. "
                "Hãy mở bằng Word/LibreOffice, bỏ mật khẩu nếu có, rồi lưu lại dưới dạng .docx."
            )
        if kind == "rtf":
            raise ReadError(f"Tệp «{name}» là định dạng RTF; hãy lưu lại dưới dạng .docx hoặc .txt.")
        from .txt import read_text

        data = p.read_bytes()
        text = decode_text(data, name)
        doc = read_text(text, str(p), progress=progress)
        if not doc.paragraphs:
            raise ReadError(f"Tệp «{name}» chỉ có khoảng trắng, không có chữ nào để đọc.")
        return doc
    except ReadError:
        raise
    except MemoryError:
        raise ReadError(f"Tệp «{name}» quá lớn để đọc trong bộ nhớ hiện có.") from None
    except Exception as exc:  # a reader's library failed on a malformed file: say so, no traceback
        raise ReadError(
            f"Không đọc được tệp «{name}»: tệp có thể bị hỏng hoặc không đúng định dạng "
            f"({type(exc).__name__}: {exc})."
        ) from exc


# Zip bombs: a report's parts unpack to a few MB and compress about 10 times; Python's zipfile
# never unpacks more than a member's declared size, so checking the declared sizes is enough.
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_RATIO = 100


def _read_zip(p: Path, progress: Progress | None) -> Document:
    try:
        with zipfile.ZipFile(p) as z:
            infos = z.infolist()
    except zipfile.BadZipFile:
        raise ReadError(
            f"Tệp «{p.name}» bị hỏng: không giải nén được (tệp .docx có thể bị cắt cụt)."
        ) from None
    names = {i.filename for i in infos}
    unpacked = sum(i.file_size for i in infos)
    packed = max(sum(i.compress_size for i in infos), 1)
    if unpacked > MAX_UNZIPPED or (unpacked > 10 * 1024 * 1024 and unpacked / packed > MAX_RATIO):
        raise ReadError(
            f"Tệp «{p.name}» có nội dung giải nén bất thường ({unpacked // 2**20} MB từ "
            f"{max(packed // 2**10, 1)} KB); tệp bị từ chối."
        )
    if "word/document.xml" in names:
        from .docx import read_docx

        return read_docx(p, progress=progress)
    if any(n.startswith("xl/") for n in names):
        raise ReadError(
            f"Tệp «{p.name}» là bảng tính Excel, không phải báo cáo văn bản; hãy dùng chức năng nhập biểu mẫu."
        )
    if "content.xml" in names:
        raise ReadError(f"Tệp «{p.name}» là tài liệu OpenDocument (.odt); hãy lưu lại dưới dạng .docx.")
    raise ReadError(f"Tệp «{p.name}» là tệp nén, không phải tài liệu Word (.docx).")
