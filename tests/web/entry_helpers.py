"""Reading and filling the entry form the way a browser would: from its HTML."""

from __future__ import annotations

import re

from django.test import Client

_INPUT = re.compile(r"<input\b([^>]*)>", re.S)
_SELECT = re.compile(r'<select name="([^"]+)"[^>]*>(.*?)</select>', re.S)
_ATTR = re.compile(r'(\w[\w-]*)="([^"]*)"')


def form_fields(html: str) -> dict[str, str]:
    """Every named input and select of the page with its current value."""
    data: dict[str, str] = {}
    for m in _INPUT.finditer(html):
        attrs = dict(_ATTR.findall(m.group(1)))
        if "name" in attrs and attrs.get("type") not in ("file", "submit"):
            data[attrs["name"]] = attrs.get("value", "")
    for name, body in _SELECT.findall(html):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body) or re.search(
            r'<option value="([^"]*)"', body
        )
        data[name] = chosen.group(1) if chosen else ""
    return data


def prefix_of(data: dict[str, str], code: str) -> str:
    """The formset prefix ("form-3") of an indicator's row."""
    for name, value in data.items():
        if name.endswith("-code") and value == code:
            return name[: -len("-code")]
    raise AssertionError(f"{code} is not on the form")


def fill(client: Client, url: str, values: dict[str, str], **extra: str) -> tuple[dict[str, str], object]:
    """GET the form, type ``values`` (indicator code → text) and POST it back."""
    data = form_fields(client.get(url).content.decode())
    data.pop("csrfmiddlewaretoken", None)
    for code, text in values.items():
        data[f"{prefix_of(data, code)}-value"] = text
    data.update(extra)
    return data, client.post(url, data)
