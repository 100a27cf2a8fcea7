"""The tolerant number reader of fact extraction.

``ktxh.core.numbers.parse_vi`` is strict on purpose (data entry must be exact). Reports
in the wild are not: a dot typed for the decimal comma ("7.2 ha"), English grouping
("1,626.4"), money written in words ("5 tỷ 786 triệu đồng"). :func:`read_number` reads
one token the way a careful Vietnamese reader would, and says whether it was sloppy.

Rules, in order:

- both separators present: the last one is the decimal mark, the other groups thousands
  ("1.626,4" and the English "1,626.4" both give 1626.4);
- several of the same separator: thousands groups ("1.680.300.000"; "1,680,300" sloppy);
- a single dot: three digits after it is a thousands group ("14.739" = 14739), any other
  count cannot be one, so it is a decimal point typed for a comma ("7.2" = 7.2, sloppy);
- a single comma is the decimal mark ("103,4", "338,116").

Canonical Vietnamese numbers read the same as ``parse_vi`` (tested by property), without
Babel's cost per number: extraction reads thousands of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

# A number token: digits with dots/commas inside. Not preceded by a letter, digit or
# separator (so "ST25", "Covid-19" and the tail of "1.2.3" are not read from the middle).
# Written digit first, the lookbehind after it, so that a search skips ahead to the digits.
NUMBER_RE = re.compile(r"\d(?<![\w.,/]\d)\d*(?:[.,]\d+)*")


@dataclass(frozen=True, slots=True)
class Number:
    value: Decimal
    decimals: int
    sloppy: bool = False  # not a canonical Vietnamese form


def _groups_ok(parts: list[str]) -> bool:
    return 1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])


def read_number(raw: str) -> Number | None:
    """Read one number token ("14.739", "1.626,4", "7.2", "1,626.4"); None if malformed."""
    if not raw or not raw[0].isdigit() or not raw[-1].isdigit():
        return None
    has_dot, has_comma = "." in raw, "," in raw
    if not has_dot and not has_comma:
        return Number(Decimal(raw), 0)
    if has_dot and has_comma:
        dec_mark = "," if raw.rfind(",") > raw.rfind(".") else "."
        group_mark = "." if dec_mark == "," else ","
        int_part, _, frac = raw.rpartition(dec_mark)
        if dec_mark in int_part:
            return None
        groups = int_part.split(group_mark)
        if not _groups_ok(groups):
            return None
        return Number(Decimal("".join(groups) + "." + frac), len(frac), sloppy=dec_mark == ".")
    mark = "." if has_dot else ","
    parts = raw.split(mark)
    if len(parts) > 2:
        if not _groups_ok(parts):
            return None
        return Number(Decimal("".join(parts)), 0, sloppy=mark == ",")
    whole, frac = parts
    if mark == "." and len(frac) == 3 and 1 <= len(whole) <= 3:
        return Number(Decimal(whole + frac), 0)
    return Number(Decimal(whole + "." + frac), len(frac), sloppy=mark == ".")


_SCALE = {"tỷ": Decimal(10) ** 9, "tỉ": Decimal(10) ** 9, "triệu": Decimal(10) ** 6, "nghìn": Decimal(1000)}
_SCALE_ORDER = ["tỷ", "triệu", "nghìn"]
# "5 tỷ 786 triệu", "2 triệu 500 nghìn", "2 tỷ 905,5 triệu": a larger scale word, then a number
# below a thousand (with decimals, after a comma) and the next scale word
COMPOUND_RE = re.compile(
    r"(?P<a>\d+(?:[.,]\d+)?)\s*(?P<s1>tỷ|tỉ|triệu)\s+(?P<b>\d{1,3}(?:,\d+)?)\s*(?P<s2>triệu|nghìn|ngàn)(?!\w)",
    re.IGNORECASE,
)


def compound_value(a: str, s1: str, b: str, s2: str) -> Number | None:
    """ "5 tỷ 786 triệu" -> 5,786 in units of the first scale word (decimals = digits of b)."""
    first, second = s1.lower().replace("tỉ", "tỷ"), s2.lower().replace("ngàn", "nghìn")
    if _SCALE_ORDER.index(first) >= _SCALE_ORDER.index(second):
        return None
    head, low = read_number(a), read_number(b)
    if head is None or low is None:
        return None
    ratio = _SCALE[first] / _SCALE[second]
    tail = low.value / ratio
    value = head.value + tail
    # tỷ/triệu -> 3 places, triệu/nghìn -> 3 places, and the tail's own ("905,5 triệu" -> 4)
    decimals = len(str(ratio)) - 1 + low.decimals
    return Number(value.quantize(Decimal(1).scaleb(-decimals)), decimals, sloppy=False)
