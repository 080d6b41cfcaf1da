"""Emit: stage a run's files, move them into the project all or nothing, record the manifest.

Refuses (and changes nothing) when a file to overwrite was edited by hand or never written by
scaffold, unless --force (a backup is kept) or --merge (a 3-way merge) says otherwise.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath

from scaffold.atomic import Transaction, prune_empty_dirs
from scaffold.changes import (
    BLOCKING_ACTIONS,
    Action,
    Change,
    Decision,
    Options,
    OutputFile,
    decide_all,
    read_bytes,
    short_diff,
)
from scaffold.errors import EmitError, Location, ScaffoldError, raise_all
from scaffold.gitattributes import with_generated_block
from scaffold.hashing import TEMPLATES_KEY
from scaffold.manifest import (
    BACKUP_DIR,
    LOCK_FILE,
    SCAFFOLD_DIR,
    Manifest,
    base_path,
    read_manifest,
)

__all__ = [
    "BLOCKING_ACTIONS",
    "Action",
    "Change",
    "OutputFile",
    "discard_staging",
    "emit",
    "plan_changes",
    "stage",
]

EDIT_HINT = (
    "move your change into the extension module, or rerun with --force (keeps a backup) / --merge"
)
GITIGNORE = "# scaffold: backups of overwritten edits and unfinished runs\n/backup/\n/staging-*/\n"


def plan_changes(root: Path, files: Sequence[OutputFile]) -> list[Change]:
    """What `gen` would do to each file (the dry run); reads the manifest, writes nothing."""
    _check_paths(files)
    return [d.change for d in decide_all(root, files, read_manifest(root), Options())]


def stage(root: Path, files: Sequence[OutputFile]) -> Path:
    """Write every file into a fresh staging folder under root/.scaffold, mirroring the project."""
    _check_paths(files)
    scaffold_dir = root / SCAFFOLD_DIR
    scaffold_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="staging-", dir=scaffold_dir))
    try:
        for f in files:
            target = staging / f.path
            target.parent.mkdir(parents=True, exist_ok=True)
            users = root / f.path
            # The generated tests run here: an extension module is the user's version if any.
            if f.once and users.is_file():
                shutil.copyfile(users, target)
            else:
                target.write_bytes(f.data)
    except BaseException:
        discard_staging(staging)
        raise
    return staging


def discard_staging(staged: Path) -> None:
    """Remove a staging folder, and .scaffold too when that leaves it empty."""
    shutil.rmtree(staged, ignore_errors=True)
    parent = staged.parent
    if parent.name == SCAFFOLD_DIR and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()


def emit(
    root: Path,
    files: Sequence[OutputFile],
    inputs: Mapping[str, str],
    *,
    staged: Path | None = None,
    force: bool = False,
    merge: bool = False,
    outputs: Sequence[str] | None = None,
    input_roles: Mapping[str, str] | None = None,
) -> list[Change]:
    """Move the run's files into place atomically, then write the manifest; return the changes.

    `outputs` are the output folders (package, tests) recorded for `scaffold check`; by default
    the top folders of the files. `input_roles` says which input is the spec, a schema or a
    query file, so that `check` can say what changed.
    """
    # Unstaged, the files are written into the staging folder only when they must change, so
    # a run that changes nothing writes nothing.
    staging = staged if staged is not None else _unstaged_folder(root)
    try:
        _check_paths(files)
        old = read_manifest(root)
        decisions = decide_all(root, files, old, Options(force=force, merge=merge))
        _refuse_blocked(decisions)
        roles = _roles(inputs, input_roles, old)
        folders = tuple(outputs) if outputs is not None else output_folders(files)
        new = _new_manifest(decisions, inputs, roles, folders)
        transaction, backups = _transaction(root, staging, decisions, new)
        transaction.commit()
        prune_empty_dirs(root, [d.change.path for d in decisions if d.delete])
        return [_noting_backup(d.change, backups.get(d.change.path)) for d in decisions]
    finally:
        discard_staging(staging)


def _unstaged_folder(root: Path) -> Path:
    """A staging path not created yet (the transaction creates it on its first write)."""
    return root / SCAFFOLD_DIR / f"staging-{os.getpid()}-{uuid.uuid4().hex[:12]}"


def output_folders(files: Sequence[OutputFile]) -> tuple[str, ...]:
    """The top folders holding the files (the package and the tests folder, usually)."""
    parents = {PurePosixPath(f.path).parent for f in files} - {PurePosixPath(".")}
    tops = {p for p in parents if not any(q in p.parents for q in parents)}
    return tuple(sorted(p.as_posix() for p in tops))


def _refuse_blocked(decisions: Sequence[Decision]) -> None:
    errors: list[ScaffoldError] = []
    for d in decisions:
        c = d.change
        if c.action == "hand-edited":
            errors.append(_refusal(c, "was edited by hand since scaffold generated it", EDIT_HINT))
        elif c.action == "not-generated":
            hint = "move or delete it, or rerun with --force (keeps a backup)"
            errors.append(
                _refusal(c, f"is in the way ({c.note}); scaffold needs to write it", hint)
            )
    raise_all(errors)


def _refusal(change: Change, what: str, hint: str) -> EmitError:
    diff = short_diff(change.diff)
    message = f"{change.path} {what}; nothing was written" + (f"\n{diff}" if diff else "")
    return EmitError(message, location=Location(change.path), hint=hint)


def _roles(
    inputs: Mapping[str, str], given: Mapping[str, str] | None, old: Manifest | None
) -> dict[str, str]:
    known = dict(given) if given is not None else dict(old.input_roles if old else {})
    known.setdefault(TEMPLATES_KEY, "templates")
    return {key: role for key, role in known.items() if key in inputs}


def _new_manifest(
    decisions: Sequence[Decision],
    inputs: Mapping[str, str],
    roles: dict[str, str],
    folders: tuple[str, ...],
) -> Manifest:
    return Manifest(
        inputs=dict(inputs),
        outputs=folders,
        files={d.change.path: d.record for d in decisions if d.record is not None},
        extensions=tuple(d.change.path for d in decisions if d.extension),
        input_roles=roles,
    )


def _transaction(
    root: Path, staging: Path, decisions: Sequence[Decision], new: Manifest
) -> tuple[Transaction, dict[str, str]]:
    """Backups first, then the files, their bases, .gitattributes, and the manifest last.

    Also returns where each backup goes (file -> backup path).
    """
    tx = Transaction(root, staging)
    backups: dict[str, str] = {}
    for d in decisions:
        if d.backup is not None:
            backups[d.change.path] = _backup_path(root, d.change.path, tx.paths)
            tx.put(backups[d.change.path], d.backup)
    for d in decisions:
        if d.write is not None:
            tx.put(d.change.path, d.write)
        elif d.delete:
            tx.remove(d.change.path)
    for d in decisions:
        if not d.extension:
            _keep_if_changed(tx, root, base_path(d.change.path), d.base)
    writers = {path: rec.writer for path, rec in new.files.items()}
    gitattributes = with_generated_block(_read_text(root / ".gitattributes"), writers)
    _keep_if_changed(tx, root, ".gitattributes", gitattributes.encode("utf-8", "surrogateescape"))
    _keep_if_changed(tx, root, f"{SCAFFOLD_DIR}/.gitignore", GITIGNORE.encode("utf-8"))
    _keep_if_changed(tx, root, LOCK_FILE, new.to_text().encode("utf-8"))
    return tx, backups


def _noting_backup(change: Change, backup: str | None) -> Change:
    if backup is None:
        return change
    return replace(change, note=f"{change.note}: {backup}" if change.note else backup)


def _keep_if_changed(tx: Transaction, root: Path, rel: str, data: bytes | None) -> None:
    current = read_bytes(root / rel)
    if data is None and current is not None:
        tx.remove(rel)
    elif data is not None and data != current:
        tx.put(rel, data)


def _backup_path(root: Path, rel: str, taken: list[str]) -> str:
    n = 1
    while (root / f"{BACKUP_DIR}/{rel}.{n}").exists() or f"{BACKUP_DIR}/{rel}.{n}" in taken:
        n += 1
    return f"{BACKUP_DIR}/{rel}.{n}"


def _read_text(path: Path) -> str | None:
    data = read_bytes(path)
    return None if data is None else data.decode("utf-8", errors="surrogateescape")


def _check_paths(files: Sequence[OutputFile]) -> None:
    """Output paths are relative, inside the project, outside .scaffold and .git, and unique."""
    seen: set[str] = set()
    for f in files:
        parts = PurePosixPath(f.path).parts
        bad = (
            not parts
            or PurePosixPath(f.path).is_absolute()
            or ".." in parts
            or parts[0] in (SCAFFOLD_DIR, ".git")
            or "\\" in f.path
            or f.path in seen
        )
        if bad:
            raise EmitError(f"unit {f.unit!r}: bad or duplicate output path {f.path!r}")
        seen.add(f.path)
