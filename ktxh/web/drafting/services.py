"""Drafting a unit's yearly report: the template's section tree, who writes which section,
the offices' edited texts (versioned), and rendering them into previews, DOCX, XLSX and PDF.

Which report template serves a unit and year
    Every ``*.yaml`` under ``ktxh/data/reports`` is a candidate. A template serves a unit when
    its ``report.org_unit`` names the unit's code, or, without that key, when its
    ``report.issuing_body`` contains the unit's name ("ỦY BAN NHÂN DÂN HUYỆN THANH MIỆN" serves
    "Huyện Thanh Miện"). Its year is ``report.year``, else the year of ``report.date``. The
    template of the same year wins; otherwise the latest earlier one is used and the screen
    says so.

Which sector a section belongs to (who may write it)
    - a section's office is its own ``office:`` key, else its parent's (inherited);
    - its sectors are its own ``sectors:`` key (a list of sector codes) when the template gives
      one; otherwise the sectors whose default office (``ktxh/data/sectors.yaml``) is the
      section's office, narrowed to those whose indicators the section's own text calls
      (``{{ v('CN.GTSX') }}`` → prefix CN → ``cong_nghiep``) when there are any;
    - a section without an ``office:`` of its own, standing among sections that name theirs (a
      sibling has an ``office:``), whose text calls only indicators of sectors its inherited
      office does not own, belongs to those called sectors: "3. Công tác tiếp dân, thanh tra,
      tư pháp, thi hành án" (beside "1. Quốc phòng" of BCHQS and "2. An ninh" of CONGAN, in a
      part written by TCKH) belongs to thanh_tra, tu_phap and thi_hanh_an. A summary section
      among summary sections ("Tồn tại, hạn chế") stays with the inherited office.
    A user may edit a section when ``Access.can_edit(unit, sector)`` holds for one of its
    sectors and the user is an administrator, the planning office or a specialised office
    covering the unit; leaders and communes read only.

Edited text
    A section's text is its paragraphs separated by a blank line, then the bodies of the footnotes
    it is the first to refer to, one block each, written ``[^key]: body`` (a section may add a
    footnote of its own the same way, and refer to it with ``{{ fn('key') }}``; a footnote whose
    body belongs to another section is edited there). Data calls are written as in the template,
    ``{{ v('NN.DT_LUA') }}``; only a name or a call whose arguments are plain
    literals is accepted inside ``{{ }}`` (no ``{% %}`` blocks, no attributes, no arithmetic),
    then the sandboxed renderer checks it against the data. A text that fails is not saved.
"""

from __future__ import annotations

import ast
import difflib
import html
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ktxh import core, report
from ktxh.report.model import Document
from ktxh.report.provenance import Provenance
from ktxh.web.accounts.choices import Role
from ktxh.web.accounts.permissions import Access
from ktxh.web.catalog.models import Office, Sector
from ktxh.web.datavalues import selectors as dv_selectors
from ktxh.web.orgunits.models import OrgUnit

from .models import SectionText
from .rendering import mark_calls, mark_template

MAX_TEXT = 30_000  # characters of one section's text
WRITER_ROLES = {Role.ADMIN, Role.PLANNING, Role.OFFICE}


class DraftingError(core.KtxhError):
    """Something the user should read: no template, a text that does not render, a conflict."""


class TextRefused(DraftingError):
    """An edited text that may not be saved (syntax, unknown indicator, forbidden construct)."""


class VersionConflict(DraftingError):
    """Someone saved the section since the editor's text was loaded."""

    def __init__(self, message: str, current: SectionText) -> None:
        super().__init__(message)
        self.current = current


# -- templates -------------------------------------------------------------------------------
@dataclass
class TemplateRef:
    name: str  # file stem, stored with each text
    path: Path
    year: int | None
    exact: bool  # made for the requested year
    doc: dict[str, Any]


_CACHE: dict[Path, tuple[float, dict[str, Any]]] = {}


def _load(path: Path) -> dict[str, Any]:
    mtime = path.stat().st_mtime
    hit = _CACHE.get(path)
    if hit is None or hit[0] != mtime:
        hit = (mtime, report.load_template(path))
        _CACHE[path] = hit
    return hit[1]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().strip()


def _template_year(doc: dict[str, Any]) -> int | None:
    meta = doc.get("report") or {}
    if str(meta.get("year", "")).isdigit():
        return int(meta["year"])
    try:
        return date.fromisoformat(str(meta.get("date"))).year
    except ValueError:
        return None


def template_for(unit: OrgUnit, year: int, folder: Path | None = None) -> TemplateRef:
    """The report template serving ``unit`` for ``year`` (see the module's docstring)."""
    found: list[TemplateRef] = []
    for path in sorted((folder or report.TEMPLATES).glob("*.yaml")):
        try:
            doc = _load(path)
        except report.TemplateProblem:
            continue
        meta = doc.get("report") or {}
        code = str(meta.get("org_unit") or "").strip()
        if code:
            serves = code == unit.code
        else:
            serves = bool(unit.name) and _fold(unit.name) in _fold(str(meta.get("issuing_body", "")))
        if not serves:
            continue
        t_year = _template_year(doc)
        found.append(TemplateRef(path.stem, path, t_year, t_year == year, doc))
    exact = [t for t in found if t.exact]
    if exact:
        return exact[0]
    earlier = sorted((t for t in found if t.year is not None and t.year < year), key=lambda t: t.year or 0)
    if earlier:
        return earlier[-1]
    raise DraftingError(
        _(
            "Chưa có mẫu báo cáo cho {unit} năm {year}. Mẫu báo cáo là tệp YAML trong thư mục "
            "ktxh/data/reports (xem docs/report-template.md)."
        ).format(unit=unit.name, year=year)
    )


# -- the section tree -----------------------------------------------------------------------------
@dataclass
class DraftSection:
    key: str
    heading: str
    title: str | None
    level: int
    number: str  # position in the tree, "1.2.3", for display
    office: str | None  # responsible office code (own or inherited)
    own_office: bool
    sectors: frozenset[str]
    paragraphs: list[str]  # the template's own text
    raw: dict[str, Any]
    children: list[DraftSection] = field(default_factory=list)
    footnotes: dict[str, str] = field(default_factory=dict)  # the bodies this section first refers to

    @property
    def template_text(self) -> str:
        parts = [" ".join(p.split()) for p in self.paragraphs]
        parts += [f"[^{k}]: {' '.join(body.split())}" for k, body in self.footnotes.items()]
        return "\n\n".join(parts)

    def walk(self) -> Iterator[DraftSection]:
        yield self
        for c in self.children:
            yield from c.walk()


_CODE_IN_CALL = re.compile(r"""['"]([A-Z][A-Z0-9]*)\.[A-Z0-9_]+['"]""")
_EXPR = re.compile(r"\{\{(.*?)\}\}", re.S)


def _slug(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:40].rstrip("-") or "muc"


def _paragraph_sources(raw: dict[str, Any]) -> list[str]:
    return [str(p["text"]) if isinstance(p, dict) else str(p) for p in raw.get("paragraphs") or []]


def called_prefixes(text: str) -> set[str]:
    """Indicator code prefixes named by the data calls of ``text`` (``v('NN.X')`` → NN)."""
    out: set[str] = set()
    for m in _EXPR.finditer(text):
        out.update(c.group(1) for c in _CODE_IN_CALL.finditer(m.group(1)))
    return out


@dataclass
class SectorDirectory:
    """Sectors as stored: by prefix, and the sectors each office owns by default."""

    by_prefix: dict[str, str]
    by_office: dict[str, frozenset[str]]
    names: dict[str, str]
    office_names: dict[str, str]

    @classmethod
    def load(cls) -> SectorDirectory:
        by_office: dict[str, set[str]] = {}
        by_prefix: dict[str, str] = {}
        names: dict[str, str] = {}
        for s in Sector.objects.select_related("office"):
            by_prefix[s.prefix] = s.code
            by_office.setdefault(s.office.code, set()).add(s.code)
            names[s.code] = s.name
        return cls(
            by_prefix,
            {k: frozenset(v) for k, v in by_office.items()},
            names,
            dict(Office.objects.values_list("code", "name")),
        )


def section_tree(template: dict[str, Any], sectors: SectorDirectory) -> list[DraftSection]:
    """The template's sections with keys, numbers, offices and sectors (module docstring)."""

    def build(
        raw: dict[str, Any],
        level: int,
        number: str,
        parent: DraftSection | None,
        key: str,
        among_offices: bool,
    ) -> DraftSection:
        own = raw.get("office")
        office = str(own) if own else (parent.office if parent else None)
        paragraphs = _paragraph_sources(raw)
        called = {
            sectors.by_prefix[p] for p in called_prefixes("\n".join(paragraphs)) if p in sectors.by_prefix
        }
        owned = sectors.by_office.get(office or "", frozenset())
        explicit = raw.get("sectors") or raw.get("sector")
        if explicit:
            secs = frozenset([explicit] if isinstance(explicit, str) else [str(s) for s in explicit])
        elif called & owned:
            secs = frozenset(called & owned)
        elif called and not own and among_offices:
            secs = frozenset(called)
        else:
            secs = owned
        node = DraftSection(
            key=key,
            heading=" ".join(str(raw.get("heading") or "").split()),
            title=raw.get("title"),
            level=level,
            number=number,
            office=office,
            own_office=bool(own),
            sectors=secs,
            paragraphs=paragraphs,
            raw=raw,
        )
        node.children = _children(raw.get("sections") or [], level + 1, number, node, key)
        return node

    def _children(
        items: list[dict[str, Any]], level: int, number: str, parent: DraftSection | None, prefix: str
    ) -> list[DraftSection]:
        out = []
        seen: dict[str, int] = {}
        among_offices = any(raw.get("office") for raw in items)
        for i, raw in enumerate(items):
            slug = _slug(str(raw.get("heading") or ""))
            seen[slug] = seen.get(slug, 0) + 1
            if seen[slug] > 1:
                slug = f"{slug}-{seen[slug]}"
            key = f"{prefix}.{slug}" if prefix else slug
            number_i = f"{number}.{i + 1}" if number else str(i + 1)
            out.append(build(raw, level, number_i, parent, key, among_offices))
        return out

    tree = _children(template["sections"], 0, "", None, "")
    bodies = {str(k): str(v) for k, v in (template.get("footnotes") or {}).items()}
    owned: set[str] = set()
    for top in tree:
        for sec in top.walk():
            for key in footnote_calls("\n".join(sec.paragraphs)):
                if key in bodies and key not in owned:
                    owned.add(key)
                    sec.footnotes[key] = bodies[key]
    return tree


_FN_CALL = re.compile(r"""\bfn\(\s*['"]([^'"]+)['"]\s*\)""")
_FN_DEF = re.compile(r"\[\^([A-Za-z0-9_.-]+)\]:\s*", re.S)


def footnote_calls(text: str) -> list[str]:
    """The footnote keys ``{{ fn('key') }}`` of a text, in order."""
    out: list[str] = []
    for m in _EXPR.finditer(text):
        out += [k for k in _FN_CALL.findall(m.group(1)) if k not in out]
    return out


def split_text(text: str) -> tuple[list[str], dict[str, str]]:
    """A section's text: its paragraphs, and the footnote bodies written as ``[^key]: body``."""
    paragraphs: list[str] = []
    notes: dict[str, str] = {}
    for block in split_paragraphs(text):
        m = _FN_DEF.match(block)
        if m:
            notes[m.group(1)] = block[m.end() :].strip()
        else:
            paragraphs.append(block)
    return paragraphs, notes


def find_section(tree: list[DraftSection], key: str) -> DraftSection | None:
    for top in tree:
        for s in top.walk():
            if s.key == key:
                return s
    return None


# -- who may write ----------------------------------------------------------------------------------
def may_read(access: Access, unit: OrgUnit) -> bool:
    """Whoever may see the unit's figures. A draft is work in progress: a commune sees the
    district's report once it is issued, not while the district's offices are writing it."""
    return access.can_view(unit)


def may_edit(access: Access, unit: OrgUnit, section: DraftSection) -> bool:
    """Administrators and the planning office: every section; an office: the sections of its
    sectors (``Access.can_edit``); leaders and communes: none."""
    writer = any(
        s.role in WRITER_ROLES and (s.unit is None or s.unit in access.chain(unit)) for s in access.scopes
    )
    if not writer:
        return False
    if access.editable_sectors(unit) is None:
        return True  # every sector, so every section, even one no sector claims
    return any(access.can_edit(unit, sector) for sector in sorted(section.sectors))


# -- stored texts ---------------------------------------------------------------------------------------
def current_texts(*, unit: OrgUnit, year: int, template: str) -> dict[str, SectionText]:
    """The latest version of every edited section of the report."""
    rows = SectionText.objects.filter(org_unit=unit, year=year, template=template).select_related("author")
    latest: dict[str, SectionText] = {}
    for r in rows.order_by("section", "version"):
        latest[r.section] = r
    return latest


def versions_of(*, unit: OrgUnit, year: int, template: str, section: str) -> list[SectionText]:
    return list(
        SectionText.objects.filter(org_unit=unit, year=year, template=template, section=section)
        .select_related("author")
        .order_by("-version")
    )


def split_paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n")) if p.strip()]


def with_texts(template: dict[str, Any], texts: dict[str, str], tree: list[DraftSection]) -> dict[str, Any]:
    """A copy of ``template`` whose edited sections carry their stored text (the rest is shared)."""
    if not texts:
        return template
    by_id = {id(s.raw): s.key for top in tree for s in top.walk()}
    footnotes = dict(template.get("footnotes") or {})

    def copy(raw: dict[str, Any]) -> dict[str, Any]:
        out = dict(raw)
        key = by_id.get(id(raw))
        if key in texts:
            out["paragraphs"], notes = split_text(texts[key])
            footnotes.update(notes)
        if raw.get("sections"):
            out["sections"] = [copy(c) for c in raw["sections"]]
        return out

    sections = [copy(s) for s in template["sections"]]
    return {**template, "sections": sections, "footnotes": footnotes}


# -- checking and rendering ---------------------------------------------------------------------------
VALUE_NAMES = frozenset({"year", "previous_year", "next_year"})  # printed as they are: {{ year }}
CALL_NAMES = frozenset(
    {n for n in dir(report.Phrases) if not n.startswith("_") and callable(getattr(report.Phrases, n))}
    | {"fn"}
)

_PY_MESSAGES = [
    (re.compile(r"'(\w+)' is undefined"), "«{0}» không phải là lời gọi số liệu"),
    (
        re.compile(r"(?:\w+\.)?(\w+)\(\) missing \d+ required positional arguments?: (.+)"),
        "lời gọi {0}() còn thiếu tham số {1}",
    ),
    (
        re.compile(r"(?:\w+\.)?(\w+)\(\) got an unexpected keyword argument '(\w+)'"),
        "lời gọi {0}() không có tham số «{1}»",
    ),
    (
        re.compile(r"(?:\w+\.)?(\w+)\(\) takes .* but \d+ (?:were|was) given"),
        "lời gọi {0}() nhận ít tham số hơn số đã viết",
    ),
]


def vietnamese_problem(message: str) -> str:
    """The renderer's message with Python's and Jinja's English phrases said in Vietnamese."""
    for pattern, vi in _PY_MESSAGES:
        m = pattern.search(message)
        if m:
            return message[: m.start()] + vi.format(*m.groups()) + message[m.end() :]
    return message


def _plain_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str | int | float | bool) or node.value is None
    return isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and _plain_literal(node.operand)


def check_syntax(text: str, heading: str) -> None:
    """Refuse what the data calls of a section's text may not contain (before any rendering)."""
    if len(text) > MAX_TEXT:
        raise TextRefused(
            _("Mục «{heading}»: nội dung quá dài ({n} ký tự, tối đa {max}).").format(
                heading=heading, n=f"{len(text):,}".replace(",", "."), max=f"{MAX_TEXT:,}".replace(",", ".")
            )
        )
    paragraphs, notes = split_text(text)
    blocks = [
        (_("Mục «{heading}», đoạn {i}").format(heading=heading, i=i), p) for i, p in enumerate(paragraphs, 1)
    ]
    blocks += [
        (_("Mục «{heading}», chú thích «{key}»").format(heading=heading, key=k), b) for k, b in notes.items()
    ]
    for where, para in blocks:
        if "{%" in para or "{#" in para:
            raise TextRefused(
                _(
                    "{where}: không dùng được khối lệnh «{{% … %}}» hay chú thích «{{# … #}}»; chỉ dùng lời gọi số liệu {{{{ v('MÃ') }}}}."
                ).format(where=where)
            )
        rest = _EXPR.sub("", para)
        if "{{" in rest or "}}" in rest:
            raise TextRefused(
                _("{where}: thiếu dấu đóng «}}}}» hoặc mở «{{{{» của một lời gọi số liệu.").format(
                    where=where
                )
            )
        for m in _EXPR.finditer(para):
            expr = m.group(1).strip()
            try:
                node = ast.parse(expr, mode="eval").body
            except SyntaxError:
                raise TextRefused(
                    _("{where}: lời gọi «{{{{ {expr} }}}}» viết sai cú pháp.").format(where=where, expr=expr)
                ) from None
            ok = isinstance(node, ast.Name) or (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and all(_plain_literal(a) for a in node.args)
                and all(k.arg is not None and _plain_literal(k.value) for k in node.keywords)
            )
            name = node.id if isinstance(node, ast.Name) else getattr(getattr(node, "func", None), "id", "")
            if ok and isinstance(node, ast.Name) and name not in VALUE_NAMES:
                raise TextRefused(
                    _(
                        "{where}: «{{{{ {expr} }}}}»: {name} là lời gọi số liệu, cần viết kèm mã chỉ tiêu, ví dụ {{{{ {name}('NN.DT_LUA') }}}}."
                    ).format(where=where, expr=expr, name=name)
                    if name in CALL_NAMES
                    else _("{where}: «{name}» không phải là tên dùng được trong {{{{ }}}}.").format(
                        where=where, name=name
                    )
                )
            if ok and isinstance(node, ast.Call) and name not in CALL_NAMES:
                raise TextRefused(
                    _("{where}: «{name}» không phải là lời gọi số liệu. Các lời gọi: {calls}.").format(
                        where=where, name=name, calls=", ".join(sorted(CALL_NAMES))
                    )
                )
            if not ok:
                raise TextRefused(
                    _(
                        "{where}: «{{{{ {expr} }}}}» không được phép. Trong {{{{ }}}} chỉ viết tên một lời gọi "
                        "số liệu với các giá trị cụ thể, ví dụ {{{{ v('NN.DT_LUA') }}}} hay "
                        "{{{{ change('NN.SL_THOC', words=False) }}}}."
                    ).format(where=where, expr=expr)
                )


@dataclass
class Draft:
    """What the screens need for one unit's report: the data, the template and the stored texts."""

    unit: OrgUnit
    year: int
    ref: TemplateRef
    sectors: SectorDirectory
    tree: list[DraftSection]
    stored: dict[str, SectionText]
    _data: report.ReportData | None = None

    @property
    def data(self) -> report.ReportData:
        if self._data is None:
            self._data = report_data(self.unit, self.year)
        return self._data

    def sections(self) -> list[DraftSection]:
        return [s for top in self.tree for s in top.walk()]

    def section(self, key: str) -> DraftSection | None:
        return find_section(self.tree, key)

    def text_of(self, section: DraftSection) -> str:
        row = self.stored.get(section.key)
        return row.text if row is not None else section.template_text

    def version_of(self, section: DraftSection) -> int:
        row = self.stored.get(section.key)
        return row.version if row is not None else 0

    def template(self, overrides: dict[str, str] | None = None, *, marked: bool = False) -> dict[str, Any]:
        texts = {k: r.text for k, r in self.stored.items()}
        texts.update(overrides or {})
        out = with_texts(self.ref.doc, texts, self.tree)
        return mark_template(out) if marked else out

    def render(self, *, marked: bool = False) -> tuple[Document, Provenance]:
        """The whole report with the stored texts; TemplateProblem names the failing section."""
        return report.render(self.template(marked=marked), self.data)

    def render_section(self, section: DraftSection, text: str, *, marked: bool = False) -> Document:
        """One section's paragraphs (not its subsections), with its footnotes numbered from 1.

        TextRefused, naming the section, when the text may not be used.
        """
        check_syntax(text, section.heading)
        paragraphs, notes = split_text(text)
        for key in notes:
            owner = self.footnote_owner(key)
            if owner is not None and owner.key != section.key:
                raise TextRefused(
                    _(
                        "Mục «{heading}»: chú thích «{key}» thuộc mục «{other}»; hãy sửa chú thích ở mục đó."
                    ).format(heading=section.heading, key=key, other=owner.heading)
                )
        footnotes = {**self.template()["footnotes"], **notes}
        if marked:
            paragraphs = [mark_calls(p) for p in paragraphs]
            footnotes = {k: mark_calls(str(v)) for k, v in footnotes.items()}
        raw = {**section.raw, "paragraphs": paragraphs, "sections": []}
        mini = {**self.ref.doc, "sections": [raw], "footnotes": footnotes}
        try:
            doc, _prov = report.render(mini, self.data)
        except report.TemplateProblem as exc:
            message = str(exc)
            if message.startswith("Chú thích «"):  # a footnote body: name the section it is written in
                message = _("Mục «{heading}», chú thích {rest}").format(
                    heading=section.heading, rest=message[len("Chú thích ") :]
                )
            raise TextRefused(vietnamese_problem(message)) from None
        return doc

    def footnote_owner(self, key: str) -> DraftSection | None:
        """The section whose text carries a footnote's body: the template's first section to refer
        to it, or the section whose edited text defined it."""
        for s in self.sections():
            if key in s.footnotes:
                return s
        for k, row in self.stored.items():
            if key in split_text(row.text)[1]:
                return self.section(k)
        return None


def report_data(unit: OrgUnit, year: int) -> report.ReportData:
    cp = core.Period.year(year)
    values = dv_selectors.report_values(org_unit=unit, year=year)
    if not values:
        raise DraftingError(
            _("Không có số liệu năm {year} của {unit} để soạn báo cáo.").format(year=year, unit=unit.name)
        )
    return report.ReportData(
        catalog=dv_selectors.stored_catalog(),
        values=values,
        unit=unit.code,
        year=year,
        registry=_registry(),
        day=min(cp.end, date.today()),
    )


def _registry() -> core.OrgUnitRegistry:
    return core.OrgUnitRegistry(
        core.OrgUnit(
            u.code,
            u.name,
            u.level,
            u.parent.code if u.parent else None,
            u.valid_from,
            u.valid_to,
            u.short_name,
        )
        for u in OrgUnit.objects.select_related("parent")
    )


def draft_for(*, unit: OrgUnit, year: int) -> Draft:
    ref = template_for(unit, year)
    sectors = SectorDirectory.load()
    tree = section_tree(ref.doc, sectors)
    return Draft(unit, year, ref, sectors, tree, current_texts(unit=unit, year=year, template=ref.name))


# -- saving ---------------------------------------------------------------------------------------------
def section_save(
    *,
    access: Access,
    draft: Draft,
    section: DraftSection,
    text: str,
    base_version: int,
    note: str = "",
    restored_from: int | None = None,
) -> SectionText | None:
    """Store ``text`` as the section's next version. None: the text is the current one already.

    Refused (PermissionError) unless the user may write the section; TextRefused when it does not
    render; VersionConflict when the section was saved by someone else after ``base_version``.
    """
    if not may_edit(access, draft.unit, section):
        raise PermissionError(
            _("Bạn không có quyền sửa mục «{heading}» của báo cáo {unit}.").format(
                heading=section.heading, unit=draft.unit.name
            )
        )
    text = "\n\n".join(" ".join(p.split()) for p in split_paragraphs(text))  # as the renderer reads it
    draft.render_section(section, text)  # raises TextRefused, naming the section
    with transaction.atomic():
        rows = SectionText.objects.select_for_update().filter(
            org_unit=draft.unit, year=draft.year, template=draft.ref.name, section=section.key
        )
        latest = rows.order_by("-version").first()  # no join: FOR UPDATE refuses a nullable outer join
        current_version = latest.version if latest else 0
        if current_version != base_version and latest is None:
            raise DraftingError(
                _("Mục «{heading}» chưa có phiên bản {v}; hãy mở lại trang.").format(
                    heading=section.heading, v=base_version
                )
            )
        if current_version != base_version:
            assert latest is not None
            raise VersionConflict(
                _(
                    "Mục «{heading}» vừa được {who} lưu lúc {at} (phiên bản {v}) sau khi bạn mở trang. "
                    "Bài của bạn chưa được lưu: hãy xem nội dung của họ, gộp phần của bạn vào rồi lưu lại."
                ).format(
                    heading=section.heading,
                    who=_author(latest),
                    at=f"{timezone.localtime(latest.at):%H:%M %d/%m/%Y}",
                    v=latest.version,
                ),
                latest,
            )
        current_text = latest.text if latest else section.template_text
        if current_text == text:
            return None
        try:
            with transaction.atomic():
                row = SectionText.objects.create(
                    org_unit=draft.unit,
                    year=draft.year,
                    template=draft.ref.name,
                    section=section.key,
                    heading=section.heading[:500],
                    version=current_version + 1,
                    text=text,
                    author=access.user if getattr(access.user, "pk", None) else None,
                    note=note[:300],
                    restored_from=restored_from,
                )
        except IntegrityError:  # saved at the same instant by someone else
            latest = rows.order_by("-version").first()  # no join: FOR UPDATE refuses a nullable outer join
            assert latest is not None
            raise VersionConflict(
                _("Mục «{heading}» vừa được {who} lưu cùng lúc với bạn; bài của bạn chưa được lưu.").format(
                    heading=section.heading, who=_author(latest)
                ),
                latest,
            ) from None
    draft.stored[section.key] = row
    return row


def section_restore(
    *, access: Access, draft: Draft, section: DraftSection, version: int, base_version: int
) -> SectionText | None:
    """Make an old version (0: the template's text) the current one, as a new version."""
    if version == 0:
        text = section.template_text
    else:
        old = SectionText.objects.filter(
            org_unit=draft.unit,
            year=draft.year,
            template=draft.ref.name,
            section=section.key,
            version=version,
        ).first()
        if old is None:
            raise DraftingError(_("Không có phiên bản {v} của mục này.").format(v=version))
        text = old.text
    return section_save(
        access=access,
        draft=draft,
        section=section,
        text=text,
        base_version=base_version,
        note=_("Khôi phục phiên bản {v}").format(v=version),
        restored_from=version,
    )


def _author(row: SectionText) -> str:
    if row.author is None:
        return _("(không rõ)")
    return row.author.get_full_name() or row.author.username


def text_at(*, draft: Draft, section: DraftSection, version: int) -> str | None:
    if version == 0:
        return section.template_text
    row = SectionText.objects.filter(
        org_unit=draft.unit, year=draft.year, template=draft.ref.name, section=section.key, version=version
    ).first()
    return row.text if row else None


# -- diff -----------------------------------------------------------------------------------------------------
_TOKENS = re.compile(r"\n\s*\n|\s+|[^\s]+")


@dataclass
class DiffBlock:
    changed: bool
    html: str = ""  # a changed paragraph, words marked
    count: int = 1  # paragraphs left unchanged


@dataclass
class TextDiff:
    html: str
    added: int
    removed: int
    blocks: list[DiffBlock] = field(default_factory=list)


def text_diff(old: str, new: str) -> TextDiff:
    """Paragraph by paragraph: unchanged paragraphs are counted, changed ones diffed word by word."""
    pa, pb = split_paragraphs(old), split_paragraphs(new)
    matcher = difflib.SequenceMatcher(None, pa, pb, autojunk=False)
    blocks: list[DiffBlock] = []
    added = removed = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            blocks.append(DiffBlock(False, count=i2 - i1))
            continue
        olds, news = pa[i1:i2], pb[j1:j2]
        for k in range(max(len(olds), len(news))):
            d = word_diff(olds[k] if k < len(olds) else "", news[k] if k < len(news) else "")
            added, removed = added + d.added, removed + d.removed
            blocks.append(DiffBlock(True, d.html))
    return TextDiff("\n\n".join(b.html for b in blocks if b.changed), added, removed, blocks)


def word_diff(old: str, new: str) -> TextDiff:
    """A word-by-word diff as HTML: removed words in <del>, added in <ins>, paragraphs kept."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    out: list[str] = []
    added = removed = 0

    def esc(tokens: list[str]) -> str:
        return html.escape("".join(tokens))

    # chunks of (changed?, old tokens, new tokens); a change, a space, a change read as one change
    chunks: list[tuple[bool, list[str], list[str]]] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        chunks.append((op != "equal", a[i1:i2], b[j1:j2]))
    merged: list[tuple[bool, list[str], list[str]]] = []
    i = 0
    while i < len(chunks):
        changed, old_t, new_t = chunks[i]
        if changed and merged and merged[-1][0]:
            merged[-1] = (True, merged[-1][1] + old_t, merged[-1][2] + new_t)
        elif (
            not changed
            and merged
            and merged[-1][0]
            and i + 1 < len(chunks)
            and chunks[i + 1][0]
            and all(not t.strip() and "\n" not in t for t in old_t)
        ):
            merged[-1] = (True, merged[-1][1] + old_t, merged[-1][2] + new_t)
        else:
            merged.append((changed, list(old_t), list(new_t)))
        i += 1
    for changed, old_t, new_t in merged:
        if not changed:
            out.append(esc(old_t))
            continue
        if old_t:
            removed += sum(1 for t in old_t if t.strip())
            out.append(f"<del>{esc(old_t)}</del>")
        if new_t:
            added += sum(1 for t in new_t if t.strip())
            out.append(f"<ins>{esc(new_t)}</ins>")
    return TextDiff("".join(out), added, removed)


# -- files --------------------------------------------------------------------------------------------------------
def build_docx(draft: Draft, *, charts: bool = True) -> tuple[bytes, Provenance]:
    document, prov = draft.render()
    buf = BytesIO()
    report.write_docx(document, buf, report.default_charts(draft.data) if charts else [])
    return buf.getvalue(), prov


def build_xlsx(draft: Draft) -> bytes:
    buf = BytesIO()
    report.write_xlsx(draft.data, buf)
    return buf.getvalue()


def build_pdf(draft: Draft) -> bytes:
    """The DOCX converted by LibreOffice; PdfUnavailable (a Vietnamese message) without it."""
    import tempfile

    data, _prov = build_docx(draft)
    with tempfile.TemporaryDirectory() as tmp:
        docx = Path(tmp) / f"bao-cao-{draft.unit.code}-{draft.year}.docx"
        docx.write_bytes(data)
        target = Path(tmp) / "out.pdf"
        report.to_pdf(docx, target)
        return target.read_bytes()
