"""Benchmark fact extraction: accuracy against the hand-built gold set, and speed against a bare read.

Accuracy: the facts of ``ktxh.extract.facts.extract(read(FILE))`` are scored against the gold
set (``tests/extract/gold/thanh_mien_2023.csv``) with ``tests/extract/gold.py``:

- value+unit precision and recall, matching one-to-one on (line, value, unit);
- per-role precision and recall, matching on (line, value, unit, role).

For a DOCX or PDF rendering the lines differ from the .txt the gold set was written on, so
scoring there compares the (value, unit[, role]) multisets of the whole document.

Speed: ktxh's time (read + extract) against a bare read of the same file, measured side by
side in one run, best of ``--repeat``:

- .txt: ``open().read()``;
- .pdf: bare pdfplumber, ``page.extract_text()`` for every page;
- .docx: python-docx, iterating the paragraphs' text.

    .venv/bin/python bench/extract.py                      # the seed .txt
    .venv/bin/python bench/extract.py --format docx        # the seed rendered as DOCX (tests/extract/docs.py)
    .venv/bin/python bench/extract.py --format pdf --misses
    .venv/bin/python bench/extract.py OTHER.txt --gold OTHER.csv

The last line of output is JSON with the figures.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ktxh.core.numbers import format_pct, format_vi  # noqa: E402
from ktxh.extract.model import Document, ReadError  # noqa: E402
from tests.extract.gold import SEED_GOLD, Counts, Item, Score, load_gold, score  # noqa: E402

SEED = ROOT / "ktxh" / "data" / "demo" / "thanh_mien_2023" / "source.txt"


class Missing(Exception):
    """A module the benchmark needs is not there yet."""


def _import(name: str, what: str) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            raise Missing(f"Chưa có {what} ({name}): chưa thể đo trích xuất số liệu.") from None
        raise


def best(repeat: int, step: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    return min(times)


def bare_reader(path: Path) -> Callable[[], object]:
    """The plainest read of the file's text with the usual library, the baseline of the ratio."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        import pdfplumber

        def read_pdf() -> object:
            with pdfplumber.open(path) as pdf:
                return [page.extract_text() for page in pdf.pages]

        return read_pdf
    if suffix == ".docx":
        import docx

        def read_docx() -> object:
            return [p.text for p in docx.Document(str(path)).paragraphs]

        return read_docx

    def read_txt() -> object:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()

    return read_txt


def generate(fmt: str, directory: Path) -> Path:
    docs = _import("tests.extract.docs", "bộ sinh tài liệu thử (tests/extract/docs.py)")
    maker = getattr(docs, f"seed_{fmt}", None)
    if maker is None:
        raise Missing(f"tests/extract/docs.py chưa có hàm seed_{fmt}(path).")
    path = directory / f"thanh_mien_2023.{fmt}"
    maker(path)
    return path


def pct(x: float) -> str:
    return format_pct(Decimal(str(round(100 * x, 1))), 1)


def counts_line(label: str, c: Counts) -> str:
    return (
        f"{label:<16} precision {pct(c.precision):>7}  recall {pct(c.recall):>7}"
        f"  (đúng {format_vi(c.tp)}, thừa {format_vi(c.fp)}, thiếu {format_vi(c.fn)})"
    )


def show_item(i: Item) -> str:
    exponent = i.value.as_tuple().exponent
    shown = format_vi(i.value, max(0, -exponent) if isinstance(exponent, int) else None)
    quote = f" «{i.quote}»" if i.quote else ""
    return f"  dòng {i.line}: {shown} {i.unit or '(không đơn vị)'} [{i.role}]{quote}"


def report(s: Score, misses: bool) -> list[str]:
    out = []
    if not s.by_line:
        out.append(
            "scoring: (value, unit[, role]) multisets over the whole document "
            "(the gold lines are those of the .txt; this format numbers its lines differently)"
        )
    else:
        out.append("scoring: one-to-one on (line, value, unit[, role])")
    out.append(counts_line("value+unit", s.value_unit))
    out.append(counts_line("value+unit+role", s.with_role))
    for role, c in s.per_role.items():
        out.append(counts_line(f"  {role}", c))
    if misses:
        out.append(f"misses ({format_vi(len(s.misses))}): gold facts not found")
        out += [show_item(i) for i in s.misses]
        out.append(f"false positives ({format_vi(len(s.false_positives))}): facts not in the gold set")
        out += [show_item(i) for i in s.false_positives]
        out.append(f"wrong role ({format_vi(len(s.wrong_role))}): value and unit right, role not")
        out += [show_item(i) + f" -> gold: {role}" for i, role in s.wrong_role]
    return out


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    readers = _import("ktxh.extract.readers", "bộ đọc tài liệu")
    facts_mod = _import("ktxh.extract.facts", "bộ trích xuất số liệu")

    if args.format:
        path = generate(args.format, workdir)
    else:
        path = Path(args.file)
        if not path.exists():
            raise Missing(f"Không tìm thấy tệp {path}.")
    gold_path: Path | None = Path(args.gold) if args.gold else None
    if gold_path is None and (args.format or path.resolve() == SEED.resolve()):
        gold_path = SEED_GOLD
    by_line = path.suffix.lower() == ".txt"

    def ktxh_step() -> list[Any]:
        return list(facts_mod.extract(readers.read(path)))

    bare_step = bare_reader(path)
    ktxh_step()  # warm up imports and caches on both sides before timing
    bare_step()
    ktxh_times, bare_times = [], []
    for _ in range(args.repeat):  # side by side, so both see the same machine load
        ktxh_times.append(best(1, ktxh_step))
        bare_times.append(best(1, bare_step))
    ktxh_s, bare_s = min(ktxh_times), min(bare_times)

    doc = readers.read(path)
    facts = facts_mod.extract(doc)
    pages = int(getattr(doc, "pages", 1) or 1)
    print(
        f"file: {path} ({doc.format}, {format_vi(pages)} pages, {format_vi(len(doc.paragraphs))} paragraphs)"
    )
    print(f"facts extracted: {format_vi(len(facts))}")
    result: dict[str, Any] = {
        "file": str(path),
        "format": doc.format,
        "pages": pages,
        "facts": len(facts),
        "ktxh_s": ktxh_s,
        "bare_s": bare_s,
        "ratio": ktxh_s / bare_s if bare_s else None,
        "pages_per_s": pages / ktxh_s if ktxh_s else None,
        "paragraphs_per_s": len(doc.paragraphs) / ktxh_s if ktxh_s else None,
    }
    if gold_path is not None:
        gold = load_gold(gold_path)
        s = score(facts, gold, by_line=by_line)
        print(f"gold: {gold_path} ({format_vi(len(gold))} facts)")
        for line in report(s, args.misses):
            print(line)
        result |= {
            "by_line": s.by_line,
            "precision": s.value_unit.precision,
            "recall": s.value_unit.recall,
            "role_precision": s.with_role.precision,
            "role_recall": s.with_role.recall,
            "per_role": {r: {"precision": c.precision, "recall": c.recall} for r, c in s.per_role.items()},
        }
    else:
        print("gold: none for this file (give --gold FILE.csv to score it)")

    def secs(x: float) -> str:
        return format_vi(Decimal(str(round(x, 4))), 4) + " s"

    print(f"ktxh read + extract: {secs(ktxh_s)} (best of {args.repeat})")
    print(f"bare read ({bare_kind(path)}): {secs(bare_s)} (best of {args.repeat})")
    if bare_s:
        print(f"ratio ktxh / bare: {format_vi(Decimal(str(round(ktxh_s / bare_s, 1))), 1)}")
    if ktxh_s:
        # a DOCX has no fixed pages (its reader says 1): paragraphs per second is the figure there
        per_s = "" if doc.format != "docx" else " (DOCX has no fixed pages; see paragraphs per second)"
        print(f"pages per second: {format_vi(Decimal(str(round(pages / ktxh_s, 1))), 1)}{per_s}")
        print(f"paragraphs per second: {format_vi(Decimal(round(len(doc.paragraphs) / ktxh_s)))}")
        # extraction must stay linear: the same document's paragraphs 10 times over
        big = Document(doc.path, doc.format, doc.paragraphs * 10, doc.pages * 10)
        one = best(args.repeat, lambda: facts_mod.extract(doc))
        ten = best(max(1, args.repeat // 2), lambda: facts_mod.extract(big))
        print(
            f"scaling: 10× the paragraphs takes {format_vi(Decimal(str(round(ten / one, 1))), 1)}× the time"
        )
        result["scaling_10x"] = ten / one
    return result


def bare_kind(path: Path) -> str:
    return {".pdf": "pdfplumber extract_text", ".docx": "python-docx paragraphs"}.get(
        path.suffix.lower(), "open().read()"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "file", nargs="?", default=str(SEED), help="the report to read (default: the seed .txt)"
    )
    parser.add_argument(
        "--format",
        choices=("docx", "pdf"),
        help="score the seed rendered in this format (made in a temp dir)",
    )
    parser.add_argument("--gold", help="gold CSV for FILE (default: the seed's, for the seed and --format)")
    parser.add_argument("--repeat", type=int, default=5, help="timing runs; the best is kept (default 5)")
    parser.add_argument("--misses", action="store_true", help="list misses, false positives and wrong roles")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    with tempfile.TemporaryDirectory(prefix="ktxh-bench-") as tmp:
        try:
            result = run(args, Path(tmp))
        except (Missing, ReadError) as exc:
            print(f"Lỗi: {exc}", file=sys.stderr)
            return 2
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
