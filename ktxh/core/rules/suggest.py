"""One-typo explanations for a finding: two digits swapped, a misplaced decimal point,
an item left out of (or counted twice in) a sum. Among the explanations that fit within
rounding, the closest fit wins."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

import numpy as np

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


def _swap_to(x: Decimal, target: Decimal, slack: Decimal) -> Decimal | None:
    """The adjacent-digit swap of x that lands within ``slack`` of ``target``, by digit arithmetic.

    Swapping digits a (at 10^(i+1)) and b (at 10^i) changes x by (b − a) × 9 × 10^i.
    """
    exp = x.as_tuple().exponent
    places = max(0, -exp) if isinstance(exp, int) else 0
    n = int(abs(x).scaleb(places))
    sign = -1 if x < 0 else 1
    i = 0
    while 10 ** (i + 1) <= n:
        low, high = (n // 10**i) % 10, (n // 10 ** (i + 1)) % 10
        if low != high and not (high == 0 and 10 ** (i + 2) > n):  # no leading zero
            moved = Decimal(sign * (n + (low - high) * 9 * 10**i)).scaleb(-places)
            if abs(moved - target) <= slack:
                return moved
        i += 1
    return None


def _candidates(
    xs: Sequence[Decimal], targets: Sequence[Decimal], slack: Decimal
) -> list[tuple[int, str, Decimal]]:
    """(index, kind, corrected value) for every x that a shifted point or one adjacent-digit
    swap brings within ``slack`` of its target. Screened with numpy over all values at once;
    only the survivors are confirmed in exact decimals."""
    x = np.array(xs, dtype=np.float64)
    t = np.array(targets, dtype=np.float64)
    tol = float(slack) * 1.01 + 1e-9
    out: list[tuple[int, str, Decimal]] = []
    with np.errstate(invalid="ignore", over="ignore"):
        for k in (-3, -2, -1, 1, 2, 3):
            for i in np.nonzero((np.abs(x * 10.0**k - t) <= tol) & (x != 0))[0].tolist():
                out.append((i, "shift", (xs[i] * Decimal(10) ** k).normalize()))
        # a swap of digits a (10^(j+1)) and b (10^j) moves x by (b − a) × 9 × 10^j
        exponents = [v.as_tuple().exponent for v in xs]
        places = max((max(0, -e) for e in exponents if isinstance(e, int)), default=0)
        n = np.rint(np.abs(x) * 10.0**places)
        delta = (t - x) * np.sign(np.where(x == 0, 1.0, x)) * 10.0**places
        ok = np.isfinite(n) & (n < 2**52)
        for j in range(0, 16):
            unit = 10.0**j
            if not (ok & (n >= unit * 10)).any():
                break
            low = np.floor(n / unit) % 10
            high = np.floor(n / (unit * 10)) % 10
            moved = (low - high) * 9 * unit
            leading_zero = (low == 0) & (n < unit * 100)
            hit = ok & (n >= unit * 10) & (low != high) & ~leading_zero
            hit &= np.abs(moved - delta) <= tol * 10.0**places
            for i in np.nonzero(hit)[0].tolist():
                swapped = _swap_to(xs[i], targets[i], slack)
                if swapped is not None:
                    out.append((i, "swap", swapped))
    return out


def explain_sum(
    total: tuple[str, Decimal], parts: Sequence[tuple[str, Decimal]], slack: Decimal
) -> str | None:
    """Why Σ parts ≠ total, if one simple slip explains it within ``slack`` (the rounding).

    For each value the one correction that would balance the sum is known (the gap); a
    misplaced point or a digit swap is screened against it for all values at once, and only
    the winner is worded (a province has a hundred communes).
    """
    t_label, t = total
    s = sum((p for _l, p in parts), Decimal(0))
    gap = s - t
    hints: list[Hint] = []
    values = np.array([p for _l, p in parts], dtype=np.float64)
    # an item left out of the total (or counted twice): screened in floats, confirmed exactly
    near = np.nonzero(
        (np.abs(np.abs(values) - abs(float(gap))) <= float(slack) * 1.01 + 1e-9) & (values != 0)
    )[0]
    for i in near.tolist():
        label, p = parts[i]
        kind = "left_out" if (gap > 0) == (p > 0) else "twice"
        hints.append((abs(abs(gap) - abs(p)), kind, label, p, p))
    labels = [lbl for lbl, _p in parts] + [t_label]
    xs = [p for _l, p in parts] + [t]
    targets = [p - gap for _l, p in parts] + [s]
    for i, kind, c in _candidates(xs, targets, slack):
        hints.append((abs(c - targets[i]), kind, labels[i], xs[i], c))
    return best(hints, slack)
