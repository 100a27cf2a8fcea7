"""The JSON API: schema, token auth, filters and pagination, bulk writes with a result per row."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from ktxh.web.accounts.models import ApiToken
from ktxh.web.datavalues.models import DataValue, ValueChange

pytestmark = pytest.mark.django_db


def _api(username: str) -> Client:
    _obj, token = ApiToken.issue(user=get_user_model().objects.get(username=username), name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _bulk(client: Client, body: dict) -> dict:  # type: ignore[type-arg]
    response = client.post("/api/values/bulk", json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def test_the_schema_is_served_at_api_openapi_json(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/indicators",
        "/api/orgunits",
        "/api/periods",
        "/api/values",
        "/api/values/bulk",
        "/api/findings",
    ):
        assert path in schema["paths"], path
    assert "/api/workflow/{unit}/{period}/{action}" in schema["paths"]


def test_the_docs_page_uses_local_files_only(client: Client) -> None:
    html = client.get("/api/docs").content.decode()
    assert "cdn." not in html and "unpkg" not in html


def test_lists_paginate_and_filter() -> None:
    api = _api("lanhdao")
    page = api.get("/api/indicators?sector=nong_nghiep&limit=5&offset=0").json()
    assert len(page["items"]) == 5
    assert page["count"] > 5
    assert {i["sector"] for i in page["items"]} == {"nong_nghiep"}
    values = api.get("/api/values?unit=300&period=2023&indicator=NN.DT_LUA").json()
    stored = DataValue.objects.filter(org_unit__code="300", period__code="2023", indicator__code="NN.DT_LUA")
    assert values["count"] == stored.count()
    assert {Decimal(v["value"]) for v in values["items"]} == {d.value for d in stored}
    units = api.get("/api/orgunits?parent=300&at=2023-12-31").json()
    assert units["count"] == 17
    assert "2023" in {p["code"] for p in api.get("/api/periods").json()["items"]}


def test_a_commune_token_sees_only_its_commune() -> None:
    api = _api("xa_ngohung")
    values = api.get("/api/values?period=2023&limit=1000").json()
    assert values["count"] > 0
    assert {v["org_unit"] for v in values["items"]} == {"11275"}
    assert api.get("/api/findings?unit=300&year=2023").status_code == 403


def test_bulk_write_gives_a_result_per_row_and_stores_all_or_nothing() -> None:
    api = _api("tckh")
    before = ValueChange.objects.count()
    body = {
        "unit": "300",
        "period": "2023",
        "rows": [
            {"indicator": "NN.DAN_TRAU_BO", "value": "2760", "kind": "estimate"},
            {"indicator": "KHONG.CO", "value": "1"},
            {"indicator": "NN.DAN_LON", "value": "41000", "kind": "ước"},
        ],
    }
    result = _bulk(api, body)
    assert not result["stored"]
    assert [r["status"] for r in result["results"]] == ["updated", "error", "error"]
    assert result["results"][1]["error"]["field"] == "indicator"
    assert result["results"][2]["error"]["field"] == "kind"
    assert ValueChange.objects.count() == before
    body["all_or_nothing"] = False
    result = _bulk(api, body)
    assert result["stored"] and result["updated"] == 1 and result["errors"] == 2
    change = ValueChange.objects.get(indicator__code="NN.DAN_TRAU_BO", source="api")
    assert (change.new_value, change.source, change.user.username) == (Decimal("2760"), "api", "tckh")


def test_a_stale_version_is_refused_with_the_current_value() -> None:
    api = _api("tckh")
    current = DataValue.objects.get(
        org_unit__code="300", period__code="2023", indicator__code="NN.DAN_TRAU_BO", kind="estimate"
    )
    first = {
        "unit": "300",
        "period": "2023",
        "rows": [{"indicator": "NN.DAN_TRAU_BO", "value": "2800", "version": current.version}],
    }
    assert _bulk(api, first)["stored"]
    second = {
        "unit": "300",
        "period": "2023",
        "rows": [{"indicator": "NN.DAN_TRAU_BO", "value": "2900", "version": current.version}],
    }
    result = _bulk(_api("nongnghiep"), second)
    assert not result["stored"]
    error = result["results"][0]["error"]
    assert Decimal(error["current"]) == Decimal("2800") and error["current_version"] == current.version + 1
    current.refresh_from_db()
    assert current.value == Decimal("2800")


def test_workflow_actions_through_the_api() -> None:
    commune, planning = _api("xa_ngohung"), _api("tckh")

    def post(c: Client, action: str, body: str = "{}") -> Any:
        return c.post(f"/api/workflow/11275/2023/{action}", body, content_type="application/json")

    assert post(commune, "submit").json()["state"] == "submitted"
    assert post(planning, "approve").json()["state"] == "approved"
    assert post(planning, "lock").json()["state"] == "locked"
    write = commune.post(
        "/api/values/bulk",
        json.dumps(
            {"unit": "11275", "period": "2023", "rows": [{"indicator": "NN.DAN_TRAU_BO", "value": "5"}]}
        ),
        content_type="application/json",
    )
    assert write.status_code == 409 and "khóa" in write.json()["detail"]
    assert post(planning, "unlock", json.dumps({"reason": "x"})).status_code == 403
    admin = _api("admin")
    assert post(admin, "unlock").status_code == 409  # a reason is required
    assert post(admin, "unlock", json.dumps({"reason": "Điều chỉnh"})).json()["state"] == "draft"


def test_findings_are_listed_with_their_keys() -> None:
    findings = _api("tckh").get("/api/findings?unit=300&year=2023").json()
    codes = {f["code"] for f in findings}
    assert findings and all(len(f["key"]) == 12 for f in findings)
    assert any(f["severity"] == "error" for f in findings)
    assert codes  # the demo's own slips (see ktxh validate)


def test_a_revoked_token_is_refused() -> None:
    obj, token = ApiToken.issue(user=get_user_model().objects.get(username="tckh"))
    obj.revoked = True
    obj.save()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/periods").status_code == 401
    assert ApiToken.objects.filter(digest=token).count() == 0  # only the hash is stored


@pytest.mark.parametrize(
    "request_",
    [
        ("get", "/api/indicators?q=a%00b", None),
        ("get", "/nhap-lieu/30%000/2023/nong_nghiep/", None),
        (
            "post",
            "/api/values/bulk",
            '{"unit": "300", "period": "2023", "rows": [{"indicator": "NN.DAN_LON", "value": "1", "comment": "a\\u0000"}]}',
        ),
    ],
)
def test_nul_characters_are_refused_with_400_not_a_server_error(
    request_: tuple[str, str, str | None],
) -> None:
    method, url, body = request_
    api = _api("tckh")
    response = api.get(url) if method == "get" else api.post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


@pytest.mark.parametrize(
    "query", ["offset=100000000000000000000", "limit=100000000000000000000", "limit=0", "offset=-1"]
)
def test_pagination_out_of_bounds_is_a_422_not_a_server_error(query: str) -> None:
    for path in ("/api/values", "/api/indicators", "/api/periods", "/api/orgunits"):
        assert _api("lanhdao").get(f"{path}?{query}").status_code == 422


def test_ktxh_token_prints_a_working_token_once(capsys: pytest.CaptureFixture[str]) -> None:
    from ktxh.cli import main

    assert main(["token", "--user", "tckh", "--name", "máy tổng hợp"]) == 0
    token = capsys.readouterr().out.splitlines()[0]
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/periods").status_code == 200
    assert main(["token", "--user", "khong_co"]) == 2
    assert "Không có người dùng" in capsys.readouterr().err
