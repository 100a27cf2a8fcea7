"""Periods: year, half-year, quarter, month, and multi-year plan terms.

Codes: "2023", "2023S1" (first six months), "2023Q4", "2023-11", "2021-2025".
Decree 09/2019/NĐ-CP art. 12 sets each report's data window (cut-off on the 14th);
``reporting_window`` gives it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from .errors import PeriodError


class PeriodType(StrEnum):
    YEAR = "year"
    HALF = "half"
    QUARTER = "quarter"
    MONTH = "month"
    TERM = "term"  # a multi-year plan, e.g. the 2021-2025 congress term


_PATTERNS: list[tuple[PeriodType, re.Pattern[str]]] = [
    (PeriodType.YEAR, re.compile(r"^(\d{4})$")),
    (PeriodType.HALF, re.compile(r"^(\d{4})S([12])$")),
    (PeriodType.QUARTER, re.compile(r"^(\d{4})Q([1-4])$")),
    (PeriodType.MONTH, re.compile(r"^(\d{4})-(\d{2})$")),
    (PeriodType.TERM, re.compile(r"^(\d{4})-(\d{4})$")),
]


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A calendar period. ``start`` and ``end`` are inclusive dates."""

    start: date
    end: date
    type: PeriodType
    code: str

    @classmethod
    def parse(cls, code: str) -> Period:
        text = code.strip()
        for ptype, pattern in _PATTERNS:
            match = pattern.match(text)
            if not match:
                continue
            a = int(match.group(1))
            b = int(match.group(2)) if match.lastindex and match.lastindex > 1 else 0
            if a < 1:  # there is no year 0 (datetime.MINYEAR is 1)
                break
            if ptype is PeriodType.YEAR:
                return cls(date(a, 1, 1), date(a, 12, 31), ptype, text)
            if ptype is PeriodType.HALF:
                first = 1 if b == 1 else 7
                return cls(date(a, first, 1), _month_end(a, first + 5), ptype, text)
            if ptype is PeriodType.QUARTER:
                first = 3 * (b - 1) + 1
                return cls(date(a, first, 1), _month_end(a, first + 2), ptype, text)
            if ptype is PeriodType.MONTH:
                if not 1 <= b <= 12:
                    break
                return cls(date(a, b, 1), _month_end(a, b), ptype, text)
            if ptype is PeriodType.TERM:
                if b <= a:
                    break
                return cls(date(a, 1, 1), date(b, 12, 31), ptype, text)
        raise PeriodError(
            f"«{code}» không phải mã kỳ hợp lệ. Dùng: 2023 (năm), 2023S1 (6 tháng), "
            "2023Q4 (quý), 2023-11 (tháng) hoặc 2021-2025 (giai đoạn)."
        )

    @classmethod
    def year(cls, year: int) -> Period:
        return cls.parse(f"{year:04d}")

    def shift_years(self, years: int) -> Period:
        """The same period ``years`` later (negative: earlier): "cùng kỳ năm trước"."""
        if self.type is PeriodType.TERM:
            span = self.end.year - self.start.year
            start = self.start.year + years * (span + 1)
            return Period.parse(f"{start}-{start + span}")
        code = f"{self.start.year + years:04d}" + self.code[4:]
        return Period.parse(code)

    def previous_year(self) -> Period:
        return self.shift_years(-1)

    @property
    def label(self) -> str:
        """Vietnamese label: "năm 2023", "6 tháng đầu năm 2023", "quý IV/2023"."""
        y = self.start.year
        if self.type is PeriodType.YEAR:
            return f"năm {y}"
        if self.type is PeriodType.HALF:
            return f"6 tháng đầu năm {y}" if self.start.month == 1 else f"6 tháng cuối năm {y}"
        if self.type is PeriodType.QUARTER:
            roman = ["I", "II", "III", "IV"][(self.start.month - 1) // 3]
            return f"quý {roman}/{y}"
        if self.type is PeriodType.MONTH:
            return f"tháng {self.start.month:02d}/{y}"
        return f"giai đoạn {y} - {self.end.year}"

    def reporting_window(self) -> tuple[date, date]:
        """The data window of Decree 09/2019 art. 12: from the 15th before to the 14th."""
        if self.type is PeriodType.TERM:
            return self.start, self.end
        start = self.start - timedelta(days=self.start.day - 1)
        start = _add_months(start, -1).replace(day=15)
        return start, self.end.replace(day=14)

    def __str__(self) -> str:
        return self.code


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
