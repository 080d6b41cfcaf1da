"""Table and column names as each database stores them, read back from the generated DDL.

PostgreSQL folds unquoted names to lower case and SQLite ignores case, so the sample INSERTs
must spell names the way the CREATE TABLE left them, quoting only where needed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import sqlglot
import sqlglot.expressions as exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Tokenizer

_PLAIN = re.compile(r"^[a-z_][a-z0-9_]*$")
_KEYWORDS = frozenset(k.lower() for k in Tokenizer.KEYWORDS if k.isalpha())

# dialect -> lower-cased table name -> (stored table name, lower column -> stored column name)
StoredNames = dict[str, tuple[str, dict[str, str]]]


def stored_names(ddl: Sequence[str], dialect: str) -> StoredNames:
    """The names the CREATE TABLE statements give their tables and columns."""
    # The conftest asks twice for the same DDL; parsing it is most of the cost.
    cached = _stored_names(tuple(ddl), dialect)
    return {table: (name, dict(columns)) for table, (name, columns) in cached.items()}


@lru_cache(maxsize=4)
def _stored_names(ddl: tuple[str, ...], dialect: str) -> StoredNames:
    out: StoredNames = {}
    for statement in ddl:
        try:
            tree = sqlglot.parse_one(statement, read=dialect)
        except (ParseError, TokenError):
            continue
        if not (isinstance(tree, exp.Create) and isinstance(tree.this, exp.Schema)):
            continue
        table = tree.this.this
        if not isinstance(table, exp.Table):
            continue
        columns = {
            c.name.lower(): _stored(c.this, dialect)
            for c in tree.this.expressions
            if isinstance(c, exp.ColumnDef)
        }
        out[table.name.lower()] = (_stored(table.this, dialect), columns)
    return out


def _stored(ident: exp.Expression, dialect: str) -> str:
    name = ident.name
    if isinstance(ident, exp.Identifier) and ident.quoted:
        return name
    return name.lower() if dialect == "postgres" else name


def sql_name(name: str) -> str:
    """An identifier as SQL text: quoted when it is not plain lower case or is a keyword."""
    if _PLAIN.match(name) and name not in _KEYWORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


def table_sql(names: StoredNames, table: str, dialect: str) -> str:
    bare = table.split(".")[-1]
    stored = names.get(bare.lower(), (_default(bare, dialect), {}))[0]
    return sql_name(stored)


def column_sql(names: StoredNames, table: str, column: str, dialect: str) -> str:
    bare = table.split(".")[-1]
    columns = names.get(bare.lower(), ("", {}))[1]
    return sql_name(columns.get(column.lower(), _default(column, dialect)))


def _default(name: str, dialect: str) -> str:
    return name.lower() if dialect == "postgres" else name
