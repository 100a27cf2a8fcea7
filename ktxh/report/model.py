"""The document model a report is rendered into, before any file format."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Run:
    text: str
    footnote: int | None = None  # a footnote reference (its number) instead of text


@dataclass
class Paragraph:
    runs: list[Run]

    @property
    def text(self) -> str:
        return "".join(r.text if r.footnote is None else f"[{r.footnote}]" for r in self.runs)


@dataclass
class Section:
    heading: str
    level: int  # 0: "Phần I", 1: "I.", 2: "1.", 3: "1.1." …
    title: str | None = None
    office: str | None = None
    paragraphs: list[Paragraph] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)


@dataclass
class Footnote:
    number: int
    key: str
    paragraph: Paragraph


@dataclass
class Header:
    parent_body: str
    issuing_body: str
    number: str
    place: str
    day: date
    type: str
    subject: list[str]
    subtitle: str | None = None
    closing: str | None = None
    signer_on_behalf: str = "TM. ỦY BAN NHÂN DÂN"
    signer_title: str = "CHỦ TỊCH"
    signer_name: str = ""
    recipients: list[str] = field(default_factory=list)


@dataclass
class Document:
    header: Header
    sections: list[Section]
    footnotes: list[Footnote]

    def walk(self) -> list[Section]:
        out: list[Section] = []

        def visit(items: list[Section]) -> None:
            for s in items:
                out.append(s)
                visit(s.children)

        visit(self.sections)
        return out

    def paragraphs(self) -> list[Paragraph]:
        return [p for s in self.walk() for p in s.paragraphs] + [f.paragraph for f in self.footnotes]
