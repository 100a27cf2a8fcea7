"""No secret in the repository, and every dependency pinned to one version.

Files scanned: those git tracks plus the new ones it would add (not ignored). Demo passwords
are made at run time and kept in KTXH_HOME, which git ignores.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[baprs]-[A-Za-z0-9-]{10,}"),
    "ktxh API token": re.compile(r"\bktxh_[A-Za-z0-9_-]{40,}"),
    "password in a URL": re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:(?![A-Z_-]+@)[^/\s@'\"{}$<>]{3,}@"),
    "Django secret key": re.compile(r"SECRET_KEY\s*=\s*[\"'][^\"']{20,}[\"']"),
    "password literal": re.compile(
        r"(?i)\b(?:password|passwd|mat_khau|secret|api_key|token)\w*\s*[:=]\s*[\"'][^\"'\s{}<>%]{8,}[\"']"
    ),
}
# Tests and benchmarks make accounts in throw-away databases: a password typed there is no
# secret. Keys and tokens are refused everywhere. A URL's password in capitals is a placeholder
# (postgres://ktxh:MAT-KHAU@…, docs/deploy.md).
THROWAWAY = ("tests/", "bench/")
THIS_FILE = "tests/security/test_repository.py"  # its samples below are secrets on purpose
SECRET_FILES = re.compile(
    r"(^|/)(id_rsa|id_ed25519|\.env|secret_key|demo-logins\.json)$|\.(pem|key|p12|pfx|sqlite3)$"
)


def _repo_files() -> list[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    return [name for name in out.decode().split("\0") if name and (ROOT / name).is_file()]


def _text(name: str) -> str | None:
    data = (ROOT / name).read_bytes()
    if b"\0" in data[:8000]:
        return None  # binary (images, fonts, the Word frame)
    return data.decode("utf-8", errors="replace")


def test_it_keeps_no_secret_in_the_repository() -> None:
    files = _repo_files()
    assert len(files) > 100  # the scan sees the repository
    found = []
    for name in files:
        if name == THIS_FILE:
            continue
        if SECRET_FILES.search(name):
            found.append(f"{name}: a secret's file")
        text = _text(name)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for what, pattern in SECRET_PATTERNS.items():
                if what == "password literal" and name.startswith(THROWAWAY):
                    continue
                if pattern.search(line):
                    found.append(f"{name}:{number}: {what}: {line.strip()[:120]}")
    assert found == []


def test_it_would_find_a_secret() -> None:
    """The patterns are not blind: samples of each kind are caught."""
    samples = [
        "-----BEGIN RSA PRIVATE KEY-----",
        "key = 'AKIAABCDEFGHIJKLMNOP'",
        "gh" + "p_" + "a" * 36,
        "DATABASE_URL=postgres://ktxh:S3cr3t-pass@db/ktxh",
        "SECRET_KEY = '" + "k" * 40 + "'",
        'password = "hunter2hunter2"',
        "ktxh_" + "Z" * 43,
    ]
    for sample in samples:
        assert any(p.search(sample) for p in SECRET_PATTERNS.values()), sample
    for harmless in [
        "password = env_str('KTXH_DB_PASSWORD')",
        "DATABASE_URL=postgres://ktxh@127.0.0.1:5432/ktxh",
        "DATABASE_URL=postgres://ktxh:MAT-KHAU@127.0.0.1:5432/ktxh",
    ]:
        assert not any(p.search(harmless) for p in SECRET_PATTERNS.values()), harmless


def test_it_ignores_the_folder_where_secrets_live() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    paths = ["var/secret_key", "var/demo-logins.json", "var/ktxh.sqlite3", "backup.sqlite3"]
    run = subprocess.run(["git", "check-ignore", *paths], cwd=ROOT, capture_output=True, text=True)
    assert sorted(run.stdout.split()) == sorted(paths)


@pytest.mark.django_db
def test_it_makes_demo_passwords_at_run_time(tmp_path: Path) -> None:
    from ktxh.web.accounts.services import demo_accounts_ensure

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = {a["username"]: a["password"] for a in demo_accounts_ensure(home=tmp_path / "a")}
    second = {a["username"]: a["password"] for a in demo_accounts_ensure(home=tmp_path / "b")}
    assert all(first[u] != second[u] for u in first)  # random, not written in the code
    assert (tmp_path / "a" / "demo-logins.json").stat().st_mode & 0o077 == 0
    files = [_text(n) or "" for n in _repo_files()]
    assert not any(p in text for p in first.values() for text in files)


PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9_,-]+\])?==[0-9][A-Za-z0-9.+!-]*(\s*;.*)?$")


def test_it_pins_every_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    deps = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        deps += extra
    assert len(deps) > 10
    loose = [d for d in deps if not PIN.match(d.strip())]
    assert loose == []
    for bad in ["Django>=5.2", "numpy", "ruff~=0.17", "x==1.*", "psycopg[binary]>=3"]:
        assert not PIN.match(bad), bad
