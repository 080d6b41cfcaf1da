"""The LLM writer: asks the model for each unit's code, checks it, gives precise feedback, and
caches what it accepts; nothing it refuses is written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from scaffold.errors import ScaffoldError, WriteError, raise_all
from scaffold.write.attempt import Verdict, evaluate
from scaffold.write.cache import AnswerCache, CachedAnswer, cache_key, prompt_hash
from scaffold.write.client import LLMSettings, ModelClient, resolve_settings
from scaffold.write.prompts import Message, UnitJob, feedback_message, unit_messages

__all__ = ["LLMSettings", "ModelClient", "Written", "resolve_settings", "write_units"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Written:
    """A unit's accepted module and its provenance."""

    unit: str
    path: str
    text: str
    model: str
    prompt_hash: str
    attempts: int
    tokens: int
    cached: bool


def write_units(
    jobs: Sequence[UnitJob],
    settings: LLMSettings,
    root: Path,
    *,
    progress: Progress | None = None,
    client: ModelClient | None = None,
) -> list[Written]:
    """Every job's module, asked in parallel up to `concurrency`; all failures raised at once."""
    if not jobs:
        return []
    writer = _UnitWriter(settings, AnswerCache(root), client, progress or (lambda _m: None))
    with ThreadPoolExecutor(max_workers=settings.concurrency) as pool:
        outcomes = list(pool.map(writer.safe_write, jobs))
    raise_all([o for o in outcomes if isinstance(o, ScaffoldError)])
    return [o for o in outcomes if isinstance(o, Written)]


class _UnitWriter:
    def __init__(
        self,
        settings: LLMSettings,
        cache: AnswerCache,
        client: ModelClient | None,
        say: Progress,
    ) -> None:
        self.settings = settings
        self.cache = cache
        self._client = client
        self.say = say
        self.spent = 0  # tokens of this run, across units (threads)
        self._lock = threading.Lock()

    def _check_budget(self, unit: str) -> None:
        budget = self.settings.token_budget
        if budget is not None and self.spent >= budget:
            raise WriteError(
                f"unit {unit}: the run's token budget ({budget}) is used up ({self.spent} "
                "tokens); nothing was written",
                hint="raise --token-budget, or run again: accepted units come from the cache",
            )

    def client(self) -> ModelClient:
        if self._client is None:
            self._client = ModelClient(self.settings)
        return self._client

    def safe_write(self, job: UnitJob) -> Written | ScaffoldError:
        try:
            return self.write(job)
        except ScaffoldError as err:
            return err

    def write(self, job: UnitJob) -> Written:
        messages = unit_messages(job)
        hashed = prompt_hash(messages)
        key = cache_key(self.settings.model, self.settings.temperature, hashed)
        refresh = job.contract.unit in self.settings.refresh
        cached = None if refresh else self.cache.get(key)
        if cached is not None:
            return self._from_cache(job, cached)
        if self.settings.missing_ok:
            return Written(job.contract.unit, job.path, job.skeleton, "", hashed, 0, 0, False)
        if self.settings.offline:
            raise WriteError(
                f"unit {job.contract.unit}: no cached answer of model {self.settings.model!r} "
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
        return Written(
            job.contract.unit,
            job.path,
            verdict.module,
            cached.model,
            cached.prompt_hash,
            cached.attempts,
            cached.tokens,
            cached=True,
        )

    def _ask(self, job: UnitJob, messages: list[Message], hashed: str, key: str) -> Written:
        unit = job.contract.unit
        history: list[Verdict] = []
        tokens = 0
        for attempt in range(1, self.settings.max_attempts + 1):
            self._check_budget(unit)
            answer = self.client().complete(unit, messages)
            tokens += answer.tokens
            with self._lock:
                self.spent += answer.tokens
            verdict = evaluate(
                job,
                answer.text,
                answer.finish_reason,
                earlier=history,
                test_timeout=self.settings.test_timeout,
            )
            outcome = "accepted" if verdict.ok else f"{len(verdict.problems)} problem(s)"
            self.say(f"llm {unit}: attempt {attempt}, {outcome} ({tokens} tokens so far)")
            if verdict.ok and verdict.module is not None:
                # Only the checked code the module took: whatever else was said stays out.
                entry = CachedAnswer(unit, answer.model, hashed, verdict.kept, attempt, tokens)
                self.cache.put(key, entry)
                return Written(
                    unit,
                    job.path,
                    verdict.module,
                    answer.model,
                    hashed,
                    attempt,
                    tokens,
                    cached=False,
                )
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
