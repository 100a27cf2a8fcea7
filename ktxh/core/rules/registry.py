"""The registry of rule kinds, the built-in rules, and the loader of rule files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..catalog import Catalog
from ..errors import CatalogError
from ..expr import ExpressionError, parse, refs
from . import (
    check_children_sum,
    check_expression,
    check_outliers,
    check_part_le_total,
    check_stated,
    check_sum_parts,
)
from .model import Check, Finding, Missing, Rule, RuleContext, Severity

DATA_DIR = Path(__file__).resolve().parent.parent.parent / "data" / "rules"

KINDS: dict[str, Check] = {
    "sum_parts": check_sum_parts.run,
    "ratio": check_expression.run_ratio,
    "product": check_expression.run_product,
    "compare": check_expression.run_compare,
    "part_le_total": check_part_le_total.run,
    "children_sum": check_children_sum.run,
    "formula": check_expression.run_formula,
    "stated_pct": check_stated.run,
    "restated": check_stated.run_restated,
    "outlier_siblings": check_outliers.run_siblings,
    "outlier_history": check_outliers.run_history,
    "magnitude": check_outliers.run_magnitude,
}

BUILT_IN: tuple[Rule, ...] = (
    Rule(
        "PART_LE_TOTAL", "part_le_total", "Chỉ tiêu «trong đó» không lớn hơn chỉ tiêu tổng", source="built-in"
    ),
    Rule(
        "CHILDREN_SUM",
        "children_sum",
        "Số của đơn vị bằng tổng số của các đơn vị trực thuộc",
        source="built-in",
    ),
    Rule("FORMULA", "formula", "Chỉ tiêu có công thức khớp với các số liệu thành phần", source="built-in"),
    Rule(
        "STATED_PCT",
        "stated_pct",
        "Tỷ lệ, mức tăng giảm nêu trong báo cáo khớp với số liệu",
        source="built-in",
    ),
    Rule("RESTATED", "restated", "Cùng một số liệu nêu hai lần phải khớp nhau", source="built-in"),
    Rule(
        "OUTLIER_SIBLINGS",
        "outlier_siblings",
        "Số liệu khác thường so với các đơn vị cùng cấp",
        severity=Severity.WARNING,
        source="built-in",
    ),
    Rule(
        "OUTLIER_HISTORY",
        "outlier_history",
        "Số liệu khác thường so với các năm trước",
        severity=Severity.WARNING,
        source="built-in",
    ),
    Rule(
        "MAGNITUDE",
        "magnitude",
        "Số liệu có thể sai hàng đơn vị (gấp 10, 100, 1.000 lần)",
        severity=Severity.WARNING,
        source="built-in",
    ),
)

_FIELDS = {"code", "kind", "title", "severity", "missing", "levels", "kinds", "tolerance", "note"}
_INDICATOR_FIELDS = ("total", "result", "numerator", "denominator")
_VALUE_KINDS = {"actual", "estimate", "final", "plan", "budget_estimate"}


def rule_from_entry(entry: Mapping[str, Any], source: str) -> Rule:
    where = f"{source}, quy tắc «{entry.get('code', '?')}»"
    try:
        kind = str(entry["kind"])
        if kind not in KINDS:
            raise CatalogError(f"{where}: loại quy tắc «{kind}» không có ({', '.join(sorted(KINDS))}).")
        tol = entry.get("tolerance") or {}
        kinds = tuple(entry.get("kinds") or ("actual",))
        bad_kinds = set(kinds) - _VALUE_KINDS
        if bad_kinds:
            raise CatalogError(f"{where}: loại số liệu không hợp lệ: {', '.join(sorted(bad_kinds))}.")
        return Rule(
            code=str(entry["code"]),
            kind=kind,
            title=str(entry.get("title") or ""),
            severity=Severity(entry.get("severity") or "error"),
            missing=Missing(entry.get("missing") or "skip"),
            levels=tuple(entry.get("levels") or ()),
            kinds=kinds,
            tol_abs=float(tol.get("abs") or 0),
            tol_rel=float(tol.get("rel") or 0),
            params={k: v for k, v in entry.items() if k not in _FIELDS},
            note=entry.get("note"),
            source=source,
        )
    except KeyError as exc:
        raise CatalogError(f"{where}: thiếu trường {exc.args[0]!r}.") from None
    except ValueError as exc:
        raise CatalogError(f"{where}: giá trị không hợp lệ ({exc}).") from None


def load_rules(data_dir: Path = DATA_DIR, *, built_in: bool = True) -> list[Rule]:
    """The built-in rules and every rule file of the folder.

    Parsed files are remembered until a file of the folder changes (every save on a
    screen runs the rules, and parsing the YAML cost more than running them).
    """
    paths = sorted(data_dir.glob("*.yaml")) if data_dir.exists() else []
    stamp = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
    return list(_load_rules(data_dir, built_in, stamp))


@lru_cache(maxsize=8)
def _load_rules(data_dir: Path, built_in: bool, stamp: tuple[tuple[str, int, int], ...]) -> tuple[Rule, ...]:
    rules: list[Rule] = list(BUILT_IN) if built_in else []
    for name, _mtime, _size in stamp:
        path = data_dir / name
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in doc.get("rules") or []:
            rules.append(rule_from_entry(entry, path.name))
    return tuple(rules)


def rule_codes(rule: Rule) -> set[str]:
    """The indicators a rule names (none for the generic built-in rules)."""
    codes = {str(rule.params[f]) for f in _INDICATOR_FIELDS if f in rule.params}
    codes |= {str(c) for c in rule.params.get("parts", []) or []}
    codes |= {str(c) for c in rule.params.get("factors", []) or []}
    for field in ("left", "right"):
        if field in rule.params:
            try:
                codes |= {r.code for r in refs(parse(str(rule.params[field])))}
            except ExpressionError:
                continue
    return codes


def rule_problems(rules: Iterable[Rule], catalog: Catalog) -> list[str]:
    """Every rule that names an unknown indicator, repeats a code or has an unreadable expression."""
    out = []
    seen: dict[str, str] = {}
    for rule in rules:
        where = f"{rule.source}, quy tắc «{rule.code}»"
        if rule.code in seen:
            out.append(f"{where}: mã quy tắc trùng với {seen[rule.code]}.")
        seen[rule.code] = rule.source
        codes = [str(rule.params[f]) for f in _INDICATOR_FIELDS if f in rule.params]
        codes += [str(c) for c in rule.params.get("parts", []) or []]
        codes += [str(c) for c in rule.params.get("factors", []) or []]
        for field in ("left", "right"):
            if field in rule.params:
                try:
                    codes += [r.code for r in refs(parse(str(rule.params[field])))]
                except ExpressionError as exc:
                    out.append(f"{where}: {exc}")
        for code in codes:
            if code not in catalog:
                out.append(f"{where}: chỉ tiêu «{code}» không có trong danh mục.")
        if rule.kind == "sum_parts" and not (rule.params.get("parts") or rule.params.get("over")):
            out.append(f"{where}: cần «parts» hoặc «over».")
    return out


def run_rules(rules: Iterable[Rule], ctx: RuleContext) -> list[Finding]:
    """Run every rule; findings come back errors first, then by code."""
    findings: list[Finding] = []
    seen: set[tuple[str, str, str, tuple[tuple[str, str, str, str], ...]]] = set()
    for rule in rules:
        for f in KINDS[rule.kind](rule, ctx):
            # a shipped rule and a built-in one may flag the very same sum: report it once
            key = (
                f.org_unit,
                f.period,
                f.message.split(":", 1)[-1],
                tuple((v.indicator, v.org_unit, v.option, v.kind) for v in f.values),
            )
            if key in seen:
                continue
            seen.add(key)
            findings.append(f)
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return sorted(findings, key=lambda f: (order[f.severity], f.org_unit, f.period, f.code))
