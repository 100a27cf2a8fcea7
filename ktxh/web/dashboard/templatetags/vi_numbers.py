"""Template filters that format numbers the Vietnamese way, through ktxh.core.numbers."""

from __future__ import annotations

from decimal import Decimal

from django import template

from ktxh import core

register = template.Library()


@register.filter
def vi_number(value: Decimal | None, decimals: int | None = None) -> str:
    """14739 -> "14.739"; None -> "" (nothing to show)."""
    if value is None or value == "":
        return ""
    return core.format_vi(Decimal(value), decimals)


@register.filter
def vi_pct(value: Decimal | None, decimals: int = 1) -> str:
    """103.4 -> "103,4%"."""
    if value is None or value == "":
        return ""
    return core.format_pct(Decimal(value), decimals)


@register.filter
def vi_signed_pct(value: Decimal | None, decimals: int = 1) -> str:
    """-1.5 -> "−1,5%", 10.2 -> "+10,2%"."""
    if value is None or value == "":
        return ""
    dec = core.quantize(Decimal(value), decimals)
    sign = "+" if dec > 0 else ("−" if dec < 0 else "")
    return sign + core.format_pct(abs(dec), decimals)
