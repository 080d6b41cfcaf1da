"""Where a run's LLM units stand: counters shared by the writer's threads, reported as events
for a progress display (the command line draws them; the library never prints)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

StepKind = Literal["answer", "cached", "pending", "failed"]


@dataclass(frozen=True)
class UnitProgress:
    """One step of one unit, with the run's totals after it."""

    unit: str
    kind: StepKind
    step: str  # what happened, in words: "attempt 2: accepted", "from the cache"
    done: int  # units finished: written, from the cache, left as a skeleton, or failed
    total: int
    attempts: int  # answers received in this run, all units together
    tokens: int  # tokens used in this run, all units together

    @property
    def finished(self) -> bool:
        return self.done >= self.total

    def totals(self) -> str:
        return f"{self.done}/{self.total} units, {self.attempts} attempt(s), {self.tokens} tokens"

    def __str__(self) -> str:
        return f"llm {self.unit}: {self.step} [{self.totals()}]"


OnProgress = Callable[[UnitProgress], None]


class Tally:
    """The run's counters; each change is reported at once, in order, from any thread."""

    def __init__(self, total: int, report: OnProgress | None = None) -> None:
        self.total = total
        self.done = 0
        self.attempts = 0
        self.tokens = 0
        self._report = report
        self._lock = threading.Lock()

    def answered(self, unit: str, step: str, tokens: int, *, last: bool) -> None:
        """One answer of the model was judged; `last` when the unit is settled by it."""
        with self._lock:
            self.attempts += 1
            self.tokens += tokens
            self.done += int(last)
            self._say(unit, "answer", step)

    def finished(self, unit: str, kind: StepKind, step: str) -> None:
        """The unit is settled without a further answer (cached, pending or failed)."""
        with self._lock:
            self.done += 1
            self._say(unit, kind, step)

    def _say(self, unit: str, kind: StepKind, step: str) -> None:
        if self._report is not None:
            counts = (self.done, self.total, self.attempts, self.tokens)
            self._report(UnitProgress(unit, kind, step, *counts))
