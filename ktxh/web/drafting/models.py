"""The free text of a report's sections, as edited by the offices: one row per version."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ktxh.web.orgunits.models import OrgUnit


class SectionText(models.Model):
    """One saved version of one section's free text, for one unit's report of one year.

    Rows are never changed or deleted: every save (and every restore) adds the next version.
    The current text is the highest version; version 0 is the template's own text and is
    never stored. ``section`` is the section's key in the template (see services.section_key).
    """

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, verbose_name=_("đơn vị"))
    year = models.PositiveSmallIntegerField(_("năm báo cáo"))
    template = models.CharField(_("mẫu báo cáo"), max_length=100)
    section = models.CharField(_("mục"), max_length=400)
    heading = models.CharField(_("tiêu đề mục"), max_length=500)
    version = models.PositiveIntegerField(_("phiên bản"))
    text = models.TextField(_("nội dung"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người sửa"),
    )
    at = models.DateTimeField(_("lúc"), default=timezone.now)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    restored_from = models.PositiveIntegerField(_("khôi phục từ phiên bản"), null=True, blank=True)

    class Meta:
        verbose_name = _("nội dung mục báo cáo")
        verbose_name_plural = _("nội dung mục báo cáo")
        ordering = ["org_unit", "year", "section", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "year", "template", "section", "version"], name="sectiontext_version_uniq"
            ),
        ]
        indexes = [models.Index(fields=["org_unit", "year", "template"], name="sectiontext_report_idx")]

    def __str__(self) -> str:
        return f"{self.heading} – {self.year} – v{self.version}"
