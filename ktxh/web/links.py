"""``link("entry:form", unit, period, sector)``: reverse() for pages holding hundreds of links.

Each route is reversed once (per URL configuration and script prefix) with placeholders, and
the arguments are quoted into it; the result is what ``reverse`` gives, a few times faster.
Each link made is kept too: a district's entry list asks for the same four hundred every time.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from django.urls import get_script_prefix, get_urlconf, reverse


@lru_cache(maxsize=64)
def _route(name: str, arity: int, urlconf: str | None, prefix: str) -> str:
    return reverse(name, args=[f"ARG{i}ARG" for i in range(arity)], urlconf=urlconf)


def link(name: str, *args: str) -> str:
    return _link(name, args, get_urlconf(), get_script_prefix())


@lru_cache(maxsize=16384)  # the links of the pages in use; a few MB at most
def _link(name: str, args: tuple[str, ...], urlconf: str | None, prefix: str) -> str:
    url = _route(name, len(args), urlconf, prefix)
    for i, arg in enumerate(args):
        url = url.replace(f"ARG{i}ARG", quote(arg, safe="!$&'()*+,;=~:@"))
    return url
