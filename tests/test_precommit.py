"""The hooks of .pre-commit-hooks.yaml, run by the real `pre-commit try-repo` in a temporary git
repository holding a copy of examples/bookshop.

The `-system` variants run the installed `scaffold`, so no package index is needed; the
`language: python` hooks have the same entry, files and flags (checked below).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scaffold.pipeline import generate

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "bookshop"
OLD_QUERY = "SELECT id, title, price, stock FROM books WHERE stock > 0 ORDER BY title"
NEW_QUERY = "SELECT id, title, price FROM books WHERE stock > 0 ORDER BY title"


def _env(tmp: Path) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "PRE_COMMIT_HOME": str(tmp / "pre-commit-home"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=_env(repo))


def _hook(repo: Path, hook: str, *extra: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, *extra]
    return subprocess.run(cmd, cwd=repo, capture_output=True, text=True, env=_env(repo.parent))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with the bookshop example generated and committed."""
    work = tmp_path / "shop"
    work.mkdir()
    for name in ("scaffold.yaml", "schema.sql", "queries.sql"):
        shutil.copyfile(EXAMPLE / name, work / name)
    generate(work / "scaffold.yaml", run_tests=False)
    _git(work, "init", "-q", "-b", "main")
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", "generated")
    return work


def test_the_python_and_system_hooks_agree() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    for name in ("scaffold-gen", "scaffold-check"):
        python, system = dict(hooks[name]), dict(hooks[f"{name}-system"])
        assert python.pop("language") == "python" and system.pop("language") == "system"
        for key in ("entry", "files", "pass_filenames", "require_serial"):
            assert python[key] == system[key], key
        assert python["pass_filenames"] is False and python["require_serial"] is True
    assert "--offline" in hooks["scaffold-gen"]["entry"]


def test_fresh_tree_passes_both_hooks(repo: Path) -> None:
    for hook in ("scaffold-check-system", "scaffold-gen-system"):
        run = _hook(repo, hook, "--all-files")
        assert run.returncode == 0, run.stdout + run.stderr
        assert "Passed" in run.stdout


def test_spec_change_fails_check_and_gen_regenerates(repo: Path) -> None:
    spec = repo / "scaffold.yaml"
    spec.write_text(spec.read_text().replace(OLD_QUERY, NEW_QUERY))
    _git(repo, "add", "scaffold.yaml")
    check = _hook(repo, "scaffold-check-system")
    assert check.returncode == 1, check.stdout
    assert "spec changed" in check.stdout and "unit rows" in check.stdout
    gen = _hook(repo, "scaffold-gen-system")
    assert gen.returncode == 1, gen.stdout  # it changed files: pre-commit fails the commit
    assert "files were modified by this hook" in gen.stdout
    assert (
        "stock: int"
        not in (repo / "generated/bookshop/rows.py")
        .read_text()
        .split("class BooksInStockRow")[1]
        .split("@dataclass")[0]
    )
    _git(repo, "add", "-A")
    for hook in ("scaffold-gen-system", "scaffold-check-system"):
        run = _hook(repo, hook)
        assert run.returncode == 0, run.stdout + run.stderr


def test_untracked_stray_file_does_not_fail_the_staged_check(repo: Path) -> None:
    (repo / "generated/bookshop/scratch.py").write_text("x = 1\n")
    run = _hook(repo, "scaffold-check-system", "--all-files")
    assert run.returncode == 0, run.stdout + run.stderr
    # Outside pre-commit the same file is reported.
    env = {k: v for k, v in _env(repo).items() if k != "PRE_COMMIT"}
    cmd = [str(Path(sys.executable).parent / "scaffold"), "check"]
    plain = subprocess.run(cmd, cwd=repo, capture_output=True, text=True, env=env)
    assert plain.returncode == 1 and "scratch.py" in plain.stdout


def test_hand_edit_fails_the_check_hook(repo: Path) -> None:
    rows = repo / "generated/bookshop/rows.py"
    rows.write_text(rows.read_text() + "# edited\n")
    _git(repo, "add", "-A")
    run = _hook(repo, "scaffold-check-system")
    assert run.returncode == 1
    assert "generated/bookshop/rows.py: file edited by hand" in run.stdout
