"""Import a past report: its mapped facts become values, each with its provenance.

``import_document`` reads the file, extracts the facts against the stored catalog, maps each
fact with an indicator to a value cell and writes them in ONE transaction: a failure part way
stores nothing, and a dry run goes through the very same steps and rolls back.
``import_facts`` does the same for an explicit list of facts a person reviewed (the web's
import review screen: corrected mappings, rejected facts left out), without reading again.

How a fact becomes a value (anything else is skipped, with the reason):

=========  ===================================================================================
value      the unit's value for the period: ``estimate`` when written "ước …", else ``final``
part       the commune's value when it names one; else the indicator's own value (a "trong
           đó" item with an indicator of its own, such as sản lượng thóc)
plan       ``plan``, or ``budget_estimate`` when the words say "dự toán"
target     ``target`` for the stated period (the next year when none is stated)
prior      ``final`` of the previous year (or of the year it names)
=========  ===================================================================================

The number is converted to the indicator's unit (m² → ha); its rounding is kept as ``error``;
``source_line``/``source_text`` point at the line and quote, the page goes into ``note``.
A cell that already holds the same number is left as it is (its provenance too).

Every value created or changed gets a row of the audit trail (ValueChange, source "import").
A period that is submitted, approved or locked for a unit the report touches refuses the
whole import (ImportInputError, nothing stored).

A stated "% kế hoạch", "% dự toán", "% so với năm trước" or change in points of a mapped
indicator is kept as a StatedFigure of the same document and line, so ``ktxh validate``
checks it against the values like any other report's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from ktxh import core
from ktxh.core.errors import UnitError
from ktxh.core.numbers import format_vi, half_unit
from ktxh.core.rules.model import with_unit
from ktxh.extract.model import Document, Fact, ReadError
from ktxh.web.catalog.models import Indicator
from ktxh.web.orgunits.models import OrgUnit

from .models import ChangeSource, DataValue, Period, SourceDocument, ValueChange
from .selectors import org_unit_at, stored_catalog

Progress = Callable[[str], None]

_MEASURES = {
    "pct_plan": "pct_plan",
    "pct_budget": "pct_budget",
    "pct_change": "pct_change",
    "pp_change": "pp_change",
}
_QUALIFIERS = {"trên": "tren", "hơn": "tren", "khoảng": "khoang", "gần": "gan", "dưới": "duoi"}
_UNIT_ALIASES = {"m2": "m²", "km2": "km²", "m3": "m³", "tỷđ": "tỷ đồng", "triệu": "triệu đồng"}


class ImportInputError(core.KtxhError):
    """The file or the arguments cannot be imported (message in Vietnamese; nothing stored)."""


@dataclass(frozen=True)
class ImportRow:
    """One value the import creates or changes (or would, in a dry run)."""

    indicator: str
    org_unit: str
    org_name: str
    period: str
    kind: str
    value: Decimal
    unit: str
    line: int
    quote: str
    old_value: Decimal | None = None

    @property
    def shown(self) -> str:
        return with_unit(format_vi(self.value), self.unit)

    @property
    def old_shown(self) -> str | None:
        return None if self.old_value is None else with_unit(format_vi(self.old_value), self.unit)


@dataclass(frozen=True)
class Skipped:
    line: int
    quote: str
    reason: str


@dataclass
class ImportResult:
    """What an import did (or, with ``dry_run``, would do)."""

    document: str
    unit_code: str
    unit_name: str
    dry_run: bool
    created: list[ImportRow] = field(default_factory=list)
    changed: list[ImportRow] = field(default_factory=list)
    unchanged: list[ImportRow] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    stated_created: int = 0
    stated_unchanged: int = 0


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _unit_key(name: str) -> str:
    """ "xã Chi Lăng Bắc", "Thị trấn Thanh Miện", "Chi Lăng Bắc" → "chi lăng bắc"."""
    s = _nfc(name).lower()
    for prefix in ("thị trấn ", "tt. ", "tt ", "xã ", "phường ", "huyện ", "thị xã ", "thành phố "):
        if s.startswith(prefix):
            s = s[len(prefix) :]
    return " ".join(s.split())


def document_text(doc: Document, path: Path) -> str:
    """The text to keep as the source: the file itself for .txt (its lines are the line numbers),
    otherwise each paragraph's pieces placed on the lines the reader numbered them with."""
    if doc.format == "txt":
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeError):
            pass
    lines: dict[int, list[str]] = {}
    for p in doc.paragraphs:
        bounds = [*p.spans, (len(p.text), -1)]
        for (start, line), (end, _next) in zip(bounds, bounds[1:], strict=False):
            piece = p.text[start:end].strip()
            if piece:
                lines.setdefault(line, []).append(piece)
    if not lines:
        return ""
    last = max(lines)
    return "\n".join(" ".join(lines.get(n, [])) for n in range(1, last + 1))


def _plan(
    facts: list[Fact],
    *,
    unit: OrgUnit,
    year: int,
    catalog: core.Catalog,
    children: dict[str, OrgUnit],
    skipped: list[Skipped],
    stated: list[Fact] | None = None,
) -> dict[tuple[str, str, str, str], tuple[Fact, dict[str, Any]]]:
    """The cells the facts map to: (indicator, org unit, period, kind) → (fact, fields)."""
    cells: dict[tuple[str, str, str, str], tuple[Fact, dict[str, Any]]] = {}
    totals = {(f.group, f.indicator) for f in facts if f.role == "value" and f.group}
    for f in facts:

        def skip(reason: str, f: Fact = f) -> None:
            skipped.append(Skipped(f.line, f.quote, reason))

        if not f.indicator:
            skip("chưa xác định được chỉ tiêu")
            continue
        ind = catalog.get(f.indicator)
        if ind is None:
            skip(f"chỉ tiêu «{f.indicator}» không có trong danh mục")
            continue
        if f.role == "value" and f.compared_to:
            # "tăng 18,42 ha so với năm 2022": a difference between two levels, not a level
            skip("là mức tăng, giảm so với kỳ khác, không phải giá trị của kỳ")
            continue
        kind, period = _kind_and_period(f, year)
        if kind is None and f.role in _MEASURES and not f.org_unit and stated is not None:
            stated.append(f)
            continue
        if kind is None:
            skip(f"vai trò «{f.role}» không ứng với một loại số liệu")
            continue
        target_unit = unit
        if f.org_unit:
            found = children.get(_unit_key(f.org_unit))
            if found is None:
                skip(f"không tìm thấy «{f.org_unit}» trong các đơn vị trực thuộc {unit.name}")
                continue
            target_unit = found
        elif f.role == "part" and (f.group, f.indicator) in totals:
            skip("là một thành phần của cùng chỉ tiêu, không phải số của cả đơn vị")
            continue
        try:
            value, error = _converted(f, ind.unit, catalog)
        except UnitError as exc:
            skip(str(exc))
            continue
        try:
            core.Period.parse(period)
        except core.KtxhError as exc:
            skip(str(exc))
            continue
        key = (f.indicator, target_unit.code, period, kind)
        fields = {
            "unit": target_unit,
            "value": value,
            "error": error,
            "qualifier": _QUALIFIERS.get(f.qualifier.strip().lower(), ""),
            "form": _form(f) if kind == "target" else "",
        }
        if key in cells:
            held = cells[key][0]
            if f.confidence > held.confidence:
                skipped.append(Skipped(held.line, held.quote, f"trùng ô với dòng {f.line} (tin cậy hơn)"))
                cells[key] = (f, fields)
            else:
                skip(f"trùng ô với dòng {held.line}")
            continue
        cells[key] = (f, fields)
    return cells


def _kind_and_period(f: Fact, year: int) -> tuple[str | None, str]:
    own = f.period or str(year)
    if f.role in ("value", "part"):
        return ("estimate" if "ước" in f.qualifier.lower() else "final"), own
    if f.role == "plan":
        budget = f.compared_to == "budget" or "dự toán" in f.subject.lower()
        return ("budget_estimate" if budget else "plan"), own
    if f.role == "target":
        return "target", f.period or str(year + 1)
    if f.role == "prior":
        period = f.period if f.period and f.period != str(year) else str(year - 1)
        return "final", period
    return None, own


def _form(f: Fact) -> str:
    said = f"{f.quote}".lower()
    if f.qualifier in ("trên", "hơn") or "trở lên" in said:
        return "at_least"
    if f.qualifier == "dưới" or "không quá" in said:
        return "at_most"
    return "exact"


def _converted(f: Fact, unit_code: str, catalog: core.Catalog) -> tuple[Decimal, Decimal | None]:
    """The fact in the indicator's unit, and its rounding there (None: exact)."""
    units = catalog.units
    written = _UNIT_ALIASES.get(_nfc(f.unit).lower(), _nfc(f.unit))
    error: Decimal | None = half_unit(f.decimals)
    target = units[unit_code]
    if target.dimension.startswith("count:") and f.decimals == 0:
        error = None  # a count is exact
    if not written or written == target.symbol:
        return f.value, error
    try:
        source = units.by_symbol(written)
    except UnitError:
        if target.dimension.startswith("count:"):
            return f.value, error  # a count noun written another way ("trường hợp" for "hồ sơ")
        raise
    value = units.convert(f.value, source.code, unit_code)
    if error is not None:
        # stored with six decimals: the error rounded up keeps the interval on the safe side
        error = max(units.convert(error, source.code, unit_code), STORED)
    return _stored(value), error


STORED = Decimal("0.000001")


def _stored(x: Decimal) -> Decimal:
    """The value as the database keeps it (six decimals)."""
    exp = x.as_tuple().exponent
    return x.quantize(STORED).normalize() if isinstance(exp, int) and exp < -6 else x.normalize()


def _write(
    key: tuple[str, str, str, str],
    f: Fact,
    fields: dict[str, Any],
    *,
    indicators: dict[str, Indicator],
    periods: dict[str, Period],
    document: SourceDocument,
    existing: dict[tuple[str, str, str, str], DataValue],
    user: Any,
) -> tuple[str, Decimal | None]:
    """Create or update one cell; ("created" | "changed" | "unchanged", the old value)."""
    code, _unit, period, kind = key
    cell = existing.get(key)
    note = f"Trang {f.page}." if f.page else ""
    values = {
        "value": fields["value"],
        "error": fields["error"],
        "qualifier": fields["qualifier"],
        "form": fields["form"],
        "derived": False,
        "source_document": document,
        "source_line": f.line,
        "source_text": f.quote[:200],
        "note": note,
        "flags": ["imported"],
    }
    if cell is None:
        cell = DataValue.objects.create(
            indicator=indicators[code],
            org_unit=fields["unit"],
            period=periods[period],
            kind=kind,
            entered_by=user,
            **values,
        )
        _audit(cell, None, user, document, f.line)
        return "created", None
    if cell.value == fields["value"]:
        return "unchanged", cell.value
    old = cell.value
    for name, v in values.items():
        setattr(cell, name, v)
    if user is not None:
        cell.entered_by = user
    cell.version += 1
    cell.save()
    _audit(cell, old, user, document, f.line)
    return "changed", old


def _audit(cell: DataValue, old: Decimal | None, user: Any, document: SourceDocument, line: int) -> None:
    """One row of the audit trail per value the import creates or changes."""
    ValueChange.of(
        cell,
        old=old,
        source=ChangeSource.IMPORT,
        user=user,
        reason=f"Nhập từ «{document.filename}», dòng {line}.",
    ).save()


def import_document(
    *,
    path: str | Path,
    unit_code: str,
    year: int,
    dry_run: bool,
    user: Any = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Store the facts of one report as values of ``unit_code`` (and its communes) for ``year``."""
    from ktxh.extract.facts import extract
    from ktxh.extract.readers import read

    say = progress or (lambda _m: None)
    p = Path(path)
    try:
        unit = org_unit_at(unit_code, date(year, 12, 31))
    except core.OrgUnitError as exc:
        raise ImportInputError(str(exc)) from None

    def pages(done: int, total: int) -> None:
        if total >= 5 and (done == total or done % max(1, total // 10) == 0):
            say(f"Đọc {p.name}: {done}/{total} trang")

    try:
        doc = read(p, progress=pages)
    except ReadError as exc:
        raise ImportInputError(str(exc)) from None
    catalog = stored_catalog()
    say(f"Tìm số liệu trong {len(doc.paragraphs)} đoạn văn…")
    facts = extract(doc, catalog)
    _check_year(facts, year, p.name)
    return _store(
        facts,
        doc=doc,
        unit=unit,
        year=year,
        catalog=catalog,
        text=document_text(doc, p),
        filename=p.name,
        title=p.stem,
        dry_run=dry_run,
        user=user,
        say=say,
    )


def import_facts(
    *,
    facts: Sequence[Fact],
    document: Document,
    text: str,
    filename: str,
    unit_code: str,
    year: int,
    dry_run: bool,
    user: Any = None,
    title: str = "",
    progress: Progress | None = None,
) -> ImportResult:
    """Store an explicit, reviewed list of facts (the import review screen): the same mapping,
    transaction, audit rows and locked-period refusal as :func:`import_document`, without
    reading or extracting again.

    Each fact is taken as the reviewer left it: ``indicator`` is the mapping they chose (None:
    not imported, reported as skipped). A rate written as a share ("tỷ lệ hộ nghèo 1,88%")
    that the reviewer mapped to an indicator counted in % is that indicator's value.
    ``document`` is the text model the facts were found in; ``text`` the text kept as the
    source (``document_text``), whose lines the facts' lines name.
    """
    say = progress or (lambda _m: None)
    try:
        unit = org_unit_at(unit_code, date(year, 12, 31))
    except core.OrgUnitError as exc:
        raise ImportInputError(str(exc)) from None
    catalog = stored_catalog()
    taken: list[Fact] = []
    for f in facts:
        ind = catalog.get(f.indicator) if f.indicator else None
        if f.role == "share" and ind is not None and catalog.units[ind.unit].symbol == "%":
            f = replace(f, role="value")
        taken.append(f)
    _check_year(taken, year, filename)
    return _store(
        taken,
        doc=document,
        unit=unit,
        year=year,
        catalog=catalog,
        text=text,
        filename=filename,
        title=title or Path(filename).stem,
        dry_run=dry_run,
        user=user,
        say=say,
    )


def _store(
    facts: Sequence[Fact],
    *,
    doc: Document,
    unit: OrgUnit,
    year: int,
    catalog: core.Catalog,
    text: str,
    filename: str,
    title: str,
    dry_run: bool,
    user: Any,
    say: Progress,
) -> ImportResult:
    """Map ``facts`` to cells and write them in one transaction (rolled back for a dry run)."""
    children = {
        _unit_key(c.name): c for c in OrgUnit.objects.valid_at(date(year, 12, 31)).filter(parent=unit)
    }
    children.update({_unit_key(c.short_name): c for c in children.values() if c.short_name})
    result = ImportResult(document="", unit_code=unit.code, unit_name=unit.name, dry_run=dry_run)
    stated: list[Fact] = []
    cells = _plan(
        list(facts),
        unit=unit,
        year=year,
        catalog=catalog,
        children=children,
        skipped=result.skipped,
        stated=stated,
    )
    digest = SourceDocument.digest(text)
    key = f"import-{digest[:16]}"
    result.document = key
    say(f"{'Chạy thử' if dry_run else 'Ghi'} {len(cells)} số liệu…")
    with transaction.atomic():
        document, _created = SourceDocument.objects.update_or_create(
            key=key,
            defaults={"title": title, "filename": filename, "text": text, "sha256": digest},
        )
        indicators = {i.code: i for i in Indicator.objects.filter(code__in={k[0] for k in cells})}
        periods = {code: Period.get_for(code) for code in sorted({k[2] for k in cells})}
        _refuse_locked(cells, periods)
        existing = {
            (d.indicator.code, d.org_unit.code, d.period.code, d.kind): d
            for d in DataValue.objects.filter(
                indicator__in=indicators.values(),
                org_unit__in={fields["unit"] for _f, fields in cells.values()},
                period__in=periods.values(),
                category="",
                option="",
            ).select_related("indicator", "org_unit", "period")
        }
        for cell_key, (f, fields) in cells.items():
            status, old = _write(
                cell_key,
                f,
                fields,
                indicators=indicators,
                periods=periods,
                document=document,
                existing=existing,
                user=user,
            )
            ind = catalog[cell_key[0]]
            row = ImportRow(
                indicator=cell_key[0],
                org_unit=fields["unit"].code,
                org_name=fields["unit"].name,
                period=cell_key[2],
                kind=cell_key[3],
                value=fields["value"],
                unit=catalog.units[ind.unit].symbol,
                line=f.line,
                quote=f.quote,
                old_value=old if status == "changed" else None,
            )
            getattr(result, status).append(row)
        _write_stated(stated, doc=doc, unit=unit, year=year, document=document, result=result)
        if dry_run:
            transaction.set_rollback(True)
    return result


def _falls(f: Fact, doc: Document) -> bool:
    """ "giảm 1,5%": the last direction word before the number says it fell."""
    text = doc.paragraphs[f.paragraph].text if 0 <= f.paragraph < len(doc.paragraphs) else ""
    before = text[max(0, f.start - 20) : f.start].lower()
    words = re.findall(r"tăng|giảm|thấp hơn|cao hơn", before)
    return f.value > 0 and bool(words) and words[-1] in ("giảm", "thấp hơn")


def _write_stated(
    facts: list[Fact],
    *,
    doc: Document,
    unit: OrgUnit,
    year: int,
    document: SourceDocument,
    result: ImportResult,
) -> None:
    """Keep each stated percentage of a mapped indicator, once per document line."""
    from .models import StatedFigure

    indicators = {i.code: i for i in Indicator.objects.filter(code__in={str(f.indicator) for f in facts})}
    seen: set[tuple[str, str, str, int]] = set()
    for f in facts:
        period = f.period or str(year)
        try:
            parsed = core.Period.parse(period)
        except core.KtxhError:
            result.skipped.append(Skipped(f.line, f.quote, f"kỳ «{period}» không đọc được"))
            continue
        measure = _MEASURES[f.role]
        key = (str(f.indicator), parsed.code, measure, f.line)
        if key in seen or str(f.indicator) not in indicators:
            continue
        seen.add(key)
        base = None
        if measure in ("pct_change", "pp_change") and parsed.type.value == "year":
            base = Period.get_for(parsed.previous_year().code)
        value = -f.value if measure in ("pct_change", "pp_change") and _falls(f, doc) else f.value
        _obj, created = StatedFigure.objects.update_or_create(
            indicator=indicators[str(f.indicator)],
            org_unit=unit,
            period=Period.get_for(parsed.code),
            category="",
            option="",
            measure=measure,
            source_document=document,
            source_line=f.line,
            defaults={
                "value": value,
                "decimals": max(f.decimals, 0),
                "base_period": base,
                "source_text": f.quote[:200],
            },
        )
        if created:
            result.stated_created += 1
        else:
            result.stated_unchanged += 1


def _check_year(facts: list[Fact], year: int, name: str) -> None:
    """Refuse a report plainly about another year than ``--year``: a typo there would store a
    whole report's values in the wrong period."""
    years = [f.period[:4] for f in facts if f.role == "value" and f.period and f.period[:4].isdigit()]
    if len(years) < 3 or str(year) in years:
        return
    top = max(set(years), key=years.count)
    raise ImportInputError(
        f"Số liệu trong «{name}» là của năm {top} ({years.count(top)}/{len(years)} số liệu), "
        f"không có số nào của năm {year}. Hãy kiểm tra lại --year."
    )


def _refuse_locked(
    cells: dict[tuple[str, str, str, str], tuple[Fact, dict[str, Any]]], periods: dict[str, Period]
) -> None:
    """A period submitted, approved or locked for a unit takes no imported figure either."""
    from ktxh.web.workflow.services import edit_block

    for unit, period in sorted({(fields["unit"], key[2]) for key, (_f, fields) in cells.items()}, key=str):
        reason = edit_block(unit, periods[period])
        if reason:
            raise ImportInputError(f"{reason} Không nhập gì từ báo cáo này.")
