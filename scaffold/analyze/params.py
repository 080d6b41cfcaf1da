"""Query parameters: find every placeholder style in a query's text and rewrite it to `:token`.

sqlglot parses `:name` as ``exp.Placeholder`` in sqlite, postgres and mysql alike, so every
style (`?`, `?NNN`, `$N`, `@name`, `sqlc.arg(name)` ...) becomes one named form before parsing.
As in sqlc, names may share a query with positions (they are numbered after them); `$N` with
`?`/`?N` cannot. `@name` is a MySQL user variable, `$name` a parameter only in SQLite, and the
DB-API's `%s` / `%(name)s` are refused with a hint rather than left for the parser to drop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

import sqlglot.expressions as exp

from scaffold.analyze.params_scan import Occurrence, location_at, scan
from scaffold.errors import AnalysisError, Location

PlaceholderStyle = Literal[
    "named", "qmark", "numbered", "dollar", "at", "sqlc_arg", "sqlc_narg", "sqlc_slice"
]
__all__ = [
    "Placeholder",
    "PlaceholderStyle",
    "Prepared",
    "count_placeholders",
    "location_at",
    "prepare",
]
_POSITIONAL = frozenset({"qmark", "numbered", "dollar"})
_MIX_HINT = "number parameters one way per query: $1, $2 ... or ?1, ?2 ... (names may join either)"


@dataclass(frozen=True)
class Placeholder:
    """One distinct parameter of a query; repeated uses ($1 twice, :id twice) share it."""

    token: str  # the name written into Prepared.sql as :token; never clashes with user names
    style: PlaceholderStyle  # the style of its first occurrence
    name: str | None  # the user's name (:name, @name, sqlc.arg(name) ...), else None
    number: int | None  # N of $N / ?N; for a bare ? its position (SQLite numbering)
    nullable: bool  # written sqlc.narg(...) at least once
    is_list: bool  # written sqlc.slice(...)
    location: Location  # first occurrence in the user's file


@dataclass(frozen=True)
class Prepared:
    """A query's text with its placeholders made uniform, ready for sqlglot."""

    sql: str  # every placeholder replaced by :token, sqlc.embed(t) by t.*
    # Positional ones by number, then named ones by first appearance (as sqlc numbers them).
    placeholders: tuple[Placeholder, ...]
    occurrences: int  # placeholder occurrences in the text, repeats included
    embeds: tuple[str, ...]  # tables named by sqlc.embed(...), in order


def prepare(sql: str, dialect: str, pos: Location) -> Prepared:
    """Rewrite the placeholders of one statement; AnalysisError when styles are mixed."""
    found = scan(sql, "postgres" if dialect == "postgresql" else dialect, pos)
    params = [o for o in found if o.style != "sqlc_embed"]
    _check_one_family(sql, params, pos)
    numbered = _number_positions(params)
    placeholders = _distinct(sql, params, numbered, pos)
    _check_no_gaps(placeholders)
    tokens = _assign_tokens(placeholders)
    rewritten = _rewrite(sql, found, numbered, tokens)
    return Prepared(
        sql=rewritten,
        placeholders=tuple(tokens.values()),
        occurrences=len(params),
        embeds=tuple(o.name or "" for o in found if o.style == "sqlc_embed"),
    )


def count_placeholders(expression: exp.Expr) -> int:
    """How many placeholder nodes a parsed tree holds (to compare with Prepared.occurrences)."""
    return sum(1 for _ in expression.find_all(exp.Placeholder))


def _check_one_family(sql: str, params: list[Occurrence], pos: Location) -> None:
    """$N cannot share a query with ? or ?N: their numbers would mean two different things.

    Names may join either (sqlc numbers them after the positions), so sqlc files read as is.
    """
    dollar = next((o for o in params if o.style == "dollar"), None)
    qmark = next((o for o in params if o.style in ("qmark", "numbered")), None)
    if dollar is None or qmark is None:
        return
    later = max(dollar, qmark, key=lambda o: o.start)
    earlier = min(dollar, qmark, key=lambda o: o.start)
    raise AnalysisError(
        f"placeholder {sql[later.start : later.end]!r} mixes parameter styles with "
        f"{sql[earlier.start : earlier.end]!r} used earlier in the query",
        location=location_at(sql, later.start, pos),
        hint=_MIX_HINT,
    )


def _number_positions(params: list[Occurrence]) -> dict[int, int]:
    """Occurrence start -> parameter number; a bare ? takes the largest number so far + 1."""
    numbers: dict[int, int] = {}
    largest = 0
    for occ in params:
        if occ.style == "qmark":
            number = largest + 1
        elif occ.number is not None:
            number = occ.number
        else:
            continue
        numbers[occ.start] = number
        largest = max(largest, number)
    return numbers


def _distinct(
    sql: str, params: list[Occurrence], numbered: dict[int, int], pos: Location
) -> list[Placeholder]:
    """One Placeholder per parameter: by number for positions, by name (any case) otherwise."""
    seen: dict[object, Placeholder] = {}
    for occ in params:
        key: object = numbered.get(occ.start, (occ.name or "").lower())
        earlier = seen.get(key)
        if earlier is None:
            seen[key] = _placeholder(sql, occ, numbered.get(occ.start), pos)
        elif occ.style in ("sqlc_narg", "sqlc_slice"):
            seen[key] = replace(
                earlier,
                nullable=earlier.nullable or occ.style == "sqlc_narg",
                is_list=earlier.is_list or occ.style == "sqlc_slice",
            )
    found = list(seen.values())
    positional = sorted((p for p in found if p.style in _POSITIONAL), key=lambda p: p.number or 0)
    return positional + [p for p in found if p.style not in _POSITIONAL]


def _placeholder(sql: str, occ: Occurrence, number: int | None, pos: Location) -> Placeholder:
    return Placeholder(
        token="",
        style=occ.style,  # type: ignore[arg-type]  # sqlc_embed never reaches here
        name=occ.name,
        number=number,
        nullable=occ.style == "sqlc_narg",
        is_list=occ.style == "sqlc_slice",
        location=location_at(sql, occ.start, pos),
    )


def _check_no_gaps(placeholders: list[Placeholder]) -> None:
    """$1, $3 without $2 leaves a parameter nobody can type or bind."""
    numbers = [p.number for p in placeholders if p.style in _POSITIONAL and p.number]
    missing = sorted(set(range(1, max(numbers, default=0) + 1)) - set(numbers))
    if missing:
        last = placeholders[-1]
        sigil = "$" if last.style == "dollar" else "?"
        raise AnalysisError(
            f"parameter {sigil}{missing[0]} is never used, but {sigil}{max(numbers)} is",
            location=last.location,
            hint=f"number the parameters {sigil}1 to {sigil}{len(numbers)} without gaps",
        )


def _assign_tokens(placeholders: list[Placeholder]) -> dict[object, Placeholder]:
    """Tokens __p1, __p2 ... in order, with more underscores if a user name looks like one."""
    names = {p.name for p in placeholders if p.name}
    prefix = "__p"
    while any(re.fullmatch(re.escape(prefix) + r"\d+", n) for n in names):
        prefix = "_" + prefix
    out: dict[object, Placeholder] = {}
    for i, p in enumerate(placeholders, start=1):
        key = p.number if p.style in _POSITIONAL else (p.name or "").lower()
        out[key] = replace(p, token=f"{prefix}{i}")
    return out


def _rewrite(
    sql: str, found: list[Occurrence], numbered: dict[int, int], tokens: dict[object, Placeholder]
) -> str:
    parts: list[str] = []
    last = 0
    for occ in found:
        parts.append(sql[last : occ.start])
        if occ.style == "sqlc_embed":
            parts.append(f"{occ.name}.*")
        else:
            key = numbered.get(occ.start, (occ.name or "").lower())
            parts.append(":" + tokens[key].token)
        last = occ.end
    parts.append(sql[last:])
    return "".join(parts)
