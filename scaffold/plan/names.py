"""Python names for things named in SQL: identifiers that are valid, not keywords, unique."""

from __future__ import annotations

import keyword
import re
from collections.abc import Collection, Iterable

_NOT_IDENT = re.compile(r"\W+")


def pyident(name: str) -> str:
    """A valid, non-keyword Python identifier for a SQL name: `count(*)` -> `count`, `class` ->
    `class_`, `2fa` -> `_2fa`. Valid identifiers that are not keywords stay as they are."""
    ident = _NOT_IDENT.sub("_", name).strip("_") or "column"
    if ident[0].isdigit():
        ident = "_" + ident
    return ident + "_" if keyword.iskeyword(ident) else ident


def unique_idents(names: Iterable[str], reserved: Collection[str] = ()) -> list[str]:
    """pyident of each name, unique: a reserved name (a function's own `conn` argument) gets
    `_` appended, a repeat gets `_2`, `_3` ... (as sqlc names the columns of a join)."""
    taken = set(reserved)
    out: list[str] = []
    for name in names:
        base = pyident(name)
        if base in reserved:
            base += "_"
        ident, n = base, 1
        while ident in taken:
            n += 1
            ident = f"{base}_{n}"
        taken.add(ident)
        out.append(ident)
    return out
