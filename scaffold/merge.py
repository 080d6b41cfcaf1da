"""3-way merge of a hand edit with new output (`gen --merge`), through `git merge-file`.

Base is the last generated content, "ours" the user's edit, "theirs" the new output; where the
two clash the result has real conflict markers, as Copier leaves them.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scaffold.errors import EmitError, Location


@dataclass(frozen=True)
class MergeResult:
    data: bytes
    conflicts: int  # number of conflicting hunks; 0 is a clean merge


def merge3(path: str, edited: bytes, base: bytes, generated: bytes) -> MergeResult:
    """Merge the user's edit (edited) and the new output (generated) over their common base."""
    git = shutil.which("git")
    if git is None:
        raise EmitError(
            f"cannot merge {path}: --merge needs git, which is not on PATH",
            location=Location(path),
            hint="install git, or move your change into the extension module and rerun",
        )
    with tempfile.TemporaryDirectory(prefix="scaffold-merge-") as tmp:
        names = []
        for name, data in (("edited", edited), ("base", base), ("generated", generated)):
            (Path(tmp) / name).write_bytes(data)
            names.append(str(Path(tmp) / name))
        labels = ["your edit", "last generated", "new output"]
        proc = subprocess.run(
            [git, "merge-file", "-p", *(a for label in labels for a in ("-L", label)), *names],
            capture_output=True,
            check=False,
        )
    # The exit code is the number of conflicts (capped at 127); negative (>127 here) on error.
    if proc.returncode > 127:
        raise EmitError(
            f"cannot merge {path}: git merge-file failed: {proc.stderr.decode(errors='replace')}",
            location=Location(path),
        )
    return MergeResult(proc.stdout, proc.returncode)
