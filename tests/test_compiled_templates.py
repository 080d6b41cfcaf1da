"""Compiled templates are kept in the user's cache folder: a second process renders the same
bytes without compiling, a dry run keeps nothing, and SCAFFOLD_NO_CACHE turns it off."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import synth

SCAFFOLD = str(Path(sys.executable).parent / "scaffold")
RENDER = """
import hashlib, sys
import jinja2
from pathlib import Path
compiled = []
real = jinja2.Environment.compile
def counting(self, source, *args, **kwargs):
    compiled.append(1)
    return real(self, source, *args, **kwargs)
jinja2.Environment.compile = counting
from scaffold import pipeline
files = pipeline.plan_outputs(Path(sys.argv[1]))
digest = hashlib.sha256("".join(f.path + f.content for f in files).encode()).hexdigest()
print(len(compiled), digest)
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return synth.write_project(tmp_path / "p", queries=6, tables=3)


def render(project: Path, cache: Path, **env: str) -> tuple[int, str]:
    """How many templates a fresh process compiles to plan `project`, and its output's digest."""
    full = {k: v for k, v in os.environ.items() if k != "SCAFFOLD_NO_CACHE"}
    full.update(SCAFFOLD_CACHE_DIR=str(cache), **env)
    proc = subprocess.run(
        [sys.executable, "-c", RENDER, str(project)],
        capture_output=True,
        text=True,
        env=full,
        check=True,
    )
    count, digest = proc.stdout.split()
    return int(count), digest


def test_a_second_process_renders_the_same_bytes_without_compiling(
    project: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first, output = render(project, cache)
    assert first >= 5 and len(list((cache / "templates").iterdir())) == first
    assert render(project, cache) == (0, output)


def test_without_the_cache_every_process_compiles(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, output = render(project, cache, SCAFFOLD_NO_CACHE="1")
    assert render(project, cache, SCAFFOLD_NO_CACHE="1") == (first, output)
    assert not (cache / "templates").exists()


def test_a_dry_run_keeps_no_compiled_template(project: Path, tmp_path: Path) -> None:
    env = {**os.environ, "SCAFFOLD_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("SCAFFOLD_NO_CACHE", None)
    run = [SCAFFOLD, "gen", "--dry-run", str(project)]
    proc = subprocess.run(run, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "cache" / "templates").exists()
    proc = subprocess.run([*run[:2], "--no-tests", str(project)], capture_output=True, env=env)
    assert proc.returncode == 0 and any((tmp_path / "cache" / "templates").iterdir())


def test_an_unreadable_entry_compiles_afresh(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first, output = render(project, cache)
    for entry in (cache / "templates").iterdir():
        entry.write_bytes(b"garbage")
    assert render(project, cache) == (first, output)
