"""The real corpus as benchmark projects: each case copied with a scaffold spec and a sqlc.yaml
over the same files, keeping only the queries BOTH tools accept (so both do the same work).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from bench import synth

REPO = Path(__file__).resolve().parent.parent
CORPORA = (Path("/work/shared/corpus"), REPO / "tests" / "corpus")
_ANNOTATION = re.compile(r"^\s*(?:--|/\*)\s*name:\s*(\w+)", re.MULTILINE)


def corpus_cases() -> list[Path]:
    cases = []
    for corpus in CORPORA:
        if corpus.is_dir():
            cases += [c for c in sorted(corpus.iterdir()) if (c / "query.sql").is_file()]
    return cases


def prepare_corpus(case: Path, work: Path) -> tuple[Path, int, int]:
    """Copy `case` to `work`, add both configs, drop queries either tool rejects.

    Returns (folder, queries kept, tables).
    """
    text = (case / "SOURCE.txt").read_text()
    engine = re.search(r"Engine:\s*(sqlite|postgresql|mysql)", text)
    dialect = engine.group(1) if engine else "sqlite"
    shutil.copytree(case, work)
    schema = "schema.sql" if (work / "schema.sql").exists() else "schema"
    spec_engine = "postgres" if dialect == "postgresql" else dialect
    spec = synth.spec_yaml(case.name.replace("-", "_"), engine=spec_engine, schema=schema)
    (work / "scaffold.yaml").write_text(spec)
    (work / "sqlc.yaml").write_text(synth.sqlc_yaml(engine=dialect, schema=schema))
    rejected = _sqlc_rejects(case) | _scaffold_rejects(work / "scaffold.yaml")
    kept = _drop_blocks(work / "query.sql", rejected)
    return work, kept, _count_tables(work / schema)


def _sqlc_rejects(case: Path) -> set[str]:
    from tests.sqlc_reference import run_sqlc

    return set(run_sqlc(case).rejected)


def _scaffold_rejects(spec_path: Path) -> set[str]:
    """Names of the queries scaffold's analysis rejects (each analyzed alone)."""
    from scaffold import pipeline
    from scaffold.analyze.query import analyze_query
    from scaffold.errors import ScaffoldError

    spec = pipeline.load(spec_path)
    catalog = pipeline.read_catalog(spec)
    rejected = set()
    for query in spec.queries:
        try:
            analyze_query(query, catalog)
        except ScaffoldError:
            rejected.add(query.name)
    return rejected


def _drop_blocks(path: Path, names: set[str]) -> int:
    """Remove the annotated query blocks named in `names`; return how many blocks remain."""
    text = path.read_text()
    starts = [m.start() for m in _ANNOTATION.finditer(text)]
    head = text[: starts[0]] if starts else text
    blocks = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    kept = [b for b in blocks if _block_name(b) not in names]
    path.write_text(head + "".join(kept))
    return len(kept)


def _block_name(block: str) -> str:
    match = _ANNOTATION.match(block)
    return match.group(1) if match else ""


def _count_tables(schema: Path) -> int:
    files = [schema] if schema.is_file() else sorted(schema.glob("*.sql"))
    text = "".join(f.read_text() for f in files)
    return len(re.findall(r"CREATE\s+TABLE", text, re.IGNORECASE))
