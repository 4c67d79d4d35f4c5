"""House rules checked on every run: the floors of DESIGN.md, and landed migrations."""

import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "migrations.sha256"


def test_no_import_runs_from_a_lower_floor_to_a_higher_one():
    """The import-linter contract in pyproject.toml (nanxi imports no app, …)."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(  # noqa: S603 - our own venv's tool, fixed arguments
        [str(lint_imports), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _locked() -> dict[str, str]:
    entries = {}
    for line in LOCK.read_text().splitlines():
        if line.strip():
            digest, path = line.split()
            entries[path] = digest
    return entries


def test_landed_migrations_are_never_edited():
    """Every migration is in migrations.sha256 with the hash it landed with.

    A new migration: add its line (`sha256sum app/migrations/0004_x.py >> migrations.sha256`).
    A changed hash means a landed migration was edited: write a new migration instead.
    """
    locked = _locked()
    present = {
        str(path.relative_to(ROOT)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(ROOT.glob("*/migrations/0*.py"))
    }
    edited = [p for p in locked if p in present and present[p] != locked[p]]
    removed = [p for p in locked if p not in present]
    unlisted = [p for p in present if p not in locked]
    assert not edited, f"landed migrations edited: {edited}"
    assert not removed, f"landed migrations removed: {removed}"
    assert not unlisted, f"add these to migrations.sha256: {unlisted}"
