"""sha256 of inputs and outputs: the spec, schema and query files, the templates, file contents.

Kept free of heavy imports: `scaffold check` hashes with this module alone.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from importlib.abc import Traversable

    from scaffold.spec.model import Spec

TEMPLATES_KEY = "scaffold:templates"
InputRole = Literal["spec", "schema", "query", "templates"]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    """The hash of a text as scaffold writes it: UTF-8, newlines as given."""
    return sha256_bytes(text.encode("utf-8"))


def sha256_file(path: Path) -> str | None:
    """The hash of a file's bytes, or None when it is missing or not a regular file."""
    try:
        return sha256_bytes(path.read_bytes())
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def templates_hash() -> str:
    """sha256 over every template file (name and bytes): changes when any template changes."""
    digest = hashlib.sha256()
    for name, data in sorted(_template_files(_templates_folder(), "")):
        digest.update(name.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


def _templates_folder() -> Traversable | Path:
    """The templates as a folder on disk when they are one (any pip install): importlib.resources
    costs `scaffold check` ~4 ms to import, a tenth of its run."""
    spec = find_spec("scaffold.templates")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    if len(folders) == 1 and Path(folders[0]).is_dir():
        return Path(folders[0])
    from importlib.resources import files

    return files("scaffold.templates")


def _template_files(folder: Traversable | Path, prefix: str) -> Iterator[tuple[str, bytes]]:
    for entry in folder.iterdir():
        name = prefix + entry.name
        if entry.is_dir():
            yield from _template_files(entry, name + "/")
        elif entry.name.endswith(".j2"):
            yield name, entry.read_bytes()


def input_roles(spec: Spec) -> dict[str, InputRole]:
    """Every input the output depends on, keyed by path relative to the spec folder."""
    roles: dict[str, InputRole] = {relative(spec.path, spec.root): "spec"}
    # A spec with database.url has no schema files: the URL is hashed as part of the spec, the
    # live schema is not (reading it needs the server), so `check` sees a change there only
    # after `gen`.
    for schema in spec.database.schema:
        for path in _schema_files(schema):
            roles[relative(path, spec.root)] = "schema"
    # Thousands of queries come from a handful of files: resolve each file once.
    spec_file = spec.path.resolve()
    for name in dict.fromkeys(query.pos.file for query in spec.queries):
        path = Path(name) if Path(name).is_absolute() else spec.root / name
        if path.resolve() != spec_file and path.is_file():
            roles.setdefault(relative(path, spec.root), "query")
    roles[TEMPLATES_KEY] = "templates"
    return roles


def hash_inputs(spec: Spec) -> dict[str, str]:
    """sha256 of every input (see input_roles); a missing file hashes to the empty string."""
    out: dict[str, str] = {}
    for key, role in sorted(input_roles(spec).items()):
        if role == "templates":
            out[key] = templates_hash()
        else:
            out[key] = sha256_file(spec.root / key) or ""
    return out


def _schema_files(path: Path) -> list[Path]:
    # A folder of migrations is applied in file-name order; its .sql files are the inputs.
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() == ".sql" and p.is_file())
    return [path]


def relative(path: Path, root: Path) -> str:
    """A POSIX path relative to root ("../x.sql" when outside it)."""
    return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()
