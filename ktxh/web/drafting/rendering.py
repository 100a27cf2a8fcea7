"""A rendered report (ktxh.report.model.Document) as HTML, with the generated parts marked.

Before rendering for a preview, every data call of a text is wrapped in two marker characters
(``mark_calls``); the renderer passes them through, and ``paragraph_html`` turns them into
``<mark class="gen">`` so the reader sees which words the data wrote. Files (DOCX) are always
rendered from the unmarked text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ktxh.report.model import Document, Paragraph

OPEN, CLOSE = "\x01", "\x02"
_CALL = re.compile(r"\{\{(.*?)\}\}", re.S)


def mark_calls(text: str) -> str:
    """``{{ v('X') }}`` → OPEN{{ v('X') }}CLOSE; footnote calls ``fn(…)`` are left alone."""

    def wrap(m: re.Match[str]) -> str:
        if m.group(1).strip().startswith("fn("):
            return m.group(0)
        return f"{OPEN}{m.group(0)}{CLOSE}"

    return _CALL.sub(wrap, text)


def mark_template(template: dict[str, Any]) -> dict[str, Any]:
    """A copy of a template with every paragraph's and footnote's data calls marked."""

    def section(raw: dict[str, Any]) -> dict[str, Any]:
        out = dict(raw)
        out["paragraphs"] = [
            mark_calls(str(p["text"]) if isinstance(p, dict) else str(p)) for p in raw.get("paragraphs") or []
        ]
        out["sections"] = [section(c) for c in raw.get("sections") or []]
        return out

    return {
        **template,
        "sections": [section(s) for s in template["sections"]],
        "footnotes": {k: mark_calls(str(v)) for k, v in (template.get("footnotes") or {}).items()},
    }


def paragraph_html(p: Paragraph, prefix: str = "") -> SafeString:
    out: list[str] = []
    marked = False
    after_note = False
    for run in p.runs:
        if run.footnote is not None:
            n = run.footnote
            if after_note:  # two references side by side: 7,8 rather than 78
                out.append('<sup class="fnsep">,</sup>')
            after_note = True
            out.append(f'<sup class="fnref"><a href="#{prefix}fn-{n}" id="{prefix}fnref-{n}">{n}</a></sup>')
            continue
        after_note = after_note and not run.text
        pieces = re.split(f"([{OPEN}{CLOSE}])", run.text)
        if marked:
            out.append('<mark class="gen">')
        for piece in pieces:
            if piece == OPEN:
                if not marked:
                    out.append('<mark class="gen">')
                marked = True
            elif piece == CLOSE:
                if marked:
                    out.append("</mark>")
                marked = False
            elif piece:
                out.append(str(escape(piece)))
        if marked:
            out.append("</mark>")
    html = "".join(out).replace('<mark class="gen"></mark>', "")
    return mark_safe(html)  # noqa: S308 - every text piece above is escaped


def plain(text: str) -> str:
    return text.replace(OPEN, "").replace(CLOSE, "")


@dataclass
class HtmlSection:
    heading: str
    title: str | None
    level: int
    paragraphs: list[SafeString]
    anchor: str


@dataclass
class HtmlDocument:
    sections: list[HtmlSection]
    footnotes: list[tuple[int, SafeString]]
    closing: str | None


def document_html(doc: Document, prefix: str = "", anchors: list[str] | None = None) -> HtmlDocument:
    """Sections in reading order (the tree flattened, with levels) and numbered footnotes."""
    sections = []
    for i, s in enumerate(doc.walk()):
        sections.append(
            HtmlSection(
                heading=s.heading,
                title=s.title,
                level=s.level,
                paragraphs=[paragraph_html(p, prefix) for p in s.paragraphs],
                anchor=anchors[i] if anchors and i < len(anchors) else f"{prefix}s{i + 1}",
            )
        )
    footnotes = [(f.number, paragraph_html(f.paragraph, prefix)) for f in doc.footnotes]
    closing = plain(doc.header.closing) if doc.header.closing else None
    return HtmlDocument(sections, footnotes, closing)
