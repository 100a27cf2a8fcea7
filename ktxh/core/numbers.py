"""Vietnamese numbers: the one place where they are parsed and formatted.

A dot groups thousands and a comma marks decimals: 14.739 ha, 103,4%.
Parsing goes through Babel ``vi_VN`` in strict mode, because non-strict parsing
silently reads '1626.4' as 16264. Rounding is half-up, as offices round by hand;
Babel's own default (half-even) would print 103,45 as 103,4.
"""

from __future__ import annotations

import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale
from babel.numbers import NumberFormatError as BabelNumberFormatError
from babel.numbers import NumberPattern, parse_decimal, parse_pattern

from .errors import NumberFormatError

LOCALE = "vi_VN"
_SPACES = {"\u00a0", "\u202f", "\u2009", " "}


def parse_vi(text: str) -> Decimal:
    """Read a number written the Vietnamese way ("14.739", "1.626,4", "-1,5").

    Raises NumberFormatError with a Vietnamese message (and Babel's suggestions)
    for anything ambiguous or malformed, such as "1,626.4" or "7.2".
    """
    raw = unicodedata.normalize("NFC", text)
    cleaned = "".join(ch for ch in raw.strip() if ch not in _SPACES)
    cleaned = cleaned.replace("\u2212", "-")  # a typographic minus
    if not cleaned:
        raise NumberFormatError(text, "Ô số đang để trống.")
    try:
        value = parse_decimal(cleaned, locale=LOCALE, strict=True)
    except BabelNumberFormatError as exc:
        suggestions = [s for s in (getattr(exc, "suggestions", None) or []) if s]
        hint = ""
        if suggestions:
            hint = " Có phải ý bạn là " + " hoặc ".join(f"«{s}»" for s in suggestions) + "?"
        raise NumberFormatError(
            text,
            f"«{text}» không phải là số viết theo kiểu Việt Nam "
            f"(dấu chấm phân cách hàng nghìn, dấu phẩy phân cách phần thập phân).{hint}",
            suggestions,
        ) from None
    if not value.is_finite():
        raise NumberFormatError(text, f"«{text}» không phải là một số hữu hạn.")
    return value


def quantize(value: Decimal, decimals: int) -> Decimal:
    """Round half-up to ``decimals`` places (presentation only)."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


@lru_cache(maxsize=16)
def _pattern(decimals: int) -> NumberPattern:
    # parsed once per number of decimals: Babel parses the pattern on every call otherwise
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals > 0 else ""))


_LOCALE = Locale.parse(LOCALE)


def format_vi(value: Decimal | int, decimals: int | None = None) -> str:
    """Format for a Vietnamese reader: 14739 -> "14.739", 1626.4 -> "1.626,4".

    With ``decimals`` None the value keeps the decimals it has (no trailing zeros
    added or removed beyond what the Decimal carries).
    """
    dec = Decimal(value)
    if decimals is None:
        exponent = dec.normalize().as_tuple().exponent
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    dec = quantize(dec, decimals)
    if dec == 0:
        dec = abs(dec)  # never print "-0"
    return str(_pattern(decimals).apply(dec, _LOCALE, decimal_quantization=False))


def format_pct(value: Decimal, decimals: int = 1) -> str:
    """A percentage as offices write it: Decimal("103.4") -> "103,4%"."""
    return format_vi(value, decimals) + "%"


def plain(value: Decimal, decimals: int | None = None) -> str:
    """Plain decimal form for machines: "14739", "103.4", "-0.59" (no exponent)."""
    dec = Decimal(value)
    if decimals is not None:
        dec = quantize(dec, decimals)
    text = format(dec, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


def to_decimal(value: str | int | Decimal) -> Decimal:
    """A plain decimal string from a data file ("14739", "-1.5") -> Decimal."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        raise TypeError("floats are not accepted: write the number as a string")
    try:
        dec = Decimal(str(value).strip())
    except InvalidOperation:
        raise NumberFormatError(str(value), f"«{value}» không phải là số dạng thập phân thuần.") from None
    if not dec.is_finite():
        raise NumberFormatError(str(value), f"«{value}» không phải là một số hữu hạn.")
    return dec


def printed_decimals(text: str) -> int:
    """Decimals of a plain decimal string as written: "63.03" -> 2, "830.0" -> 1, "14739" -> 0."""
    text = text.strip()
    return len(text.split(".", 1)[1]) if "." in text else 0


def half_unit(decimals: int) -> Decimal:
    """Half of the last printed digit: the rounding uncertainty of a number shown with ``decimals``."""
    return Decimal(5).scaleb(-decimals - 1)
