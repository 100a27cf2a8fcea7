"""Reading or changing another unit's data by editing the URL, as a commune user.

xã Ngũ Hùng's account (11275) asks for xã Thanh Tùng (11242) and the district (300): every
screen answers 403 and every API filter returns nothing of theirs; writes change nothing.
"""

from __future__ import annotations

import json

import pytest

from ktxh.web.datavalues.models import DataValue, ValueChange
from ktxh.web.workflow.models import Event, Status

from .conftest import COMMUNE, OTHER_UNITS, OWN_UNIT, Login

pytestmark = pytest.mark.django_db

INDICATOR = "NN.DAN_TRAU_BO"  # an indicator every unit of the demo has

SCREENS = [
    "/nhap-lieu/{unit}/2023/nong_nghiep/",
    "/nhap-lieu/{unit}/2023/duyet/",
    "/nhap-lieu/{unit}/2023/lich-su/" + INDICATOR + "/",
    "/nhap-lieu/{unit}/2023/nong_nghiep/tai-ve.xlsx",
    "/?unit={unit}&year=2023",
    "/?unit=%20{unit}%20&year=2023",  # padded: stripped, then checked like any other code
    "/linh-vuc/nong_nghiep/?unit={unit}&year=2023",
    "/xep-hang/" + INDICATOR + "/?unit={unit}&year=2023",
    "/phat-hien/?unit={unit}&year=2023",
    "/du-thao/{unit}/2023/",
]


def _counts() -> tuple[int, int, int, int]:
    return (
        DataValue.objects.count(),
        ValueChange.objects.count(),
        Event.objects.count(),
        Status.objects.count(),
    )


# The district's draft report is read by its communes on purpose (they are its recipients,
# ktxh.web.drafting.services.may_read); another commune's is not.
READ_BY_DESIGN = {("/du-thao/{unit}/2023/", "300")}


@pytest.mark.parametrize(
    ("url", "unit"), [(u, o) for u in SCREENS for o in OTHER_UNITS if (u, o) not in READ_BY_DESIGN]
)
def test_it_refuses_another_units_screen(login: Login, url: str, unit: str) -> None:
    client = login(COMMUNE)
    assert client.get(url.format(unit=OWN_UNIT)).status_code != 403  # the same page for one's own unit
    assert client.get(url.format(unit=unit)).status_code == 403


@pytest.mark.parametrize("unit", OTHER_UNITS)
@pytest.mark.parametrize(
    ("url", "data"),
    [
        (
            "/nhap-lieu/{unit}/2023/nong_nghiep/",
            {
                "form-TOTAL_FORMS": "1",
                "form-INITIAL_FORMS": "1",
                "form-0-code": INDICATOR,
                "form-0-value": "1",
                "form-0-kind": "estimate",
                "form-0-version": "1",
            },
        ),
        ("/nhap-lieu/{unit}/2023/nong_nghiep/tinh/", {"code": INDICATOR, "value": "1"}),
        ("/nhap-lieu/{unit}/2023/nong_nghiep/tai-len/", {}),
        ("/nhap-lieu/{unit}/2023/duyet/", {"action": "submit", "reason": ""}),
        ("/nhap-lieu/{unit}/2023/duyet/", {"action": "lock", "reason": ""}),
    ],
    ids=["entry", "preview", "upload", "submit", "lock"],
)
def test_it_refuses_writing_another_units_data(
    login: Login, url: str, data: dict[str, str], unit: str
) -> None:
    client = login(COMMUNE)
    before = _counts()
    assert client.post(url.format(unit=unit), data).status_code == 403
    assert _counts() == before


@pytest.mark.parametrize("unit", OTHER_UNITS)
@pytest.mark.parametrize(
    "query",
    [
        "unit={unit}",
        "unit={unit}&period=2023",
        "unit={unit}&indicator=NN.DT_MH_GIONG_LUA_MOI",
        "unit={unit}&sector=nong_nghiep",
    ],
)
def test_it_filters_another_units_values_out_of_the_api(login: Login, query: str, unit: str) -> None:
    client = login(COMMUNE)
    own = client.get("/api/values?" + query.format(unit=OWN_UNIT)).json()
    assert own["count"] > 0
    other = client.get("/api/values?" + query.format(unit=unit))
    assert other.status_code == 200 and other.json()["count"] == 0


def test_it_lists_only_the_users_own_values_without_a_filter(login: Login) -> None:
    client = login(COMMUNE)
    seen, offset = set(), 0
    while True:
        page = client.get(f"/api/values?limit=1000&offset={offset}").json()
        seen |= {row["org_unit"] for row in page["items"]}
        offset += 1000
        if offset >= page["count"]:
            break
    assert seen == {OWN_UNIT}


@pytest.mark.parametrize("unit", OTHER_UNITS)
@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", "/api/workflow/{unit}/2023", None),
        ("get", "/api/findings?unit={unit}&year=2023", None),
        ("post", "/api/workflow/{unit}/2023/submit", {"reason": ""}),
        ("post", "/api/workflow/{unit}/2023/lock", {"reason": ""}),
        (
            "post",
            "/api/values/bulk",
            {
                "unit": "{unit}",
                "period": "2023",
                "rows": [{"indicator": INDICATOR, "value": "1", "version": 0}],
            },
        ),
    ],
    ids=["status", "findings", "submit", "lock", "bulk"],
)
def test_it_refuses_another_unit_on_the_api(
    bearer: object, method: str, url: str, body: dict[str, object] | None, unit: str
) -> None:
    from django.test import Client

    headers = bearer(COMMUNE)  # type: ignore[operator]
    client = Client()
    before = _counts()
    if method == "get":
        own = client.get(url.format(unit=OWN_UNIT), **headers)
        assert own.status_code == 200
        response = client.get(url.format(unit=unit), **headers)
    else:
        payload = json.dumps(body).replace("{unit}", unit)
        response = client.post(url.format(unit=unit), payload, content_type="application/json", **headers)
    assert response.status_code == 403
    assert _counts() == before
