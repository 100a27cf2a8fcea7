"""``ktxh backup`` / ``ktxh restore``: every row of every covered table comes back as it was,
keys included; files from a newer version, corrupt or foreign files are refused and change nothing.

Runs in the world "Thanh Miện 2023 loaded" (tests/conftest.py), with a row added to every
table the demo leaves empty, so no table is compared empty against empty.
"""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models

from ktxh import __version__
from ktxh.cli import main
from ktxh.web import backup
from ktxh.web.accounts.models import ApiToken, Membership
from ktxh.web.catalog.models import Indicator, Office, Sector
from ktxh.web.datavalues.models import DataValue, Period, ValueChange
from ktxh.web.orgunits.models import OrgUnit, SplitAllocation
from ktxh.web.workflow.models import Event, Status

pytestmark = pytest.mark.django_db


# -- helpers ---------------------------------------------------------------------------------------


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every covered table, in key order."""
    out = {}
    for model in backup.stored_models():
        names = [f.attname for f in model._meta.concrete_fields]
        out[backup.label(model)] = list(model._base_manager.order_by("pk").values_list(*names))
    return out


def _fill_empty_tables() -> None:
    """Rows in the tables the demo leaves empty: users, roles, tokens, workflow, admin log…"""
    user = get_user_model().objects.get(username="xa_ngohung")
    group = Group.objects.create(name="Thống kê «xã»")
    perm = Permission.objects.get(codename="view_datavalue")
    group.permissions.add(perm)
    user.groups.add(group)
    user.user_permissions.add(Permission.objects.get(codename="change_indicator"))
    membership = Membership.objects.filter(user__username="nongnghiep").first()
    assert membership is not None
    membership.sectors.add(*Sector.objects.all()[:2])
    ApiToken.issue(user=user, name="máy chủ tỉnh")
    unit = OrgUnit.objects.filter(code="11275").first()
    period = Period.objects.get(code="2023")
    Status.objects.create(org_unit=unit, period=period, state="submitted", changed_by=user)
    Event.objects.create(
        org_unit=unit,
        period=period,
        action="submit",
        from_state="draft",
        to_state="submitted",
        user=user,
        reason="Gửi duyệt; ghi chú có dấu «» và ' \" ;",
    )
    SplitAllocation.objects.create(
        source_code="11275",
        source_valid_from=date(2008, 1, 1),
        target_code="99999",
        target_valid_from=date(2025, 7, 1),
        key="population",
        basis=Decimal("12345.6789"),
        share=Decimal("0.3333333333"),
        recorded_by="tckh",
    )
    value = DataValue.objects.filter(org_unit=unit).first()
    assert value is not None
    ValueChange.objects.create(
        data_value=value,
        indicator=value.indicator,
        org_unit=unit,
        period=period,
        kind=value.kind,
        old_value=value.value,
        new_value=value.value + Decimal("0.000001"),
        version=2,
        user=user,
        source="screen",
        reason="sửa theo số liệu Chi cục Thống kê",
        acknowledged=[{"code": "X", "reason": "đã kiểm tra"}],
    )
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[Office.objects.first()],
        action_flag=ADDITION,
        change_message="Thêm",
    )
    # Optional apps under construction (drafting, imports): a row each when they have a table.
    for model in backup.stored_models():
        if not model._base_manager.exists():
            _try_fill(model)


def _try_fill(model: type[models.Model]) -> None:
    """A row for a model this test does not know, from its field types (best effort)."""
    from django.db import DatabaseError, transaction

    values: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.null or f.has_default():
            continue
        if f.is_relation:
            target = f.related_model._base_manager.first()  # type: ignore[union-attr]
            if target is None:
                return
            values[f.attname] = target.pk
        elif isinstance(f, models.DateTimeField):
            values[f.attname] = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
        elif isinstance(f, models.DateField):
            values[f.attname] = date(2024, 1, 2)
        elif isinstance(f, models.DecimalField):
            values[f.attname] = Decimal("1.5")
        elif isinstance(f, models.BooleanField):
            values[f.attname] = True
        elif isinstance(f, models.IntegerField | models.FloatField):
            values[f.attname] = 3
        elif isinstance(f, models.JSONField):
            values[f.attname] = {"a": [1, "hai"]}
        elif isinstance(f, models.CharField | models.TextField):
            values[f.attname] = "Văn bản thử"[: f.max_length or 100]
        else:
            return
    try:
        with transaction.atomic():
            model._base_manager.create(**values)
    except (DatabaseError, ValueError, TypeError):
        pass  # this table stays empty; the others still prove the round trip


@pytest.fixture
def world() -> dict[str, list[tuple[Any, ...]]]:
    _fill_empty_tables()
    return snapshot()


def _rewrite(
    src: Path,
    dst: Path,
    *,
    manifest: dict[str, Any] | None = None,
    extra: dict[str, bytes] | None = None,
    change: dict[str, bytes] | None = None,
) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == backup.MANIFEST and manifest is not None:
                data = json.dumps(manifest).encode()
            if change and info.filename in change:
                data = change[info.filename]
            zout.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return dst


def _manifest(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read(backup.MANIFEST))


# -- coverage ---------------------------------------------------------------------------------------


def test_it_covers_every_model_of_every_app_or_says_why_not() -> None:
    covered = {backup.label(m) for m in backup.covered_models()}
    for model in apps.get_models(include_auto_created=True):
        name = backup.label(model)
        if model._meta.app_config.name.startswith("ktxh."):
            assert name in covered, f"{name} is not in the backup"
        elif model._meta.managed and not model._meta.proxy:
            assert name in covered or name in backup.EXCLUDED, f"{name}: back it up or say why not"
    assert backup.uncovered_references() == []
    for must in (
        "catalog.indicator",
        "orgunits.splitallocation",
        "datavalues.valuechange",
        "auth.user",
        "accounts.membership_sectors",
        "accounts.apitoken",
        "workflow.event",
        "workflow.status",
    ):
        assert must in covered


def test_it_orders_tables_parents_first() -> None:
    order = [backup.label(m) for m in backup.covered_models()]
    for model in backup.covered_models():
        for f in model._meta.concrete_fields:
            target = f.related_model
            if f.is_relation and target is not None and target is not model and backup.label(target) in order:
                assert order.index(backup.label(target)) < order.index(backup.label(model))


# -- round trip -------------------------------------------------------------------------------------


def test_it_gives_back_every_row_after_a_replace_restore(world: dict[str, Any], tmp_path: Path) -> None:
    assert all(
        world[name]
        for name in (
            "auth.user",
            "workflow.event",
            "accounts.membership_sectors",
            "auth.user_user_permissions",
            "admin.logentry",
        )
    )
    path = tmp_path / "ktxh.zip"
    made = backup.backup(path)
    assert made.counts == {name: len(rows) for name, rows in world.items()}
    manifest = _manifest(path)
    assert manifest["format"] == "ktxh-backup" and manifest["version"] == backup.VERSION
    assert manifest["ktxh_version"] == __version__
    assert manifest["database"]["vendor"] == connection.vendor

    # Change the database after the backup: the restore must undo all of it.
    DataValue.objects.filter(pk=DataValue.objects.first().pk).update(value=Decimal("-1"))  # type: ignore[union-attr]
    Office.objects.create(code="MOI", name="Phòng mới")
    Event.objects.all().delete()
    get_user_model().objects.filter(username="tckh").update(password="x")
    assert snapshot() != world

    result = backup.restore(path, replace=True)
    assert result.counts == made.counts
    assert snapshot() == world


def test_it_restores_into_an_empty_database(world: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "ktxh.zip"
    backup.backup(path)
    backup._wipe(backup.stored_models(), "default", lambda _m: None)
    assert not any(snapshot().values())
    backup.restore(path)
    assert snapshot() == world
    # Keys continue after the restored ones (PostgreSQL sequences reset).
    office = Office.objects.create(code="SAU", name="Sau khôi phục")
    assert office.pk > max(row[0] for row in world["catalog.office"])


def test_it_keeps_decimals_dates_and_text_exactly(tmp_path: Path) -> None:
    value = DataValue.objects.filter(value__lt=1).exclude(value=0).first() or DataValue.objects.first()
    assert value is not None
    value.note = "Ghi chú nhiều dòng\n«trích» 'x' \\ \u200b\u0000"[:-1]
    value.value = Decimal("123456789.123456")
    value.error = Decimal("0.000005")
    value.flags = ["ước tính", {"k": 1}]
    value.save()
    before = snapshot()
    path = tmp_path / "b.zip"
    backup.backup(path)
    with zipfile.ZipFile(path) as zf:
        text = zf.read("tables/datavalues.datavalue.jsonl").decode()
    assert '"123456789.123456"' in text  # a string, never a float
    backup.restore(path, replace=True)
    assert snapshot() == before
    again = DataValue.objects.get(pk=value.pk)
    assert again.value == Decimal("123456789.123456") and again.flags == ["ước tính", {"k": 1}]


def test_it_refuses_a_database_that_has_data_without_replace(tmp_path: Path) -> None:
    path = tmp_path / "b.zip"
    backup.backup(path)
    with pytest.raises(backup.BackupError, match="--replace"):
        backup.restore(path)


# -- refusals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"version": backup.VERSION + 1},
        {"ktxh_version": "99.0.0"},
        {"migrations": {"datavalues": ["0001_initial", "9999_from_the_future"]}},
    ],
    ids=["format-version", "ktxh-version", "schema"],
)
def test_it_refuses_a_file_from_a_newer_version(tmp_path: Path, change: dict[str, Any]) -> None:
    path = tmp_path / "b.zip"
    backup.backup(path)
    manifest = {**_manifest(path), **change}
    newer = _rewrite(path, tmp_path / "newer.zip", manifest=manifest)
    before = snapshot()
    with pytest.raises(backup.BackupError) as err:
        backup.restore(newer, replace=True)
    assert "mới hơn" in str(err.value) and "nâng cấp" in str(err.value)
    assert snapshot() == before


def _corrupt_files(path: Path, tmp: Path) -> dict[str, Path]:
    manifest = _manifest(path)
    files: dict[str, Path] = {}
    raw = path.read_bytes()
    (tmp / "truncated.zip").write_bytes(raw[: len(raw) // 2])
    files["truncated"] = tmp / "truncated.zip"
    (tmp / "text.zip").write_text("không phải zip", encoding="utf-8")
    files["not-a-zip"] = tmp / "text.zip"
    with zipfile.ZipFile(tmp / "foreign.zip", "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    files["foreign-zip"] = tmp / "foreign.zip"
    files["other-format"] = _rewrite(
        path, tmp / "other.zip", manifest={**manifest, "format": "something-else"}
    )
    files["bad-manifest"] = _rewrite(path, tmp / "badman.zip", change={backup.MANIFEST: b"{not json"})
    lines = zipfile.ZipFile(path).read("tables/datavalues.datavalue.jsonl")
    files["edited-row"] = _rewrite(
        path, tmp / "edited.zip", change={"tables/datavalues.datavalue.jsonl": lines.replace(b"[", b"[ ", 1)}
    )
    files["missing-rows"] = _rewrite(
        path,
        tmp / "short.zip",
        change={"tables/datavalues.datavalue.jsonl": b"\n".join(lines.split(b"\n")[:5]) + b"\n"},
    )
    traversal = {**manifest, "tables": [dict(t) for t in manifest["tables"]]}
    traversal["tables"][0]["file"] = "../../etc/passwd"
    files["path-traversal"] = _rewrite(
        path, tmp / "trav.zip", manifest=traversal, extra={"../../etc/passwd": b"root:x:0:0"}
    )
    unknown = {
        **manifest,
        "tables": [*manifest["tables"], {**manifest["tables"][0], "label": "auth.permission"}],
    }
    files["unknown-table"] = _rewrite(path, tmp / "unknown.zip", manifest=unknown)
    # A byte flipped inside the compressed data: the zip's CRC or the table's digest catches it.
    data = bytearray(raw)
    spot = raw.index(b"tables/datavalues.datavalue.jsonl") + 200
    data[spot] ^= 0xFF
    (tmp / "flipped.zip").write_bytes(bytes(data))
    files["flipped-byte"] = tmp / "flipped.zip"
    return files


CORRUPT = [
    "truncated",
    "not-a-zip",
    "foreign-zip",
    "other-format",
    "bad-manifest",
    "edited-row",
    "missing-rows",
    "path-traversal",
    "unknown-table",
    "flipped-byte",
]


@pytest.mark.parametrize("kind", CORRUPT)
def test_it_refuses_a_corrupt_or_foreign_file_and_changes_nothing(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "b.zip"
    backup.backup(path)
    bad = _corrupt_files(path, tmp_path)[kind]
    before = snapshot()
    with pytest.raises(backup.BackupError) as err:
        backup.restore(bad, replace=True)
    message = str(err.value)
    assert bad.name in message
    assert any(word in message for word in ("hỏng", "không phải tệp sao lưu", "không biết"))
    assert snapshot() == before


def test_it_refuses_an_uninitialised_database_message(tmp_path: Path) -> None:
    with pytest.raises(backup.BackupError, match="Không có tệp"):
        backup.restore(tmp_path / "none.zip")
    with pytest.raises(backup.BackupError, match="thư mục"):
        backup.backup(tmp_path)


# -- the command line -------------------------------------------------------------------------------


def test_it_round_trips_through_the_command_line(
    world: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sao-luu.zip"
    assert main(["backup", str(path)]) == 0
    out = capsys.readouterr()
    assert "Đã sao lưu" in out.out and str(path) in out.out
    assert path.stat().st_mode & 0o077 == 0  # password hashes inside: owner only
    assert main(["backup", str(path)]) == 2  # never overwritten by accident
    assert "--force" in capsys.readouterr().err
    assert main(["backup", str(path), "--force"]) == 0

    Event.objects.all().delete()
    assert main(["restore", str(path)]) == 2
    assert "--replace" in capsys.readouterr().err
    assert main(["restore", str(path), "--check"]) == 0
    assert "hợp lệ" in capsys.readouterr().out
    assert main(["restore", str(path), "--replace"]) == 0
    assert "Đã khôi phục" in capsys.readouterr().out
    assert snapshot() == world

    newer = _rewrite(
        path, tmp_path / "newer.zip", manifest={**_manifest(path), "version": backup.VERSION + 1}
    )
    assert main(["restore", str(newer), "--replace"]) == 2
    err = capsys.readouterr().err
    assert "\nLỗi: " in err and "mới hơn" in err and "Traceback" not in err
    assert main(["restore", str(tmp_path / "missing.zip")]) == 2
    assert snapshot() == world


def test_it_reports_progress_for_big_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup, "CHUNK", 10)  # 591 values count as a big table
    said: list[str] = []
    backup.backup(tmp_path / "b.zip", progress=said.append)
    assert any("datavalues.datavalue" in s for s in said)
    said.clear()
    backup.restore(tmp_path / "b.zip", replace=True, progress=said.append)
    assert any("Khôi phục datavalues.datavalue" in s for s in said)


def test_it_keeps_indicator_and_unit_trees(world: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "b.zip"
    backup.backup(path)
    backup.restore(path, replace=True)
    child = Indicator.objects.filter(parent__isnull=False).select_related("parent").first()
    assert child is not None and child.parent is not None
    commune = (
        OrgUnit.objects.get(code="11275", valid_to__isnull=True)
        if OrgUnit.objects.filter(code="11275", valid_to__isnull=True).exists()
        else OrgUnit.objects.filter(code="11275").first()
    )
    assert commune is not None and commune.parent is not None
    assert ContentType.objects.get_for_id(LogEntry.objects.first().content_type_id).model == "office"  # type: ignore[union-attr]


def test_a_replace_restore_logs_everyone_out(tmp_path: Path, django_capture_on_commit_callbacks: Any) -> None:
    """Sessions are read through the shared cache (cached_db); a restore clears it too."""
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="tckh"))
    assert client.get("/nhap-lieu/").status_code == 200
    path = tmp_path / "b.zip"
    backup.backup(path)
    with django_capture_on_commit_callbacks(execute=True):
        backup.restore(path, replace=True)
    response = client.get("/nhap-lieu/")
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")
