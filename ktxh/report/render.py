"""Render a report template (YAML + sandboxed Jinja2) against the data into a Document."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from ktxh import core

from .model import Document, Footnote, Header, Paragraph, Run, Section
from .phrasing import PhraseError, Phrases, ReportData
from .provenance import Provenance

TEMPLATES = Path(__file__).resolve().parent.parent / "data" / "reports"
_FN = "\x00FN:{}\x00"
_FN_RE = re.compile("\x00FN:([^\x00]+)\x00")
_SPACES = re.compile(r"[ \t\r\n]+")


class TemplateProblem(core.KtxhError):
    """A template that cannot be read or rendered; the message names the section."""


def _env() -> SandboxedEnvironment:
    # templates may come from users: no attribute access to internals, no undefined names
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


_EXPR = re.compile(r"\{\{(.*?)\}\}", re.S)
# the common case, read without Python's parser: name, or name('text', key='text', key=1, …)
_NAME_CALL = re.compile(r"\s*([A-Za-z_]\w*)\s*(?:\((.*)\))?\s*\Z", re.S)
_ARG = re.compile(
    r"\s*(?:([A-Za-z_]\w*)\s*=\s*)?('[^'\\\n]*'|\"[^\"\\\n]*\"|-?\d+|True|False|None)\s*(?:,|\Z)"
)
_CONSTANTS: dict[str, Any] = {"True": True, "False": False, "None": None}

# one template part: literal text, a name to print, or a call with literal arguments
Part = str | tuple[str, list[Any], dict[str, Any]] | tuple[str]


def _literal(token: str) -> Any:
    if token[0] in "'\"":
        return token[1:-1]
    return _CONSTANTS[token] if token in _CONSTANTS else int(token)


def _quick_expr(expr: str) -> Part | None:
    """``name`` or ``name('a', k='b', n=1)`` read by two regular expressions; None: not this shape."""
    m = _NAME_CALL.match(expr)
    if m is None:
        return None
    if m.group(2) is None:
        return (m.group(1),)
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    inner, pos = m.group(2), 0
    while inner[pos:].strip():
        a = _ARG.match(inner, pos)
        if a is None or (a.group(1) is None and kwargs) or a.group(1) in kwargs:
            return None  # anything else, even a mistake, is left to Python's parser to judge
        if a.group(1) is None:
            args.append(_literal(a.group(2)))
        else:
            kwargs[a.group(1)] = _literal(a.group(2))
        pos = a.end()
    return (m.group(1), args, kwargs)


def _ast_expr(expr: str) -> Part | None:
    """The same shapes read with Python's parser (parsing only, nothing is evaluated)."""
    try:
        node = ast.parse(expr.strip(), mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.Name):
        return (node.id,)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and all(k.arg is not None for k in node.keywords)
    ):
        try:
            args = [ast.literal_eval(a) for a in node.args]
            kwargs = {str(k.arg): ast.literal_eval(k.value) for k in node.keywords}
        except ValueError:
            return None
        return (node.func.id, args, kwargs)
    return None


def _simple_parts(source: str, calls: dict[str, Any]) -> list[Part] | None:
    """The parts of text whose only template parts are ``{{ name }}`` or ``{{ call('literal', k=1) }}``.

    Compiling each paragraph with Jinja costs milliseconds, and so does Python's parser for
    hundreds of calls; these plain calls are read directly. Anything else (blocks, filters,
    expressions, unknown names) returns None and goes to the sandboxed Jinja environment.
    The whole text is read before any call is made, so a text Jinja renders makes each call once.
    """
    if "{%" in source or "{#" in source:
        return None
    parts: list[Part] = []
    pos = 0
    for m in _EXPR.finditer(source):
        parts.append(source[pos : m.start()])
        part = _quick_expr(m.group(1))
        if part is None:
            part = _ast_expr(m.group(1))
        if part is None or part[0] not in calls or callable(calls[part[0]]) != (len(part) == 3):
            return None
        parts.append(part)
        pos = m.end()
    parts.append(source[pos:])
    return parts


def _simple_render(source: str, calls: dict[str, Any]) -> str | None:
    parts = _simple_parts(source, calls)
    if parts is None:
        return None
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif len(part) == 1:
            out.append(str(calls[part[0]]))
        else:
            out.append(str(calls[part[0]](*part[1], **part[2])))
    return "".join(out)


def load_template(path: Path) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateProblem(f"Không đọc được mẫu báo cáo {path}: {exc}") from None
    if not isinstance(doc, dict) or "report" not in doc or "sections" not in doc:
        raise TemplateProblem(f"Mẫu báo cáo {path.name} cần hai mục «report» và «sections».")
    return doc


def render(template: dict[str, Any], data: ReportData) -> tuple[Document, Provenance]:
    prov = Provenance()
    phrases = Phrases(data, prov)
    env = _env()
    footnote_keys: list[str] = []
    bodies: dict[str, str] = {str(k): str(v) for k, v in (template.get("footnotes") or {}).items()}

    def fn(key: str) -> str:
        if key not in bodies:
            raise PhraseError(f"fn: không có chú thích «{key}» trong mục footnotes.")
        if key not in footnote_keys:
            footnote_keys.append(key)
        return _FN.format(key)

    calls: dict[str, Any] = {
        name: getattr(phrases, name)
        for name in ("v", "n", "est", "plan", "pct_plan", "change", "pct_change", "diff", "ratio", "target")
    }
    calls["fn"] = fn
    calls["year"] = data.year
    calls["previous_year"] = data.year - 1
    calls["next_year"] = data.year + 1

    def text(source: str, where: str) -> str:
        try:
            fast = _simple_render(source, calls)
            out = fast if fast is not None else env.from_string(source).render(**calls)
        except PhraseError as exc:
            raise TemplateProblem(f"{where}: {exc}") from None
        except (TemplateError, core.KtxhError, TypeError) as exc:
            raise TemplateProblem(f"{where}: {exc}") from None
        return _SPACES.sub(" ", out).strip()

    def runs(rendered: str) -> list[Run]:
        out: list[Run] = []
        pos = 0
        for m in _FN_RE.finditer(rendered):
            if m.start() > pos:
                out.append(Run(rendered[pos : m.start()]))
            out.append(Run("", footnote=footnote_keys.index(m.group(1)) + 1))
            pos = m.end()
        if pos < len(rendered):
            out.append(Run(rendered[pos:]))
        return out

    def section(raw: dict[str, Any], level: int) -> Section:
        heading = str(raw.get("heading") or "")
        prov.section = heading
        sec = Section(heading=heading, level=level, title=raw.get("title"), office=raw.get("office"))
        for i, para in enumerate(raw.get("paragraphs") or []):
            source = para["text"] if isinstance(para, dict) else str(para)
            sec.paragraphs.append(Paragraph(runs(text(source, f"Mục «{heading}», đoạn {i + 1}"))))
        sec.children = [section(child, level + 1) for child in raw.get("sections") or []]
        return sec

    sections = [section(s, 0) for s in template["sections"]]
    footnotes = []
    done = 0
    # footnote bodies may reference further footnotes' values but not new footnotes
    while done < len(footnote_keys):
        key = footnote_keys[done]
        prov.section = f"Chú thích {done + 1}"
        footnotes.append(Footnote(done + 1, key, Paragraph(runs(text(bodies[key], f"Chú thích «{key}»")))))
        done += 1
    meta = template["report"]
    header = Header(
        parent_body=str(meta.get("parent_body", "")),
        issuing_body=str(meta.get("issuing_body", "")),
        number=str(meta.get("number", "/BC-UBND")),
        place=str(meta.get("place", "")),
        day=date.fromisoformat(str(meta.get("date"))) if meta.get("date") else date.today(),
        type=str(meta.get("type", "BÁO CÁO")),
        subject=[str(s) for s in (meta.get("subject") or [])],
        subtitle=meta.get("subtitle"),
        closing=text(str(meta["closing"]), "Câu kết") if meta.get("closing") else None,
        signer_on_behalf=str((meta.get("signer") or {}).get("on_behalf", "TM. ỦY BAN NHÂN DÂN")),
        signer_title=str((meta.get("signer") or {}).get("title", "CHỦ TỊCH")),
        signer_name=str((meta.get("signer") or {}).get("name", "")),
        recipients=[str(r) for r in (meta.get("recipients") or [])],
    )
    return Document(header, sections, footnotes), prov
