import json
from decimal import Decimal
from typing import Any

import pytest

from ktxh.cli import main

pytestmark = pytest.mark.django_db


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    assert main([*args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_units_at_a_date_under_a_unit(capsys: pytest.CaptureFixture[str]) -> None:
    new = _json(capsys, "units", "--at", "2025-07-01", "--under", "31")
    assert len(new["units"]) == 114  # Resolution 1669: Hải Phòng's communes and wards
    xa = next(u for u in new["units"] if u["code"] == "11239")
    assert xa["name"] == "Xã Thanh Miện"
    assert {p["name"] for p in xa["made_from"]} >= {
        "Xã Cao Thắng",
        "Xã Ngũ Hùng",
        "Xã Tứ Cường",
        "Thị trấn Thanh Miện",
    }
    old = _json(capsys, "units", "--at", "2023-12-31", "--under", "300")
    assert len(old["units"]) == 17
    town = next(u for u in old["units"] if u["code"] == "11239")
    assert town["name"] == "Thị trấn Thanh Miện" and {b["code"] for b in town["becomes"]} == {
        "11239",
        "11065",
    }


def test_the_new_xa_thanh_mien_in_2023(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _json(capsys, "values", "--unit", "11239", "--year", "2023", "--as-of", "2025-07-01")
    roads = next(r for r in rows if r["code"] == "GT.CD_DUONG_THON_XOM")
    # footnote 37: Cao Thắng 1,6 + Ngũ Hùng 3,797 + Tứ Cường 2,659 + thị trấn 1,620 (no key yet: all of it)
    assert roads["value"] == "9.676" and roads["reexpressed"] and roads["complete"]
    parts = {p["name"]: p for p in roads["parts"]}
    assert set(parts) == {"Xã Cao Thắng", "Xã Ngũ Hùng", "Xã Tứ Cường", "Thị trấn Thanh Miện"}
    assert parts["Thị trấn Thanh Miện"]["allocation"][0]["key"] == "default"
    assert parts["Xã Ngũ Hùng"]["old_hierarchy"] == "Tỉnh Hải Dương / Huyện Thanh Miện"
    assert parts["Xã Ngũ Hùng"]["source"]["line"] and parts["Xã Ngũ Hùng"]["allocation"] == []
    # the same total seen in the old hierarchy: all four came from Huyện Thanh Miện
    assert roads["by_old_hierarchy"] == [
        {
            "path": "Tỉnh Hải Dương / Huyện Thanh Miện",
            "value": "9.676",
            "parts": [p["name"] for p in roads["parts"]],
        }
    ]


def test_a_recorded_key_changes_the_share_of_a_split_unit(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "allocate",
                "--unit",
                "11239",
                "--key",
                "population",
                "--part",
                "11239=9000",
                "--part",
                "11065=1000",
                "--note",
                "dân số giả định cho kiểm thử",
            ]
        )
        == 0
    )
    capsys.readouterr()
    rows = _json(capsys, "values", "--unit", "11239", "--year", "2023", "--as-of", "2025-07-01")
    roads = next(r for r in rows if r["code"] == "GT.CD_DUONG_THON_XOM")
    # 1,6 + 3,797 + 2,659 + 1,620 × 0,9 = 9,514
    assert Decimal(roads["value"]) == Decimal("9.514")
    town = next(p for p in roads["parts"] if p["name"] == "Thị trấn Thanh Miện")
    assert town["share"] == "0.9" and town["allocation"][0]["key"] == "population"
    assert town["allocation"][0]["basis"] == "9000"


@pytest.mark.parametrize(
    "args, message",
    [
        (["allocate", "--unit", "11245", "--key", "share", "--part", "11242=1"], "không bị chia tách"),
        (["allocate", "--unit", "11239", "--key", "share", "--part", "11254=1"], "không nhận phần nào"),
        (
            ["allocate", "--unit", "11239", "--key", "share", "--part", "11239=0.5", "--part", "11065=0.2"],
            "bằng 1",
        ),
        (
            ["values", "--unit", "300", "--year", "2023", "--as-of", "2025-07-01"],
            "không có hiệu lực ngày 01/07/2025",
        ),
        (["units", "--at", "2025-07-01", "--under", "300"], "không có hiệu lực"),
    ],
)
def test_bad_input_exits_2(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    assert main(args) == 2
    assert message in capsys.readouterr().err
