"""Time drafting the full report (DOCX + XLSX, no PDF) against bare python-docx.

The baseline writes the same paragraphs' text (body and footnotes) with python-docx and
nothing else: no data, no phrasing, no layout. Goals: under 2 s, ratio at most 3.
Prints the figures, then where the time goes (rendering the text from the data, writing
the DOCX, writing the XLSX appendix, each timed alone); the last line is JSON.

    python bench/report.py [--template FILE] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import docx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ktxh import core  # noqa: E402
from ktxh.report import TEMPLATES, ReportData, load_template, render, write_docx, write_xlsx  # noqa: E402


def best(repeat: int, step: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--template", type=Path, default=TEMPLATES / "thanh_mien_2023.yaml")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"loading the demo data and {args.template.name}…", file=sys.stderr)
    catalog = core.load_catalog()
    registry = core.demo_registry()
    dataset = core.load_dataset(catalog, registry)
    template = load_template(args.template)
    data = ReportData(catalog=catalog, values=list(dataset.values), unit="300", year=2023, registry=registry)

    def draft() -> tuple[int, int]:
        document, prov = render(template, data)
        write_docx(document, BytesIO())
        write_xlsx(data, BytesIO())
        return len(document.paragraphs()), len(prov.uses)

    paragraphs, numbers = draft()
    document, _prov = render(template, data)
    texts = [p.text for p in document.paragraphs()]

    def bare() -> None:
        d = docx.Document()
        for text in texts:
            d.add_paragraph(text)
        d.save(BytesIO())

    def docx_only() -> None:
        document, _prov = render(template, data)
        write_docx(document, BytesIO())

    def xlsx_only() -> None:
        write_xlsx(data, BytesIO())

    def render_only() -> None:
        render(template, data)

    ktxh_s = best(args.repeat, draft)
    docx_s = best(args.repeat, docx_only)
    bare_s = best(args.repeat, bare)
    # where the time goes (each stage alone, best of N; they need not add up exactly)
    render_s = best(args.repeat, render_only)
    xlsx_s = best(args.repeat, xlsx_only)
    ratio = ktxh_s / bare_s
    docx_ratio = docx_s / bare_s
    print(
        f"ktxh report: {paragraphs} paragraphs, {numbers} numbers from data: {ktxh_s:.3f} s (DOCX + XLSX, best of {args.repeat})"
    )
    print(f"bare python-docx, same {len(texts)} paragraphs of text: {bare_s:.3f} s")
    print(f"ratio: {ratio:.2f} (goal <= 3); under 2 s: {ktxh_s < 2}")
    print(
        f"the DOCX alone (data → phrases → DOCX, like for like with the baseline): {docx_s:.3f} s, "
        f"ratio {docx_ratio:.2f}"
    )
    print(
        f"stages: data → phrases (render) {render_s:.3f} s, DOCX writing {max(0.0, docx_s - render_s):.3f} s, "
        f"XLSX appendix {xlsx_s:.3f} s"
    )
    print(
        json.dumps(
            {
                "template": args.template.name,
                "paragraphs": paragraphs,
                "numbers": numbers,
                "ktxh_seconds": round(ktxh_s, 3),
                "bare_docx_seconds": round(bare_s, 3),
                "ratio": round(ratio, 2),
                "docx_only_seconds": round(docx_s, 3),
                "docx_only_ratio": round(docx_ratio, 2),
                "render_seconds": round(render_s, 3),
                "xlsx_seconds": round(xlsx_s, 3),
                "goal_met": bool(ktxh_s < 2 and ratio <= 3),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
