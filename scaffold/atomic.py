"""Moving a run's files into the project all or nothing, and single files (the caches) whole.

Every new file is written into the staging folder first; then each target is moved aside and the
new file moved in with os.replace (same filesystem, so each step is atomic). If any step fails,
the steps done so far are undone in reverse order and the tree is as it was.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from scaffold.errors import EmitError, Location


@dataclass
class _Step:
    target: Path
    placed: bool = False  # the new file was moved in
    previous: Path | None = None  # where the old file was moved aside
    made_dirs: list[Path] = field(default_factory=list)


class Transaction:
    """Writes and deletions under root, applied together by commit()."""

    def __init__(self, root: Path, staging: Path) -> None:
        self.root = root
        self.staging = staging
        self._ops: list[tuple[str, bytes | None]] = []  # (relative path, data or None to delete)

    def put(self, rel: str, data: bytes) -> None:
        self._ops.append((rel, data))

    def remove(self, rel: str) -> None:
        self._ops.append((rel, None))

    @property
    def paths(self) -> list[str]:
        return [rel for rel, _ in self._ops]

    def commit(self) -> None:
        """Apply every operation in order, or none of them."""
        try:
            sources = [self._prepare(i, rel, data) for i, (rel, data) in enumerate(self._ops)]
        except OSError as exc:
            raise _failed(self.staging, exc, "nothing was changed") from exc
        done: list[_Step] = []
        try:
            for i, ((rel, _), source) in enumerate(zip(self._ops, sources, strict=True)):
                step = _Step(self.root / rel)
                done.append(step)
                self._apply(i, step, source)
        except BaseException as exc:  # an interrupt too: never leave half a run behind
            _undo(done)
            if isinstance(exc, OSError):
                raise _failed(done[-1].target, exc, "the previous files were restored") from exc
            raise

    def _prepare(self, index: int, rel: str, data: bytes | None) -> Path | None:
        # Reuse the staged copy of a generated file when it holds exactly these bytes.
        if data is None:
            return None
        staged = self.staging / rel
        if staged.is_file() and staged.read_bytes() == data:
            return staged
        source = self.staging / ".tx" / "new" / str(index)
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_bytes(data)
        return source

    def _apply(self, index: int, step: _Step, source: Path | None) -> None:
        target = step.target
        if target.is_dir() and not target.is_symlink():
            raise IsADirectoryError(21, "a folder is in the way", str(target))
        if os.path.lexists(target):
            aside = self.staging / ".tx" / "old" / str(index)
            aside.parent.mkdir(parents=True, exist_ok=True)
            os.replace(target, aside)
            step.previous = aside
        if source is not None:
            _make_parents(target.parent, step.made_dirs)
            os.replace(source, target)
            step.placed = True


def _make_parents(folder: Path, made: list[Path]) -> None:
    """Create folder and its missing parents, recording each one created (deepest last)."""
    missing: list[Path] = []
    while not os.path.lexists(folder):
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
        made.append(path)


def _failed(path: Path, exc: OSError, outcome: str) -> EmitError:
    return EmitError(
        f"could not write {path}: {exc.strerror or exc}; {outcome}",
        location=Location(str(path)),
        hint="check that the path is a writable file (not a folder) and rerun",
    )


def _undo(done: list[_Step]) -> None:
    for step in reversed(done):
        if step.placed:
            step.target.unlink()
        if step.previous is not None:
            os.replace(step.previous, step.target)
        for folder in reversed(step.made_dirs):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()


def prune_empty_dirs(root: Path, rels: list[str]) -> None:
    """Remove folders left empty by deleted files, up to (not including) root."""
    for rel in rels:
        folder = (root / rel).parent
        while folder != root and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


def replace_file(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all: into a private file beside it, then os.replace.
    Readers never see half a file, and concurrent writers (threads or processes) never collide."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # A name made here rather than by tempfile, which costs an inspect ~3 ms to import.
    unique = f"{os.getpid()}-{threading.get_ident()}-{time.monotonic_ns()}"
    tmp = path.parent / f".{path.name}.{unique}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
