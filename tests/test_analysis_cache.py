"""The analysis cache: hits give the same analysis as a fresh run, edits invalidate exactly."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from bench import synth
from scaffold import pipeline
from scaffold.analyze import cache as cache_module
from scaffold.analyze.cache import DIR_ENV, DISABLE_ENV
from scaffold.analyze.model import Catalog, QueryInfo
from scaffold.analyze.query import analyze_queries
from scaffold.spec.model import QuerySpec


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(DIR_ENV, str(tmp_path / "cache"))
    return synth.write_project(tmp_path / "p", queries=12, tables=4)


def cache_files(project: Path) -> list[Path]:
    return sorted((project.parent.parent / "cache").rglob("*.pickle"))


def analyzed_names(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record which queries the analyzer really runs on."""
    seen: list[str] = []

    def spy(queries: Sequence[QuerySpec], catalog: Catalog) -> tuple[QueryInfo, ...]:
        seen.extend(q.name for q in queries)
        return analyze_queries(queries, catalog)

    monkeypatch.setattr("scaffold.analyze.query.analyze_queries", spy)
    return seen


def test_second_run_reuses_everything_and_equals_a_fresh_one(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = pipeline.analyze(pipeline.load(project))
    assert len(cache_files(project)) == 1
    seen = analyzed_names(monkeypatch)
    again = pipeline.analyze(pipeline.load(project))
    assert seen == [] and again == first


def test_only_the_edited_query_is_analyzed_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline.analyze(pipeline.load(project))
    synth.change_one_query(project.parent)
    seen = analyzed_names(monkeypatch)
    cached = pipeline.analyze(pipeline.load(project))
    monkeypatch.setenv(DISABLE_ENV, "1")
    assert len(seen) == 1 and cached == pipeline.analyze(pipeline.load(project))


def test_a_moved_query_is_a_hit_with_its_new_position(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = pipeline.analyze(pipeline.load(project))
    query_file = project.parent / "query.sql"
    query_file.write_text("-- moved down by two lines\n\n" + query_file.read_text())
    seen = analyzed_names(monkeypatch)
    after = pipeline.analyze(pipeline.load(project))
    lines = [(a.pos, b.pos) for a, b in zip(before.queries, after.queries, strict=True)]
    assert seen == [] and all(
        old and new and old.line and new.line == old.line + 2 for old, new in lines
    )


def test_a_schema_edit_invalidates_catalog_and_queries(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline.analyze(pipeline.load(project))
    schema = project.parent / "schema.sql"
    schema.write_text(schema.read_text().replace("note TEXT", "note TEXT NOT NULL"))
    seen = analyzed_names(monkeypatch)
    after = pipeline.analyze(pipeline.load(project))
    note = after.catalog.tables[0].columns[5]
    assert len(seen) == 12 and note.name == "note" and not note.nullable


def test_no_cache_is_written_when_disabled(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DISABLE_ENV, "1")
    pipeline.analyze(pipeline.load(project))
    assert cache_files(project) == [] and not (project.parent / ".scaffold").exists()


def test_a_corrupt_cache_is_ignored_and_replaced(project: Path) -> None:
    fresh = pipeline.analyze(pipeline.load(project))
    [cache] = cache_files(project)
    cache.write_bytes(b"not a pickle")
    assert pipeline.analyze(pipeline.load(project)) == fresh
    assert cache.read_bytes() != b"not a pickle"


def test_deferred_writes_wait_for_the_caller(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The daemon answers first and writes the cache after: inside deferred_writes nothing is
    written; doing the collected writes gives the cache a plain run would have written."""
    from scaffold.analyze.cache import deferred_writes

    with deferred_writes() as writes:
        first = pipeline.analyze(pipeline.load(project))
    assert cache_files(project) == [] and len(writes) == 1
    for write in writes:
        write()
    assert len(cache_files(project)) == 1
    seen = analyzed_names(monkeypatch)
    assert pipeline.analyze(pipeline.load(project)) == first and seen == []


def planned(project: Path) -> dict[str, str]:
    """Every file a run would write: path -> content (no tests run, nothing written)."""
    return {f.path: f.content for f in pipeline.plan_outputs(project)}


def schema_ddl_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record each time the generated tests' schema DDL is built."""
    from scaffold.plan import ddl

    calls: list[str] = []
    real = ddl.schema_ddl

    def spy(catalog: Catalog, dialect: str) -> list[str]:
        calls.append(dialect)
        return real(catalog, dialect)

    monkeypatch.setattr(ddl, "schema_ddl", spy)
    return calls


def first_gen(project: Path) -> None:
    """A gen without tests: it keeps what it derived from the schema for the next runs."""
    pipeline.generate(project, run_tests=False)


def test_a_warm_gen_reuses_what_depends_on_the_schema_alone(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One query changed: the tests' schema DDL and sample sources come from the cache, and the
    output is what a run without any cache writes."""
    first_gen(project)
    synth.change_one_query(project.parent)
    calls = schema_ddl_calls(monkeypatch)
    warm = planned(project)
    assert calls == []
    monkeypatch.setenv(DISABLE_ENV, "1")
    assert warm == planned(project) and calls == ["sqlite", "postgres"]


def test_what_the_schema_gave_is_recomputed_when_the_schema_or_the_planner_changes(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first_gen(project)
    calls = schema_ddl_calls(monkeypatch)
    monkeypatch.setattr(cache_module, "_planner_fingerprint", lambda: "another planner")
    planned(project)
    assert calls == ["sqlite", "postgres"]

    monkeypatch.undo()
    first_gen(project)
    schema = project.parent / "schema.sql"
    schema.write_text(schema.read_text().replace("note TEXT", "note TEXT NOT NULL"))
    calls = schema_ddl_calls(monkeypatch)
    fresh = planned(project)
    conftest = next(text for path, text in fresh.items() if path.endswith("conftest.py"))
    assert calls == ["sqlite", "postgres"] and '"note" TEXT NOT NULL' in conftest


def test_a_dry_run_keeps_nothing_it_derived(project: Path) -> None:
    pipeline.generate(project, dry_run=True)
    assert cache_files(project) == [] and not list(
        (project.parent.parent / "cache").rglob("*.derived")
    )
