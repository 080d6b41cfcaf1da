"""The one place where the order of the stages is written down.

load -> analyze -> plan -> write -> validate -> emit. Each step takes plain data and returns
plain data; the CLI calls the functions here and nothing deeper.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from scaffold.analyze.model import Catalog, QueryInfo
from scaffold.emit import Change, OutputFile
from scaffold.errors import ValidationError
from scaffold.plan.model import Plan
from scaffold.spec.model import Spec

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Analysis:
    catalog: Catalog
    queries: tuple[QueryInfo, ...]


@dataclass(frozen=True)
class GenResult:
    changes: tuple[Change, ...]
    warnings: tuple[str, ...]
    tests_passed: int | None  # None when the generated tests were not run


def load(spec_path: Path) -> Spec:
    from scaffold.spec.load import load_spec

    return load_spec(spec_path)


def analyze(spec: Spec) -> Analysis:
    from scaffold.analyze.catalog import build_catalog
    from scaffold.analyze.query import analyze_queries

    catalog = build_catalog(spec.database.dialect, spec.database.schema)
    return Analysis(catalog, analyze_queries(spec.queries, catalog))


def plan(spec: Spec, analysis: Analysis) -> Plan:
    from scaffold.plan.contracts import build_plan

    return build_plan(spec, analysis.catalog, analysis.queries)


def write(spec: Spec, the_plan: Plan) -> list[OutputFile]:
    from scaffold.write.template import render_contract

    files: list[OutputFile] = []
    for contract in the_plan.contracts:
        rendered = render_contract(contract, spec.path.name)
        for path, text in rendered.items():
            files.append(OutputFile(path, text, contract.unit, contract.hash, contract.writer))
    return files


def input_hashes(spec: Spec) -> dict[str, str]:
    """sha256 of every input the output depends on, keyed by path relative to the spec folder."""
    from scaffold.hashing import hash_inputs

    return hash_inputs(spec)


def plan_outputs(spec_path: Path) -> list[OutputFile]:
    """Everything a run would write, without validating or writing it."""
    spec = load(spec_path)
    return write(spec, plan(spec, analyze(spec)))


def validate(spec: Spec, files: Sequence[OutputFile], staged: Path) -> int:
    """Run the generated tests on the staged tree; return how many passed."""
    from scaffold.validate.runner import run_generated_tests

    assert spec.output is not None
    tests_dir = spec.output.tests.relative_to(spec.root).as_posix()
    report = run_generated_tests(staged, tests_dir)
    if report.failed or report.errors:
        raise ValidationError(
            f"{report.failed + report.errors} generated test(s) failed; nothing was written",
            hint="\n  ".join(f.describe() for f in report.failures[:10]),
        )
    return report.passed


def generate(
    spec_path: Path,
    *,
    dry_run: bool = False,
    force: bool = False,
    merge: bool = False,
    run_tests: bool = True,
    progress: Progress | None = None,
) -> GenResult:
    """Load, analyze, plan, write, validate on a staged tree, then emit atomically."""
    from scaffold.emit import discard_staging, emit, plan_changes, stage
    from scaffold.hashing import input_roles

    say = progress or (lambda _msg: None)
    spec = load(spec_path)
    analysis = analyze(spec)
    say(f"analyzed {len(analysis.catalog.tables)} tables, {len(analysis.queries)} queries")
    the_plan = plan(spec, analysis)
    files = write(spec, the_plan)
    say(f"wrote {len(the_plan.contracts)} units, {len(files)} files")
    if dry_run:
        return GenResult(tuple(plan_changes(spec.root, files)), the_plan.warnings, None)
    staged = stage(spec.root, files)
    try:
        passed = validate(spec, files, staged) if run_tests else None
    except BaseException:
        discard_staging(staged)
        raise
    if passed is not None:
        say(f"generated tests passed: {passed}")
    changes = emit(
        spec.root,
        files,
        input_hashes(spec),
        staged=staged,
        force=force,
        merge=merge,
        input_roles=input_roles(spec),
    )
    return GenResult(tuple(changes), the_plan.warnings, passed)


def inspect_report(spec_path: Path, *, as_json: bool) -> str:
    """The analysis of a spec, as text or as the stable JSON of `scaffold inspect --json`."""
    import json

    from scaffold.plan.lineage import invalidation
    from scaffold.report import inspect_json, inspect_text

    spec = load(spec_path)
    analysis = analyze(spec)
    lineage = invalidation(spec, analysis.catalog, analysis.queries)
    if as_json:
        data = inspect_json(spec, analysis.catalog, analysis.queries, lineage)
        return json.dumps(data, indent=2) + "\n"
    return inspect_text(spec, analysis.catalog, analysis.queries, lineage)
