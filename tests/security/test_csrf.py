"""CSRF: a form posted from another site (no token) is refused with 403 and changes nothing.

Each refusal has its control: the same request with the token the page gave goes through,
so the 403 comes from the missing token and not from something else.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from ktxh.web.datavalues.models import DataValue, ValueChange
from ktxh.web.workflow.models import Event
from tests.web.entry_helpers import form_fields, prefix_of

from .conftest import COMMUNE, OWN_UNIT, Login

pytestmark = pytest.mark.django_db

ENTRY = "/nhap-lieu/300/2023/nong_nghiep/"
INDICATOR = "NN.DAN_TRAU_BO"


def _counts() -> tuple[int, int, int]:
    return DataValue.objects.count(), ValueChange.objects.count(), Event.objects.count()


def _token(client: Client, page: str = "/") -> str:
    client.get(page)
    return client.cookies["csrftoken"].value


def _entry_post(client: Client, value: str) -> dict[str, str]:
    data = form_fields(client.get(ENTRY).content.decode())
    data[f"{prefix_of(data, INDICATOR)}-value"] = value
    return data


def _without_token(data: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in data.items() if k != "csrfmiddlewaretoken"}


def test_it_refuses_an_entry_form_post_without_the_token(login: Login) -> None:
    client = login("tckh", csrf=True)
    data = _entry_post(client, "98.765")
    assert data.get("csrfmiddlewaretoken")  # the page carries a token
    before = _counts()
    assert client.post(ENTRY, _without_token(data)).status_code == 403
    assert _counts() == before
    forged = {**data, "csrfmiddlewaretoken": "x" * 64}
    assert client.post(ENTRY, forged).status_code == 403
    assert _counts() == before
    # control: with the page's token the same post is stored
    assert client.post(ENTRY, data).status_code == 302
    assert DataValue.objects.filter(indicator__code=INDICATOR, org_unit__code="300", value=98765).exists()


@pytest.mark.parametrize(
    ("user", "url", "data"),
    [
        (COMMUNE, f"/nhap-lieu/{OWN_UNIT}/2023/duyet/", {"action": "submit", "reason": ""}),
        ("tckh", "/nhap-lieu/300/2023/duyet/", {"action": "submit", "reason": ""}),
    ],
)
def test_it_refuses_a_workflow_step_without_the_token(
    login: Login, user: str, url: str, data: dict[str, str]
) -> None:
    client = login(user, csrf=True)
    before = _counts()
    assert client.post(url, data).status_code == 403
    assert _counts() == before
    token = _token(client, url)
    assert client.post(url, {**data, "csrfmiddlewaretoken": token}).status_code == 302
    assert Event.objects.count() == before[2] + 1


def test_it_refuses_a_logout_without_the_token(login: Login) -> None:
    client = login("tckh", csrf=True)
    assert client.post("/dang-xuat/").status_code == 403
    assert client.get("/").status_code == 200  # still logged in
    token = _token(client)
    client.post("/dang-xuat/", {"csrfmiddlewaretoken": token})
    assert client.get("/").status_code == 302  # to the login page


def test_it_refuses_a_login_without_the_token(db: None) -> None:
    from tests.conftest import TEST_PASSWORD

    client = Client(enforce_csrf_checks=True)
    response = client.post("/dang-nhap/", {"username": "tckh", "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


BULK = {"unit": "300", "period": "2023", "rows": [{"indicator": INDICATOR, "value": "4321", "version": None}]}


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/values/bulk", BULK),
        ("/api/workflow/300/2023/submit", {"reason": ""}),
    ],
    ids=["bulk", "workflow"],
)
def test_it_refuses_an_api_write_with_a_session_but_no_csrf_token(
    login: Login, bearer: Callable[[str], dict[str, str]], url: str, body: dict[str, object]
) -> None:
    client = login("tckh", csrf=True)
    before = _counts()
    response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.status_code in (401, 403)
    assert _counts() == before
    # with the token the browser would send, the session is enough …
    token = _token(client)
    ok = client.post(url, json.dumps(body), content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 200, ok.content
    # … and a bearer token needs no CSRF token at all (no cookie a forged page could ride on)
    fresh = Client(enforce_csrf_checks=True)
    again = fresh.post(
        url.replace("submit", "return"),
        json.dumps({"reason": "trả lại"} if "workflow" in url else body),
        content_type="application/json",
        **bearer("tckh"),
    )
    assert again.status_code == 200, again.content
