"""The manifest `.scaffold/lock.json`: what scaffold generated, from which inputs, which hashes.

Stable text (sorted keys, indent 2, no timestamps) so a second run writes the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from scaffold.errors import EmitError, Location

VERSION = 1
SCAFFOLD_DIR = ".scaffold"
LOCK_FILE = f"{SCAFFOLD_DIR}/lock.json"
BASE_DIR = f"{SCAFFOLD_DIR}/base"
BACKUP_DIR = f"{SCAFFOLD_DIR}/backup"
_RECORD_KEYS = ("unit", "contract_hash", "writer", "model", "prompt_hash", "sha256")
# Recorded for LLM-written files only: template records keep their shape (and bytes).
_LLM_KEYS = ("attempts", "tokens", "test_result")
T = TypeVar("T")


class ManifestError(EmitError):
    """The manifest is missing, corrupt or from a newer scaffold: bad input, nothing is written."""

    stage = "manifest"
    exit_code = 2


@dataclass(frozen=True)
class Provenance:
    """Who wrote a file and, for an LLM unit, how it was validated (all None for a template)."""

    model: str | None = None
    prompt_hash: str | None = None
    attempts: int | None = None  # answers asked until one was accepted
    tokens: int | None = None  # tokens those answers used
    test_result: str | None = None  # the accepting answer's generated tests: "3 passed"


@dataclass(frozen=True)
class FileRecord:
    """One generated file as last written: its unit, provenance and output hash."""

    unit: str
    contract_hash: str
    writer: str
    sha256: str
    provenance: Provenance = field(default_factory=Provenance)

    def to_json(self) -> dict[str, Any]:
        # Flat keys, as manifests have always had them.
        flat = {**vars(self), **vars(self.provenance)}
        data = {key: flat[key] for key in _RECORD_KEYS}
        if self.writer == "llm":
            known = {key: flat[key] for key in _LLM_KEYS}
            data.update((key, value) for key, value in known.items() if value is not None)
        return data


@dataclass(frozen=True)
class Manifest:
    inputs: dict[str, str] = field(default_factory=dict)  # relpath or "scaffold:..." -> sha256
    outputs: tuple[str, ...] = ()  # the output folders (package, tests), relative
    files: dict[str, FileRecord] = field(default_factory=dict)
    # Files created once for the user to edit (extension modules); never rewritten.
    extensions: tuple[str, ...] = ()
    input_roles: dict[str, str] = field(default_factory=dict)  # relpath -> spec|schema|query|...

    def to_text(self) -> str:
        data = {
            "version": VERSION,
            "inputs": dict(sorted(self.inputs.items())),
            "input_roles": dict(sorted(self.input_roles.items())),
            "outputs": sorted(self.outputs),
            "files": {path: rec.to_json() for path, rec in sorted(self.files.items())},
            "extensions": sorted(self.extensions),
        }
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def base_path(rel: str) -> str:
    """Where the last generated content of a file is kept, for diffs and 3-way merges.

    The ".base" suffix keeps linters, type checkers and test runners from taking the copies
    for a second package.
    """
    return f"{BASE_DIR}/{rel}.base"


def read_manifest(root: Path) -> Manifest | None:
    """The manifest under root, or None when scaffold has not generated anything there yet."""
    path = root / LOCK_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise _corrupt(path, f"cannot be read ({exc})") from exc
    try:
        return _parse(json.loads(text), path)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise _corrupt(path, f"is not a valid manifest ({exc})") from exc


def require_manifest(root: Path) -> Manifest:
    manifest = read_manifest(root)
    if manifest is None:
        raise ManifestError(
            "no manifest: nothing has been generated here yet",
            location=Location((root / LOCK_FILE).as_posix()),
            hint='run "scaffold gen" first',
        )
    return manifest


def _parse(data: Any, path: Path) -> Manifest:
    version = data["version"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError(f"version {version!r} is not a number")
    if version > VERSION:
        raise ManifestError(
            f"manifest version {version} is from a newer scaffold (this one reads {VERSION})",
            location=Location(path.as_posix()),
            hint="upgrade scaffold (pip install -U scaffold)",
        )
    return Manifest(
        inputs={str(k): str(v) for k, v in data["inputs"].items()},
        outputs=tuple(str(p) for p in data.get("outputs", ())),
        files={str(p): _record(r) for p, r in data["files"].items()},
        extensions=tuple(str(p) for p in data.get("extensions", ())),
        input_roles={str(k): str(v) for k, v in data.get("input_roles", {}).items()},
    )


def _record(data: dict[str, Any]) -> FileRecord:
    for key in ("unit", "contract_hash", "writer", "sha256"):
        if not isinstance(data[key], str):
            raise ValueError(f"{key} must be a string")
    return FileRecord(
        unit=data["unit"],
        contract_hash=data["contract_hash"],
        writer=data["writer"],
        sha256=data["sha256"],
        provenance=Provenance(
            model=data.get("model"),
            prompt_hash=data.get("prompt_hash"),
            attempts=_optional(data, "attempts", int),
            tokens=_optional(data, "tokens", int),
            test_result=_optional(data, "test_result", str),
        ),
    )


def _optional(data: dict[str, Any], key: str, kind: type[T]) -> T | None:
    """An optional field (absent in manifests of older scaffolds) of the given type."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(f"{key} must be of type {kind.__name__}")
    return value


def _corrupt(path: Path, what: str) -> ManifestError:
    return ManifestError(
        f"the manifest {what}",
        location=Location(path.as_posix()),
        hint="restore .scaffold/lock.json from version control (git checkout -- .scaffold); "
        "nothing was overwritten",
    )
