"""Where generated files go: the output folders of a spec, relative to the spec's folder."""

from __future__ import annotations

import os
from pathlib import Path

from scaffold.spec.model import Spec


def package_dir(spec: Spec) -> str:
    """The generated package's folder, relative to the spec's folder (POSIX)."""
    if spec.output is None:
        return f"generated/{spec.app}"
    return _relative(spec.output.package, spec.root)


def tests_dir(spec: Spec) -> str:
    """The generated tests' folder, relative to the spec's folder (POSIX)."""
    if spec.output is None:
        return "generated/tests"
    return _relative(spec.output.tests, spec.root)


def _relative(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()
