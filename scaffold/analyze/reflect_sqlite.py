"""What SQLAlchemy's SQLite inspector does not say: declared types, WITHOUT ROWID, unique indexes.

SQLite keeps a column's type as written, and only the exact name INTEGER makes a single-column
primary key an alias of the rowid; inline UNIQUE makes an automatic index SQLAlchemy skips.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from scaffold.analyze.catalog_columns import declared_type

_WITHOUT_ROWID = re.compile(r"\bWITHOUT\s+ROWID\s*;?\s*$", re.I)
UniqueSet = tuple[str | None, tuple[str, ...]]  # (index or constraint name, columns)


@dataclass(frozen=True)
class SqliteTable:
    declared_types: dict[str, str]  # column -> declared type, upper-case, "" when none
    without_rowid: bool
    unique: list[UniqueSet]


def table_facts(conn: sa.Connection, table: str) -> SqliteTable:
    quoted = conn.dialect.identifier_preparer.quote(table)
    columns = conn.exec_driver_sql(f"PRAGMA table_xinfo({quoted})").mappings().all()
    declared = {str(c["name"]): declared_type(str(c["type"] or ""), -1) for c in columns}
    sql = conn.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
        {"name": table},
    ).scalar()
    return SqliteTable(declared, bool(_WITHOUT_ROWID.search(str(sql or ""))), _unique(conn, quoted))


def _unique(conn: sa.Connection, quoted: str) -> list[UniqueSet]:
    """Unique indexes on plain columns, automatic (inline UNIQUE) or created; not the key's."""
    out: list[UniqueSet] = []
    for index in conn.exec_driver_sql(f"PRAGMA index_list({quoted})").mappings().all():
        if not index["unique"] or index["partial"] or index["origin"] == "pk":
            continue
        name = str(index["name"])
        index_quoted = conn.dialect.identifier_preparer.quote(name)
        info = conn.exec_driver_sql(f"PRAGMA index_info({index_quoted})").mappings().all()
        names = [c["name"] for c in sorted(info, key=lambda c: int(c["seqno"]))]
        if not names or None in names:
            continue  # an index on an expression
        columns = tuple(str(n) for n in names)
        if columns not in [c for _, c in out]:
            out.append((None if name.startswith("sqlite_autoindex_") else name, columns))
    return out[::-1]  # index_list lists the newest first
