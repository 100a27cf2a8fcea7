from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ktxh.web.catalog.models import Sector

from .choices import Role


class Membership(models.Model):
    """What one person may do: a role over an org-unit subtree, for some sectors or all.

    Units are named by statistics code, not by row, so a membership survives a unit's
    new version (codes are reused across the 2025 reform) and covers every unit whose
    chain of parents passes through that code. An empty ``org_unit_code`` means every
    unit (administrators and leaders).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("người dùng"),
    )
    role = models.CharField(_("vai trò"), max_length=10, choices=Role.choices)
    org_unit_code = models.CharField(
        _("mã đơn vị"), max_length=10, blank=True, help_text=_("Để trống: mọi đơn vị (quản trị, lãnh đạo).")
    )
    sectors = models.ManyToManyField(
        Sector, blank=True, verbose_name=_("lĩnh vực"), help_text=_("Chỉ dùng cho phòng, ban chuyên môn.")
    )

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "org_unit_code"], name="membership_uniq"),
        ]

    def __str__(self) -> str:
        where = self.org_unit_code or _("mọi đơn vị")
        return f"{self.user} – {self.get_role_display()} – {where}"


class ApiToken(models.Model):
    """A token for the JSON API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("người dùng"),
    )
    name = models.CharField(_("tên"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("tiền tố"), max_length=8)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    revoked = models.BooleanField(_("đã thu hồi"), default=False)

    class Meta:
        verbose_name = _("khóa API")
        verbose_name_plural = _("khóa API")

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8")).hexdigest()

    @classmethod
    def issue(cls, *, user: object, name: str = "") -> tuple[ApiToken, str]:
        token = "ktxh_" + secrets.token_urlsafe(32)
        obj = cls.objects.create(user=user, name=name, digest=cls.hash(token), prefix=token[5:13])
        return obj, token
