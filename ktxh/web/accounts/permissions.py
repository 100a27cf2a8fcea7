"""Who may see and change what: roles over org-unit subtrees and sectors.

One :class:`Access` is built per request (UI and API alike) and answers every
question from the user's memberships, so the screens and the API cannot disagree.

- administrator: everything, and the only one who may unlock a locked period;
- planning office (TCKH): every sector of its unit and the units below it; approves and locks;
- office: its own sectors in its unit and below; sees the rest of its units;
- commune: its own commune, every sector;
- leader: sees everything, changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils.translation import gettext as _

from ktxh.web.orgunits.models import OrgUnit

from .choices import Role

EDIT_ROLES = {Role.ADMIN, Role.PLANNING, Role.OFFICE, Role.COMMUNE}


@dataclass(frozen=True)
class Scope:
    role: Role
    unit: str | None  # statistics code; None: every unit
    sectors: frozenset[str] | None  # sector codes; None: every sector


class Access:
    """The permissions of one user, read once."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.scopes = self._scopes(user)
        self._chains: dict[int, tuple[str, ...]] = {}
        self._rows: dict[int, tuple[str, int | None]] = {}  # unit id → (code, parent id), as read

    @staticmethod
    def _scopes(user: Any) -> list[Scope]:
        if user is None or not user.is_authenticated or not user.is_active:
            return []
        if user.is_superuser:
            return [Scope(Role.ADMIN, None, None)]
        # One query, plain columns: a row per membership and sector (sector None when it has none).
        by_membership: dict[int, tuple[str, str, set[str]]] = {}
        for pk, role, unit_code, sector in user.memberships.order_by("pk").values_list(
            "pk", "role", "org_unit_code", "sectors__code"
        ):
            entry = by_membership.setdefault(pk, (role, unit_code, set()))
            if sector is not None:
                entry[2].add(sector)
        scopes = []
        for role_code, unit_code, sector_codes in by_membership.values():
            role = Role(role_code)
            sectors = frozenset(sector_codes) if role is Role.OFFICE else None
            unit = None if role in (Role.ADMIN, Role.LEADER) and not unit_code else (unit_code or None)
            scopes.append(Scope(role, unit, sectors))
        return scopes

    @property
    def roles(self) -> set[Role]:
        return {s.role for s in self.scopes}

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    def _row(self, pk: int) -> tuple[str, int | None]:
        """(code, parent id) of a unit; its ancestors come in the same query (four levels)."""
        found = self._rows.get(pk)
        if found is None:
            with connection.cursor() as cursor:
                cursor.execute(_ancestors_sql(), [pk])
                for row in cursor.fetchall():
                    for k in range(ANCESTOR_LEVELS):
                        unit, code, parent = row[3 * k : 3 * k + 3]
                        if unit is not None:
                            self._rows.setdefault(unit, (code, parent))
            found = self._rows.setdefault(pk, ("", None))
        return found

    def chain(self, unit: OrgUnit) -> tuple[str, ...]:
        """The codes of ``unit`` and every unit above it (one small query per ancestor not
        met before in this request: a commune's chain reads its district and province once)."""
        found = self._chains.get(unit.pk)
        if found is None:
            codes = [unit.code]
            seen = {unit.pk}
            pk: int | None = unit.parent_id
            while pk is not None and pk not in seen:
                seen.add(pk)
                code, pk = self._row(pk)
                codes.append(code)
            found = self._chains[unit.pk] = tuple(codes)
        return found

    def _covers(self, scope: Scope, unit: OrgUnit) -> bool:
        return scope.unit is None or scope.unit in self.chain(unit)

    def can_view(self, unit: OrgUnit) -> bool:
        return any(self._covers(s, unit) for s in self.scopes)

    def can_edit(self, unit: OrgUnit, sector: str) -> bool:
        for s in self.scopes:
            if s.role not in EDIT_ROLES or not self._covers(s, unit):
                continue
            if s.sectors is None or sector in s.sectors:
                return True
        return False

    def editable_sectors(self, unit: OrgUnit) -> frozenset[str] | None:
        """None: every sector; otherwise the sectors this user may edit in ``unit``."""
        out: set[str] = set()
        for s in self.scopes:
            if s.role not in EDIT_ROLES or not self._covers(s, unit):
                continue
            if s.sectors is None:
                return None
            out |= s.sectors
        return frozenset(out)

    def can_submit(self, unit: OrgUnit) -> bool:
        """Send a unit's figures for approval: its commune, its planning office, an administrator."""
        return any(
            s.role in (Role.ADMIN, Role.PLANNING, Role.COMMUNE) and self._covers(s, unit) for s in self.scopes
        )

    def can_review(self, unit: OrgUnit) -> bool:
        """Approve, return or lock: the planning office of the unit or one above it."""
        return any(s.role in (Role.ADMIN, Role.PLANNING) and self._covers(s, unit) for s in self.scopes)

    def can_unlock(self) -> bool:
        return self.is_admin

    def visible_unit_ids(self) -> set[int] | None:
        """Every org unit (row id) this user may see; None: all of them."""
        if any(s.unit is None for s in self.scopes):
            return None
        roots = {s.unit for s in self.scopes}
        # Down the tree from every unit carrying a scope's code, one query per level.
        out = set(OrgUnit.objects.filter(code__in=roots).values_list("pk", flat=True))
        frontier = set(out)
        while frontier:
            below = set(OrgUnit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - out
            out |= below
            frontier = below
        return out

    # Raising helpers: the message names the unit and what was refused.
    def require_view(self, unit: OrgUnit) -> None:
        if not self.can_view(unit):
            raise PermissionDenied(_("Bạn không có quyền xem số liệu của {unit}.").format(unit=unit.name))

    def require_edit(self, unit: OrgUnit, sector: str, sector_name: str = "") -> None:
        if not self.can_edit(unit, sector):
            raise PermissionDenied(
                _("Bạn không có quyền nhập số liệu lĩnh vực «{sector}» của {unit}.").format(
                    sector=sector_name or sector, unit=unit.name
                )
            )


ANCESTOR_LEVELS = 4  # commune, district, province, country


@cache
def _ancestors_sql() -> str:
    """A unit and its three levels above, as (id, code, parent id) × 4, in one row.

    Plain SQL: it runs on nearly every request, and the ORM took longer to build this
    three-join query than the database took to answer it."""
    q = connection.ops.quote_name
    table = q(OrgUnit._meta.db_table)
    cols = ", ".join(
        f"u{k}.{q('id')}, u{k}.{q('code')}, u{k}.{q('parent_id')}" for k in range(ANCESTOR_LEVELS)
    )
    joins = " ".join(
        f"LEFT JOIN {table} u{k} ON u{k}.{q('id')} = u{k - 1}.{q('parent_id')}"
        for k in range(1, ANCESTOR_LEVELS)
    )
    return f"SELECT {cols} FROM {table} u0 {joins} WHERE u0.{q('id')} = %s"


def access_for(request: Any) -> Access:
    """The request's Access, built once (the API's token user is set on request.user too)."""
    cached = getattr(request, "_ktxh_access", None)
    if cached is None or cached.user is not request.user:
        cached = Access(request.user)
        request._ktxh_access = cached
    return cached
