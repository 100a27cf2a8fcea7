import pytest
from django.db import OperationalError
from django.test import Client

from ktxh.cli import main

pytestmark = pytest.mark.django_db


def test_a_missing_table_gets_a_clear_page(leader_client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**_kwargs: object) -> None:
        raise OperationalError("no such table: orgunits_orgunit")

    monkeypatch.setattr("ktxh.web.dashboard.selectors.summary", broken)
    response = leader_client.get("/")
    assert response.status_code == 503
    assert "ktxh init" in response.content.decode()


def test_an_unreachable_database_gets_503(leader_client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(**_kwargs: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr("ktxh.web.dashboard.selectors.summary", broken)
    response = leader_client.get("/")
    assert response.status_code == 503
    assert "Không kết nối được cơ sở dữ liệu" in response.content.decode()


def test_the_cli_explains_an_uninitialised_database(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_kwargs: object) -> None:
        raise OperationalError("no such table: datavalues_datavalue")

    monkeypatch.setattr("ktxh.web.datavalues.selectors.indicator_rows", broken)
    assert main(["values", "--unit", "300", "--year", "2023"]) == 2
    assert "ktxh init" in capsys.readouterr().err
