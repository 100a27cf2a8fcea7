"""One-typo explanations for a finding: two digits swapped, a misplaced decimal point,
an item left out of (or counted twice in) a sum."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from ..numbers import format_vi

Balances = Callable[[Decimal], bool]


def _shown(x: Decimal) -> str:
    return format_vi(x)


def swapped_digits(x: Decimal) -> list[Decimal]:
    """Every number made by swapping two adjacent digits of x (as written, decimals kept)."""
    sign = "-" if x < 0 else ""
    text = format(abs(x), "f")
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    out = []
    for a, b in zip(digits, digits[1:], strict=False):
        if b != a + 1 or text[a] == text[b]:
            continue
        chars = list(text)
        chars[a], chars[b] = chars[b], chars[a]
        candidate = "".join(chars)
        if candidate.startswith("0") and not candidate.startswith("0."):
            continue
        out.append(Decimal(sign + candidate))
    return out


def shifted_decimal(x: Decimal) -> list[Decimal]:
    """x with its decimal point moved one to three places either way."""
    return [x * Decimal(10) ** k for k in (-3, -2, -1, 1, 2, 3) if x != 0]


def explain_value(label: str, x: Decimal, balances: Balances) -> str | None:
    """A typo in this one value that would make the relation hold."""
    for candidate in shifted_decimal(x):
        if balances(candidate):
            return f"«{label}» có thể đặt sai dấu thập phân: {_shown(x)} → {_shown(candidate)} thì khớp."
    for candidate in swapped_digits(x):
        if balances(candidate):
            return f"«{label}» có thể bị đảo hai chữ số: {_shown(x)} → {_shown(candidate)} thì khớp."
    return None


def explain_sum(
    total: tuple[str, Decimal],
    parts: Sequence[tuple[str, Decimal]],
    close: Callable[[Decimal, Decimal], bool],
) -> str | None:
    """Why Σ parts ≠ total, if one simple slip explains it. ``close(a, b)``: equal within rounding."""
    t_label, t = total
    s = sum((p for _l, p in parts), Decimal(0))
    gap = s - t
    # an item left out of the total, or counted twice in it
    for label, p in parts:
        if p != 0 and close(abs(gap), abs(p)):
            if gap > 0:
                return f"Số tổng có thể đã bỏ sót mục «{label}» ({_shown(p)}): tổng các mục trừ mục này thì khớp."
            return f"Mục «{label}» ({_shown(p)}) có thể đã bị tính hai lần trong số tổng."
    for label, p in parts:

        def part_fixed(candidate: Decimal, p: Decimal = p) -> bool:
            return close(s - p + candidate, t)

        hint = explain_value(label, p, part_fixed)
        if hint:
            return hint

    def total_fixed(candidate: Decimal) -> bool:
        return close(s, candidate)

    return explain_value(t_label, t, total_fixed)
