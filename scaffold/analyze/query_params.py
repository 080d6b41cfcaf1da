"""A query's parameters (name, type, NULL-ability) and its SQL with `:name` placeholders.

Names: the user's (`:id`, `@id`, `sqlc.arg(id)`), else the column the parameter is compared
with or assigned to (as sqlc names them), `limit` / `offset`, else `p<N>`; clashes get `_2`.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Sequence

import sqlglot.expressions as exp

from scaffold.analyze.context import ParamHint
from scaffold.analyze.model import Param
from scaffold.analyze.params import Placeholder, Prepared
from scaffold.analyze.scope import Value
from scaffold.errors import AnalysisError, ScaffoldError
from scaffold.spec.model import snake_case

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def build_params(
    prepared: Prepared, hints: Sequence[ParamHint], errors: list[ScaffoldError]
) -> tuple[Param, ...]:
    """One Param per placeholder, in the placeholders' order; untyped ones become errors."""
    names = _names(prepared.placeholders, hints)
    params: list[Param] = []
    for index, placeholder in enumerate(prepared.placeholders):
        mine = sorted((h for h in hints if h.token == placeholder.token), key=lambda h: h.priority)
        typed = next((h for h in mine if h.value is not None and h.value.py_type), None)
        if typed is None or typed.value is None:
            errors.append(_untyped(placeholder, names[index]))
            continue
        params.append(_param(placeholder, names[index], typed, mine))
    return tuple(params)


def _param(placeholder: Placeholder, name: str, typed: ParamHint, mine: list[ParamHint]) -> Param:
    value: Value = typed.value  # type: ignore[assignment]  # checked by the caller
    assert value.py_type is not None
    sql_type, py_type, element = value.sql_type, value.py_type, value.element_py_type
    if typed.array:
        sql_type, py_type, element = f"{sql_type}[]", "list", py_type
    # `IN (?)` with a positional placeholder is one value, as in sqlc; a named one is a list.
    positional = placeholder.style in ("qmark", "numbered", "dollar")
    in_list = any(h.is_list for h in mine) and not positional
    return Param(
        name=name,
        sql_type=sql_type,
        py_type=py_type,
        nullable=placeholder.nullable or any(h.nullable for h in mine),
        is_list=placeholder.is_list or in_list,
        column=next((h.column for h in mine if h.column), None),
        element_py_type=element,
    )


def _untyped(placeholder: Placeholder, name: str) -> AnalysisError:
    return AnalysisError(
        f'cannot infer the type of parameter "{name}"',
        location=placeholder.location,
        hint=f"annotate it, e.g. CAST(:{name} AS INTEGER)",
    )


def _names(placeholders: Sequence[Placeholder], hints: Sequence[ParamHint]) -> list[str]:
    """Final names: the users' first (they are fixed), inferred ones deduplicated after."""
    taken: set[str] = {p.name.lower() for p in placeholders if p.name}
    names: list[str] = []
    for index, placeholder in enumerate(placeholders, start=1):
        if placeholder.name:
            names.append(_identifier(placeholder.name, index))
            continue
        mine = sorted(
            (h for h in hints if h.token == placeholder.token and h.name), key=lambda h: h.priority
        )
        base = _identifier(mine[0].name or "", index) if mine else f"p{index}"
        name, n = base, 2
        while name.lower() in taken:
            name, n = f"{base}_{n}", n + 1
        taken.add(name.lower())
        names.append(name)
    return names


def _identifier(name: str, index: int) -> str:
    """A Python identifier for a column-derived name: snake_case, keywords get a trailing _."""
    ident = snake_case(name)
    if not _IDENT.fullmatch(ident):
        return f"p{index}"
    return ident + "_" if keyword.iskeyword(ident) else ident


def final_sql(prepared: Prepared, tree: exp.Expr, params: Sequence[Param], dialect: str) -> str:
    """The SQL for SQLAlchemy text(): the user's text with `:name` placeholders.

    A placeholder followed by `::type` would not be seen by text(), so such a query is
    regenerated from the tree, where sqlglot writes CAST(:name AS type).
    """
    names = dict(
        zip((p.token for p in prepared.placeholders), (p.name for p in params), strict=False)
    )
    pattern = re.compile(r":(" + "|".join(re.escape(t) for t in names) + r")\b") if names else None
    text = prepared.sql.strip()
    if pattern is None:
        return text
    if not re.search(pattern.pattern + r"\s*::", text):
        text = _typed_null_tests(text, pattern, names, params, dialect)
        return pattern.sub(lambda m: ":" + names[m.group(1)], text)
    copy = tree.copy()
    for node in list(copy.find_all(exp.Placeholder)):
        node.replace(exp.var(":" + names.get(node.name, node.name)))
    return copy.sql(dialect=dialect, pretty=True)


_NULL_TEST = r"(?=\s+IS\s+(?:NOT\s+)?NULL\b)"


def _typed_null_tests(
    text: str,
    pattern: re.Pattern[str],
    names: dict[str, str],
    params: Sequence[Param],
    dialect: str,
) -> str:
    """Write `:p IS NULL` as `CAST(:p AS type) IS NULL`.

    PostgreSQL cannot infer the type of a parameter that is only tested for NULL ("could not
    determine data type of parameter"); the cast names it, and SQLite accepts it unchanged.
    """
    if dialect not in ("postgres", "sqlite"):
        return text
    types = {p.name: p.sql_type for p in params if p.sql_type and "[" not in p.sql_type}
    null_test = re.compile(pattern.pattern + _NULL_TEST, re.IGNORECASE)

    def cast(match: re.Match[str]) -> str:
        sql_type = types.get(names[match.group(1)])
        return f"CAST({match.group(0)} AS {sql_type})" if sql_type else match.group(0)

    return null_test.sub(cast, text)
