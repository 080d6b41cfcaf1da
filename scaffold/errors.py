"""User-facing errors: one class per pipeline stage, each with a location and a hint.

The CLI catches ``ScaffoldError`` only; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Location:
    """Where something is in a user's file; line and column are 1-based."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class ScaffoldError(Exception):
    """An error in the user's input or environment, reported without a traceback."""

    stage = "scaffold"
    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        location: Location | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint

    def __str__(self) -> str:
        prefix = f"{self.location}: " if self.location else ""
        text = f"{prefix}{self.stage} error: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def to_json(self) -> dict[str, Any]:
        loc = self.location
        return {
            "stage": self.stage,
            "message": self.message,
            "file": loc.file if loc else None,
            "line": loc.line if loc else None,
            "column": loc.column if loc else None,
            "hint": self.hint,
        }


class SpecError(ScaffoldError):
    """The spec file is malformed or refers to something that does not exist."""

    stage = "spec"


class AnalysisError(ScaffoldError):
    """The schema or a query could not be analyzed."""

    stage = "analysis"


class LintError(ScaffoldError):
    """The spec breaks an ownership or data-flow rule."""

    stage = "lint"


class WriteError(ScaffoldError):
    """A writer (template or LLM) could not produce a unit."""

    stage = "write"
    exit_code = 1


class ValidationError(ScaffoldError):
    """A written unit broke its contract, the safety policy or its generated tests."""

    stage = "validate"
    exit_code = 1


class EmitError(ScaffoldError):
    """Files could not be written safely (hand edits, permissions)."""

    stage = "emit"
    exit_code = 1


class ErrorGroup(ScaffoldError):
    """Several errors of one run, reported together (capped when printed)."""

    CAP = 20

    def __init__(self, errors: Sequence[ScaffoldError]) -> None:
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.message, location=first.location, hint=first.hint)
        self.stage = first.stage
        self.exit_code = max(e.exit_code for e in self.errors)

    def __str__(self) -> str:
        shown = [str(e) for e in self.errors[: self.CAP]]
        rest = len(self.errors) - self.CAP
        if rest > 0:
            shown.append(f"... and {rest} more")
        return "\n".join(shown)

    def to_json(self) -> dict[str, Any]:
        return {"errors": [e.to_json() for e in self.errors]}


def raise_all(errors: Sequence[ScaffoldError]) -> None:
    """Raise nothing, the single error, or an ErrorGroup of all of them."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ErrorGroup(errors)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean ...?' hint for a misspelt name, or None when nothing is close."""
    import difflib  # only when a name is wrong: `check` need not pay for it

    pool = list(candidates)
    matches = difflib.get_close_matches(word, pool, n=3, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in pool}
        matches = [lowered[m] for m in difflib.get_close_matches(word.lower(), lowered, n=3)]
    if not matches:
        return None
    return "did you mean " + " or ".join(f'"{m}"' for m in matches) + "?"
