"""``{% cell c %}``: a dashboard number with its provenance (see ktxh.web.dashboard.cells)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ktxh.web.dashboard.cells import Cell

register = template.Library()


@register.simple_tag
def cell(c: Cell | None) -> SafeString:
    if c is None:
        return mark_safe("")
    mark = mark_safe('<span class="derived-mark" aria-hidden="true">*</span>') if c.derived else ""
    if not c.has_popover:
        return format_html('<a class="num-link" href="{}" title="{}">{}</a>', c.href, c.title, c.text)
    links = []
    if c.source_href:
        links.append((c.source_href, c.source_label or _("Xem dòng nguồn")))
    links.extend(c.links)
    if c.history_href:
        links.append((c.history_href, _("Lịch sử nhập liệu")))
    link_html = format_html_join(" ", '<a href="{}">{}</a>', links)
    return format_html(
        '<button type="button" class="num-link pop" popovertarget="{key}" title="{title}">{text}{mark}</button>'
        '<span id="{key}" popover class="prov" role="note"><span class="prov-formula">{formula}</span>'
        "{links}</span>",
        key=c.key,
        title=c.title,
        text=c.text,
        mark=mark,
        formula=c.formula,
        links=format_html('<span class="prov-links">{}</span>', link_html) if links else "",
    )
