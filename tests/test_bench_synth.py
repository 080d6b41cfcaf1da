"""The benchmark's synthetic projects load, analyze, and give sqlc the same queries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench import synth
from scaffold import pipeline


@pytest.mark.parametrize(("queries", "tables"), [(10, 5), (40, 8)])
def test_synthetic_project_loads_and_analyzes(tmp_path: Path, queries: int, tables: int) -> None:
    spec = synth.write_project(tmp_path, queries, tables)
    analysis = pipeline.analyze(pipeline.load(spec))
    assert len(analysis.catalog.tables) == tables
    assert len(analysis.queries) == queries


def test_every_kind_of_statement_appears(tmp_path: Path) -> None:
    analysis = pipeline.analyze(pipeline.load(synth.write_project(tmp_path, 40, 8)))
    kinds = {q.kind for q in analysis.queries}
    assert {"select", "insert", "update", "delete"} <= kinds
    assert any(q.has_aggregate for q in analysis.queries)
    assert any(len(q.reads) > 1 for q in analysis.queries)  # joins


def test_sqlc_config_reads_the_same_files(tmp_path: Path) -> None:
    synth.write_project(tmp_path, 10, 5)
    config = (tmp_path / "sqlc.yaml").read_text()
    spec = (tmp_path / "scaffold.yaml").read_text()
    assert re.search(r'schema: "schema.sql"', config) and "schema: [schema.sql]" in spec
    assert 'queries: "query.sql"' in config and "file: query.sql" in spec


def test_change_one_query_edits_exactly_one(tmp_path: Path) -> None:
    synth.write_project(tmp_path, 20, 5)
    before = (tmp_path / "query.sql").read_text().split("\n")
    synth.change_one_query(tmp_path)
    after = (tmp_path / "query.sql").read_text().split("\n")
    assert sum(a != b for a, b in zip(before, after, strict=True)) == 1


def test_the_verdicts_count_projects_and_name_the_worst() -> None:
    from bench.run import Result, verdicts

    small = Result("small", 4, 1, {"sqlc_generate": [0.06], "inspect_warm": [0.15, 0.2, 0.18]})
    big = Result("big", 1000, 200, {"sqlc_generate": [5.0], "inspect_warm": [0.25]})
    lines = verdicts([small, big]).splitlines()
    warm = next(line for line in lines if line.strip().startswith("inspect warm /"))
    assert warm.endswith("1/2; worst 3.00x (small)")  # the median of small's runs: 0.18 s
    assert not any("daemon" in line for line in lines)  # nothing measured, nothing said
