"""The one place where the order of the stages is written down.

load -> analyze -> plan -> write -> validate -> emit. Each step takes plain data and returns
plain data; the CLI calls the functions here and nothing deeper.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold.errors import ValidationError

if TYPE_CHECKING:  # kept out of the import path: a no-change `gen` needs none of them
    from scaffold.analyze.cache import AnalysisCache
    from scaffold.analyze.model import Catalog, QueryInfo
    from scaffold.emit import Change, OutputFile
    from scaffold.plan.model import Plan
    from scaffold.spec.model import QuerySpec, Spec
    from scaffold.write.progress import OnProgress
    from scaffold.write.units import LLMOptions

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Analysis:
    catalog: Catalog
    queries: tuple[QueryInfo, ...]
    # Where the plan stage keeps what it computes from the schema alone, across runs.
    cache: AnalysisCache | None = field(default=None, compare=False, repr=False)

    def save(self) -> None:
        """Keep what the plan stage added to the cache (a dry run does not call this)."""
        if self.cache is not None:
            self.cache.save()


@dataclass(frozen=True)
class GenResult:
    changes: tuple[Change, ...]
    warnings: tuple[str, ...]
    tests_passed: int | None  # None when the generated tests were not run


def load(spec_path: Path) -> Spec:
    from scaffold.spec.load import load_spec

    return load_spec(spec_path)


def analyze(spec: Spec, *, save: bool = True) -> Analysis:
    """The catalog and every query's facts; unchanged ones come from the analysis cache
    (written back unless `save` is false: a dry run writes nothing)."""
    from scaffold.analyze.cache import AnalysisCache

    cache = AnalysisCache.open(spec)
    catalog = cache.catalog(lambda: read_catalog(spec))
    queries = cache.analyze(spec.queries, catalog, _analyze_queries)
    if save:
        cache.save()
    return Analysis(catalog, queries, cache)


def _analyze_queries(queries: Sequence[QuerySpec], catalog: Catalog) -> tuple[QueryInfo, ...]:
    from scaffold.analyze.query import analyze_queries  # only on a cache miss: ~30 ms to import

    return analyze_queries(queries, catalog)


def read_catalog(spec: Spec) -> Catalog:
    """The catalog from the schema files when the spec lists some, else from database.url."""
    from scaffold.analyze.catalog import build_catalog

    database = spec.database
    if database.schema or database.url is None:
        return build_catalog(database.dialect, database.schema)
    # SQLAlchemy costs ~150 ms to import: only reflection needs it.
    from scaffold.analyze.reflect import reflect_catalog

    return reflect_catalog(database.url, database.dialect, root=spec.root, pos=database.pos)


def plan(spec: Spec, analysis: Analysis) -> Plan:
    from scaffold.plan.contracts import build_plan
    from scaffold.plan.model import compute_now

    memo = compute_now if analysis.cache is None else analysis.cache.remember
    return build_plan(spec, analysis.catalog, analysis.queries, memo)


def write(
    spec: Spec,
    the_plan: Plan,
    llm: LLMOptions | None = None,
    progress: OnProgress | None = None,
) -> list[OutputFile]:
    """Render every contract with the templates, then have the model write the LLM units
    (contract writer "llm") into their skeletons. Without `llm` options no model is called;
    `progress` hears of every unit the writer settles."""
    from scaffold.emit import OutputFile as output_file
    from scaffold.write.template import header, render_contract

    files: list[OutputFile] = []
    for contract in the_plan.contracts:
        rendered = render_contract(contract, spec.path.name)
        once = contract.kind == "extension"
        for path, text in rendered.items():
            if once:  # the user's module: no "do not edit" header
                text = text.removeprefix(header(path, spec.path.name))
            files.append(
                output_file(path, text, contract.unit, contract.hash, contract.writer, once=once)
            )
    if any(c.writer == "llm" for c in the_plan.contracts):
        from scaffold.write.units import LLMOptions, write_llm_units

        options = llm or LLMOptions(missing_ok=True)
        files = write_llm_units(spec, the_plan, files, options, progress=progress)
    return files


def input_hashes(spec: Spec) -> dict[str, str]:
    """sha256 of every input the output depends on, keyed by path relative to the spec folder."""
    from scaffold.hashing import hash_inputs

    return hash_inputs(spec)


def plan_outputs(spec_path: Path) -> list[OutputFile]:
    """Everything a run would write, without validating or writing it (and without a model:
    an LLM unit comes from the cache, or stays a skeleton and so shows as stale)."""
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
    llm: LLMOptions | None = None,
    on_unit: OnProgress | None = None,
) -> GenResult:
    """Load, analyze, plan, write, validate on a staged tree, then emit atomically.

    `progress` hears of the stages in words; `on_unit` of each LLM unit (default: in words,
    through `progress`). A dry run never asks a model: an uncached unit is reported as such."""
    from scaffold.emit import discard_staging, stage

    say = progress or (lambda _msg: None)
    if not (dry_run or force or merge):
        unchanged = _up_to_date(spec_path)
        if unchanged is not None:
            say("inputs and generated files unchanged since the last run: nothing to do")
            return GenResult(unchanged, (), None)
    spec = load(spec_path)
    analysis = analyze(spec, save=not dry_run)
    say(f"analyzed {len(analysis.catalog.tables)} tables, {len(analysis.queries)} queries")
    the_plan = plan(spec, analysis)
    if not dry_run:
        analysis.save()
    options = _llm_options(llm, dry_run)
    with _keeping_compiled_templates(not dry_run):
        files = write(spec, the_plan, options, on_unit or (lambda event: say(str(event))))
    say(f"wrote {len(the_plan.contracts)} units, {len(files)} files")
    if dry_run:
        return GenResult(_dry_run_changes(spec, files), the_plan.warnings, None)
    if _nothing_changes(spec, files):
        # Byte for byte what was validated last time: no staging, no tests; emit writes nothing
        # (unless the manifest or a kept base copy needs repair).
        say("no generated file changes; generated tests not re-run")
        return GenResult(tuple(_emit(spec, files, None, force, merge)), the_plan.warnings, None)
    staged = stage(spec.root, files)
    try:
        passed = validate(spec, files, staged) if run_tests else None
    except BaseException:
        discard_staging(staged)
        raise
    if passed is not None:
        say(f"generated tests passed: {passed}")
    changes = _emit(spec, files, staged, force, merge)
    return GenResult(tuple(changes), the_plan.warnings, passed)


def _keeping_compiled_templates(keep: bool) -> AbstractContextManager[None]:
    """A dry run writes nothing, the compiled templates' cache included."""
    from scaffold.write.compiled import read_only

    return nullcontext() if keep else read_only()


def _llm_options(llm: LLMOptions | None, dry_run: bool) -> LLMOptions:
    """A dry run writes nothing, the answer cache included: it never asks a model."""
    from scaffold.write.units import LLMOptions

    options = llm or LLMOptions()
    return replace(options, missing_ok=True) if dry_run else options


def _dry_run_changes(spec: Spec, files: Sequence[OutputFile]) -> tuple[Change, ...]:
    """What a run would change, the LLM units that would be asked named as such."""
    from scaffold.emit import plan_changes

    pending = {f.path for f in files if f.pending}
    changes = plan_changes(spec.root, files)
    return tuple(_asking(c) if c.path in pending else c for c in changes)


def _asking(change: Change) -> Change:
    note = "would ask the model" + (f"; {change.note}" if change.note else "")
    return replace(change, note=note)


def _up_to_date(spec_path: Path) -> tuple[Change, ...] | None:
    """Every file as "unchanged" when `scaffold check` finds nothing stale, else None.

    Same inputs (spec, schema, queries, templates) and the files as last written mean the same
    output: the run need not analyze, plan, render or test anything.
    """
    from scaffold.changes import Change
    from scaffold.check import check
    from scaffold.errors import ScaffoldError
    from scaffold.manifest import read_manifest

    try:
        # A changed input is enough to say no: the (costly) naming of stale units is skipped.
        if not check(spec_path, plan_outputs=lambda _path: ()).ok:
            return None
        manifest = read_manifest(spec_path.resolve().parent)
    except ScaffoldError:
        return None  # no manifest yet, or a bad one: the full run reports it
    if manifest is None:
        return None
    files = [Change(path, "unchanged", rec.unit) for path, rec in sorted(manifest.files.items())]
    return (*files, *(Change(path, "unchanged", None) for path in manifest.extensions))


def _nothing_changes(spec: Spec, files: Sequence[OutputFile]) -> bool:
    from scaffold.emit import plan_changes

    return all(c.action == "unchanged" for c in plan_changes(spec.root, files))


def _emit(
    spec: Spec, files: Sequence[OutputFile], staged: Path | None, force: bool, merge: bool
) -> list[Change]:
    from scaffold.emit import emit
    from scaffold.hashing import input_roles

    roles = input_roles(spec)
    return emit(
        spec.root,
        files,
        input_hashes(spec),
        staged=staged,
        force=force,
        merge=merge,
        input_roles=roles,
    )


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
