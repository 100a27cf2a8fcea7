"""Backups: the whole of a ktxh database in one portable, versioned file, and back.

The file is a zip:

- ``manifest.json``: ``{"format": "ktxh-backup", "version": 1, "ktxh_version", "created_at",
  "database": {"vendor", "django"}, "migrations": {app: [applied migrations]}, "counts": {table: rows},
  "tables": [{"label", "file", "columns", "rows", "sha256"}], "natural_keys": {column: model}}``;
- ``tables/<app>.<model>.jsonl``: one JSON array per row, in the order of ``columns``.
  Decimals are strings (never floats), dates and times ISO 8601, JSON fields as JSON,
  foreign keys as the primary key they point to, so a restore gives back the same keys.
  A foreign key to a row the database makes by itself (content types, permissions) is
  written as its natural key, ``["datavalues", "datavalue"]``, since those keys differ
  from one database to another.

What is covered: every model of every ``ktxh.*`` app (found at run time, so a model added
later is covered without a change here), Django's users and groups with their links, and
the admin's log. What is not: content types and permissions (made by ``ktxh init``),
sessions (a restore logs everybody out) and login-throttling counters; see ``EXCLUDED``.

Restore goes into an empty initialised database, or with ``replace=True`` wipes the covered
tables first; all in one transaction, foreign keys checked before it ends, then PostgreSQL
sequences are moved past the restored keys.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils.duration import duration_iso_string

from ktxh import __version__
from ktxh.core.errors import KtxhError

FORMAT = "ktxh-backup"
VERSION = 1
MANIFEST = "manifest.json"
TABLES_DIR = "tables/"
CHUNK = 2000

Progress = Callable[[str], None]

# Other apps whose rows are the users' own work and must survive a restore.
EXTRA_APPS = ("auth", "admin")
# Models never written, and why. A model neither covered nor listed here fails the tests.
EXCLUDED = {
    "contenttypes.contenttype": "tạo bởi «ktxh init»; được tham chiếu bằng khóa tự nhiên",
    "auth.permission": "tạo bởi «ktxh init»; được tham chiếu bằng khóa tự nhiên",
    "sessions.session": "phiên đăng nhập tạm thời; khôi phục thì mọi người đăng nhập lại",
    "axes.accessattempt": "bộ đếm đăng nhập sai, tạm thời",
    "axes.accessfailurelog": "nhật ký đăng nhập sai, tạm thời",
    "axes.accesslog": "nhật ký đăng nhập, tạm thời",
    "axes.accessattemptexpiration": "hạn của bộ đếm đăng nhập sai, tạm thời",
}
# Rows the database makes by itself: referred to by natural key, never by primary key.
NATURAL = ("contenttypes.contenttype", "auth.permission")


class BackupError(KtxhError):
    """A backup file that cannot be written or restored; ``str()`` is for the user."""


@dataclass
class Result:
    path: Path
    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def _quiet(_message: str) -> None:
    return None


# -- which tables ---------------------------------------------------------------------------------


def label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _covered_apps() -> list[str]:
    names = [cfg.label for cfg in apps.get_app_configs() if cfg.name.startswith("ktxh.")]
    return [*[a for a in EXTRA_APPS if apps.is_installed(f"django.contrib.{a}")], *names]


def covered_models() -> list[type[models.Model]]:
    """Every table written, parents before children (so a reader can follow the file)."""
    found: list[type[models.Model]] = []
    for app_label in _covered_apps():
        for model in apps.get_app_config(app_label).get_models(include_auto_created=True):
            meta = model._meta
            if meta.proxy or not meta.managed or label(model) in EXCLUDED:
                continue
            found.append(model)
    return _parents_first(found)


def _targets(model: type[models.Model]) -> list[type[models.Model]]:
    out = []
    for f in model._meta.concrete_fields:
        if f.is_relation and f.related_model is not None and f.related_model is not model:
            out.append(f.related_model)
    return out


def _parents_first(found: list[type[models.Model]]) -> list[type[models.Model]]:
    inside = set(found)
    order: list[type[models.Model]] = []
    done: set[type[models.Model]] = set()

    def visit(model: type[models.Model], path: tuple[type[models.Model], ...]) -> None:
        if model in done or model in path:  # a cycle between tables: constraints are deferred anyway
            return
        for target in _targets(model):
            if target in inside:
                visit(target, (*path, model))
        done.add(model)
        order.append(model)

    for model in found:
        visit(model, ())
    return order


def stored_models(using: str = DEFAULT_DB_ALIAS) -> list[type[models.Model]]:
    """The covered models that have a table (a model whose migration has not run yet has none)."""
    present = _table_names(using)
    return [m for m in covered_models() if m._meta.db_table in present]


def uncovered_references() -> list[str]:
    """Foreign keys from a covered table to a table neither covered nor natural-keyed (should be none)."""
    covered = {label(m) for m in covered_models()}
    bad = []
    for model in covered_models():
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model is not None:
                target = label(f.related_model)
                if target not in covered and target not in NATURAL:
                    bad.append(f"{label(model)}.{f.name} → {target}")
    return bad


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return list(model._meta.concrete_fields)


# -- values ---------------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return duration_iso_string(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, float):
        return value
    if isinstance(value, list | dict):  # JSON fields
        return value
    raise BackupError(f"Không ghi được giá trị kiểu {type(value).__name__} vào tệp sao lưu.")


def _decoder(f: models.Field[Any, Any]) -> Callable[[Any], Any]:
    if isinstance(f, models.JSONField):
        return lambda v: v
    if isinstance(f, models.BinaryField):
        return lambda v: None if v is None else base64.b64decode(v)
    if f.is_relation:
        target = f.target_field  # type: ignore[attr-defined]
        return lambda v: None if v is None else target.to_python(v)
    return lambda v: None if v is None else f.to_python(v)


def _natural_maps(
    using: str,
) -> tuple[dict[str, dict[int, list[str]]], dict[str, Callable[[list[str]], int | None]]]:
    """id → natural key per natural-keyed model, and natural key → local id (None when unknown)."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    types = {ct.pk: [ct.app_label, ct.model] for ct in ContentType.objects.using(using).all()}
    perms = {
        p.pk: [p.codename, *types[p.content_type_id]]
        for p in Permission.objects.using(using).all()
        if p.content_type_id in types
    }
    types_back = {tuple(v): k for k, v in types.items()}
    perms_back = {tuple(v): k for k, v in perms.items()}

    def type_id(key: list[str]) -> int | None:
        found = types_back.get(tuple(key))
        if found is None and len(key) == 2:
            found = ContentType.objects.using(using).get_or_create(app_label=key[0], model=key[1])[0].pk
            types_back[tuple(key)] = found
        return found

    def perm_id(key: list[str]) -> int | None:
        return perms_back.get(tuple(key))

    return (
        {"contenttypes.contenttype": types, "auth.permission": perms},
        {"contenttypes.contenttype": type_id, "auth.permission": perm_id},
    )


def _natural_target(f: models.Field[Any, Any]) -> str | None:
    if f.is_relation and f.related_model is not None and label(f.related_model) in NATURAL:
        return label(f.related_model)
    return None


def _applied_migrations(using: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


# -- backup ---------------------------------------------------------------------------------------


def _table_file(model: type[models.Model]) -> str:
    return f"{TABLES_DIR}{label(model)}.jsonl"


class _Snapshot:
    """One consistent view of the database for the whole backup, without blocking writers:
    a read-only repeatable-read transaction on PostgreSQL, a deferred read transaction on SQLite."""

    def __init__(self, using: str) -> None:
        self.connection = connections[using]
        self.atomic: Any = None
        self.began = False

    def __enter__(self) -> None:
        conn = self.connection
        if conn.in_atomic_block:  # already in a transaction (tests, callers): its view is the snapshot
            return
        if conn.vendor == "postgresql":
            self.atomic = transaction.atomic(using=conn.alias)
            self.atomic.__enter__()
            with conn.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        elif conn.vendor == "sqlite":
            conn.ensure_connection()
            with conn.cursor() as cur:
                cur.execute("BEGIN DEFERRED")  # no write lock: saves go on during the backup
            self.began = True

    def __exit__(self, *exc: object) -> None:
        if self.atomic is not None:
            self.atomic.__exit__(*exc)
        elif self.began:
            with self.connection.cursor() as cur:
                cur.execute("COMMIT")


def backup(path: str | Path, *, using: str = DEFAULT_DB_ALIAS, progress: Progress = _quiet) -> Result:
    """Write the whole database to ``path`` (a zip); the file appears only once complete."""
    target = Path(path)
    if target.is_dir():
        raise BackupError(f"«{target}» là một thư mục; hãy cho tên tệp sao lưu, ví dụ {target}/ktxh.zip.")
    if not target.parent.exists():
        raise BackupError(f"Không có thư mục «{target.parent}» để ghi tệp sao lưu.")
    models_ = stored_models(using)
    result = Result(path=target)
    fd, tmp_name = tempfile.mkstemp(prefix=".ktxh-backup-", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with _Snapshot(using), zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            to_natural, _back = _natural_maps(using)
            tables = []
            for model in models_:
                entry = _write_table(zf, model, using, to_natural, progress)
                tables.append(entry)
                result.counts[entry["label"]] = entry["rows"]
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "ktxh_version": __version__,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": {
                    "vendor": connections[using].vendor,
                    "django": _django_version(),
                },
                "migrations": _applied_migrations(using),
                "counts": result.counts,
                "tables": tables,
            }
            zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        tmp.chmod(0o600)  # password hashes and token digests are inside
        tmp.replace(target)
    except OSError as exc:
        raise BackupError(f"Không ghi được tệp sao lưu «{target}»: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return result


def _django_version() -> str:
    import django

    return django.get_version()


def _write_table(
    zf: zipfile.ZipFile,
    model: type[models.Model],
    using: str,
    to_natural: dict[str, dict[int, list[str]]],
    progress: Progress,
) -> dict[str, Any]:
    cols = _columns(model)
    names = [f.attname for f in cols]
    natural: dict[int, str] = {}
    for i, f in enumerate(cols):
        target = _natural_target(f)
        if target:
            natural[i] = target
    digest = hashlib.sha256()
    rows = 0
    name = label(model)
    total = model._base_manager.using(using).count()
    if total >= 10 * CHUNK:
        progress(f"Sao lưu {name}: {total} dòng…")
    info = zipfile.ZipInfo(_table_file(model), date_time=datetime.now().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    with zf.open(info, "w", force_zip64=True) as raw:
        out = io.BufferedWriter(raw, buffer_size=1 << 16)
        query = model._base_manager.using(using).order_by("pk").values_list(*names)
        for values in query.iterator(chunk_size=CHUNK):
            row = [_encode(v) for v in values]
            for i, kind in natural.items():
                if row[i] is not None:
                    row[i] = to_natural[kind].get(row[i])
            line = (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
            digest.update(line)
            out.write(line)
            rows += 1
            if rows % (50 * CHUNK) == 0:
                progress(f"  {name}: {rows}/{total}")
        out.flush()
    return {
        "label": name,
        "table": model._meta.db_table,
        "file": _table_file(model),
        "columns": names,
        "natural_keys": {names[i]: t for i, t in natural.items()},
        "rows": rows,
        "sha256": digest.hexdigest(),
    }


# -- reading a file --------------------------------------------------------------------------------


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in str(text).split("."):
        digits = "".join(ch for ch in piece if ch.isdigit()) if piece else ""
        if not digits:
            break
        parts.append(int(digits))
        if not piece.isdigit():
            break
    return tuple(parts)


def _open(path: Path) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    name = path.name
    if not path.exists():
        raise BackupError(f"Không có tệp sao lưu «{path}».")
    if path.is_dir():
        raise BackupError(f"«{path}» là một thư mục, không phải tệp sao lưu.")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupError(
            f"Tệp «{name}» bị hỏng hoặc không phải tệp sao lưu ktxh (không đọc được dạng zip: {exc})."
        ) from None
    try:
        manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except KeyError:
        zf.close()
        raise BackupError(f"Tệp «{name}» không phải tệp sao lưu ktxh (thiếu {MANIFEST}).") from None
    except (zipfile.BadZipFile, UnicodeDecodeError, ValueError, OSError) as exc:
        zf.close()
        raise BackupError(f"Tệp sao lưu «{name}» bị hỏng ({MANIFEST} không đọc được: {exc}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        zf.close()
        raise BackupError(f"Tệp «{name}» không phải tệp sao lưu ktxh (định dạng không đúng).")
    try:
        version = int(manifest.get("version"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        zf.close()
        raise BackupError(f"Tệp sao lưu «{name}» bị hỏng (không rõ phiên bản định dạng).") from None
    made_by = str(manifest.get("ktxh_version", "?"))
    if version > VERSION or _version_tuple(made_by) > _version_tuple(__version__):
        zf.close()
        raise BackupError(
            f"Tệp sao lưu «{name}» được tạo bởi ktxh {made_by} (định dạng phiên bản {version}), "
            f"mới hơn phiên bản đang chạy (ktxh {__version__}, định dạng {VERSION}). "
            "Hãy nâng cấp ktxh rồi khôi phục lại; không có gì bị thay đổi."
        )
    if version < 1 or not isinstance(manifest.get("tables"), list):
        zf.close()
        raise BackupError(f"Tệp sao lưu «{name}» bị hỏng (danh sách bảng không hợp lệ).")
    return zf, manifest


def _check_schema(manifest: dict[str, Any], using: str, name: str) -> None:
    here = _applied_migrations(using)
    theirs = manifest.get("migrations") or {}
    newer = []
    for app_label, names in theirs.items():
        if not isinstance(names, list):
            raise BackupError(f"Tệp sao lưu «{name}» bị hỏng (danh sách migration không hợp lệ).")
        unknown = sorted(set(names) - set(here.get(app_label, [])))
        newer += [f"{app_label}.{n}" for n in unknown]
    if newer:
        shown = ", ".join(newer[:5]) + (" …" if len(newer) > 5 else "")
        raise BackupError(
            f"Tệp sao lưu «{name}» có cấu trúc dữ liệu mới hơn cơ sở dữ liệu này ({shown}). "
            "Hãy nâng cấp ktxh và chạy «ktxh init» rồi khôi phục lại; không có gì bị thay đổi."
        )


@dataclass
class _Table:
    model: type[models.Model]
    file: str
    columns: list[str]
    rows: int
    sha256: str
    natural: dict[str, str]


def _plan(zf: zipfile.ZipFile, manifest: dict[str, Any], name: str) -> list[_Table]:
    known = {label(m): m for m in covered_models()}
    members = set(zf.namelist())
    plan = []
    seen = set()
    for entry in manifest["tables"]:
        if not isinstance(entry, dict):
            raise BackupError(f"Tệp sao lưu «{name}» bị hỏng (mục bảng không hợp lệ).")
        table = str(entry.get("label", ""))
        model = known.get(table)
        if model is None:
            raise BackupError(
                f"Tệp sao lưu «{name}» có bảng «{table}» mà phiên bản ktxh này không biết; "
                "hãy nâng cấp ktxh rồi khôi phục lại."
            )
        expected = _table_file(model)
        if entry.get("file") != expected:  # never a name from the file: no "../" games
            raise BackupError(f"Tệp sao lưu «{name}» bị hỏng (tên tệp của bảng {table} không đúng).")
        if expected not in members:
            raise BackupError(f"Tệp sao lưu «{name}» bị hỏng (thiếu {expected}).")
        columns = entry.get("columns")
        fields = {f.attname: f for f in _columns(model)}
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            raise BackupError(f"Tệp sao lưu «{name}» bị hỏng (cột của bảng {table} không hợp lệ).")
        extra = [c for c in columns if c not in fields]
        if extra:
            raise BackupError(
                f"Bảng {table} trong tệp sao lưu «{name}» có cột {', '.join(extra)} mà phiên bản ktxh này "
                "không biết; hãy nâng cấp ktxh rồi khôi phục lại."
            )
        missing = [
            f.attname
            for a, f in fields.items()
            if a not in columns and not f.has_default() and not f.null and not getattr(f, "auto_now", False)
        ]
        missing = [m for m in missing if not getattr(fields[m], "auto_now_add", False)]
        if missing:
            raise BackupError(
                f"Bảng {table} trong tệp sao lưu «{name}» thiếu cột {', '.join(missing)}; "
                "không khôi phục được vào phiên bản này."
            )
        natural = entry.get("natural_keys") or {}
        if not isinstance(natural, dict) or any(v not in NATURAL for v in natural.values()):
            raise BackupError(f"Tệp sao lưu «{name}» bị hỏng (khóa tự nhiên của bảng {table}).")
        try:
            rows = int(entry.get("rows", -1))
        except (TypeError, ValueError):
            rows = -1
        if rows < 0:
            raise BackupError(f"Tệp sao lưu «{name}» bị hỏng (số dòng của bảng {table}).")
        plan.append(_Table(model, expected, columns, rows, str(entry.get("sha256", "")), natural))
        seen.add(table)
    # Tables this version has and the file has not (an older ktxh): restored empty.
    order = {label(m): i for i, m in enumerate(covered_models())}
    plan.sort(key=lambda t: order[label(t.model)])
    return plan


def _rows(zf: zipfile.ZipFile, table: _Table, name: str) -> Iterator[list[Any]]:
    digest = hashlib.sha256()
    count = 0
    width = len(table.columns)
    try:
        with zf.open(table.file) as raw:
            for line in raw:
                digest.update(line)
                count += 1
                if count > table.rows:
                    break
                row = json.loads(line)
                if not isinstance(row, list) or len(row) != width:
                    raise ValueError(f"dòng {count} có {len(row) if isinstance(row, list) else '?'} cột")
                yield row
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"Tệp sao lưu «{name}» bị hỏng ({table.file}: {exc}).") from None
    if count != table.rows or digest.hexdigest() != table.sha256:
        raise BackupError(f"Tệp sao lưu «{name}» bị hỏng ({table.file}: nội dung không khớp với {MANIFEST}).")


def inspect(path: str | Path) -> dict[str, Any]:
    """The manifest of a backup file, after the checks a restore makes first (nothing written)."""
    zf, manifest = _open(Path(path))
    with zf:
        _plan(zf, manifest, Path(path).name)
    return manifest


# -- restore --------------------------------------------------------------------------------------


def _table_names(using: str) -> set[str]:
    with connections[using].cursor() as cur:
        return set(connections[using].introspection.table_names(cur))


def restore(
    path: str | Path,
    *,
    replace: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    progress: Progress = _quiet,
) -> Result:
    """Load a backup; everything or nothing. Raises BackupError with a message for the user."""
    source = Path(path)
    name = source.name
    zf, manifest = _open(source)
    with zf:
        existing = _table_names(using)
        if "django_migrations" not in existing:
            raise BackupError("Cơ sở dữ liệu chưa được khởi tạo; chạy «ktxh init» trước rồi khôi phục lại.")
        _check_schema(manifest, using, name)
        plan = _plan(zf, manifest, name)
        models_ = [m for m in covered_models() if m._meta.db_table in existing]
        if not existing or any(t.model._meta.db_table not in existing for t in plan):
            raise BackupError("Cơ sở dữ liệu chưa được khởi tạo; chạy «ktxh init» trước rồi khôi phục lại.")
        result = Result(path=source)
        try:
            with transaction.atomic(using=using):
                if replace:
                    _wipe(models_, using, progress)
                else:
                    busy = [label(m) for m in models_ if m._base_manager.using(using).exists()]
                    if busy:
                        raise BackupError(
                            "Cơ sở dữ liệu đã có dữ liệu ("
                            + ", ".join(busy[:4])
                            + (" …" if len(busy) > 4 else "")
                            + "). Khôi phục vào cơ sở dữ liệu trống, hoặc dùng --replace để xóa dữ liệu "
                            "hiện có và thay bằng bản sao lưu."
                        )
                _, back = _natural_maps(using)
                for table in plan:
                    result.counts[label(table.model)] = _load_table(
                        zf, table, using, back, progress, name, result.skipped
                    )
                _check_constraints(models_, using, name)
                _reset_sequences(models_, using)
        except IntegrityError as exc:
            raise BackupError(
                f"Tệp sao lưu «{name}» không khôi phục được: dữ liệu không nhất quán ({exc})."
            ) from None
    return result


def _wipe(models_: list[type[models.Model]], using: str, progress: Progress) -> None:
    conn = connections[using]
    progress("Xóa dữ liệu hiện có…")
    tables = [m._meta.db_table for m in reversed(models_)]
    with conn.cursor() as cur:
        for table in [*tables, *(t for t in ("django_session",) if t in _table_names(using))]:
            cur.execute(f"DELETE FROM {conn.ops.quote_name(table)}")
    # Sessions are also read through the shared cache (settings.SESSION_ENGINE), and kept page
    # fragments describe the data being replaced: both go, so everyone logs in again.
    transaction.on_commit(_clear_shared_cache, using=using)


def _clear_shared_cache() -> None:
    from django.core.cache import caches

    caches[settings.SESSION_CACHE_ALIAS].clear()


def _load_table(
    zf: zipfile.ZipFile,
    table: _Table,
    using: str,
    back: dict[str, Callable[[list[str]], int | None]],
    progress: Progress,
    name: str,
    skipped: list[str],
) -> int:
    model = table.model
    fields = {f.attname: f for f in _columns(model)}
    cols = [fields[c] for c in table.columns]
    decode = [
        (lambda v: v) if c in table.natural else _decoder(f) for c, f in zip(table.columns, cols, strict=True)
    ]
    natural = [(i, back[table.natural[c]]) for i, c in enumerate(table.columns) if c in table.natural]
    absent = [f for a, f in fields.items() if a not in table.columns]
    insert_fields = cols + absent
    conn = connections[using]
    tag = label(model)
    if table.rows >= 10 * CHUNK:
        progress(f"Khôi phục {tag}: {table.rows} dòng…")
    batch: list[models.Model] = []
    done = 0
    for row in _rows(zf, table, name):
        try:
            values = [d(v) for d, v in zip(decode, row, strict=True)]
        except Exception as exc:  # a value that is not what its column holds
            raise BackupError(f"Tệp sao lưu «{name}» bị hỏng ({table.file}: {exc}).") from None
        lost = False
        for i, lookup in natural:
            if values[i] is not None:
                key = row[i]
                local = (
                    lookup(key) if isinstance(key, list) and all(isinstance(k, str) for k in key) else None
                )
                if local is None:
                    if not cols[i].null and model._meta.auto_created:
                        lost = True  # a link to a permission this installation does not have
                        skipped.append(f"{tag}: {key}")
                        break
                    raise BackupError(
                        f"Tệp sao lưu «{name}» tham chiếu {table.natural[table.columns[i]]} {key} không có ở đây."
                    )
                values[i] = local
        if lost:
            continue
        obj = model(**dict(zip(table.columns, values, strict=True)))
        for f in absent:
            setattr(obj, f.attname, f.get_default() if f.has_default() else None)
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                setattr(obj, f.attname, datetime.now(UTC))
        batch.append(obj)
        if len(batch) >= CHUNK:
            _insert(model, batch, insert_fields, conn.alias)
            done += len(batch)
            batch = []
            if done % (50 * CHUNK) == 0:
                progress(f"  {tag}: {done}/{table.rows}")
    if batch:
        _insert(model, batch, insert_fields, conn.alias)
        done += len(batch)
    return done


def _insert(model: type[models.Model], objs: list[models.Model], fields: list[Any], using: str) -> None:
    """Insert rows as they are: keys kept, auto_now fields not touched (what loaddata does)."""
    size = connections[using].ops.bulk_batch_size(fields, objs) or len(objs)
    manager = model._base_manager.using(using)
    for start in range(0, len(objs), size):
        manager._insert(objs[start : start + size], fields=fields, raw=True, using=using)  # type: ignore[attr-defined]


def _check_constraints(models_: list[type[models.Model]], using: str, name: str) -> None:
    conn = connections[using]
    try:
        conn.check_constraints(table_names=[m._meta.db_table for m in models_])
    except IntegrityError as exc:
        raise BackupError(
            f"Tệp sao lưu «{name}» không khôi phục được: có liên kết tới dòng không tồn tại ({exc})."
        ) from None


def _reset_sequences(models_: list[type[models.Model]], using: str) -> None:
    conn = connections[using]
    statements = conn.ops.sequence_reset_sql(no_style(), models_)
    if statements:
        with conn.cursor() as cur:
            for sql in statements:
                cur.execute(sql)
