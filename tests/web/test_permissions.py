"""The matrix of roles × actions × units, on the screens and the API alike.

A refused write answers 403 and changes nothing: no value, no audit row.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from ktxh.web.accounts.models import ApiToken
from ktxh.web.datavalues.models import DataValue, ValueChange
from ktxh.web.workflow.models import Event

from .entry_helpers import fill

pytestmark = pytest.mark.django_db

USERS = ["admin", "tckh", "nongnghiep", "xa_ngohung", "xa_thanhtung", "lanhdao"]
UNITS = ["300", "11275", "11242"]  # the district, xã Ngũ Hùng, xã Thanh Tùng
SECTORS = {"nong_nghiep": "NN.DAN_TRAU_BO", "y_te": "YT.LUOT_KHAM_TYT"}

MAY_VIEW = {
    "admin": set(UNITS),
    "tckh": set(UNITS),
    "nongnghiep": set(UNITS),
    "lanhdao": set(UNITS),
    "xa_ngohung": {"11275"},
    "xa_thanhtung": {"11242"},
}


def may_edit(user: str, unit: str, sector: str) -> bool:
    if user in ("admin", "tckh"):
        return True
    if user == "nongnghiep":
        return sector == "nong_nghiep"
    if user == "xa_ngohung":
        return unit == "11275"
    if user == "xa_thanhtung":
        return unit == "11242"
    return False  # the leader reads only


def may_submit(user: str, unit: str) -> bool:
    return (
        user in ("admin", "tckh")
        or (user == "xa_ngohung" and unit == "11275")
        or (user == "xa_thanhtung" and unit == "11242")
    )


def _nothing_written(before: tuple[int, int]) -> bool:
    return (DataValue.objects.count(), ValueChange.objects.count()) == before


def _counts() -> tuple[int, int]:
    return DataValue.objects.count(), ValueChange.objects.count()


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("unit", UNITS)
def test_it_shows_a_unit_only_to_those_who_may_see_it(
    login: Callable[[str], Client], user: str, unit: str
) -> None:
    client = login(user)
    status = client.get(f"/nhap-lieu/{unit}/2023/nong_nghiep/").status_code
    assert status == (200 if unit in MAY_VIEW[user] else 403)
    assert client.get(f"/?unit={unit}&year=2023").status_code == (200 if unit in MAY_VIEW[user] else 403)
    api = client.get(f"/api/values?unit={unit}&period=2023&limit=1").json()
    assert (api["count"] > 0) == (unit in MAY_VIEW[user])  # each of the three units has 2023 values


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("unit", UNITS)
@pytest.mark.parametrize("sector", list(SECTORS))
def test_it_lets_only_the_right_people_write_on_the_screen(
    login: Callable[[str], Client], user: str, unit: str, sector: str
) -> None:
    client = login(user)
    url = f"/nhap-lieu/{unit}/2023/{sector}/"
    before = _counts()
    if unit not in MAY_VIEW[user]:
        response = client.post(url, {"form-TOTAL_FORMS": "0", "form-INITIAL_FORMS": "0"})
        assert response.status_code == 403
        assert _nothing_written(before)
        return
    _data, response = fill(client, url, {SECTORS[sector]: "1.234"})
    if may_edit(user, unit, sector):
        assert response.status_code in (302, 400)  # 400: a finding waits for a reason
        assert response.status_code != 403
    else:
        assert response.status_code == 403
        assert _nothing_written(before)


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("unit", UNITS)
@pytest.mark.parametrize("sector", list(SECTORS))
def test_it_lets_only_the_right_people_write_through_the_api(user: str, unit: str, sector: str) -> None:
    _obj, token = ApiToken.issue(user=get_user_model().objects.get(username=user))
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = {"unit": unit, "period": "2023", "rows": [{"indicator": SECTORS[sector], "value": "1234"}]}
    before = _counts()
    response = client.post("/api/values/bulk", json.dumps(body), content_type="application/json")
    if may_edit(user, unit, sector):
        assert response.status_code == 200, response.content
    else:
        assert response.status_code == 403, response.content
        assert "quyền" in response.json()["detail"]
        assert _nothing_written(before)


@pytest.mark.parametrize("user", USERS)
@pytest.mark.parametrize("unit", ["11275", "11242"])
def test_it_lets_only_the_right_people_submit_on_screen_and_api(
    login: Callable[[str], Client], user: str, unit: str
) -> None:
    client = login(user)
    response = client.post(f"/nhap-lieu/{unit}/2023/duyet/", {"action": "submit"})
    if may_submit(user, unit):
        assert response.status_code == 302
    else:
        assert response.status_code == 403
        assert not Event.objects.exists()
    _obj, token = ApiToken.issue(user=get_user_model().objects.get(username=user))
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = api.post(f"/api/workflow/{unit}/2023/approve", "{}", content_type="application/json")
    # approving needs the planning office (or an administrator), and a submitted unit
    if user in ("admin", "tckh") and may_submit(user, unit):
        assert response.status_code == 200, response.content
    elif user in ("admin", "tckh"):
        assert response.status_code == 409
    else:
        assert response.status_code == 403


def test_a_commune_writing_another_communes_value_gets_403_and_nothing_changes(
    login: Callable[[str], Client],
) -> None:
    client = login("xa_ngohung")
    before = _counts()
    form = client.post(
        "/nhap-lieu/11242/2023/nong_nghiep/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-code": "NN.DAN_TRAU_BO",
            "form-0-version": "0",
            "form-0-value": "5",
            "form-0-kind": "estimate",
        },
    )
    assert form.status_code == 403
    upload = client.post("/nhap-lieu/11242/2023/nong_nghiep/tai-len/", {})
    assert upload.status_code == 403
    api = client.post(
        "/api/values/bulk",
        json.dumps(
            {"unit": "11242", "period": "2023", "rows": [{"indicator": "NN.DAN_TRAU_BO", "value": "5"}]}
        ),
        content_type="application/json",
        HTTP_X_CSRFTOKEN="x",
    )
    assert api.status_code in (401, 403)
    assert _nothing_written(before)


def test_an_anonymous_visitor_is_sent_to_the_login_page_and_the_api_says_401(client: Client) -> None:
    assert client.get("/nhap-lieu/").status_code == 302
    assert client.get("/").url.startswith("/dang-nhap/")
    assert client.get("/api/values").status_code == 401
    assert client.get("/api/values", HTTP_AUTHORIZATION="Bearer ktxh_wrong").status_code == 401
