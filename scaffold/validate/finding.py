"""One reason a model's answer is refused, with the line of the answer it concerns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One reason an answer is refused."""

    rule: str  # "syntax" | "contract" | "import" | "safety"
    message: str
    line: int | None = None

    def describe(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{self.rule}: {where}{self.message}"
