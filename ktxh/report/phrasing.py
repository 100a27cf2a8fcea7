"""Vietnamese phrases for indicator figures: a small grammar of templates, one place.

"14.739 ha", "đạt 103,4% kế hoạch", "bằng 107,2% dự toán", "giảm 1,5% so với năm 2022",
"giảm 0,59 điểm phần trăm", "48/52", "tăng 2,0% trở lên", "từ 1 đến 2 xã", "không quá 113 …".
Every figure is read from the values or computed from them here, and recorded in the
report's provenance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from ktxh import core
from ktxh.core import compute
from ktxh.core.types import IndicatorKind, TargetForm, Value, ValueKind

from .provenance import Provenance

PCT_DECIMALS = 1

# The sentence patterns, kept together so a house style can change them in one place.
WORDING = {
    "plan": "{verb} {pct} {word}",
    "change": "{direction} {size} so với năm {base}",
    "change_short": "{direction} {size}",
    "same": "bằng năm {base}",
    "same_short": "bằng",
    "points": "điểm phần trăm",
    "target_growth_at_least": "tăng {x}% trở lên",
    "target_growth": "tăng {x}%",
    "target_growth_range": "tăng từ {x}% đến {y}%",
    "target_avg_growth_range": "tăng bình quân từ {x}% đến {y}%/năm",
    "target_at_least": "trên {x}",
    "target_at_most": "không quá {x}",
    "target_range": "từ {x} đến {y}",
    "target_exact": "đạt {x}",
    "target_pp": "tăng {x} điểm phần trăm",
}


class PhraseError(core.KtxhError):
    """A template asks for a number that is not there; the message names the call."""


@dataclass
class ReportData:
    """The values a report reads, indexed by cell, plus how to name units."""

    catalog: core.Catalog
    values: list[Value]
    unit: str  # the report's org unit code
    year: int
    registry: core.OrgUnitRegistry | None = None
    day: date | None = None

    def __post_init__(self) -> None:
        self.cells: dict[tuple[str, str, str, str, str, str], Value] = {}
        for v in self.values:
            self.cells[(v.indicator, v.org_unit, v.period, v.kind.value, v.category, v.option)] = v

    def org(self, org: str | None) -> str:
        if not org:
            return self.unit
        if org.isdigit():
            return org
        if self.registry is None:
            raise PhraseError(f"Không tra được đơn vị «{org}»: thiếu danh mục đơn vị.")
        day = self.day or date(self.year, 12, 31)
        return self.registry.find_by_name(org, under=self.unit, at=day).code

    def get(
        self, code: str, *, org: str | None, period: str, kind: str, category: str, option: str
    ) -> Value | None:
        return self.lookup(code, self.org(org), period, kind, category, option)

    def lookup(
        self, code: str, org_code: str, period: str, kind: str, category: str, option: str
    ) -> Value | None:
        """The value in one cell (an org unit by its code); kind "actual": the final, else the estimate."""
        if kind == "actual":
            for k in (ValueKind.FINAL.value, ValueKind.ESTIMATE.value):
                found = self.cells.get((code, org_code, period, k, category, option))
                if found is not None:
                    return found
            return None
        return self.cells.get((code, org_code, period, kind, category, option))


def _value_json(v: Value) -> dict[str, Any]:
    p = v.provenance
    return {
        "indicator": v.indicator,
        "org_unit": v.org_unit,
        "period": v.period,
        "kind": v.kind.value,
        "category": v.category,
        "option": v.option,
        "value": core.plain(v.value),
        "derived": v.derived,
        "document": p.document,
        "line": p.line,
        "text": p.text,
        "entered_by": p.entered_by,
        "formula": p.formula,
    }


def _decimals_of(error: Decimal) -> int:
    """0.05 → 1, 0.5 → 0: the decimals a number was printed with, from half its last digit."""
    exponent = (error * 2).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


class Phrases:
    """The calls a template can make. Each returns Vietnamese text and records provenance."""

    def __init__(
        self, data: ReportData, provenance: Provenance, *, points_word: str = WORDING["points"]
    ) -> None:
        self.data = data
        self.prov = provenance
        self.points_word = points_word
        # the org units named in this report's calls ("Thanh Giang" → its code), looked up once each
        self._orgs: dict[str | None, str] = {}

    # -- helpers -------------------------------------------------------------------
    def _ind(self, code: str) -> core.Indicator:
        try:
            return self.data.catalog[code]
        except core.CatalogError:
            raise PhraseError(f"Mẫu báo cáo gọi chỉ tiêu «{code}» không có trong danh mục.") from None

    def _need(self, call: str, code: str, v: Value | None, what: str) -> Value:
        if v is None:
            raise PhraseError(f"{call}: chưa có {what} của chỉ tiêu {code}.")
        return v

    def _org(self, org: str | None) -> str:
        found = self._orgs.get(org)
        if found is None:
            found = self._orgs[org] = self.data.org(org)
        return found

    def _get(self, code: str, kind: str = "actual", **kw: Any) -> Value | None:
        self._ind(code)  # an unknown code is named as such, not as a missing value
        return self.data.lookup(
            code,
            self._org(kw.get("org")),
            str(kw.get("period") or self.data.year),
            kind,
            str(kw.get("category") or ""),
            str(kw.get("option") or ""),
        )

    def _number(self, code: str, value: Decimal, **kw: Any) -> tuple[str, str]:
        ind = self._ind(code)
        unit = kw.get("unit") or ind.unit
        if unit != ind.unit:
            value = self.data.catalog.units.convert(value, ind.unit, unit)
        decimals = kw.get("decimals")
        if decimals is None:
            decimals = ind.decimals
        symbol = self.data.catalog.units[unit].symbol
        return core.format_vi(value, int(decimals)), symbol

    def _record(
        self, call: str, code: str, text: str, values: Iterable[Value], formula: str | None = None, **kw: Any
    ) -> str:
        self.prov.add(
            text=text,
            call=call,
            indicator=code,
            org_unit=self._org(kw.get("org")),
            period=str(kw.get("period") or self.data.year),
            values=[_value_json(v) for v in values],
            formula=formula,
        )
        return text

    @staticmethod
    def _with_unit(number: str, symbol: str) -> str:
        return number + symbol if symbol == "%" else f"{number} {symbol}"

    def _plan_value(self, code: str, **kw: Any) -> Value | None:
        kinds = ("budget_estimate", "plan") if self._ind(code).budgeted else ("plan", "budget_estimate")
        for kind in kinds:
            found = self._get(code, kind, **kw)
            if found is not None:
                return found
        return None

    def _previous(self, code: str, base: str | None, **kw: Any) -> tuple[Value | None, str]:
        period = core.Period.parse(str(kw.get("period") or self.data.year))
        base_code = base or period.previous_year().code
        args = dict(kw)
        args["period"] = base_code
        return self._get(code, "actual", **args), base_code

    # -- calls ---------------------------------------------------------------------
    def _printable(self, call: str, code: str, value: Value) -> Value:
        if value.derived:
            raise PhraseError(
                f"{call}: số của {code} kỳ {value.period} là số suy ra ({value.provenance.formula}), "
                "không được in như số báo cáo; dùng plan() hoặc change() để nêu tỷ lệ."
            )
        return value

    def v(self, code: str, **kw: Any) -> str:
        """The value with its unit: "14.739 ha", "25,5%". A derived value is refused."""
        value = self._printable("v", code, self._need("v", code, self._get(code, **kw), "số liệu"))
        number, symbol = self._number(code, value.value, **kw)
        return self._record("v", code, self._with_unit(number, symbol), [value], **kw)

    def n(self, code: str, **kw: Any) -> str:
        """The number only: "14.739"."""
        value = self._printable("n", code, self._need("n", code, self._get(code, **kw), "số liệu"))
        number, _symbol = self._number(code, value.value, **kw)
        return self._record("n", code, number, [value], **kw)

    def est(self, code: str | None = None, **kw: Any) -> str:
        """ "ước thực hiện" for an estimate, "" for a final figure."""
        if code is None:
            return "ước thực hiện"
        value = self._get(code, **kw)
        return "ước thực hiện" if value is not None and value.kind is ValueKind.ESTIMATE else ""

    def pct_plan(self, code: str, **kw: Any) -> str:
        actual = self._need("pct_plan", code, self._get(code, **kw), "số thực hiện")
        plan = self._need("pct_plan", code, self._plan_value(code, **kw), "kế hoạch hoặc dự toán")
        pct = compute.pct_of(actual.value, plan.value)
        assert pct is not None
        text = core.format_pct(pct, int(kw.get("pct_decimals", PCT_DECIMALS)))
        return self._record("pct_plan", code, text, [actual, plan], "thực hiện ÷ kế hoạch × 100", **kw)

    def plan(self, code: str, verb: str | None = None, word: str | None = None, **kw: Any) -> str:
        """ "đạt 103,4% kế hoạch", or "bằng 107,2% dự toán" for a budgeted indicator."""
        actual = self._need("plan", code, self._get(code, **kw), "số thực hiện")
        plan = self._need("plan", code, self._plan_value(code, **kw), "kế hoạch hoặc dự toán")
        pct = compute.pct_of(actual.value, plan.value)
        assert pct is not None
        budget = plan.kind is ValueKind.BUDGET_ESTIMATE
        text = WORDING["plan"].format(
            verb=verb or ("bằng" if budget else "đạt"),
            pct=core.format_pct(pct, int(kw.get("pct_decimals", PCT_DECIMALS))),
            word=word or ("dự toán" if budget else "kế hoạch"),
        )
        return self._record("plan", code, text, [actual, plan], "thực hiện ÷ kế hoạch × 100", **kw)

    def _change(
        self, code: str, base: str | None, style: str | None, **kw: Any
    ) -> tuple[Decimal, str, bool, Value, Value, str]:
        ind = self._ind(code)
        actual = self._need("change", code, self._get(code, **kw), "số thực hiện")
        before, base_code = self._previous(code, base, **kw)
        before = self._need("change", code, before, f"số năm {base_code}")
        points = ind.kind in (IndicatorKind.RATE, IndicatorKind.RATIO) and ind.unit == "pct"
        if points:
            delta = compute.pp_change(actual.value, before.value)
            assert delta is not None
            places = int(kw.get("pct_decimals", max(ind.decimals, 1)))
            size = core.format_vi(abs(delta), places)
            size += "%" if style == "pct" else " " + self.points_word
            formula = "thực hiện − năm gốc (điểm phần trăm)"
        elif ind.unit != "pct" and ind.kind in (IndicatorKind.RATIO,) and style == "points":
            delta = actual.value - before.value
            places = int(kw.get("decimals", ind.decimals))
            size = core.format_vi(abs(delta), places)
            formula = "thực hiện − năm gốc"
        else:
            pct = compute.pct_change(actual.value, before.value)
            if pct is None:
                raise PhraseError(f"change: không tính được mức tăng giảm của {code} (số năm gốc bằng 0).")
            delta = pct
            places = int(kw.get("pct_decimals", PCT_DECIMALS))
            size = core.format_pct(abs(pct), places)
            formula = "(thực hiện − năm gốc) ÷ năm gốc × 100"
        zero = core.quantize(abs(delta), places) == 0
        return delta, size, zero, actual, before, formula + f"; năm gốc {base_code}"

    def change(
        self, code: str, base: str | None = None, words: bool = True, style: str | None = None, **kw: Any
    ) -> str:
        """ "giảm 1,5% so với năm 2022"; a rate changes in points ("giảm 0,59 điểm phần trăm")."""
        delta, size, zero, actual, before, formula = self._change(code, base, style, **kw)
        base_code = formula.rsplit("năm gốc ", 1)[1]
        if zero:
            text = WORDING["same"].format(base=base_code) if words else WORDING["same_short"]
        else:
            direction = "tăng" if delta > 0 else "giảm"
            pattern = WORDING["change"] if words else WORDING["change_short"]
            text = pattern.format(direction=direction, size=size, base=base_code)
        return self._record("change", code, text, [actual, before], formula, **kw)

    def pct_change(self, code: str, base: str | None = None, style: str | None = None, **kw: Any) -> str:
        _delta, size, _zero, actual, before, formula = self._change(code, base, style, **kw)
        return self._record("pct_change", code, size, [actual, before], formula, **kw)

    def diff(self, code: str, base: str | None = None, words: bool = True, **kw: Any) -> str:
        """Absolute change with unit: "tăng 18,42 ha so với năm 2022"."""
        actual = self._need("diff", code, self._get(code, **kw), "số thực hiện")
        before, base_code = self._previous(code, base, **kw)
        before = self._need("diff", code, before, f"số năm {base_code}")
        delta = actual.value - before.value
        number, symbol = self._number(code, abs(delta), **kw)
        direction = "tăng" if delta > 0 else ("giảm" if delta < 0 else "bằng")
        size = self._with_unit(number, symbol)
        text = f"{direction} {size}" + (f" so với năm {base_code}" if words else "")
        return self._record("diff", code, text, [actual, before], "thực hiện − năm gốc", **kw)

    def ratio(self, num: str, den: str, **kw: Any) -> str:
        """ "48/52"."""
        a = self._need("ratio", num, self._get(num, **kw), "tử số")
        b = self._need("ratio", den, self._get(den, **kw), "mẫu số")
        text = f"{self._number(num, a.value, **kw)[0]}/{self._number(den, b.value, **kw)[0]}"
        return self._record("ratio", num, text, [a, b], None, **kw)

    def target(self, code: str, period: str | None = None, **kw: Any) -> str:
        """A target in words: "tăng 2,0% trở lên", "từ 1 đến 2 xã", "không quá 113 bé trai/100 bé gái"."""
        args = dict(kw)
        args["period"] = period or str(self.data.year + 1)
        t = self._need("target", code, self._get(code, "target", **args), f"mục tiêu kỳ {args['period']}")
        form = t.form or TargetForm.EXACT

        def num(x: Decimal | None, with_unit: bool = True) -> str:
            if x is None:
                return ""
            number, symbol = self._number(code, x, **kw)
            return self._with_unit(number, symbol) if with_unit else number

        # each bound prints with the decimals it was set with ("2,0%", "từ 1,5% đến 2%"), kept as its
        # rounding error; a bound without one (an older stored value) shows its significant decimals
        def pct(x: Decimal | None, error: Decimal | None) -> str:
            if x is None:
                return ""
            places = _decimals_of(error) if error else max(0, -int(x.normalize().as_tuple().exponent))
            return core.format_vi(x, places)

        if form is TargetForm.GROWTH_AT_LEAST:
            text = WORDING["target_growth_at_least"].format(x=pct(t.value, t.error))
        elif form is TargetForm.GROWTH:
            text = WORDING["target_growth"].format(x=pct(t.value, t.error))
        elif form is TargetForm.GROWTH_RANGE:
            text = WORDING["target_growth_range"].format(
                x=pct(t.value, t.error), y=pct(t.value_high, t.error_high)
            )
        elif form is TargetForm.AVG_GROWTH_RANGE:
            text = WORDING["target_avg_growth_range"].format(
                x=pct(t.value, t.error), y=pct(t.value_high, t.error_high)
            )
        elif form is TargetForm.AT_LEAST:
            text = WORDING["target_at_least"].format(x=num(t.value))
        elif form is TargetForm.AT_MOST:
            text = WORDING["target_at_most"].format(x=num(t.value))
        elif form is TargetForm.RANGE:
            text = WORDING["target_range"].format(x=num(t.value, with_unit=False), y=num(t.value_high))
        elif form is TargetForm.PP_CHANGE:
            text = WORDING["target_pp"].format(x=pct(t.value, t.error))
        else:
            text = WORDING["target_exact"].format(x=num(t.value))
        return self._record("target", code, text, [t], f"mục tiêu ({form.value})", **args)
