"""The bundled examples are golden cases: regenerating gives the committed bytes, and the
generated tests pass on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scaffold.pipeline import generate

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.parent for p in (ROOT / "examples").glob("*/scaffold.yaml"))
GENERATED = ("generated", ".scaffold", ".gitattributes")


def _tree(root: Path) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for name in GENERATED:
        base = root / name
        paths = [base] if base.is_file() else sorted(base.rglob("*"))
        for path in paths:
            if path.is_file() and "__pycache__" not in path.parts:
                out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


def _copy_inputs(example: Path, dest: Path) -> Path:
    shutil.copytree(example, dest, ignore=shutil.ignore_patterns("__pycache__", *GENERATED))
    return dest


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_regenerating_gives_the_committed_bytes(
    example: Path, tmp_path: Path, update_golden: bool
) -> None:
    if update_golden:
        generate(example / "scaffold.yaml", force=True)
        return
    work = _copy_inputs(example, tmp_path / example.name)
    generate(work / "scaffold.yaml", run_tests=False)
    assert _tree(work) == _tree(example)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_second_run_changes_nothing(example: Path, tmp_path: Path) -> None:
    work = _copy_inputs(example, tmp_path / example.name)
    generate(work / "scaffold.yaml", run_tests=False)
    first = _tree(work)
    result = generate(work / "scaffold.yaml", run_tests=False)
    assert {c.action for c in result.changes} == {"unchanged"}
    assert _tree(work) == first


def _run_generated_tests(
    example: Path, env_extra: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **env_extra, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "generated/tests"],
        cwd=example,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_generated_tests_pass_on_sqlite(example: Path) -> None:
    result = _run_generated_tests(example, {})
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_generated_tests_pass_on_postgres(example: Path, postgres_url: str) -> None:
    result = _run_generated_tests(example, {"SCAFFOLD_TEST_DATABASE_URL": postgres_url})
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
