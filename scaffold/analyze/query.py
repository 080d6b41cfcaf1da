"""Query analysis: each QuerySpec against the Catalog becomes a QueryInfo.

sqlc.embed(t) is flattened: its columns appear in the output like `t.*` would.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlglot
import sqlglot.expressions as exp
from sqlglot.errors import ParseError, SqlglotError, TokenError

from scaffold.analyze.context import Context
from scaffold.analyze.ddl_source import quiet_sqlglot
from scaffold.analyze.dml import dml_relation
from scaffold.analyze.infer import evaluate
from scaffold.analyze.model import Catalog, OutputColumn, QueryInfo
from scaffold.analyze.params import count_placeholders, location_at, prepare
from scaffold.analyze.query_facts import cardinality_of, command_of, filters_of, kind_of, reads_of
from scaffold.analyze.query_params import build_params, final_sql
from scaffold.analyze.scope import Relation, Scope
from scaffold.analyze.select import relation_of
from scaffold.errors import AnalysisError, Location, ScaffoldError, raise_all
from scaffold.spec.model import QuerySpec

_CLASS = re.compile(r"<class '(?:\w+\.)*(\w+)'>")
_DIALECTS = {"postgresql": "postgres", "sqlite3": "sqlite", "mariadb": "mysql"}


def analyze_queries(queries: Sequence[QuerySpec], catalog: Catalog) -> tuple[QueryInfo, ...]:
    """Analyze every query; report all their errors together."""
    out: list[QueryInfo] = []
    errors: list[ScaffoldError] = []
    for query in queries:
        try:
            out.append(analyze_query(query, catalog))
        except ScaffoldError as error:
            errors.extend(getattr(error, "errors", [error]))
    raise_all(errors)
    return tuple(out)


def analyze_query(query: QuerySpec, catalog: Catalog) -> QueryInfo:
    """The facts about one query; AnalysisError (or an ErrorGroup of them) when it is wrong."""
    dialect = _DIALECTS.get(catalog.dialect, catalog.dialect)
    prepared = prepare(query.sql, dialect, query.pos)
    tree = parse_statement(prepared.sql, dialect, query.pos)
    _check_placeholders(tree, prepared.occurrences, query.pos)
    ctx = _context(catalog, dialect, prepared.sql, query.pos)
    relation = _statement_relation(ctx, tree)
    errors: list[ScaffoldError] = []
    params = build_params(prepared, ctx.hints, errors)
    raise_all(errors)
    kind = kind_of(tree)
    cardinality = cardinality_of(tree, kind, query.command, ctx)
    names = {p.token: param.name for p, param in zip(prepared.placeholders, params, strict=True)}
    return QueryInfo(
        name=query.name,
        ident=query.ident,
        kind=kind,
        cardinality=cardinality,
        command=command_of(query.command, cardinality),
        sql=final_sql(prepared, tree, params, dialect),
        columns=output_columns(relation),
        params=params,
        reads=reads_of(ctx),
        writes=tuple(sorted(ctx.writes)),
        columns_read=tuple(sorted(ctx.columns_read)),
        columns_written=tuple(sorted(ctx.columns_written)),
        filters=filters_of(tree, ctx, names),
        has_aggregate=ctx.has_aggregate,
        has_outer_join=ctx.has_outer_join,
        has_window=ctx.has_window,
        has_limit=_has_limit(tree),
        pos=query.pos,
    )


def analyze_select_columns(
    select: exp.Expr, catalog: Catalog, pos: Location | None = None
) -> tuple[OutputColumn, ...]:
    """The output columns of a SELECT (a view's body) against `catalog`."""
    dialect = _DIALECTS.get(catalog.dialect, catalog.dialect)
    ctx = _context(catalog, dialect, select.sql(dialect=dialect), pos)
    ctx.locate = lambda _node: pos
    return output_columns(relation_of(ctx, select, Scope()))


def parse_statement(sql: str, dialect: str, pos: Location) -> exp.Expr:
    """Exactly one statement, or an AnalysisError at the position sqlglot stopped."""
    try:
        with quiet_sqlglot():
            statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except ParseError as error:
        detail = error.errors[0] if error.errors else {}
        raise AnalysisError(
            f"SQL does not parse: {_describe(str(detail.get('description') or error))}",
            location=_parse_location(sql, detail, pos),
            hint=f"near {detail.get('highlight')!r}" if detail.get("highlight") else None,
        ) from None
    except (TokenError, SqlglotError, RecursionError, ValueError) as error:
        raise AnalysisError(f"SQL does not parse: {error}", location=pos) from None
    if len(statements) != 1:
        raise AnalysisError(
            f"expected one SQL statement, found {len(statements)}",
            location=pos,
            hint="write one statement per query",
        )
    return statements[0]


def _describe(description: str) -> str:
    """sqlglot's message without its class names: `<class '...Where'>` -> WHERE."""
    text = _CLASS.sub(lambda m: m.group(1).upper(), description)
    return text.split(". Line ")[0].rstrip(".")


def _parse_location(sql: str, detail: dict[str, object], pos: Location) -> Location:
    line, col = detail.get("line"), detail.get("col")
    if not isinstance(line, int) or not isinstance(col, int):
        return pos
    lines = sql.split("\n")
    # sqlglot reports the column where the offending token ends; point at its start.
    width = len(str(detail.get("highlight") or "x"))
    offset = sum(len(x) + 1 for x in lines[: line - 1]) + max(col - width, 0)
    return location_at(sql, min(offset, len(sql)), pos)


def _check_placeholders(tree: exp.Expr, written: int, pos: Location) -> None:
    found = count_placeholders(tree)
    if found < written:
        raise AnalysisError(
            f"the query has {written} placeholders but only {found} survived parsing",
            location=pos,
            hint="a placeholder is probably in a place SQL does not allow a value",
        )


def _context(catalog: Catalog, dialect: str, sql: str, pos: Location | None) -> Context:
    def locate(node: exp.Expr) -> Location | None:
        if pos is None:
            return None
        for sub in node.walk():
            start = sub.meta.get("start") if sub._meta else None
            if isinstance(start, int):
                return location_at(sql, start, pos)
        return pos

    return Context(catalog, dialect, locate, relation_of, evaluate)


def _statement_relation(ctx: Context, tree: exp.Expr) -> Relation:
    if isinstance(tree, (exp.Select, exp.SetOperation, exp.Subquery, exp.Values)):
        return relation_of(ctx, tree, Scope())
    if isinstance(tree, (exp.Insert, exp.Update, exp.Delete)):
        scope = Scope()
        with_ = tree.args.get("with_") or tree.args.get("with")
        if isinstance(with_, exp.With):
            for cte in with_.expressions:
                scope.ctes[cte.alias_or_name.lower()] = relation_of(ctx, cte.this, scope)
        return dml_relation(ctx, tree, scope)
    found = str(tree.this).split()[0] if isinstance(tree, exp.Command) else tree.key
    raise AnalysisError(
        f"expected SELECT, INSERT, UPDATE or DELETE, found {found.upper()}",
        location=ctx.locate(tree),
    )


def output_columns(relation: Relation) -> tuple[OutputColumn, ...]:
    """The relation's columns as OutputColumns, clashing names made unique as sqlc does."""
    seen: dict[str, int] = {}
    out: list[OutputColumn] = []
    for col in relation.columns:
        name = col.name
        count = seen.get(name.lower(), 0) + 1
        seen[name.lower()] = count
        if count > 1:
            name = f"{name}_{count}"
            seen[name.lower()] = 1
        value = col.value
        out.append(
            OutputColumn(
                name=name,
                sql_type=value.sql_type or "TEXT",
                py_type=value.py_type or "str",
                nullable=value.nullable,
                source=value.source,
                element_py_type=value.element_py_type,
            )
        )
    return tuple(out)


def _has_limit(tree: exp.Expr) -> bool:
    return tree.args.get("limit") is not None or tree.args.get("offset") is not None
