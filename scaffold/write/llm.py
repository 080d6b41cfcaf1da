"""The LLM writer: asks the model for each unit's code, checks it, gives precise feedback, and
caches what it accepts; nothing it refuses is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from scaffold.errors import ScaffoldError, WriteError, raise_all
from scaffold.manifest import Provenance
from scaffold.write.attempt import Verdict, evaluate
from scaffold.write.cache import AnswerCache, CachedAnswer, cache_key, prompt_hash
from scaffold.write.client import LLMSettings, ModelClient, resolve_settings
from scaffold.write.progress import OnProgress, Tally, UnitProgress
from scaffold.write.prompts import Message, UnitJob, feedback_message, unit_messages

__all__ = [
    "LLMSettings",
    "ModelClient",
    "OnProgress",
    "UnitProgress",
    "Written",
    "resolve_settings",
    "write_units",
]
PENDING = "not cached: would ask the model"


@dataclass(frozen=True)
class Written:
    """A unit's accepted module and its provenance."""

    unit: str
    path: str
    text: str
    provenance: Provenance
    cached: bool
    # No answer yet (a dry run, `scaffold check`): the text is the skeleton, and the
    # provenance only its prompt hash.
    pending: bool = False


class BudgetSpent(WriteError):
    """The run's token budget is used up before this unit was written."""

    def __init__(self, unit: str, budget: int, spent: int) -> None:
        super().__init__(
            f"unit {unit}: the run's token budget ({budget}) is used up ({spent} tokens); "
            "nothing was written",
            hint="raise --token-budget, or run again: accepted units come from the cache",
        )
        self.unit = unit


def write_units(
    jobs: Sequence[UnitJob],
    settings: LLMSettings,
    root: Path,
    *,
    progress: OnProgress | None = None,
    client: ModelClient | None = None,
) -> list[Written]:
    """Every job's module, asked in parallel up to `concurrency`; all failures raised at once."""
    if not jobs:
        return []
    tally = Tally(len(jobs), progress)
    writer = _UnitWriter(settings, AnswerCache(root), client, tally)
    with ThreadPoolExecutor(max_workers=settings.concurrency) as pool:
        outcomes = list(pool.map(writer.safe_write, jobs))
    errors = [o for o in outcomes if isinstance(o, ScaffoldError)]
    raise_all(_one_budget_error(errors, settings.token_budget, tally.tokens))
    return [o for o in outcomes if isinstance(o, Written)]


def _one_budget_error(
    errors: Sequence[ScaffoldError], budget: int | None, spent: int
) -> list[ScaffoldError]:
    """The units the budget stopped, as one error: one cause, said once."""
    stopped = [e.unit for e in errors if isinstance(e, BudgetSpent)]
    if len(stopped) < 2 or budget is None:
        return list(errors)
    names = ", ".join(sorted(stopped))
    joined = WriteError(
        f"the run's token budget ({budget}) is used up ({spent} tokens); {len(stopped)} "
        f"unit(s) not written: {names}; nothing was written",
        hint="raise --token-budget, or run again: accepted units come from the cache",
    )
    return [joined, *(e for e in errors if not isinstance(e, BudgetSpent))]


class _UnitWriter:
    def __init__(
        self,
        settings: LLMSettings,
        cache: AnswerCache,
        client: ModelClient | None,
        tally: Tally,
    ) -> None:
        self.settings = settings
        self.cache = cache
        self._client = client
        self.tally = tally

    def _check_budget(self, unit: str) -> None:
        # Requests already under way finish: the budget can be passed by their answers.
        budget = self.settings.token_budget
        if budget is not None and self.tally.tokens >= budget:
            raise BudgetSpent(unit, budget, self.tally.tokens)

    def client(self) -> ModelClient:
        if self._client is None:
            self._client = ModelClient(self.settings)
        return self._client

    def safe_write(self, job: UnitJob) -> Written | ScaffoldError:
        try:
            return self.write(job)
        except ScaffoldError as err:
            budget = isinstance(err, BudgetSpent)
            step = "stopped: the token budget is used up" if budget else "failed"
            self.tally.finished(job.contract.unit, "failed", step)
            if err.location is None and job.location is not None:
                err.location = job.location
            return err

    def write(self, job: UnitJob) -> Written:
        unit = job.contract.unit
        messages = unit_messages(job)
        hashed = prompt_hash(messages)
        key = cache_key(self.settings.model, self.settings.temperature, hashed)
        refresh = unit in self.settings.refresh
        cached = None if refresh else self.cache.get(key)
        if cached is not None:
            written = self._from_cache(job, cached)
            self.tally.finished(unit, "cached", "from the cache")
            return written
        if self.settings.missing_ok:
            self.tally.finished(unit, "pending", PENDING)
            asked = Provenance(prompt_hash=hashed)
            return Written(unit, job.path, job.skeleton, asked, cached=False, pending=True)
        if self.settings.offline:
            raise WriteError(
                f"unit {unit}: no cached answer of model {self.settings.model!r} "
                "for this prompt, and --offline forbids asking",
                hint="run `scaffold gen` without --offline once and commit .scaffold/llm/",
            )
        return self._ask(job, messages, hashed, key)

    def _from_cache(self, job: UnitJob, cached: CachedAnswer) -> Written:
        verdict = evaluate(job, cached.answer, "stop", run_tests=False)
        if verdict.module is None:
            reasons = "; ".join(verdict.problems)
            raise WriteError(
                f"unit {job.contract.unit}: the cached answer no longer passes: {reasons}",
                hint="delete it from .scaffold/llm/ and run `scaffold gen` again",
            )
        # Provenance as recorded when the answer was accepted: the same manifest bytes.
        return _written(job, verdict.module, cached, cached=True)

    def _ask(self, job: UnitJob, messages: list[Message], hashed: str, key: str) -> Written:
        unit = job.contract.unit
        history: list[Verdict] = []
        tokens = 0
        for attempt in range(1, self.settings.max_attempts + 1):
            self._check_budget(unit)
            answer = self.client().complete(unit, messages)
            tokens += answer.tokens
            verdict = evaluate(
                job,
                answer.text,
                answer.finish_reason,
                earlier=history,
                test_timeout=self.settings.test_timeout,
            )
            accepted = verdict.ok
            outcome = "accepted" if accepted else f"{len(verdict.problems)} problem(s)"
            self.tally.answered(unit, f"attempt {attempt}, {outcome}", answer.tokens, last=accepted)
            if accepted and verdict.module is not None:
                # Only the checked code the module took: whatever else was said stays out.
                entry = CachedAnswer(
                    unit, answer.model, hashed, verdict.kept, attempt, tokens, verdict.test_result
                )
                self.cache.put(key, entry)
                return _written(job, verdict.module, entry, cached=False)
            repeated = bool(history) and _gist(history[-1]) == _gist(verdict)
            history.append(verdict)
            if repeated:
                break
            messages = [
                *messages,
                {"role": "assistant", "content": answer.text},
                feedback_message(verdict.problems),
            ]
        raise _gave_up(unit, history)


def _written(job: UnitJob, module: str, entry: CachedAnswer, *, cached: bool) -> Written:
    provenance = Provenance(
        entry.model, entry.prompt_hash, entry.attempts, entry.tokens, entry.test_result
    )
    return Written(job.contract.unit, job.path, module, provenance, cached=cached)


def _gave_up(unit: str, history: Sequence[Verdict]) -> WriteError:
    last = history[-1].problems
    repeated = len(history) > 1 and _gist(history[-2]) == _gist(history[-1])
    why = "the same failure repeated" if repeated else f"{len(history)} attempt(s) failed"
    shown = "\n  ".join(f"{i}. {p.splitlines()[0]}" for i, p in enumerate(last[:8], start=1))
    return WriteError(
        f"unit {unit}: the model's code was refused ({why}); nothing was written",
        hint=f"last reasons:\n  {shown}\n  raise writer.llm.max_attempts or try a stronger model",
    )


def _gist(verdict: Verdict) -> tuple[str, ...]:
    """The first line of each problem: a repeat, whatever temporary paths the output shows."""
    return tuple(p.splitlines()[0] if p else "" for p in verdict.problems)
