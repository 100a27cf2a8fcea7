"""A paragraph's structure (sentences, parentheses) and the phrases around a quantity.

The subject of a number is the noun phrase before it, within its clause: from the end
of the previous quantity's words (or a ";", ":", an open parenthesis, the sentence start)
up to the number, minus the verbs and qualifiers that link it to the number ("ước đạt",
"là", "chiếm", "tăng"). Closed parentheses inside are dropped ("Giá trị sản xuất ngành
công nghiệp (giá CĐ 2010) ước đạt 5.248 tỷ đồng"). Counts take the counted noun phrase
too ("Tiếp nhận 382 hồ sơ đề nghị giải quyết TTHC" -> "Tiếp nhận hồ sơ đề nghị …").
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from ._find import lowered
from ._scan import Tok
from .model import Paragraph

# "[.!?](?=\s+\S)|[.!?]\s*$|\n", written to start with its one character (a search skips ahead to it)
_SENT_END_RE = re.compile(r"[.!?\n](?:(?<=\n)|(?<=[.!?])(?=\s+\S)|(?<=[.!?])\s*$)")
_PAREN_RE = re.compile(r"\([^()]*\)")
_PAREN_CHAR_RE = re.compile(r"[()]")
_YEAR_AT_RE = re.compile(r"(?=(?:19|20)\d\d)")  # where a year may begin (overlapping, so every one)
_TAIL_WORDS = (
    r"ước\s+thực\s+hiện|ước\s+đạt|ước\s+tính|ước|đạt\s+được|đạt|là|bằng|chiếm|có|được|với"
    r"|khoảng|trên|gần|dưới|hơn|tăng|giảm|thêm|bình\s+quân|cao|thấp|mới|chỉ|số|toàn\s+huyện"
    r"|toàn\s+tỉnh|toàn\s+xã|từ|lên|vượt|tới|cho|tại|ở|thực\s+hiện|trong\s+đó|gồm|đã|đạt\s+khoảng"
    r"|so\s+với|cùng\s+kỳ|năm\s+\d{4}|dự\s+kiến|phấn\s+đấu|xuống|là\s+trên|còn|lại"
)
_STRIP_TAIL_RE = re.compile(rf"(?:[\s,:=\-–]|\b(?:{_TAIL_WORDS})\b)+$", re.IGNORECASE)
# What the tail stripped above is made of: characters of its class, and whole words ("\b" bounds
# every word of its phrases: whole \w runs) of its phrases. Matched on the reversed text, from its
# end: the longest run of such pieces, before which the tail cannot begin.
_TAIL_WORD_LIST = sorted({w for phrase in _TAIL_WORDS.split("|") for w in phrase.split(r"\s+")} - {r"\d{4}"})
_TAIL_PIECES_BACK_RE = re.compile(
    rf"(?:[\s,:=\-–]|(?:{'|'.join(re.escape(w[::-1]) for w in _TAIL_WORD_LIST)}|\d{{4}})(?!\w))*",
    re.IGNORECASE,
)
_STRIP_HEAD_RE = re.compile(
    r"^(?:[\s,:;=\-–+•()]|\b(?:trong\s+đó|bao\s+gồm|gồm|và|đồng\s+thời|riêng|đến\s+hết|đến|tính\s+đến"
    r"|năm\s+\d{4}|\d{4}|như|với|kế\s+hoạch|KH|dự\s+toán|chỉ\s+tiêu|so\s+với|cùng\s+kỳ)\b)+",
    re.IGNORECASE,
)


@dataclass
class Draft:
    """A quantity being turned into a Fact (mutable while roles and groups are settled)."""

    tok: Tok
    para: int
    role: str = "value"
    subject: str = ""
    inherited: bool = False
    qualifier: str = ""
    period: str | None = None
    org_unit: str | None = None
    compared_to: str | None = None
    group: str | None = None
    sent: int = 0
    depth: int = 0
    anchor: Draft | None = None
    indicator: str | None = None
    confidence: float = 0.0


def _ends_sentence(text: str, m: re.Match[str]) -> bool:
    rest = text[m.end() : m.end() + 8].lstrip()
    return m.group(0) == "\n" or not rest or rest[0].isupper() or rest[0] in "-–+•(\"“'"


class Para:
    """One paragraph's text with its sentence and parenthesis structure."""

    def __init__(self, index: int, p: Paragraph, cleaned: dict[str, str] | None = None) -> None:
        self.index = index
        self.p = p
        # phrases cleaned so far (``clean``), shared by the paragraphs of one document
        self.cleaned: dict[str, str] = {} if cleaned is None else cleaned
        self.text = text = p.text
        self.sent_ends = [m.end() for m in _SENT_END_RE.finditer(text) if _ends_sentence(text, m)]
        n = len(text)
        # depth and innermost "(" of every character (a ")" still counts as inside), filled
        # run by run between parentheses: this runs for every paragraph of every document
        self.depth: list[int] = [0] * (n + 1)
        self.opens: list[int] = [-1] * (n + 1)
        self.parent: dict[int, int] = {}  # "(" position -> the enclosing "(" position, -1 at top
        stack: list[int] = []
        last = 0
        for m in _PAREN_CHAR_RE.finditer(text):
            i = m.start()
            if stack:
                self.depth[last:i] = [len(stack)] * (i - last)
                self.opens[last:i] = [stack[-1]] * (i - last)
            if m.group(0) == "(":
                self.parent[i] = stack[-1] if stack else -1
                stack.append(i)
                last = i
            elif stack:
                self.depth[i] = len(stack)
                self.opens[i] = stack[-1]
                stack.pop()
                last = i + 1
            else:
                last = i + 1
        if stack:
            self.depth[last:n] = [len(stack)] * (n - last)
            self.opens[last:n] = [stack[-1]] * (n - last)

    @functools.cached_property
    def low(self) -> str | None:
        """The text lower-cased, for ``_find.finditer``."""
        return lowered(self.text)

    @functools.cached_property
    def years(self) -> list[int]:
        """Offsets where "19xx" or "20xx" begins, in order."""
        return [m.start() for m in _YEAR_AT_RE.finditer(self.text)]

    def has_year(self, start: int, end: int) -> bool:
        """Whether a year lies wholly inside text[start:end]."""
        k = bisect.bisect_left(self.years, start)
        return k < len(self.years) and self.years[k] + 4 <= end

    def clean(self, phrase: str) -> str:
        """``clean(phrase)``, once per document for a phrase that recurs (a sentence's lead …)."""
        done = self.cleaned.get(phrase)
        if done is None:
            done = self.cleaned[phrase] = clean(phrase)
        return done

    def sentence_of(self, pos: int) -> int:
        return bisect.bisect_right(self.sent_ends, pos)

    def sentence_start(self, pos: int) -> int:
        k = bisect.bisect_right(self.sent_ends, pos)
        return self.sent_ends[k - 1] if k else 0

    def sentence_end(self, pos: int) -> int:
        k = bisect.bisect_right(self.sent_ends, pos)
        return self.sent_ends[k] if k < len(self.sent_ends) else len(self.text)

    def clause_end(self, pos: int) -> int:
        end = self.sentence_end(pos)
        j = self.text.find(";", pos, end)
        return j if j >= 0 else end

    def inside(self, pos: int, op: int) -> bool:
        """Whether ``pos`` lies in the parenthesis opened at ``op`` (anywhere for op -1)."""
        if op < 0:
            return True
        j = self.opens[pos]
        while j >= 0:
            if j == op:
                return True
            j = self.parent.get(j, -1)
        return False


def clause_start(para: Para, ds: list[Draft], k: int) -> int:
    """Where the phrase of draft k may begin: after the previous quantity or a strong break."""
    s = ds[k].tok.start
    text = para.text
    start = para.sentence_start(s)
    if k > 0 and ds[k - 1].tok.uend <= s:
        start = max(start, ds[k - 1].tok.uend)
    op = para.opens[s]
    if op >= start:
        start = op + 1
    for ch in ";:":
        j = text.rfind(ch, start, s)
        if j >= 0 and para.depth[j] == para.depth[s]:
            start = max(start, j + 1)
    return start


def _strip_tail(phrase: str) -> str:
    """``_STRIP_TAIL_RE.sub("", phrase)``, with the regex tried only where the tail can begin.

    Anchored at the end, the regex would otherwise be tried from every character of the phrase;
    the stripped tail lies after the last piece (word or character) it cannot contain."""
    back = _TAIL_PIECES_BACK_RE.match(phrase[::-1])
    assert back is not None  # (it matches the empty string)
    if not back.end():
        return phrase
    bound = len(phrase) - back.end()
    m = _STRIP_TAIL_RE.search(phrase, bound)
    return phrase if m is None else phrase[: m.start()] + phrase[m.end() :]


def clean(phrase: str) -> str:
    phrase = " ".join(_PAREN_RE.sub(" ", phrase).split())
    for _ in range(4):
        new = _STRIP_HEAD_RE.sub("", _strip_tail(phrase)).strip()
        if new == phrase:
            break
        phrase = new
    return phrase if any(map(str.isalpha, phrase)) else ""


def subject(para: Para, ds: list[Draft], k: int) -> tuple[str, int]:
    """The noun phrase before draft k and where it starts (comma chunks, see module doc)."""
    text = para.text
    d = ds[k]
    start = clause_start(para, ds, k)
    seg = text[start : d.tok.start]
    chunks = seg.split(",")
    if k > 0 and start == ds[k - 1].tok.uend and len(chunks) > 1:
        # the first chunk ends the previous quantity's phrase ("103,4% kế hoạch, giảm 1,5%")
        start += len(chunks[0]) + 1
        chunks = chunks[1:]
    phrase = para.clean(chunks[-1])
    used = len(chunks[-1])
    if len(phrase.split()) < 3 and len(chunks) > 1:
        joined = para.clean(",".join(chunks[-2:]))
        if joined:
            phrase, used = joined, len(chunks[-1]) + len(chunks[-2]) + 1
    words = phrase.split()
    if len(words) > 16:
        phrase = " ".join(words[-16:])
    return phrase, d.tok.start - used


_PHRASE_END_RE = re.compile(r"[,;()]|\.(?:\s|$)")


def right_phrase(para: Para, end: int) -> str:
    """The counted noun phrase after a count ("382 hồ sơ đề nghị giải quyết TTHC")."""
    text = para.text
    stop = min(len(text), end + 120)
    m = _PHRASE_END_RE.search(text, end, stop)
    if m is not None:
        stop = m.start()
    words = text[end:stop].split()
    if words and words[0].casefold() in ("đến", "tới", "-", "–"):
        return ""  # the low end of a range: its words are the high end's
    out: list[str] = []
    for w in words[:10]:
        if any(map(str.isdigit, w)):
            break
        out.append(w)
    return " ".join(out)


def lead(para: Para, pos: int) -> str:
    """The words before the first ":" of the sentence, when they carry no number:
    "Giá trị sản xuất các ngành: Nông nghiệp, thủy sản tăng 2,0%" -> "Giá trị sản xuất các ngành"."""
    text = para.text
    start = para.sentence_start(pos)
    j = text.rfind(":", start, pos)
    if j < 0 or para.depth[j] != 0:
        return ""
    head = text[max(start, text.rfind(";", start, j) + 1) : j]
    if any(map(str.isdigit, head)) or len(head.split()) > 12:
        return ""
    return para.clean(head)
