"""One-typo explanations for a finding: two digits swapped, a misplaced decimal point,
an item left out of (or counted twice in) a sum. Among the explanations that fit within
rounding, the closest fit wins."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from ..numbers import format_vi

# how far a corrected relation still is from holding, for a candidate value (0 = exactly)
Residual = Callable[[Decimal], Decimal]
Hint = tuple[Decimal, str]


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
    return [(x * Decimal(10) ** k).normalize() for k in (-3, -2, -1, 1, 2, 3) if x != 0]


def value_hints(label: str, x: Decimal, residual: Residual) -> list[Hint]:
    out = []
    for candidate in shifted_decimal(x):
        out.append(
            (
                residual(candidate),
                f"«{label}» có thể đặt sai dấu thập phân: {_shown(x)} → {_shown(candidate)} thì khớp.",
            )
        )
    for candidate in swapped_digits(x):
        out.append(
            (
                residual(candidate),
                f"«{label}» có thể bị đảo hai chữ số: {_shown(x)} → {_shown(candidate)} thì khớp.",
            )
        )
    return out


def best(hints: Sequence[Hint], slack: Decimal) -> str | None:
    fitting = [h for h in hints if h[0] <= slack]
    return min(fitting, key=lambda h: h[0])[1] if fitting else None


def explain_value(label: str, x: Decimal, fits: Callable[[Decimal], bool]) -> str | None:
    """A typo in this one value that would make the relation hold (first that fits)."""
    for residual, message in value_hints(label, x, lambda c: Decimal(0) if fits(c) else Decimal(1)):
        if residual == 0:
            return message
    return None


def explain_sum(
    total: tuple[str, Decimal], parts: Sequence[tuple[str, Decimal]], slack: Decimal
) -> str | None:
    """Why Σ parts ≠ total, if one simple slip explains it within ``slack`` (the rounding)."""
    t_label, t = total
    s = sum((p for _l, p in parts), Decimal(0))
    gap = s - t
    hints: list[Hint] = []
    for label, p in parts:
        if p != 0 and (gap > 0) == (p > 0):
            hints.append(
                (
                    abs(abs(gap) - abs(p)),
                    f"Số tổng có thể đã bỏ sót mục «{label}» ({_shown(p)}): tổng các mục trừ mục này thì khớp.",
                )
            )
        elif p != 0:
            hints.append(
                (
                    abs(abs(gap) - abs(p)),
                    f"Mục «{label}» ({_shown(p)}) có thể đã bị tính hai lần trong số tổng.",
                )
            )
    for label, p in parts:

        def part_fixed(candidate: Decimal, p: Decimal = p) -> Decimal:
            return abs(s - p + candidate - t)

        hints += value_hints(label, p, part_fixed)

    def total_fixed(candidate: Decimal) -> Decimal:
        return abs(s - candidate)

    hints += value_hints(t_label, t, total_fixed)
    return best(hints, slack)
