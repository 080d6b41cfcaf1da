"""The query rules of the lint: each query becomes a function of queries.py, run through
SQLAlchemy's text(), so its name must be a free Python name and text() must see exactly its
analyzed parameters."""

from __future__ import annotations

import keyword
import re
from collections.abc import Sequence

from scaffold.analyze.model import QueryInfo
from scaffold.errors import LintError, ScaffoldError

# How text() finds bind parameters (sqlalchemy.sql.elements.TextClause._bind_params_regex; a
# test keeps them equal): importing SQLAlchemy would cost every `gen` about 0.1 s.
TEXT_BIND = re.compile(r"(?<![:\w\x5c]):(\w+)(?![:\w])", re.UNICODE)

# Names queries.py imports: a query function may not shadow them.
TAKEN_NAMES = frozenset(
    {"sql", "text", "bindparam", "json", "date", "datetime", "time", "timedelta"}
)


def query_errors(queries: Sequence[QueryInfo]) -> list[ScaffoldError]:
    """Names that cannot be functions, names two queries share, parameters text() misreads."""
    seen: dict[str, QueryInfo] = {}
    errors: list[ScaffoldError] = []
    for query in queries:
        if (
            not query.ident.isidentifier()
            or keyword.iskeyword(query.ident)
            or (query.ident in TAKEN_NAMES)
        ):
            errors.append(
                LintError(
                    f"query {query.name!r} cannot become the Python function {query.ident!r}",
                    location=query.pos,
                    hint="rename it; the name must be an identifier, not a Python keyword nor "
                    f"one of {', '.join(sorted(TAKEN_NAMES))}",
                )
            )
        errors += _bind_mismatch(query)
        first = seen.setdefault(query.ident, query)
        if first is not query:
            errors.append(
                LintError(
                    f"queries {first.name!r} and {query.name!r} both become the Python name "
                    f"{query.ident!r}",
                    location=query.pos,
                    hint="rename one of them",
                )
            )
    return errors


def _bind_mismatch(query: QueryInfo) -> list[ScaffoldError]:
    """The generated code runs the SQL through SQLAlchemy's text(): it must see exactly the
    analyzed parameters, or the call fails at run time."""
    seen = set(TEXT_BIND.findall(query.sql))
    expected = {p.name for p in query.params}
    unseen, extra = sorted(expected - seen), sorted(seen - expected)
    if not unseen and not extra:
        return []
    what = (
        f"parameter :{unseen[0]} is not seen by SQLAlchemy's text()"
        if unseen
        else f"SQLAlchemy's text() reads :{extra[0]} as a parameter"
    )
    return [
        LintError(
            f"query {query.name!r}: {what}",
            location=query.pos,
            hint="write CAST(:name AS type) rather than :name::type, and escape a colon that "
            "starts no parameter as \\:",
        )
    ]
