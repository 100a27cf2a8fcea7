"""bench/engine.py at a tiny size: it runs, ends with JSON, and both sides find every planted slip.

Timings are noisy, so nothing here is about speed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "engine.py"
TINY = ["--communes", "40", "--provinces", "3", "--indicators", "20", "--years", "3", "--repeat", "1"]


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(BENCH), *TINY], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    return json.loads(last)  # type: ignore[no-any-return]


def test_it_reports_the_size_it_was_asked_for(report: dict[str, Any]) -> None:
    assert (report["communes"], report["provinces"], report["indicators"], report["years"]) == (40, 3, 20, 3)
    assert report["cells"] == 20 * (40 + 3) * 3
    assert report["planted"] > 0
    for key in ("ktxh_seconds", "duckdb_seconds", "ratio", "peak_memory_mb"):
        assert report[key] > 0


def test_it_finds_every_planted_slip_with_ktxh(report: dict[str, Any]) -> None:
    assert report["ktxh_found"] == report["planted"]
    assert report["ktxh_false_alarms"] == 0


def test_it_finds_every_planted_slip_with_duckdb(report: dict[str, Any]) -> None:
    assert report["duckdb_found"] == report["planted"]
    assert report["duckdb_false_alarms"] == 0


def test_it_gets_the_same_answers_on_both_sides(report: dict[str, Any]) -> None:
    assert report["sides_agree"] is True
    assert report["derived_agree"] is True
