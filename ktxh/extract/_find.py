"""Case-insensitive regex scans made fast: a pattern is tried only where one of its first words begins.

Python's regex engine cannot skip ahead through a case-insensitive pattern: a search tries it
at every character. When every match of a pattern begins with one of a few words, ``str.find``
in the lower-cased text finds those places far faster, and the pattern is tried there only.

That gives the very matches of the plain scan as long as lower-casing maps every character
that one of the words' letters matches (case-insensitively) onto that letter, and keeps the
text's length. It does for the Vietnamese and ASCII letters the words are spelled with, but for
"i", which also matches the Turkish "ı" and "İ": a text holding either is scanned the plain way
(``tests/extract/test_facts.py`` checks the words' letters against all of Unicode).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator


def lowered(text: str) -> str | None:
    """``text.lower()`` where it may stand in for ``text`` in ``finditer``, else None."""
    if "ı" in text or "İ" in text:
        return None
    low = text.lower()
    return low if len(low) == len(text) else None


def first_words(alternation: str) -> tuple[str, ...]:
    """The first word of each phrase of a regex alternation, in lower case ("thị\\s+trấn" -> "thị")."""
    return tuple(sorted({alt.split("\\")[0].lower() for alt in alternation.split("|")}))


def finditer(
    pattern: re.Pattern[str],
    text: str,
    low: str | None,
    words: Iterable[str],
    pos: int = 0,
    endpos: int | None = None,
) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text, pos, endpos)`` for a pattern whose every match is non-empty and
    begins with one of ``words`` (lower case); ``low`` is ``lowered(text)``."""
    end = len(text) if endpos is None else endpos
    if low is None:
        yield from pattern.finditer(text, pos, end)
        return
    starts: set[int] = set()
    for word in words:
        at = low.find(word, pos, end)
        while at >= 0:
            starts.add(at)
            at = low.find(word, at + 1, end)  # every place it begins, overlaps too ("tt" in "ttt")
    after = pos
    for at in sorted(starts):
        if at >= after:
            m = pattern.match(text, at, end)
            if m is not None:
                after = m.end()
                yield m
