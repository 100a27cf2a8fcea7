"""Writes to accounts: people and what they may do."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from ktxh.web.catalog.models import Sector

from .choices import Role
from .models import Membership


@dataclass(frozen=True)
class AccountSpec:
    username: str
    full_name: str
    role: Role
    unit: str = ""
    sectors: tuple[str, ...] = ()


# One account per role on the Thanh Miện demo (district 300, xã Ngũ Hùng 11275).
DEMO_ACCOUNTS = (
    AccountSpec("admin", "Quản trị hệ thống", Role.ADMIN),
    AccountSpec("tckh", "Phòng Tài chính - Kế hoạch huyện", Role.PLANNING, "300"),
    AccountSpec("nongnghiep", "Phòng Nông nghiệp và PTNT huyện", Role.OFFICE, "300", ("nong_nghiep",)),
    AccountSpec("xa_ngohung", "UBND xã Ngũ Hùng", Role.COMMUNE, "11275"),
    AccountSpec("lanhdao", "Lãnh đạo UBND huyện", Role.LEADER),
)


@transaction.atomic
def account_ensure(*, spec: AccountSpec, password: str) -> Any:
    """Create or update one account and its single membership. Idempotent."""
    user_model = get_user_model()
    user, _created = user_model.objects.get_or_create(username=spec.username)
    first, _, last = spec.full_name.rpartition(" ")
    user.first_name, user.last_name = (first, last) if first else ("", spec.full_name)
    user.is_staff = user.is_superuser = spec.role is Role.ADMIN
    if not user.check_password(password):
        user.set_password(password)
    user.save()
    if spec.role is not Role.ADMIN:
        membership, _ = Membership.objects.get_or_create(user=user, role=spec.role, org_unit_code=spec.unit)
        Membership.objects.filter(user=user).exclude(pk=membership.pk).delete()
        membership.sectors.set(Sector.objects.filter(code__in=spec.sectors))
    return user


def demo_accounts_ensure(*, home: Path) -> list[dict[str, str]]:
    """The demo's accounts; passwords are made once and kept in KTXH_HOME/demo-logins.json."""
    path = home / "demo-logins.json"
    saved: dict[str, str] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    out = []
    for spec in DEMO_ACCOUNTS:
        password = saved.get(spec.username) or secrets.token_urlsafe(9)
        account_ensure(spec=spec, password=password)
        saved[spec.username] = password
        out.append(
            {
                "username": spec.username,
                "password": password,
                "role": str(spec.role.label),
                "name": spec.full_name,
            }
        )
    path.write_text(json.dumps(saved, ensure_ascii=False, indent=2), encoding="utf-8")
    path.chmod(0o600)
    return out
