"""``ktxh.web.links.link``: the same URL as Django's reverse(), also when kept, and per script prefix."""

from __future__ import annotations

import pytest
from django.urls import reverse, set_script_prefix

from ktxh.web.links import link

CASES = [
    ("entry:form", ("300", "2023", "nong_nghiep")),
    ("entry:history", ("11275", "2023", "NN.DT_LUA")),
    ("entry:workflow", ("300", "2021-2025")),
    ("entry:history", ("300", "2023", "MÃ có dấu cách+và&lạ")),
]


@pytest.mark.parametrize(("name", "args"), CASES)
def test_a_link_is_what_reverse_gives_made_or_kept(name: str, args: tuple[str, ...]) -> None:
    expected = reverse(name, args=args)
    assert link(name, *args) == expected
    assert link(name, *args) == expected  # the second one comes from the kept links


def test_links_follow_the_script_prefix() -> None:
    try:
        set_script_prefix("/ktxh/")
        assert link("entry:form", "300", "2023", "nong_nghiep") == reverse(
            "entry:form", args=("300", "2023", "nong_nghiep")
        )
        assert link("entry:form", "300", "2023", "nong_nghiep").startswith("/ktxh/")
    finally:
        set_script_prefix("/")
    assert not link("entry:form", "300", "2023", "nong_nghiep").startswith("/ktxh/")
