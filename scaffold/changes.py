"""What a run does to each file: compare the new output with the disk and the manifest.

A file is ours to overwrite only when it still holds exactly what scaffold last wrote. Anything
else (a hand edit, a file scaffold never wrote, a file the user deleted) is reported, and
changed only with --force (keeping a backup) or --merge.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from scaffold.hashing import sha256_bytes
from scaffold.manifest import FileRecord, Manifest, Provenance, base_path
from scaffold.merge import merge3

Action = Literal[
    "create",
    "update",
    "unchanged",
    "hand-edited",
    "orphan",
    "user-deleted",
    "not-generated",
    "merged",
    "conflict",
]
# Actions that need the user: gen refuses the first two, and leaves conflict markers for the last.
BLOCKING_ACTIONS = frozenset({"hand-edited", "not-generated", "conflict"})
DIFF_LINES = 30


@dataclass(frozen=True)
class OutputFile:
    path: str  # relative POSIX path from the project root (the spec's folder)
    content: str
    unit: str  # contract unit, e.g. "queries", "forms.add_book"
    contract_hash: str
    writer: str  # "template" | "llm"
    provenance: Provenance = field(default_factory=Provenance)
    # Created once for the user to edit (an extension module), never rewritten or recorded.
    once: bool = False
    # An LLM unit not asked (a dry run, `scaffold check`): the content is its skeleton.
    pending: bool = False

    @property
    def data(self) -> bytes:
        return self.content.encode("utf-8")

    def record(self) -> FileRecord:
        return FileRecord(
            unit=self.unit,
            contract_hash=self.contract_hash,
            writer=self.writer,
            sha256=sha256_bytes(self.data),
            provenance=self.provenance,
        )


@dataclass(frozen=True)
class Change:
    path: str
    action: Action
    unit: str | None
    diff: str | None = None  # unified diff for hand edits (the user's edit vs last generated)
    note: str | None = None  # e.g. "backup: .scaffold/backup/x.py.1", "2 conflicts"


@dataclass(frozen=True)
class Decision:
    """One file's change and what carrying it out means."""

    change: Change
    write: bytes | None = None  # new bytes for the file
    delete: bool = False
    backup: bytes | None = None  # the user's bytes, kept under .scaffold/backup first
    record: FileRecord | None = None  # its manifest entry after the run; None drops it
    base: bytes | None = None  # last generated content to keep; None drops it
    extension: bool = False


@dataclass(frozen=True)
class Options:
    force: bool = False
    merge: bool = False


def decide_all(
    root: Path, files: Sequence[OutputFile], manifest: Manifest | None, options: Options
) -> list[Decision]:
    """A decision per produced file, then per orphan (recorded but no longer produced)."""
    old = manifest or Manifest()
    produced = {f.path for f in files}
    decisions = [_decide(root, f, old, options) for f in files]
    for path, rec in sorted(old.files.items()):
        if path not in produced:
            decisions.append(_decide_orphan(root, path, rec, options))
    return decisions


def _decide(root: Path, f: OutputFile, old: Manifest, options: Options) -> Decision:
    target = root / f.path
    if f.once:
        return _decide_extension(target, f)
    if target.is_dir():
        return _in_the_way(f, None, options, note="a folder")
    disk = read_bytes(target)
    rec = old.files.get(f.path)
    keep = Decision(Change(f.path, "unchanged", f.unit), record=f.record(), base=f.data)
    if disk is None:
        return _decide_missing(f, rec, options)
    if disk == f.data:
        return keep
    if rec is None:
        return _in_the_way(f, disk, options)
    if sha256_bytes(disk) == rec.sha256:
        return replace(keep, change=Change(f.path, "update", f.unit), write=f.data)
    return _decide_edited(root, f, disk, options)


def _decide_extension(target: Path, f: OutputFile) -> Decision:
    if target.exists():
        return Decision(Change(f.path, "unchanged", f.unit, note="yours to edit"), extension=True)
    return Decision(Change(f.path, "create", f.unit), write=f.data, extension=True)


def _decide_missing(f: OutputFile, rec: FileRecord | None, options: Options) -> Decision:
    if rec is None:
        return Decision(Change(f.path, "create", f.unit), f.data, record=f.record(), base=f.data)
    if options.force:
        change = Change(f.path, "create", f.unit, note="recreated (it had been deleted)")
        return Decision(change, f.data, record=f.record(), base=f.data)
    note = "you deleted it; not recreated (rerun with --force to restore it)"
    return Decision(
        Change(f.path, "user-deleted", f.unit, note=note), None, record=f.record(), base=f.data
    )


def _in_the_way(f: OutputFile, disk: bytes | None, options: Options, note: str = "") -> Decision:
    diff = None if disk is None else unified_diff(f.path, f.data, disk, "scaffold's output")
    note = note or "a file scaffold did not write"
    if not options.force:
        return Decision(Change(f.path, "not-generated", f.unit, diff, note))
    change = Change(f.path, "update", f.unit, diff, "overwritten; backup kept")
    return Decision(change, f.data, backup=disk, record=f.record(), base=f.data)


def _decide_edited(root: Path, f: OutputFile, disk: bytes, options: Options) -> Decision:
    base = read_bytes(root / base_path(f.path))
    label = "last generated" if base is not None else "scaffold's output"
    diff = unified_diff(f.path, f.data if base is None else base, disk, label)
    done = Decision(Change(f.path, "update", f.unit, diff), f.data, record=f.record(), base=f.data)
    if options.merge and base is not None:
        merged = merge3(f.path, disk, base, f.data)
        action: Action = "conflict" if merged.conflicts else "merged"
        note = f"{merged.conflicts} conflict(s) marked" if merged.conflicts else "kept your edit"
        return replace(done, change=Change(f.path, action, f.unit, diff, note), write=merged.data)
    if options.force:
        note = "your edit was overwritten; backup kept"
        return replace(done, change=Change(f.path, "update", f.unit, diff, note), backup=disk)
    note = "edited by hand; not overwritten" + ("" if base is not None else " (no base to merge)")
    return Decision(Change(f.path, "hand-edited", f.unit, diff, note))


def _decide_orphan(root: Path, path: str, rec: FileRecord, options: Options) -> Decision:
    disk = None if (root / path).is_dir() else read_bytes(root / path)
    gone = Change(path, "orphan", rec.unit, note="deleted")
    if disk is None:
        return Decision(replace(gone, note="already gone"))
    if sha256_bytes(disk) == rec.sha256:
        return Decision(gone, delete=True)
    base = read_bytes(root / base_path(path))
    diff = unified_diff(path, base if base is not None else b"", disk, "last generated")
    if options.force:
        return Decision(
            Change(path, "orphan", rec.unit, diff, "deleted; backup kept"), delete=True, backup=disk
        )
    kept = Change(path, "orphan", rec.unit, diff, "no longer generated but edited by hand; kept")
    return Decision(kept, record=rec, base=base)


def read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None


def unified_diff(path: str, before: bytes, after: bytes, before_label: str) -> str:
    """The user's version against scaffold's, as a unified diff."""
    old = before.decode("utf-8", errors="replace").splitlines(keepends=True)
    new = after.decode("utf-8", errors="replace").splitlines(keepends=True)
    lines = difflib.unified_diff(old, new, f"{path} ({before_label})", f"{path} (on disk)")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def short_diff(diff: str | None, limit: int = DIFF_LINES) -> str:
    lines = (diff or "").splitlines()
    if len(lines) <= limit:
        return "\n".join(lines)
    return "\n".join([*lines[:limit], f"... ({len(lines) - limit} more lines)"])
