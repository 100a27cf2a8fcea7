"""How much of the seed report the drafted DOCX regenerates: the share of the seed's numbers
(Parts I and II, footnotes included) that appear in the generated document.

Numbers are compared as multisets of their printed form after normalising leading zeros
("06" = "6"). Stranded footnote markers and page numbers are left out of the seed's count.
Years and dates are counted apart, since they are mostly literal text.

    python scripts/seed_coverage.py GENERATED.docx [--json]
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from zipfile import ZipFile

SEED = Path(__file__).resolve().parent.parent / "ktxh" / "data" / "demo" / "thanh_mien_2023" / "source.txt"
NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*")
YEARISH = re.compile(r"^(19|20)\d\d$")


def _norm(token: str) -> str:
    token = token.rstrip(".,")
    if re.fullmatch(r"0\d+", token):
        token = token.lstrip("0") or "0"
    return token


def seed_numbers() -> Counter[str]:
    lines = SEED.read_text(encoding="utf-8").split("\n")
    out: Counter[str] = Counter()
    for line in lines:
        stripped = line.strip()
        if not stripped or re.fullmatch(r"\(?\d{1,2}\)?", stripped) or "javascript" in stripped:
            continue  # footnote markers and page numbers on their own line
        for token in NUMBER.findall(line):
            out[_norm(token)] += 1
    return out


def docx_numbers(path: Path) -> Counter[str]:
    with ZipFile(path) as z:
        xml = z.read("word/document.xml").decode() + z.read("word/footnotes.xml").decode()
    text = " ".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml))
    return Counter(_norm(t) for t in NUMBER.findall(text))


def coverage(path: Path) -> dict[str, object]:
    seed, got = seed_numbers(), docx_numbers(path)
    missing = seed - got
    quantities = Counter({k: v for k, v in seed.items() if not YEARISH.match(k)})
    missing_q = Counter({k: v for k, v in missing.items() if not YEARISH.match(k)})
    total, total_q = sum(seed.values()), sum(quantities.values())
    return {
        "seed_numbers": total,
        "found": total - sum(missing.values()),
        "share": round((total - sum(missing.values())) / total, 4),
        "seed_numbers_without_years": total_q,
        "found_without_years": total_q - sum(missing_q.values()),
        "share_without_years": round((total_q - sum(missing_q.values())) / total_q, 4),
        "missing": sorted(missing_q.elements()),
    }


if __name__ == "__main__":
    result = coverage(Path(sys.argv[1]))
    if "--json" in sys.argv:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(
            f"numbers of the seed found in the draft: {result['found']}/{result['seed_numbers']} ({result['share']:.1%}); "
            f"without years: {result['found_without_years']}/{result['seed_numbers_without_years']} "
            f"({result['share_without_years']:.1%})"
        )
        print("missing:", " ".join(result["missing"]))  # type: ignore[arg-type]
