"""What the web processes keep between requests (the catalog, the overview's sector tables)
is never shown stale: every change made the way the application makes changes is seen by the
next request."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ktxh import core
from ktxh.web import fragments
from ktxh.web.accounts.models import ApiToken
from ktxh.web.catalog.models import Indicator
from ktxh.web.catalog.services import catalog_sync
from ktxh.web.datavalues import selectors as dv

from .entry_helpers import fill, form_fields, prefix_of

pytestmark = pytest.mark.django_db

Q = "?unit=300&year=2023"
CODE = "NN.DT_GIEO_TRONG"  # sown area: 14.739 ha in the seed (line 56), sector nong_nghiep


def _overview_row(html: str, code: str) -> str:
    found = re.search(rf'<tr>\s*<td class="code"[^>]*><a [^>]*>{re.escape(code)}</a>.*?</tr>', html, re.S)
    assert found, code
    return unescape(re.sub(r"<[^>]+>", " ", found.group(0)))


def _page(client: Client) -> str:
    """The overview without its CSRF token (masked afresh on every response)."""
    html = client.get("/" + Q).content.decode()
    return re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", html)


def test_the_catalog_is_read_once_and_again_after_an_edit() -> None:
    first = dv.stored_catalog()
    assert dv.stored_catalog() is first  # kept while nothing changed
    ind = Indicator.objects.get(code=CODE)
    ind.name = "Diện tích gieo trồng cây hằng năm (đã sửa)"
    ind.save()  # as the admin screen saves it
    again = dv.stored_catalog()
    assert again is not first and again[CODE].name == "Diện tích gieo trồng cây hằng năm (đã sửa)"


def test_a_catalog_sync_that_changes_a_name_is_seen() -> None:
    stored = dv.stored_catalog()
    renamed = [
        dataclasses.replace(ind, name="Tên mới từ tệp danh mục") if ind.code == CODE else ind
        for ind in (stored[c] for c in stored)
    ]
    catalog = core.Catalog(
        offices=list(stored.offices.values()),
        sectors=list(stored.sectors.values()),
        indicators=renamed,
        units=stored.units,
    )
    counts = catalog_sync(catalog=catalog)
    assert counts.updated == 1  # a bulk update: "updated at" must still move
    assert dv.stored_catalog()[CODE].name == "Tên mới từ tệp danh mục"


def test_the_overview_redraws_the_sector_a_save_changed_and_only_that_one(
    login: Callable[[str], Client],
) -> None:
    fragments.clear()
    reader, office = login("lanhdao"), login("tckh")
    before = _page(reader)
    assert "= 14.739 / " in _overview_row(before, CODE)  # % of plan, computed from line 56

    with CaptureQueriesContext(connection) as kept:
        again = _page(reader)
    assert again == before

    _data, response = fill(office, "/nhap-lieu/300/2023/nong_nghiep/", {CODE: "14.800"})
    assert response.status_code == 302  # type: ignore[attr-defined]

    with CaptureQueriesContext(connection) as redrawn:
        after = _page(reader)
    row = _overview_row(after, CODE)
    assert "= 14.800 / " in row and "= 14.739 / " not in row
    # The farm sector was read again (one query for its values); the other sectors were kept.
    assert len(redrawn) == len(kept) + 1
    farm_before = re.search(r'<section id="nong_nghiep">.*?</section>', before, re.S)
    farm_after = re.search(r'<section id="nong_nghiep">.*?</section>', after, re.S)
    assert farm_before and farm_after and farm_before.group(0) != farm_after.group(0)
    assert after.replace(farm_after.group(0), "") == before.replace(farm_before.group(0), "")


def test_the_overview_is_kept_per_language(login: Callable[[str], Client]) -> None:
    fragments.clear()
    reader = login("lanhdao")
    vietnamese = reader.get("/" + Q).content.decode()
    reader.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = reader.get("/" + Q).content.decode()
    assert "Chi tiết, biểu đồ" in vietnamese and "Chi tiết, biểu đồ" not in english


def test_the_entry_form_shows_a_value_saved_through_the_api_at_once(login: Callable[[str], Client]) -> None:
    fragments.clear()
    url = "/nhap-lieu/300/2023/nong_nghiep/"
    office = login("tckh")
    before = form_fields(office.get(url).content.decode())
    row = prefix_of(before, CODE)

    _obj, token = ApiToken.issue(user=get_user_model().objects.get(username="tckh"), name="test")
    body = {
        "unit": "300",
        "period": "2023",
        "rows": [
            {
                "indicator": CODE,
                "value": "14800",
                "kind": "estimate",
                "version": int(before[row + "-version"]),
            }
        ],
        "acknowledgements": {},
    }
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    saved = api.post("/api/values/bulk", json.dumps(body), content_type="application/json").json()
    if not saved["stored"]:  # a rule asks for a reason: give it, as a user would
        body["acknowledgements"] = {f["key"]: "Số đã kiểm tra lại" for f in saved["blocking_findings"]}
        saved = api.post("/api/values/bulk", json.dumps(body), content_type="application/json").json()
    assert saved["stored"]

    after = form_fields(office.get(url).content.decode())
    assert after[row + "-value"] == "14.800"
    assert int(after[row + "-version"]) == int(before[row + "-version"]) + 1
    # The commune's own form is another fragment: it was not touched.
    assert login("xa_ngohung").get("/nhap-lieu/11275/2023/nong_nghiep/").status_code == 200


def test_each_process_keeps_the_fragments_it_used_last_within_its_budget() -> None:
    from django.core.cache import cache

    recent = fragments._Recent(budget=100)
    recent.set_many({"a": "x" * 40, "b": "y" * 40})
    assert recent.get_many(["a"]) == {"a": "x" * 40}  # "a" is now the newest
    recent.set_many({"c": "z" * 40})  # over budget: the oldest, "b", goes
    assert set(recent.get_many(["a", "b", "c"])) == {"a", "c"}
    assert recent.size <= recent.budget
    recent.set_many({"a": None})  # a fragment may be "nothing to show"; it is kept as such
    assert recent.get_many(["a"]) == {"a": None}

    # Found in the shared cache only (drawn by another process): read once, then kept here.
    fragments.clear()
    cache.set("ktxh:test:k", "bảng")
    assert fragments.get_many(["ktxh:test:k", "ktxh:test:none"]) == {"ktxh:test:k": "bảng"}
    cache.delete("ktxh:test:k")
    assert fragments.get_many(["ktxh:test:k"]) == {"ktxh:test:k": "bảng"}
    fragments.clear()
    assert fragments.get_many(["ktxh:test:k"]) == {}


def test_the_shared_file_cache_culls_now_and_then_and_stays_bounded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ktxh.web.filecache import CULL_EVERY, SharedFileCache

    shared = SharedFileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 100, "CULL_FREQUENCY": 3}})
    sizes = []
    for i in range(8 * CULL_EVERY):
        shared.set(f"k{i}", "x" * 100)
        sizes.append(len(list(tmp_path.glob("*.djcache"))))
    assert sizes[CULL_EVERY - 2] == CULL_EVERY - 1  # no listing (nor culling) before the 50th write
    assert max(sizes) <= 100 + CULL_EVERY  # never more than one interval past the limit
    assert sizes[-1] <= 100 + CULL_EVERY < 8 * CULL_EVERY  # culled
    assert shared.get(f"k{8 * CULL_EVERY - 1}") == "x" * 100


def test_the_shared_file_cache_makes_its_folder_only_when_it_writes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ktxh.web.filecache import SharedFileCache

    folder = tmp_path / "gone" / "cache"
    shared = SharedFileCache(str(folder), {})
    assert shared.get("k") is None and not (tmp_path / "gone").exists()
    shared.set("k", "v")
    assert shared.get("k") == "v" and folder.is_dir()
