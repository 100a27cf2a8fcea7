"""The hand-built gold set of facts, and the scorer that measures an extractor against it.

A gold file is a CSV with the columns ``line,value,unit,role,quote,note`` (see
``tests/extract/gold/README.md`` for what each row means and the decisions taken on edge
cases). ``score`` compares extracted facts with gold rows:

- value+unit: a fact matches a gold row on (line, value, unit);
- per role: a fact matches on (line, value, unit, role).

Matching is one-to-one: two gold rows "30 ha" on one line need two facts "30 ha" on that
line. Values compare as Decimals ("103.40" == "103.4"); units compare after NFC and
outer-space trimming. With ``by_line=False`` lines are ignored and the multisets of the
whole document are compared (for DOCX/PDF renderings, whose line numbers differ).
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Protocol

from ktxh.extract.model import ROLES

GOLD_DIR = Path(__file__).parent / "gold"
SEED_GOLD = GOLD_DIR / "thanh_mien_2023.csv"
COLUMNS = ("line", "value", "unit", "role", "quote", "note")


class FactLike(Protocol):
    """What the scorer reads from a fact (``ktxh.extract.model.Fact`` has these)."""

    @property
    def line(self) -> int: ...

    @property
    def value(self) -> Decimal: ...

    @property
    def unit(self) -> str: ...

    @property
    def role(self) -> str: ...


@dataclass(frozen=True)
class GoldFact:
    line: int
    value: Decimal
    unit: str
    role: str
    quote: str
    note: str = ""
    value_text: str = ""  # the value as written in the CSV


class GoldError(ValueError):
    """A gold row does not parse."""


def norm_unit(unit: str) -> str:
    return unicodedata.normalize("NFC", unit).strip()


def load_gold(path: Path | str = SEED_GOLD) -> list[GoldFact]:
    rows: list[GoldFact] = []
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise GoldError(f"{path}: columns must be {','.join(COLUMNS)}, got {reader.fieldnames}")
        for n, row in enumerate(reader, start=2):
            try:
                line = int(row["line"])
                value = Decimal(row["value"])
            except (ValueError, InvalidOperation, TypeError) as exc:
                raise GoldError(f"{path}:{n}: bad line or value: {row}") from exc
            if not value.is_finite() or line < 1:
                raise GoldError(f"{path}:{n}: bad line or value: {row}")
            if row["role"] not in ROLES:
                raise GoldError(f"{path}:{n}: unknown role {row['role']!r}")
            rows.append(
                GoldFact(
                    line=line,
                    value=value,
                    unit=norm_unit(row["unit"] or ""),
                    role=row["role"],
                    quote=unicodedata.normalize("NFC", row["quote"] or ""),
                    note=row["note"] or "",
                    value_text=row["value"],
                )
            )
    return rows


@dataclass(frozen=True)
class Item:
    """A fact or a gold row as the scorer sees it."""

    line: int
    value: Decimal
    unit: str
    role: str
    quote: str = field(default="", compare=False)

    def key(self, by_line: bool, with_role: bool) -> tuple[Hashable, ...]:
        # Decimal hashes by value, so Decimal("103.40") and Decimal("103.4") are one key
        parts: list[Hashable] = [self.line] if by_line else []
        parts += [self.value, self.unit]
        if with_role:
            parts.append(self.role)
        return tuple(parts)


@dataclass(frozen=True)
class Counts:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Score:
    value_unit: Counts
    with_role: Counts
    per_role: dict[str, Counts]
    by_line: bool
    misses: list[Item] = field(default_factory=list)  # gold rows with no (line, value, unit) match
    false_positives: list[Item] = field(default_factory=list)  # facts with no (line, value, unit) match
    wrong_role: list[tuple[Item, str]] = field(default_factory=list)  # (fact, gold role) pairs


def _item(x: FactLike | GoldFact) -> Item:
    return Item(int(x.line), Decimal(x.value), norm_unit(x.unit), x.role, str(getattr(x, "quote", "")))


def _match(
    facts: Sequence[Item], gold: Sequence[Item], by_line: bool, with_role: bool
) -> tuple[list[Item], list[Item], list[Item]]:
    """One-to-one multiset match: (matched facts, unmatched facts, unmatched gold)."""
    left: dict[tuple[Hashable, ...], list[Item]] = {}
    for g in gold:
        left.setdefault(g.key(by_line, with_role), []).append(g)
    matched: list[Item] = []
    extra: list[Item] = []
    for f in facts:
        bucket = left.get(f.key(by_line, with_role))
        if bucket:
            bucket.pop()
            matched.append(f)
        else:
            extra.append(f)
    missed = [g for bucket in left.values() for g in bucket]
    return matched, extra, missed


def score(facts: Iterable[FactLike], gold: Iterable[FactLike | GoldFact], *, by_line: bool = True) -> Score:
    fs = [_item(f) for f in facts]
    gs = [_item(g) for g in gold]
    vu_tp, vu_fp, vu_fn = _match(fs, gs, by_line, with_role=False)
    r_tp, r_fp, r_fn = _match(fs, gs, by_line, with_role=True)
    per_role: dict[str, Counts] = {}
    for role in ROLES:
        tp = sum(1 for f in r_tp if f.role == role)
        fp = sum(1 for f in r_fp if f.role == role)
        fn = sum(1 for g in r_fn if g.role == role)
        if tp or fp or fn:
            per_role[role] = Counts(tp, fp, fn)
    # facts whose value and unit are right but whose role is not: pair them with the gold
    # rows left over by the role match, on the same (line,) value and unit
    wrong: list[tuple[Item, str]] = []
    spare: dict[tuple[Hashable, ...], list[Item]] = {}
    for g in r_fn:
        spare.setdefault(g.key(by_line, with_role=False), []).append(g)
    for f in r_fp:
        bucket = spare.get(f.key(by_line, with_role=False))
        if bucket:
            wrong.append((f, bucket.pop().role))
    return Score(
        value_unit=Counts(len(vu_tp), len(vu_fp), len(vu_fn)),
        with_role=Counts(len(r_tp), len(r_fp), len(r_fn)),
        per_role=per_role,
        by_line=by_line,
        misses=sorted(vu_fn, key=lambda i: (i.line, i.value)),
        false_positives=sorted(vu_fp, key=lambda i: (i.line, i.value)),
        wrong_role=sorted(wrong, key=lambda p: (p[0].line, p[0].value)),
    )
