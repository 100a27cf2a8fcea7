"""Load a dataset of facts taken from one document (the Thanh Miện demo is one).

A dataset folder holds ``dataset.yaml`` (which document, which unit, which date),
the document itself, and YAML files of ``facts`` and ``targets`` (see
docs/data-format.md). Loading checks every entry and turns it into core values:

* each fact becomes a *reported* value whose provenance is a line of the document;
* each percentage or change the document states about it becomes a StatedFigure
  (kept so the checker can catch the report's own slips), and the value it implies
  (the plan behind "đạt 103,4% kế hoạch", the 2022 value behind "giảm 1,5%") is
  stored as *derived*, flagged so and carrying its formula, unless the document
  states that value itself.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any

import yaml

from . import compute
from .catalog import Catalog
from .errors import DatasetError, KtxhError
from .numbers import format_vi, half_unit, printed_decimals, to_decimal
from .orgunits import OrgUnitRegistry
from .periods import Period
from .types import Measure, Provenance, Qualifier, StatedFigure, TargetForm, Value, ValueKind
from .units import Unit

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo" / "thanh_mien_2023"
DERIVED_PLACES = Decimal("0.000001")
DERIVED_FLAG = "derived"


@dataclass(frozen=True, slots=True)
class Document:
    """A source document: its key, title and text lines (1-based for people)."""

    key: str
    title: str
    filename: str
    lines: tuple[str, ...]
    document_date: date

    def line(self, number: int) -> str:
        return self.lines[number - 1]


@dataclass(slots=True)
class Dataset:
    document: Document
    org_unit: str
    values: list[Value] = field(default_factory=list)
    stated: list[StatedFigure] = field(default_factory=list)

    @property
    def reported(self) -> list[Value]:
        return [v for v in self.values if not v.derived]

    @property
    def derived(self) -> list[Value]:
        return [v for v in self.values if v.derived]


_IMPLIED_KIND = {
    Measure.PCT_PLAN: ValueKind.PLAN,
    Measure.PCT_BUDGET: ValueKind.BUDGET_ESTIMATE,
}
_MEASURE_WORDS = {
    Measure.PCT_PLAN: "kế hoạch",
    Measure.PCT_BUDGET: "dự toán",
}


class _Loader:
    def __init__(self, folder: Path, catalog: Catalog, registry: OrgUnitRegistry) -> None:
        self.folder = folder
        self.catalog = catalog
        self.registry = registry
        meta = yaml.safe_load((folder / "dataset.yaml").read_text(encoding="utf-8"))
        raw = (folder / meta["source"]).read_text(encoding="utf-8")
        self.document = Document(
            key=meta["key"],
            title=unicodedata.normalize("NFC", meta["title"]),
            filename=meta["source"],
            lines=tuple(raw.split("\n")),
            document_date=date.fromisoformat(meta["document_date"]),
        )
        self.root = registry.resolve(str(meta["org_unit"]), self.document.document_date)
        self.default_period = str(meta.get("period", self.document.document_date.year))
        self.reported: dict[tuple[str, ...], Value] = {}
        self.implied: dict[tuple[str, ...], Value] = {}
        self.stated: list[StatedFigure] = []

    # -- helpers ---------------------------------------------------------------
    def _where(self, source: str, index: int, entry: Mapping[str, Any]) -> str:
        return f"{source}, mục {index + 1} ({entry.get('ind', '?')})"

    def _provenance(self, where: str, line: Any, text: Any, **extra: Any) -> Provenance:
        if not isinstance(line, int) or not 1 <= line <= len(self.document.lines):
            raise DatasetError(f"{where}: dòng {line!r} không có trong {self.document.filename}.")
        text = unicodedata.normalize("NFC", str(text or ""))
        if not text or text not in self.document.line(line):
            raise DatasetError(
                f"{where}: dòng {line} của {self.document.filename} không chứa «{text}»: "
                f"«{self.document.line(line).strip()}»"
            )
        return Provenance(document=self.document.key, line=line, text=text, **extra)

    def _org(self, name: Any, period: Period) -> str:
        if not name:
            return self.root.code
        at = min(period.end, self.document.document_date)
        return self.registry.find_by_name(str(name), under=self.root.code, at=at).code

    def _period(self, code: Any) -> Period:
        return Period.parse(str(code or self.default_period))

    # -- facts -----------------------------------------------------------------
    def fact(self, source: str, index: int, entry: Mapping[str, Any]) -> None:
        where = self._where(source, index, entry)
        indicator = self.catalog[str(entry["ind"])]
        period = self._period(entry.get("period"))
        value = to_decimal(entry["value"])
        stated_unit = entry.get("unit")
        error = _rounding(str(entry["value"]), self.catalog.units[str(stated_unit or indicator.unit)])
        note = entry.get("note")
        if stated_unit and stated_unit != indicator.unit:
            value = self.catalog.units.convert(value, str(stated_unit), indicator.unit)
            error = self.catalog.units.convert(error, str(stated_unit), indicator.unit)
            # stored with six decimals: keep the value exact there and the error on the safe side
            value = value.quantize(DERIVED_PLACES) if -value.as_tuple().exponent > 6 else value  # type: ignore[operator]
            error = error.quantize(DERIVED_PLACES, rounding=ROUND_CEILING)
            symbol = self.catalog.units[str(stated_unit)].symbol
            note = f"Quy đổi từ {entry['value']} {symbol}." + (f" {note}" if note else "")
        prov = self._provenance(where, entry.get("line"), entry.get("text"), note=note)
        kind = ValueKind(entry.get("kind") or ValueKind.ESTIMATE)
        org = self._org(entry.get("org"), period)
        category, option = str(entry.get("category") or ""), str(entry.get("option") or "")
        reported = Value(
            indicator=indicator.code,
            org_unit=org,
            period=period.code,
            kind=kind,
            value=value,
            category=category,
            option=option,
            qualifier=Qualifier(entry.get("qualifier") or ""),
            provenance=prov,
            error=error,
        )
        if reported.key in self.reported:
            other = self.reported[reported.key].provenance.line
            raise DatasetError(
                f"{where}: trùng với số liệu đã có ở dòng {other} (cùng chỉ tiêu, kỳ, đơn vị)."
            )
        self.reported[reported.key] = reported
        for measure in Measure:
            if entry.get(measure.value):
                self._stated(where, reported, measure, entry[measure.value])

    def _stated(self, where: str, reported: Value, measure: Measure, spec: Mapping[str, Any]) -> None:
        figure = to_decimal(spec["value"])
        decimals = printed_decimals(str(spec["value"]))
        prov = self._provenance(f"{where} [{measure.value}]", spec.get("line"), spec.get("text"))
        period = Period.parse(reported.period)
        base: str | None = None
        stated_unit: str | None = None
        if measure is Measure.RESTATED:
            stated_unit = str(spec.get("unit") or self.catalog[reported.indicator].unit)
            self.catalog.units[stated_unit]  # an unknown unit fails here, naming it
        elif measure not in _IMPLIED_KIND:
            base = str(spec.get("base") or period.previous_year().code)
            Period.parse(base)
        self.stated.append(
            StatedFigure(
                indicator=reported.indicator,
                org_unit=reported.org_unit,
                period=reported.period,
                measure=measure,
                value=figure,
                base_period=base,
                provenance=prov,
                category=reported.category,
                option=reported.option,
                decimals=decimals,
                unit=stated_unit,
            )
        )
        if measure is Measure.RESTATED:
            return
        implied = self._implied(reported, measure, figure, base, half_unit(decimals))
        if implied is not None:
            fact = Provenance(
                document=prov.document,
                line=prov.line,
                text=prov.text,
                formula=implied[1],
                note="Suy ra từ tỷ lệ/mức thay đổi báo cáo nêu; không phải số báo cáo công bố.",
            )
            value = Value(
                indicator=reported.indicator,
                org_unit=reported.org_unit,
                period=implied[2],
                kind=implied[3],
                value=implied[0].quantize(DERIVED_PLACES),
                category=reported.category,
                option=reported.option,
                derived=True,
                flags=(DERIVED_FLAG,),
                provenance=fact,
                error=implied[4].quantize(DERIVED_PLACES, rounding=ROUND_CEILING),
            )
            self.implied.setdefault(value.key, value)

    def _implied(
        self, reported: Value, measure: Measure, figure: Decimal, base: str | None, figure_error: Decimal
    ) -> tuple[Decimal, str, str, ValueKind, Decimal] | None:
        """The implied value, its formula, period, kind and uncertainty (from both roundings)."""
        v = reported.value
        e = reported.error or Decimal(0)
        shown = format_vi(v)
        if measure in _IMPLIED_KIND:
            plan = compute.base_from_pct_of(v, figure)
            if plan is None or figure - figure_error <= 0:
                return None
            spread = _spread(compute.base_from_pct_of, v, e, figure, figure_error)
            formula = f"{shown} ÷ {format_vi(figure)}% ({_MEASURE_WORDS[measure]} suy ra)"
            return plan, formula, reported.period, _IMPLIED_KIND[measure], spread
        assert base is not None
        if measure is Measure.PCT_CHANGE:
            prev = compute.previous_from_pct_change(v, figure)
            if prev is None or 100 + figure - figure_error <= 0:
                return None
            spread = _spread(compute.previous_from_pct_change, v, e, figure, figure_error)
            formula = f"{shown} ÷ (100% {'+' if figure >= 0 else '−'} {format_vi(abs(figure))}%)"
        else:  # PP_CHANGE and ABS_CHANGE: subtract the stated change
            prev = v - figure
            spread = e + figure_error
            formula = f"{shown} {'−' if figure >= 0 else '+'} {format_vi(abs(figure))}"
        return prev, f"{formula} (số kỳ {base} suy ra)", base, ValueKind.FINAL, spread

    # -- targets ---------------------------------------------------------------
    def target(self, source: str, index: int, entry: Mapping[str, Any]) -> None:
        where = self._where(source, index, entry)
        indicator = self.catalog[str(entry["ind"])]
        period = self._period(entry.get("period"))
        form = TargetForm(entry["form"])
        low = to_decimal(entry["low"]) if entry.get("low") not in (None, "") else None
        high = to_decimal(entry["high"]) if entry.get("high") not in (None, "") else None
        if low is None and high is None:
            raise DatasetError(f"{where}: mục tiêu phải có cận dưới (low) hoặc cận trên (high).")
        if low is not None and high is not None and low > high:
            raise DatasetError(f"{where}: cận dưới {low} lớn hơn cận trên {high}.")
        prov = self._provenance(where, entry.get("line"), entry.get("text"), note=entry.get("note"))
        base = str(entry["base"]) if entry.get("base") else None
        if base:
            Period.parse(base)
        value = Value(
            indicator=indicator.code,
            org_unit=self._org(entry.get("org"), period),
            period=period.code,
            kind=ValueKind.TARGET,
            value=low if low is not None else high,  # type: ignore[arg-type]
            value_high=high if low is not None else None,
            form=form,
            base_period=base,
            category=str(entry.get("category") or ""),
            option=str(entry.get("option") or ""),
            provenance=prov,
            # each bound's printed precision, so "tăng 2,0%" and "từ 1,5% đến 2%" print as written
            error=half_unit(printed_decimals(str(entry.get("low") or entry.get("high")))),
            error_high=half_unit(printed_decimals(str(entry["high"])))
            if low is not None and high is not None
            else None,
        )
        if value.key in self.reported:
            raise DatasetError(f"{where}: mục tiêu này đã được khai báo.")
        self.reported[value.key] = value

    def run(self) -> Dataset:
        for path in sorted(self.folder.glob("*.yaml")):
            if path.name == "dataset.yaml":
                continue
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for section, handler in (("facts", self.fact), ("targets", self.target)):
                for index, entry in enumerate(doc.get(section) or []):
                    try:
                        handler(path.name, index, entry)
                    except DatasetError:
                        raise
                    except (KtxhError, KeyError, ValueError, TypeError) as exc:
                        where = self._where(path.name, index, entry)
                        detail = f"thiếu trường {exc}" if isinstance(exc, KeyError) else str(exc)
                        raise DatasetError(f"{where}: {detail}") from exc
        values = list(self.reported.values())
        values += [v for key, v in self.implied.items() if key not in self.reported]
        return Dataset(document=self.document, org_unit=self.root.code, values=values, stated=self.stated)


def _rounding(text: str, unit: Unit) -> Decimal:
    """The uncertainty of a printed number: half its last digit. A whole count ("855 hồ sơ")
    is exact, unless it is plainly rounded to thousands or more ("1.107.000 con")."""
    decimals = printed_decimals(text)
    if unit.dimension.startswith("count:") and decimals == 0:
        digits = text.strip().lstrip("-")
        zeros = len(digits) - len(digits.rstrip("0"))
        return half_unit(-zeros) if zeros >= 3 and digits != "0" * len(digits) else Decimal(0)
    return half_unit(decimals)


def _spread(fn: Any, value: Decimal, value_error: Decimal, figure: Decimal, figure_error: Decimal) -> Decimal:
    """Half the width of fn's range over the corners of value ± error and figure ± error."""
    corners = [
        fn(value + dv, figure + df)
        for dv in (-value_error, value_error)
        for df in (-figure_error, figure_error)
    ]
    return Decimal(max(corners) - min(corners)) / 2


def load_dataset(catalog: Catalog, registry: OrgUnitRegistry, folder: Path = DEMO_DIR) -> Dataset:
    """Load and check a dataset folder. Raises DatasetError naming the file and entry."""
    return _Loader(folder, catalog, registry).run()
