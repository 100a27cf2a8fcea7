"""Where every number of a drafted report comes from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class NumberUse:
    """One number printed in the report: its text, what call made it, and the values behind it."""

    id: int
    text: str
    call: str
    indicator: str
    org_unit: str
    period: str
    values: list[dict[str, Any]]
    formula: str | None = None
    section: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "call": self.call,
            "indicator": self.indicator,
            "org_unit": self.org_unit,
            "period": self.period,
            "formula": self.formula,
            "section": self.section,
            "values": self.values,
        }


@dataclass
class Provenance:
    uses: list[NumberUse] = field(default_factory=list)
    section: str = ""

    def add(self, **kw: Any) -> NumberUse:
        use = NumberUse(id=len(self.uses) + 1, section=self.section, **kw)
        self.uses.append(use)
        return use
