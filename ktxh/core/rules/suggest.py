"""One-typo explanations for a finding: two digits swapped, a misplaced decimal point,
an item left out of (or counted twice in) a sum. Among the explanations that fit within
rounding, the closest fit wins."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal

from ..numbers import format_vi

# how far a corrected relation still is from holding, for a candidate value (0 = exactly)
Residual = Callable[[Decimal], Decimal]


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


# A hint is scored first and worded only if it wins: (residual, kind, label, value, candidate)
Hint = tuple[Decimal, str, str, Decimal, Decimal]
_WORDING = {
    "shift": "«{label}» có thể đặt sai dấu thập phân: {x} → {c} thì khớp.",
    "swap": "«{label}» có thể bị đảo hai chữ số: {x} → {c} thì khớp.",
    "left_out": "Số tổng có thể đã bỏ sót mục «{label}» ({x}): tổng các mục trừ mục này thì khớp.",
    "twice": "Mục «{label}» ({x}) có thể đã bị tính hai lần trong số tổng.",
}


def word(hint: Hint) -> str:
    _r, kind, label, x, c = hint
    return _WORDING[kind].format(label=label, x=_shown(x), c=_shown(c))


def value_hints(label: str, x: Decimal, residual: Residual, slack: Decimal | None = None) -> list[Hint]:
    """Scored typo candidates for one value. With ``slack``, a quick float test drops the hopeless."""
    out: list[Hint] = []
    for kind, candidates in (("shift", shifted_decimal(x)), ("swap", swapped_digits(x))):
        for candidate in candidates:
            r = residual(candidate)
            if slack is None or r <= slack:
                out.append((r, kind, label, x, candidate))
    return out


def best(hints: Sequence[Hint], slack: Decimal) -> str | None:
    fitting = [h for h in hints if h[0] <= slack]
    return word(min(fitting, key=lambda h: h[0])) if fitting else None


def explain_value(label: str, x: Decimal, fits: Callable[[Decimal], bool]) -> str | None:
    """A typo in this one value that would make the relation hold (first that fits)."""
    for hint in value_hints(label, x, lambda c: Decimal(0) if fits(c) else Decimal(1)):
        if hint[0] == 0:
            return word(hint)
    return None


def _swap_can_move(delta: float, slack: float) -> bool:
    """Swapping two adjacent digits a, b moves a number by (a − b) × 9 × 10^k: can it move by delta?"""
    if delta <= slack:
        return False
    d = delta / 9
    k = math.floor(math.log10(d))
    m = round(d / 10**k)
    return bool(1 <= m <= 9 and abs(d - m * 10**k) * 9 <= slack * 1.01 + 1e-12)


def _shift_can_reach(x: float, target: float, slack: float) -> bool:
    return any(abs(x * 10.0**k - target) <= slack * 1.01 + 1e-12 for k in (-3, -2, -1, 1, 2, 3))


def explain_sum(
    total: tuple[str, Decimal], parts: Sequence[tuple[str, Decimal]], slack: Decimal
) -> str | None:
    """Why Σ parts ≠ total, if one simple slip explains it within ``slack`` (the rounding).

    Candidates are scored with cheap float tests first; exact Decimal arithmetic and wording
    are spent only on those that can fit (a province has a hundred communes).
    """
    t_label, t = total
    s = sum((p for _l, p in parts), Decimal(0))
    gap = s - t
    hints: list[Hint] = []
    for label, p in parts:
        if p != 0:
            kind = "left_out" if (gap > 0) == (p > 0) else "twice"
            hints.append((abs(abs(gap) - abs(p)), kind, label, p, p))
    fgap, fslack = float(gap), float(slack)
    for label, p in parts:
        fp = float(p)
        if not (_shift_can_reach(fp, fp - fgap, fslack) or _swap_can_move(abs(fgap), fslack)):
            continue

        def part_fixed(candidate: Decimal, p: Decimal = p) -> Decimal:
            return abs(s - p + candidate - t)

        hints += value_hints(label, p, part_fixed, slack)

    def total_fixed(candidate: Decimal) -> Decimal:
        return abs(s - candidate)

    hints += value_hints(t_label, t, total_fixed, slack)
    return best(hints, slack)
