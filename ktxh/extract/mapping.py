"""Map a fact's subject phrase to a catalog indicator.

The method, so a person can follow any decision:

1. Text is cut into normalised syllables (NFC, lower case, one tone placement,
   abbreviations such as GTSX, NSNN, BHYT expanded) and their adjacent pairs: in
   Vietnamese a word is often two syllables, so pairs carry most of the meaning.
2. Every indicator name is a TF-IDF vector over those terms (IDF over the catalog), built
   once per catalog and kept; a subject is scored against the indicators that share a
   term with it through an inverted index, by cosine similarity. Words no indicator uses
   still weigh in the subject (half the rarest term's IDF), and the score is scaled by the
   fourth root of the share of the subject's weight the name accounts for: "diện tích ngô"
   does not become "diện tích nuôi cá" just because both say "diện tích".
3. The unit is a strong signal: the same unit or a convertible one (ha and m²) keeps
   the score; a percentage against an amount, or two unrelated quantities (ha against
   tấn), cuts it hard.
4. The sector of the heading the fact sits under breaks near ties (a small bonus), and so
   do the words of the sentence before the number (``CONTEXT_WEIGHT``), which may only
   reorder indicators the subject itself names.
5. The best indicator is kept when its score reaches ``THRESHOLD``; the score is the
   ``confidence`` (0–1).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from ktxh.core.catalog import Catalog
from ktxh.core.types import Indicator

from ._lexicon import words

THRESHOLD = 0.35
CONTEXT_WEIGHT = 0.25
SECTOR_GAIN = 1.15  # the score of an indicator of the heading's sector
_MAX_GAIN = 1.33  # above the most a score gains on its cosine: 1.15 (same unit) × SECTOR_GAIN
_STOP = frozenset(
    "số của các và trên tại cho được đã với trong theo là có một những về từ đến bình quân tổng cả toàn".split()
)
_SECTOR_SYNONYMS: dict[str, str] = {
    "nong_nghiep": "nông nghiệp nông thôn thủy sản chăn nuôi trồng trọt",
    "cong_nghiep": "công nghiệp tiểu thủ công nghiệp",
    "xay_dung": "xây dựng quy hoạch nhà ở",
    "giao_thong": "giao thông vận tải",
    "dich_vu": "dịch vụ thương mại du lịch",
    "tai_chinh": "tài chính ngân sách thu chi",
    "tin_dung": "tín dụng ngân hàng",
    "tai_nguyen": "tài nguyên môi trường đất đai",
    "khcn": "khoa học công nghệ",
    "van_hoa": "văn hóa thông tin thể thao du lịch",
    "y_te": "y tế dân số",
    "giao_duc": "giáo dục đào tạo",
    "lao_dong": "lao động việc làm an sinh xã hội",
    "quoc_phong": "quốc phòng quân sự",
    "an_ninh": "an ninh trật tự",
    "thanh_tra": "tiếp dân tiếp công dân thanh tra khiếu nại",
    "tu_phap": "tư pháp",
    "thi_hanh_an": "thi hành án",
    "chinh_quyen": "xây dựng chính quyền nội vụ",
    "cai_cach_hc": "cải cách hành chính chuyển đổi số",
}


def terms(text: str) -> list[str]:
    """Syllables without stop words, plus adjacent pairs ("diện tích" -> "diện_tích")."""
    syl = [w for w in words(text) if not w.isdigit()]
    out = [w for w in syl if w not in _STOP]
    out.extend(f"{a}_{b}" for a, b in zip(syl, syl[1:], strict=False) if a not in _STOP or b not in _STOP)
    return out


def _vector(items: Iterable[str], idf: dict[str, float], unknown: float | None = None) -> dict[str, float]:
    """Unit TF-IDF vector; terms the catalog never uses weigh ``unknown`` (or are dropped):
    "diện tích ngô" must not look like "diện tích" alone when no indicator speaks of maize."""
    vec: dict[str, float] = {}
    for t in items:
        w = idf.get(t, unknown)
        if w is not None:
            vec[t] = vec.get(t, 0.0) + w
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {t: v / norm for t, v in vec.items()}


@dataclass(frozen=True, slots=True)
class Match:
    code: str | None
    confidence: float


class IndicatorIndex:
    """TF-IDF index of one catalog's indicator names; build once, query many times."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._inds: list[Indicator] = list(catalog.values())
        docs = [terms(i.name) for i in self._inds]
        df: dict[str, int] = {}
        for doc in docs:
            for t in set(doc):
                df[t] = df.get(t, 0) + 1
        n = len(docs)
        self._idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}
        self._vecs = [_vector(doc, self._idf) for doc in docs]
        self._unknown = max(self._idf.values(), default=1.0) * 0.5
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for k, vec in enumerate(self._vecs):
            for t, w in vec.items():
                self._postings.setdefault(t, []).append((k, w))
        units = catalog.units
        self._symbol_to_code = {u.symbol: code for code, u in units.items()}
        self._symbol_to_code.update({"%/năm": "pct", "bác sĩ/vạn dân": "bac_si_van_dan", "tỷ": "ty_dong"})
        sector_text = {
            code: f"{s.name} {_SECTOR_SYNONYMS.get(code, '')}" for code, s in catalog.sectors.items()
        }
        self._sector_vecs = {
            code: _vector(terms(text), self._sector_idf(sector_text)) for code, text in sector_text.items()
        }
        self._cache: dict[tuple[str, str, str | None, str], Match] = {}
        self._unit_factors: dict[tuple[str, str], float] = {}  # (unit written, indicator's unit) -> factor

    @staticmethod
    def _sector_idf(texts: dict[str, str]) -> dict[str, float]:
        df: dict[str, int] = {}
        for text in texts.values():
            for t in set(terms(text)):
                df[t] = df.get(t, 0) + 1
        n = len(texts)
        return {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}

    def sector_of(self, heading: str) -> str | None:
        """The sector a heading announces ("2. Y tế, dân số" -> "y_te"), or None."""
        vec = set(terms(heading))
        best, best_score = None, 0.0
        for code, svec in self._sector_vecs.items():
            if vec.isdisjoint(svec):
                continue  # scores 0
            score = sum(w for t, w in svec.items() if t in vec)
            if score > best_score:
                best, best_score = code, score
        return best if best_score >= 0.45 else None

    def _unit_factor(self, unit: str, ind: Indicator) -> float:
        """``_unit_factor_of``, worked out once per pair of units."""
        key = (unit, ind.unit)
        factor = self._unit_factors.get(key)
        if factor is None:
            factor = self._unit_factors[key] = self._unit_factor_of(unit, ind)
        return factor

    def _unit_factor_of(self, unit: str, ind: Indicator) -> float:
        if not unit:
            return 0.9
        code = self._symbol_to_code.get(unit)
        if code is None:
            return 0.75  # a count noun the unit list does not know
        if (
            self.catalog.units[ind.unit].symbol.startswith(unit + "/")
            if ind.unit in self.catalog.units
            else False
        ):
            return 1.0  # "179,3 triệu đồng" of "giá trị … trên 1 ha": the per-ha unit, written short
        if code == ind.unit:
            return 1.15
        units = self.catalog.units
        if code not in units or ind.unit not in units:
            return 0.75
        a, b = units[code], units[ind.unit]
        if a.dimension == b.dimension and a.dimension != "count":
            return 1.0
        if "pct" in (code, ind.unit) or a.dimension != "count" or b.dimension != "count":
            return 0.3
        return 0.6  # two different count nouns: "người" against "lượt"

    def match(self, subject: str, unit: str = "", sector: str | None = None, context: str = "") -> Match:
        """The indicator ``subject`` (with ``unit``) names, or Match(None, best score).

        ``context`` (the sentence around the number) only breaks ties: its terms weigh
        ``CONTEXT_WEIGHT`` of the subject's, so "tổng dư nợ tín dụng" in a sentence about
        banks leans to the banks' indicator, never to one the subject does not name.
        """
        key = (subject, unit, sector, context)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        vec = _vector(terms(subject), self._idf, self._unknown)
        own = dict(vec)  # the subject's own terms, before any context is added
        # the indicators sharing a term with the subject, and the weights of the subject's terms
        # each one's name has, in the subject's order
        candidates: dict[int, list[float]] = {}
        for t, w in own.items():
            for k, _ in self._postings.get(t, ()):
                candidates.setdefault(k, []).append(w)
        if context:
            for t, w in _vector(terms(context), self._idf).items():
                vec[t] = vec.get(t, 0.0) + CONTEXT_WEIGHT * w
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            vec = {t: v / norm for t, v in vec.items()}
        # cosine with each candidate, term by term in the order of vec (the subject's terms first,
        # so every candidate is scored, in the order of ``candidates``): by the term's postings, or
        # by the candidates when they are fewer (a common context word is in many names)
        scores = dict.fromkeys(candidates, 0.0)
        for t, w in vec.items():
            postings = self._postings.get(t, ())
            if len(postings) <= len(scores):
                for k, wk in postings:
                    if k in scores:
                        scores[k] += w * wk
            else:
                for k in scores:
                    wt = self._vecs[k].get(t)
                    if wt is not None:
                        scores[k] += w * wt
        best_code, best = None, 0.0
        total = sum(own.values()) or 1.0
        for k, cos in scores.items():
            if cos * _MAX_GAIN <= best:
                continue  # cannot beat the best so far (covered <= 1, and the gains below)
            ind = self._inds[k]
            # how much of the subject the name accounts for: "diện tích ngô" is not "diện tích nuôi cá"
            covered = sum(candidates[k]) / total
            score = cos * covered**0.25 * self._unit_factor(unit, ind)
            if sector is not None and ind.sector == sector:
                score *= SECTOR_GAIN
            if score > best:
                best_code, best = ind.code, score
        result = Match(best_code if best >= THRESHOLD else None, round(min(best, 1.0), 3))
        self._cache[key] = result
        return result


_INDEXES: dict[int, tuple[Catalog, IndicatorIndex]] = {}


def index_for(catalog: Catalog) -> IndicatorIndex:
    """The index of ``catalog``, built on first use and kept for the process."""
    entry = _INDEXES.get(id(catalog))
    if entry is None or entry[0] is not catalog:
        entry = (catalog, IndicatorIndex(catalog))
        _INDEXES[id(catalog)] = entry
    return entry[1]
