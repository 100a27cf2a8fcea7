import json
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest

from ktxh.cli import main

pytestmark = pytest.mark.django_db

FIELDS = {"code", "name", "unit", "value", "plan", "pct_plan", "previous", "pct_change", "sources"}


def _values(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    assert main(["values", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def _by_source(rows: list[dict[str, Any]], line: int, text: str) -> dict[str, Any]:
    found = [
        r
        for r in rows
        if any(s["role"] == "value" and s["line"] == line and s["text"] == text for s in r["sources"])
    ]
    assert len(found) == 1, found
    return found[0]


def test_it_lists_at_least_150_indicators_for_the_district(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _values(capsys, "--unit", "300", "--year", "2023")
    assert len([r for r in rows if r["value"] is not None]) >= 150
    assert all(FIELDS <= set(r) for r in rows)
    for r in rows:
        for key in ("value", "plan", "pct_plan", "previous", "pct_change"):
            if r[key] is not None:
                Decimal(r[key])  # plain decimal form
                assert "," not in r[key] and "E" not in r[key]


def test_sown_area_matches_the_seed(capsys: pytest.CaptureFixture[str]) -> None:
    # seed line 56: "14.739 ha, đạt 103,4% kế hoạch, giảm 1,5% so với năm 2022"
    row = _by_source(_values(capsys, "--unit", "300", "--year", "2023"), 56, "14.739")
    assert (row["value"], row["unit"], row["pct_plan"], row["pct_change"]) == ("14739", "ha", "103.4", "-1.5")
    roles = {s["role"]: s for s in row["sources"]}
    assert roles["value"]["derived"] is False
    assert roles["plan"]["derived"] is True and roles["plan"]["formula"]
    assert roles["previous"]["derived"] is True
    assert set(row["derived"]) == {"plan", "previous"}


def test_state_revenue_is_compared_with_the_budget_estimate(capsys: pytest.CaptureFixture[str]) -> None:
    # seed line 515-516: "338,116 tỷ đồng, bằng 107,2% dự toán giao"
    row = _by_source(_values(capsys, "--unit", "300", "--year", "2023"), 515, "338,116")
    assert (row["value"], row["unit"], row["pct_plan"]) == ("338.116", "tỷ đồng", "107.2")
    assert row["plan_kind"] == "budget_estimate"


def test_administrative_dossiers_match_the_seed(capsys: pytest.CaptureFixture[str]) -> None:
    # seed line 1646: "47.613 hồ sơ"
    row = _by_source(_values(capsys, "--unit", "300", "--year", "2023"), 1646, "47.613")
    assert row["value"] == "47613"


def test_a_commune_has_its_own_values(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _values(capsys, "--unit", "11287", "--year", "2023")  # xã Thanh Giang
    assert rows and all(r["sources"] for r in rows)


def test_the_table_uses_vietnamese_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["values", "--unit", "300", "--year", "2023"]) == 0
    out = capsys.readouterr().out
    assert "14.739" in out and "103,4%" in out and "Huyện Thanh Miện" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--unit", "99999", "--year", "2023"], "Không có đơn vị hành chính mã «99999»"),
        (["--unit", "300", "--year", "2019"], "Không có số liệu năm 2019"),
        (["--unit", "300", "--year", "2026"], "không có hiệu lực"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["values", *args]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "args", [["values", "--unit", "300", "--year", "23"], ["values", "--unit", "300"], ["nope"]]
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2


def test_help_is_in_vietnamese_and_english() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "ktxh.cli", "values", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "Số liệu một đơn vị" in out and "One unit's values" in out


def test_the_top_level_help_lists_every_command() -> None:
    # a bare "%" in a command's help once made «ktxh --help» crash
    out = subprocess.run(
        [sys.executable, "-m", "ktxh.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("init", "demo", "values", "validate", "report", "check", "extract", "import"):
        assert command in out
    assert "% kế hoạch" in out


def test_a_reused_code_is_resolved_at_the_periods_date(capsys: pytest.CaptureFixture[str]) -> None:
    # 11239 is thị trấn Thanh Miện until 30/6/2025; footnote 37 gives it 1,620 km (seed line 1633)
    assert main(["values", "--unit", "11239", "--year", "2023"]) == 0
    out = capsys.readouterr().out
    assert "Thị trấn Thanh Miện (mã 11239)" in out and "1,62" in out


def test_demo_logins_are_created_once_and_work(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    from ktxh.cli import _demo_logins

    settings.HOME = tmp_path
    first = _demo_logins()
    again = _demo_logins()
    assert first == again
    assert {login["username"] for login in first} == {"admin", "tckh", "nongnghiep", "xa_ngohung", "lanhdao"}
    request = RequestFactory().post("/dang-nhap/")
    for login in first:
        user = authenticate(request, username=login["username"], password=login["password"])
        assert user is not None, login["username"]
        assert user.is_superuser == (login["username"] == "admin")
        assert user.password.startswith("argon2$")
