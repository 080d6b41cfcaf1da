"""Paths written in a spec: resolved against the spec's folder, checked to exist where read."""

from __future__ import annotations

from pathlib import Path

import yaml

from scaffold.errors import did_you_mean
from scaffold.spec.nodes import Node, Reader, texts


def existing_paths(r: Reader, node: Node, where: str, root: Path) -> tuple[Path, ...]:
    """A path or a list of paths (files or folders) that must exist; missing ones are errors."""
    nodes = texts(r, node, where, "a path or a list of paths")
    if isinstance(node, yaml.SequenceNode) and not node.value:
        r.error(node, f"{where}: expected at least one path, got an empty list")
    found: list[Path] = []
    for item in nodes:
        path = _existing(r, item, where, root)
        if path is not None:
            found.append(path)
    return tuple(found)


def _existing(r: Reader, node: Node, where: str, root: Path) -> Path | None:
    written = str(node.value)
    try:
        path = resolve(root, written)
        if written.strip() and path.exists():
            return path
    except (OSError, ValueError):  # a name the file system cannot even look up
        r.error(node, f'{where}: "{written}" is not a usable path')
        return None
    if not written.strip():
        r.error(node, f"{where}: expected a path, got an empty string")
    else:
        r.error(node, f'{where}: "{written}" does not exist', _missing_hint(path, root))
    return None


def resolve(root: Path, written: str) -> Path:
    """An absolute path for a path as written (relative ones are against the spec folder)."""
    path = Path(written)  # no "~" expansion: a spec is shared, home folders are not
    return path if path.is_absolute() else (root / path).resolve()


def _missing_hint(path: Path, root: Path) -> str:
    folder = path.parent
    try:
        nearby = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    except OSError:
        nearby = []
    close = did_you_mean(path.name, nearby)
    looked = f"looked for {path} (relative paths start at the spec's folder {root})"
    return f"{close} ({looked})" if close else looked
