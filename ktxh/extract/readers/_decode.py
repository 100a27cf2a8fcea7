"""Bytes of a text file to str: UTF-8 (with or without BOM), UTF-16, or Windows-1258."""

from __future__ import annotations

import re
import unicodedata

from ..model import ReadError

# control characters other than tab, newline, carriage return, form feed
_CONTROL = {i for i in range(32) if i not in (9, 10, 12, 13)} | {127}


_ODD = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ue000-\uf8ff\ufffd]")
_KEEP = bytes(b for b in range(256) if b not in _CONTROL)


def _binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    bad = len(sample.translate(None, _KEEP))
    return bad > max(2, len(sample) // 100)


def _plausible(text: str) -> bool:
    """Decoded text a person wrote: few control or private-use characters."""
    sample = text[:20000]
    return len(_ODD.findall(sample)) <= max(2, len(sample) // 200)


def decode_text(data: bytes, name: str) -> str:
    """Try UTF-8 (BOM or not), UTF-16 (with a BOM), then Windows-1258; return NFC text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ReadError(f"Tệp «{name}» ghi là UTF-16 nhưng nội dung bị hỏng.") from None
        return unicodedata.normalize("NFC", text)
    if b"\x00" in data[:4096]:
        # UTF-16 without a byte-order mark: every other byte of Latin text is zero
        sample = data[:4096]
        odd, even = sample[1::2].count(0), sample[0::2].count(0)
        for enc, zeros in (("utf-16-le", odd), ("utf-16-be", even)):
            if zeros > 0.3 * (len(sample) // 2):
                try:
                    text = data.decode(enc)
                except UnicodeDecodeError:
                    continue
                if _plausible(text):
                    return unicodedata.normalize("NFC", text)
    if _binary(data):
        raise ReadError(
            f"Tệp «{name}» không phải văn bản: nội dung là dữ liệu nhị phân "
            "(hãy dùng tệp .txt, .docx hoặc .pdf)."
        )
    for enc in ("utf-8-sig", "cp1258"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _plausible(text):
            return unicodedata.normalize("NFC", text)
    raise ReadError(
        f"Không nhận ra bảng mã của tệp «{name}»: đã thử UTF-8, UTF-16 và Windows-1258 (cp1258). "
        "Hãy lưu lại tệp dưới dạng UTF-8."
    )
