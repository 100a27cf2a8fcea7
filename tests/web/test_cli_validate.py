import json
from typing import Any

import pytest

from ktxh.cli import main

pytestmark = pytest.mark.django_db


def _validate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["validate", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_it_reports_the_seeds_slips_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _validate(capsys, "--unit", "300", "--year", "2023")
    assert code == 1
    findings = out["findings"]
    assert findings and all(
        {"code", "severity", "message", "values", "expected", "suggestion"} <= set(f) for f in findings
    )
    # footnote 37: the communes' road lengths add up to 1.035,535 km because Lê Hồng is printed "996 km"
    roads = [
        f
        for f in findings
        if f["severity"] == "error" and any(v["source"]["text"] == "996" for v in f["values"])
    ]
    assert roads and "996 → 0,996" in roads[0]["suggestion"]
    assert roads[0]["expected"] == "1035.535"
    # judgment enforcement: 83% and 83,5% both fit 473 cases, not the printed 437
    tha = [f for f in findings if f["suggestion"] and "437 → 473" in f["suggestion"]]
    assert len(tha) == 2


def test_every_error_points_at_lines_of_the_seed(capsys: pytest.CaptureFixture[str]) -> None:
    _code, out = _validate(capsys, "--unit", "300", "--year", "2023")
    errors = [f for f in out["findings"] if f["severity"] == "error"]
    for f in errors:
        lines = [v["source"]["line"] for v in f["values"] if v["source"]["line"]]
        assert lines, f["code"]


def test_text_output_names_lines_and_suggestions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--unit", "300", "--year", "2023"]) == 1
    out = capsys.readouterr().out
    assert "[Lỗi]" in out and "Gợi ý:" in out and "(dòng 1585: «996»)" in out and "Tổng cộng:" in out


def test_a_unit_with_nothing_wrong_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _validate(capsys, "--unit", "11287", "--year", "2023")  # xã Thanh Giang alone
    assert (code, out) == (0, {"findings": []})


@pytest.mark.parametrize(
    "args, message",
    [
        (["--unit", "99999", "--year", "2023"], "«99999»"),
        (["--unit", "300", "--year", "2019"], "Không có số liệu năm 2019"),
    ],
)
def test_bad_input_exits_2(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    assert main(["validate", *args]) == 2
    assert message in capsys.readouterr().err


def test_users_can_add_their_own_rules(capsys: pytest.CaptureFixture[str], tmp_path) -> None:  # type: ignore[no-untyped-def]
    rules = tmp_path / "cua-toi.yaml"
    # an impossible demand: rice output above total food output, which the seed does not meet
    rules.write_text(
        "rules:\n  - code: USER.THOC_GT_LUONG_THUC\n    kind: compare\n    title: Thử\n"
        "    left: NN.SL_THOC\n    op: '>'\n    right: NN.SL_LUONG_THUC\n",
        encoding="utf-8",
    )
    code, out = _validate(capsys, "--unit", "300", "--year", "2023", "--rules", str(rules))
    assert code == 1 and any(f["code"] == "USER.THOC_GT_LUONG_THUC" for f in out["findings"])
    rules.write_text(
        "rules:\n  - code: USER.X\n    kind: compare\n    left: NN.KHONG_CO\n    right: '1'\n",
        encoding="utf-8",
    )
    assert main(["validate", "--unit", "300", "--year", "2023", "--rules", str(rules)]) == 2
    assert "«NN.KHONG_CO»" in capsys.readouterr().err
