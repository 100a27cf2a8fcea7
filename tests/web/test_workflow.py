"""Draft → submitted → approved → locked, bottom-up, with reasons and a trail."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from ktxh.web.workflow.models import Event, Status

from .entry_helpers import fill

pytestmark = pytest.mark.django_db

COMMUNE = "/nhap-lieu/11275/2023/duyet/"
DISTRICT = "/nhap-lieu/300/2023/duyet/"


def _state(code: str) -> str:
    row = Status.objects.filter(org_unit__code=code, period__code="2023").first()
    return row.state if row else "draft"


def _act(client: Client, url: str, action: str, reason: str = "") -> str:
    response = client.post(url, {"action": action, "reason": reason}, follow=True)
    return response.content.decode()


def test_a_commune_submits_then_the_planning_office_approves_and_locks(
    login: Callable[[str], Client],
) -> None:
    commune, planning = login("xa_ngohung"), login("tckh")
    _act(commune, COMMUNE, "submit")
    assert _state("11275") == "submitted"
    _act(planning, COMMUNE, "approve")
    _act(planning, COMMUNE, "lock")
    assert _state("11275") == "locked"
    steps = list(Event.objects.filter(org_unit__code="11275").values_list("action", "user__username"))
    assert steps == [("submit", "xa_ngohung"), ("approve", "tckh"), ("lock", "tckh")]


def test_a_locked_period_refuses_edits_with_a_clear_message(login: Callable[[str], Client]) -> None:
    commune, planning = login("xa_ngohung"), login("tckh")
    _act(commune, COMMUNE, "submit")
    _act(planning, COMMUNE, "approve")
    _act(planning, COMMUNE, "lock")
    html = commune.get("/nhap-lieu/11275/2023/nong_nghiep/").content.decode()
    assert "đã khóa" in html and "Chỉ quản trị hệ thống mở khóa được" in html
    assert "Lưu số liệu" not in html
    _data, response = fill(commune, "/nhap-lieu/11275/2023/nong_nghiep/", {"NN.DT_LUA": "100"})
    assert "đã khóa" in response.content.decode()
    assert not Status.objects.filter(org_unit__code="11275", state="draft").exists()


def test_a_submitted_commune_cannot_edit_until_returned(login: Callable[[str], Client]) -> None:
    commune, planning = login("xa_ngohung"), login("tckh")
    _act(commune, COMMUNE, "submit")
    _data, response = fill(commune, "/nhap-lieu/11275/2023/nong_nghiep/", {"NN.DT_LUA": "100"})
    assert "đã gửi duyệt" in response.content.decode()
    html = _act(planning, COMMUNE, "return")
    assert "cần ghi lý do" in html
    assert _state("11275") == "submitted"
    _act(planning, COMMUNE, "return", "Thiếu số liệu chăn nuôi")
    assert _state("11275") == "draft"
    assert Event.objects.get(action="return").reason == "Thiếu số liệu chăn nuôi"


def test_the_district_is_approved_only_after_every_commune(login: Callable[[str], Client]) -> None:
    planning = login("tckh")
    _act(planning, DISTRICT, "submit")
    html = _act(planning, DISTRICT, "approve")
    assert "còn 17 đơn vị cấp dưới chưa được duyệt" in html
    assert _state("300") == "submitted"


def test_only_an_administrator_unlocks_and_must_say_why(login: Callable[[str], Client]) -> None:
    commune, planning, admin = login("xa_ngohung"), login("tckh"), login("admin")
    _act(commune, COMMUNE, "submit")
    _act(planning, COMMUNE, "approve")
    _act(planning, COMMUNE, "lock")
    assert planning.post(COMMUNE, {"action": "unlock", "reason": "sửa"}).status_code == 403
    assert "cần ghi lý do" in _act(admin, COMMUNE, "unlock")
    _act(admin, COMMUNE, "unlock", "Cục Thống kê điều chỉnh số liệu lúa")
    assert _state("11275") == "draft"
    _data, response = fill(commune, "/nhap-lieu/11275/2023/nong_nghiep/", {"NN.DT_LUA": "100"})
    assert response.status_code == 302


def test_a_commune_cannot_approve_itself(login: Callable[[str], Client]) -> None:
    commune = login("xa_ngohung")
    _act(commune, COMMUNE, "submit")
    assert commune.post(COMMUNE, {"action": "approve"}).status_code == 403
    assert _state("11275") == "submitted"
