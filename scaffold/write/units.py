"""The LLM-written units of a plan: their jobs from the rendered skeletons, and the results put
back into the run's files with their provenance (model, prompt hash, attempts, tokens, tests)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold.changes import OutputFile
from scaffold.errors import Location
from scaffold.plan.model import Contract, Plan
from scaffold.spec.model import Spec

if TYPE_CHECKING:  # the writer imports libcst and openai: only runs with LLM units pay for them
    from scaffold.write.llm import LLMSettings, ModelClient, Written
    from scaffold.write.progress import OnProgress
    from scaffold.write.prompts import UnitJob


@dataclass(frozen=True)
class LLMOptions:
    """What the command line says about the model; None keeps the spec's setting."""

    model: str | None = None
    base_url: str | None = None
    max_attempts: int | None = None
    offline: bool = False
    # For `scaffold check`: an uncached unit keeps its skeleton (and so shows as stale).
    missing_ok: bool = False
    refresh: tuple[str, ...] = ()  # units to ask again although their answer is cached
    token_budget: int | None = None
    temperature: float | None = None
    concurrency: int | None = None


def llm_settings(spec: Spec, options: LLMOptions) -> LLMSettings:
    from scaffold.write.llm import resolve_settings

    settings = resolve_settings(
        spec.writer.llm,
        model=options.model,
        base_url=options.base_url,
        max_attempts=options.max_attempts,
        temperature=options.temperature,
        concurrency=options.concurrency,
        offline=options.offline or options.missing_ok,
    )
    return replace(
        settings,
        missing_ok=options.missing_ok,
        refresh=frozenset(options.refresh),
        token_budget=options.token_budget,
    )


def write_llm_units(
    spec: Spec,
    the_plan: Plan,
    files: Sequence[OutputFile],
    options: LLMOptions,
    *,
    progress: OnProgress | None = None,
    client: ModelClient | None = None,
) -> list[OutputFile]:
    """The run's files with every LLM unit's module written by the model (or the cache)."""
    from scaffold.write.llm import write_units

    found = [_job(c, files, spec) for c in the_plan.contracts if c.writer == "llm"]
    jobs = [j for j in found if j is not None]
    written = write_units(
        jobs, llm_settings(spec, options), spec.root, progress=progress, client=client
    )
    by_path = {w.path: w for w in written}
    return [f if f.path not in by_path else _with_answer(f, by_path[f.path]) for f in files]


def _with_answer(f: OutputFile, w: Written) -> OutputFile:
    """The file with the unit's module and its provenance (only the prompt hash when pending)."""
    return replace(f, content=w.text, provenance=w.provenance, pending=w.pending)


def _job(contract: Contract, files: Sequence[OutputFile], spec: Spec) -> UnitJob | None:
    """The unit's Python module, its tests ("tests.<unit>") and everything else of the run."""
    from scaffold.write.prompts import UnitJob

    own = [f for f in files if f.unit == contract.unit and f.path.endswith(".py")]
    if not own:
        return None
    tests_unit = f"tests.{contract.unit}"
    tests = {f.path: f.content for f in files if f.unit == tests_unit and f.path.endswith(".py")}
    tree = {f.path: _content(f, spec.root) for f in files if f.path != own[0].path}
    tree = {p: t for p, t in tree.items() if p not in tests}
    where = _unit_location(spec, contract.unit)
    return UnitJob(contract, own[0].path, own[0].content, tests, tree, where)


def _unit_location(spec: Spec, unit: str) -> Location | None:
    """Where the spec asks for the unit: its form, or the first derived state it computes."""
    if unit.startswith("forms."):
        name = unit.removeprefix("forms.")
        return next((f.pos for f in spec.forms if f.name == name), None)
    if unit == "derived":
        from scaffold.plan.derived import llm_derived  # imports sqlglot: only LLM runs pay

        return next((s.pos for s in llm_derived(spec)), None)
    return None


def _content(f: OutputFile, root: Path) -> str:
    """An extension module is the user's version when there is one (as the staging does)."""
    users = root / f.path
    if f.once and users.is_file():
        return users.read_text(encoding="utf-8")
    return f.content


def doctor_report(
    spec_path: Path, *, model: str | None = None, base_url: str | None = None
) -> tuple[str, bool]:
    """`scaffold doctor`: the checks in words, and whether all passed. Without a spec file
    the defaults of writer.llm apply."""
    from scaffold.spec.model import LLMSpec
    from scaffold.write.client import doctor, resolve_settings

    llm = LLMSpec()
    if spec_path.is_file():
        from scaffold.spec.load import load_spec

        llm = load_spec(spec_path).writer.llm
    found = doctor(resolve_settings(llm, model=model, base_url=base_url))
    text = "\n".join(f"{'ok' if ok else 'problem'}: {line}" for ok, line in found)
    return text, all(ok for ok, _ in found)
