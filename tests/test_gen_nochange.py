"""A `gen` with nothing to do: no analysis, no tests, no model call, no file touched."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import pytest

from bench import synth
from scaffold import pipeline
from scaffold.analyze.cache import DIR_ENV


def mtimes(root: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def forbidden(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise AssertionError("called on a run with nothing to do")


@pytest.fixture
def generated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(DIR_ENV, str(tmp_path / "cache"))
    spec = synth.write_project(tmp_path / "p", queries=10, tables=5)
    pipeline.generate(spec, run_tests=False)
    return spec


def test_unchanged_inputs_skip_every_stage(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = mtimes(generated.parent)
    for stage in ("load", "analyze", "plan", "write", "validate"):
        monkeypatch.setattr(pipeline, stage, forbidden)
    result = pipeline.generate(generated)
    assert {c.action for c in result.changes} == {"unchanged"} and result.tests_passed is None
    assert mtimes(generated.parent) == before


def test_an_input_edit_with_the_same_output_runs_no_tests(
    generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    query_file = generated.parent / "query.sql"
    query_file.write_text("-- a comment outside every query\n" + query_file.read_text())
    monkeypatch.setattr(pipeline, "validate", forbidden)
    result = pipeline.generate(generated)
    assert {c.action for c in result.changes} == {"unchanged"}
    assert not list((generated.parent / ".scaffold").glob("staging-*"))


def test_a_changed_query_still_regenerates(generated: Path) -> None:
    synth.change_one_query(generated.parent)
    result = pipeline.generate(generated, run_tests=False)
    assert "update" in {c.action for c in result.changes}
