"""SQL in every text field: query parameters, path segments, form fields, login, JSON.

Nothing answers 5xx, nothing of another unit shows, no table is harmed, and where the text
is stored (comments, reasons) it is stored exactly as typed, as plain text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from ktxh.web.catalog.models import Indicator
from ktxh.web.datavalues.models import DataValue, ValueChange
from ktxh.web.orgunits.models import OrgUnit
from ktxh.web.workflow.models import Event
from tests.web.entry_helpers import form_fields, prefix_of

from .conftest import COMMUNE, OWN_UNIT, Login

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "' OR 1=1 --",
    "' OR '1'='1",
    "1; DROP TABLE datavalues_datavalue; --",
    '"; DROP TABLE auth_user; --',
    "11275' UNION SELECT username, password FROM auth_user --",
    "Robert'); DELETE FROM workflow_event; --",
    "＇ OR １=１ －－",  # fullwidth quote, digits and dashes
    "\u202e' OR 1=1 --",  # right-to-left override
    "ʼ OR 1=1 -- ‘’“”",  # look-alike quotes
    "%27%20OR%201%3D1%20--",  # encoded once more
    "\\' OR \\'1\\'=\\'1",
    "$where: '1 == 1'",
    "ﬁ' OR 1=1 /*",  # a ligature NFKC folds to "fi"
]
IDS = [f"p{i}" for i in range(len(PAYLOADS))]


def _tables_intact(before: dict[str, int]) -> None:
    assert _sizes() == before


def _sizes() -> dict[str, int]:
    return {
        "users": get_user_model().objects.count(),
        "values": DataValue.objects.count(),
        "changes": ValueChange.objects.count(),
        "events": Event.objects.count(),
        "units": OrgUnit.objects.count(),
        "indicators": Indicator.objects.count(),
    }


QUERY_URLS = [
    "/?unit={p}&year=2023",
    "/?unit=" + OWN_UNIT + "&year={p}",
    "/linh-vuc/{p}/?unit=" + OWN_UNIT,
    "/xep-hang/{p}/?unit=" + OWN_UNIT,
    "/phat-hien/?unit={p}",
    "/tai-lieu/{p}/",
    "/nhap-lieu/?year={p}",
    "/nhap-lieu/{p}/2023/nong_nghiep/",
    "/nhap-lieu/" + OWN_UNIT + "/{p}/nong_nghiep/",
    "/nhap-lieu/" + OWN_UNIT + "/2023/{p}/",
    "/nhap-lieu/" + OWN_UNIT + "/2023/lich-su/{p}/",
    "/nhap-lieu/" + OWN_UNIT + "/2023/duyet/?x={p}",
    "/du-thao/{p}/2023/",
    "/api/values?unit={p}",
    "/api/values?period={p}",
    "/api/values?indicator={p}",
    "/api/values?kind={p}",
    "/api/values?sector={p}",
    "/api/indicators?q={p}",
    "/api/indicators?sector={p}",
    "/api/orgunits?parent={p}",
    "/api/orgunits?level={p}",
    "/api/findings?unit={p}&year=2023",
    "/api/workflow/{p}/2023",
    "/api/workflow/" + OWN_UNIT + "/{p}",
]


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_it_answers_sql_in_urls_without_error_or_leak(login: Login, payload: str) -> None:
    client = login(COMMUNE)
    before = _sizes()
    for url in QUERY_URLS:
        response = client.get(url.format(p=quote(payload, safe="")))
        assert response.status_code < 500, (url, response.status_code)
        if url.startswith("/api/values") and response.status_code == 200:
            assert {row["org_unit"] for row in response.json()["items"]} <= {OWN_UNIT}
        if "unit={p}" in url and not url.startswith("/api/"):
            assert response.status_code in (400, 403, 404), url  # never another unit's page
    _tables_intact(before)


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_it_searches_the_catalog_for_sql_as_plain_text(login: Login, payload: str) -> None:
    response = login(COMMUNE).get("/api/indicators", {"q": payload})
    assert response.status_code == 200
    assert response.json()["count"] == 0  # no indicator is named like this: nothing matches


ENTRY = "/nhap-lieu/300/2023/nong_nghiep/"
INDICATOR = "NN.DAN_TRAU_BO"


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_it_stores_sql_in_an_entry_comment_as_plain_text(login: Login, payload: str) -> None:
    client = login("tckh")
    data = form_fields(client.get(ENTRY).content.decode())
    prefix = prefix_of(data, INDICATOR)
    data[f"{prefix}-value"] = "12.345"
    data[f"{prefix}-comment"] = payload
    before = _sizes()
    assert client.post(ENTRY, data).status_code == 302
    value = DataValue.objects.get(
        indicator__code=INDICATOR, org_unit__code="300", period__code="2023", kind="estimate"
    )
    assert value.note == payload.strip()
    assert _sizes()["users"] == before["users"] and _sizes()["events"] == before["events"]
    page = client.get(f"/nhap-lieu/300/2023/lich-su/{INDICATOR}/")
    assert page.status_code == 200


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_it_stores_sql_in_a_workflow_reason_as_plain_text(login: Login, payload: str) -> None:
    client = login("tckh")
    url = "/nhap-lieu/300/2023/duyet/"
    assert client.post(url, {"action": "submit", "reason": ""}).status_code == 302
    before = _sizes()
    assert client.post(url, {"action": "return", "reason": payload}).status_code == 302
    event = Event.objects.order_by("-pk").first()
    assert event is not None and event.action == "return" and event.reason == payload.strip()
    assert _sizes()["events"] == before["events"] + 1
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_it_refuses_sql_at_the_login_without_error(db: None, payload: str) -> None:
    before = _sizes()
    for data in ({"username": payload, "password": payload}, {"username": "tckh", "password": payload}):
        client = Client()
        response = client.post("/dang-nhap/", data)
        assert response.status_code in (200, 403, 429)  # the form again, or the lockout page
        assert "_auth_user_id" not in client.session
    _tables_intact(before)


@pytest.mark.parametrize("payload", PAYLOADS, ids=IDS)
def test_it_handles_sql_in_api_json_fields(bearer: Callable[[str], dict[str, str]], payload: str) -> None:
    client, headers = Client(), bearer("tckh")
    before = _sizes()

    def post(url: str, body: dict[str, object]) -> int:
        response = client.post(url, json.dumps(body), content_type="application/json", **headers)
        assert response.status_code < 500, (url, body, response.content)
        return response.status_code

    row = {"indicator": INDICATOR, "value": "777", "version": None}
    assert post("/api/values/bulk", {"unit": payload, "period": "2023", "rows": [row]}) in (400, 404, 422)
    assert post("/api/values/bulk", {"unit": "300", "period": payload, "rows": [row]}) in (400, 404, 422)
    assert post(
        "/api/values/bulk", {"unit": "300", "period": "2023", "rows": [{**row, "indicator": payload}]}
    ) in (
        400,
        422,
    )
    assert post(
        "/api/values/bulk", {"unit": "300", "period": "2023", "rows": [{**row, "kind": payload}]}
    ) in (
        200,
        400,
        422,
    )
    _tables_intact(before)
    assert (
        post("/api/values/bulk", {"unit": "300", "period": "2023", "rows": [{**row, "comment": payload}]})
        == 200
    )
    value = DataValue.objects.get(
        indicator__code=INDICATOR, org_unit__code="300", period__code="2023", kind="estimate"
    )
    assert value.note == payload.strip() or value.note == payload
    assert post("/api/workflow/300/2023/submit", {"reason": payload}) == 200
    assert Event.objects.order_by("-pk").first().reason in (payload, payload.strip())  # type: ignore[union-attr]


def test_it_refuses_nul_bytes_in_any_field(login: Login) -> None:
    """A NUL would be a 500 on PostgreSQL: a 400 from the middleware, or a form error for multipart."""
    from urllib.parse import urlencode

    client = login("tckh")
    before = _sizes()
    assert client.get("/?unit=300%00' OR 1=1").status_code == 400
    url = "/nhap-lieu/300/2023/duyet/"
    body = urlencode({"action": "return", "reason": "a\x00b"})
    assert client.post(url, body, content_type="application/x-www-form-urlencoded").status_code == 400
    assert client.post(url, {"action": "return", "reason": "a\x00b"}).status_code < 500  # multipart
    data = form_fields(client.get(ENTRY).content.decode())
    prefix = prefix_of(data, INDICATOR)
    data[f"{prefix}-value"] = "12.345"
    data[f"{prefix}-comment"] = "x\x00' OR 1=1"
    assert client.post(ENTRY, data).status_code < 500
    assert Client().post("/dang-nhap/", {"username": "tckh\x00", "password": "x"}).status_code < 500
    _tables_intact(before)
    assert not any("\x00" in note for note in DataValue.objects.values_list("note", flat=True))
    assert not any("\x00" in reason for reason in Event.objects.values_list("reason", flat=True))
