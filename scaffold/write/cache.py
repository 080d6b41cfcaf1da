"""Accepted model answers in .scaffold/llm/, keyed by a hash of model, parameters and prompt.

Small JSON files meant to be committed: an unchanged unit regenerates offline, with no model
call and the same bytes. They hold the answer and its provenance, never a key or a URL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scaffold.atomic import replace_file

CACHE_DIR = ".scaffold/llm"
NOT_RECORDED = "not recorded"


@dataclass(frozen=True)
class CachedAnswer:
    unit: str
    model: str  # the model that produced the answer, as the server named it
    prompt_hash: str
    answer: str
    attempts: int  # answers asked until this one was accepted
    tokens: int  # tokens those attempts used
    # The accepting attempt's generated tests ("3 passed", "not run"); older entries lack it.
    test_result: str = NOT_RECORDED


def prompt_hash(messages: Sequence[Mapping[str, str]]) -> str:
    """sha256 of the prompt's messages (role and content), canonical JSON."""
    blob = json.dumps([dict(m) for m in messages], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def cache_key(model: str, temperature: float, prompt: str) -> str:
    """The answer's key: what was asked, of which model, with which parameters."""
    blob = json.dumps({"model": model, "temperature": temperature, "prompt": prompt})
    return hashlib.sha256(blob.encode()).hexdigest()


class AnswerCache:
    """The folder of cached answers of one project."""

    def __init__(self, root: Path) -> None:
        self.folder = root / CACHE_DIR

    def _path(self, key: str) -> Path:
        return self.folder / f"{key[:32]}.json"

    def get(self, key: str) -> CachedAnswer | None:
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        return _answer(data)

    def put(self, key: str, entry: CachedAnswer) -> None:
        """Write atomically (concurrent units write different files)."""
        data = {"key": key, **vars(entry)}
        text = json.dumps(data, indent=2, sort_keys=True) + "\n"
        replace_file(self._path(key), text.encode("utf-8"))


def _answer(data: dict[str, Any]) -> CachedAnswer | None:
    try:
        return CachedAnswer(
            unit=str(data["unit"]),
            model=str(data["model"]),
            prompt_hash=str(data["prompt_hash"]),
            answer=str(data["answer"]),
            attempts=int(data["attempts"]),
            tokens=int(data["tokens"]),
            test_result=str(data.get("test_result", NOT_RECORDED)),
        )
    except (KeyError, TypeError, ValueError):
        return None
