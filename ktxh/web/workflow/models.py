from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ktxh.web.datavalues.models import Period
from ktxh.web.orgunits.models import OrgUnit

from .choices import Action, State


class Status(models.Model):
    """Where one unit's figures for one period stand: draft → submitted → approved → locked.

    No row means draft. Figures can be changed only in draft, and never while the unit
    or a unit above it is locked for the period.
    """

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, verbose_name=_("đơn vị"))
    period = models.ForeignKey(Period, on_delete=models.PROTECT, verbose_name=_("kỳ"))
    state = models.CharField(_("trạng thái"), max_length=10, choices=State.choices, default=State.DRAFT)
    changed_at = models.DateTimeField(_("thay đổi lúc"), auto_now=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("người thay đổi"),
    )

    class Meta:
        verbose_name = _("trạng thái duyệt")
        verbose_name_plural = _("trạng thái duyệt")
        constraints = [models.UniqueConstraint(fields=["org_unit", "period"], name="status_unit_period_uniq")]

    def __str__(self) -> str:
        return f"{self.org_unit} {self.period.code}: {self.get_state_display()}"


class Event(models.Model):
    """One step of the workflow, kept for ever: who did what, when and why."""

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, verbose_name=_("đơn vị"))
    period = models.ForeignKey(Period, on_delete=models.PROTECT, verbose_name=_("kỳ"))
    action = models.CharField(_("thao tác"), max_length=10, choices=Action.choices)
    from_state = models.CharField(_("từ"), max_length=10, choices=State.choices)
    to_state = models.CharField(_("sang"), max_length=10, choices=State.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("người thực hiện")
    )
    at = models.DateTimeField(_("lúc"), auto_now_add=True)
    reason = models.TextField(_("lý do"), blank=True)
    source = models.CharField(_("qua"), max_length=10, default="screen")

    class Meta:
        verbose_name = _("bước duyệt")
        verbose_name_plural = _("các bước duyệt")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["org_unit", "period"])]

    def __str__(self) -> str:
        return f"{self.org_unit} {self.period.code}: {self.get_action_display()}"
