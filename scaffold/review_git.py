"""The two sides of a review: a project's files at a git revision or in the work tree.

Only plain `git` subprocess calls; every failure (not a repository, an unknown revision) is a
ReviewError with exit code 2.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scaffold.errors import Location, ScaffoldError
from scaffold.manifest import LOCK_FILE, Manifest, ManifestError, read_manifest

DEFAULT_BRANCHES = ("main", "master")


class ReviewError(ScaffoldError):
    """Bad input to `scaffold review`: not a repository, an unknown revision, a bad manifest."""

    stage = "review"
    exit_code = 2


@dataclass(frozen=True)
class Side:
    """The project folder at one revision; `rev` None means the work tree."""

    top: Path  # the repository's top folder
    project: str  # the project folder (the spec's folder) relative to top, "" for top itself
    rev: str | None

    @property
    def label(self) -> str:
        return self.rev or "work tree"

    def read(self, rel: str) -> bytes | None:
        """A file of the project (path relative to the project folder), None when absent."""
        path = f"{self.project}/{rel}" if self.project else rel
        if self.rev is None:
            try:
                return (self.top / path).read_bytes()
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                return None
        proc = _git(self.top, "cat-file", "blob", f"{self.rev}:{path}", check=False)
        return proc.stdout if proc.returncode == 0 else None

    def text(self, rel: str) -> str | None:
        data = self.read(rel)
        return None if data is None else data.decode("utf-8", errors="replace")

    def manifest(self) -> Manifest | None:
        """The project's manifest on this side; None when there is none; corrupt: ReviewError."""
        data = self.read(LOCK_FILE)
        if data is None:
            return None
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / LOCK_FILE).parent.mkdir()
            (Path(tmp) / LOCK_FILE).write_bytes(data)
            try:
                return read_manifest(Path(tmp))
            except ManifestError as err:
                where = f"{self.label}:{self.project + '/' if self.project else ''}{LOCK_FILE}"
                raise ReviewError(err.message, location=Location(where), hint=err.hint) from err


def sides(project: Path, base: str | None, head: str | None) -> tuple[Side, Side]:
    """The base and head sides; base defaults to the merge-base of HEAD with main (or master),
    head to the work tree. "A..B" as base means base A, head B."""
    if base is not None and head is None and ".." in base:  # the BASE..HEAD form of git
        base, _, head = base.partition("..")
        base, head = base or "HEAD", head.lstrip(".") or "HEAD"
    top = repo_top(project)
    rel = Path(os.path.relpath(project.resolve(), top)).as_posix()
    rel = "" if rel == "." else rel
    head_rev = None if head is None else resolve(top, head)
    base_rev = resolve(top, base) if base is not None else default_base(top, head_rev)
    return Side(top, rel, base_rev), Side(top, rel, head_rev)


def repo_top(folder: Path) -> Path:
    if not folder.is_dir():
        raise ReviewError("no such folder", location=Location(str(folder)))
    proc = _git(folder, "rev-parse", "--show-toplevel", check=False)
    if proc.returncode != 0:
        raise ReviewError(
            "not a git repository",
            location=Location(str(folder)),
            hint="run scaffold review inside the repository holding the generated code",
        )
    return Path(proc.stdout.decode().strip())


def resolve(top: Path, rev: str) -> str:
    """A revision as a full commit id; an unknown one is a ReviewError."""
    if rev.startswith("-"):  # it would pass for an option of git
        raise _unknown(rev)
    proc = _git(top, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
    if proc.returncode != 0:
        raise _unknown(rev)
    return proc.stdout.decode().strip()


def _unknown(rev: str) -> ReviewError:
    return ReviewError(
        f"unknown revision {rev!r}",
        hint="give a branch, tag or commit (git fetch it first in a shallow CI clone)",
    )


def default_base(top: Path, head: str | None) -> str:
    """The merge-base of HEAD (or the given head) with main, or master."""
    tip = head or "HEAD"
    for branch in DEFAULT_BRANCHES:
        proc = _git(top, "merge-base", tip, branch, check=False)
        if proc.returncode == 0:
            return proc.stdout.decode().strip()
    raise ReviewError(
        "no base revision: neither main nor master shares history with " + tip,
        hint="name the base: scaffold review origin/main",
    )


def _git(cwd: Path, *args: str, check: bool) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=check)
    except FileNotFoundError as exc:
        raise ReviewError("git is not installed", hint="install git") from exc
