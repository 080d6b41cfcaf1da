"""Sample rows for the generated tests: deterministic, in FK order, honouring every constraint.

Each row is built from per-column candidates (see sample_values) and inserted into an
in-memory SQLite built from the catalog's DDL; when the database rejects it (a CHECK, UNIQUE
or FK), the columns it names move on to their next candidate. The database is the oracle.

Keys the server would generate (autoincrement, serial, identity) get explicit values 1, 2, 3 so
child rows can reference them; SQLite, serial and identity BY DEFAULT accept them, and the
generated conftest inserts GENERATED ALWAYS identities with OVERRIDING SYSTEM VALUE and moves
the sequences past the samples. Other server-filled columns (DEFAULT now(), computed columns)
are left out, unless a key or a foreign key needs their value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlglot
import sqlglot.expressions as exp
from sqlglot.errors import ParseError, TokenError

from scaffold.analyze.model import Catalog, Column, Table
from scaffold.errors import WriteError
from scaffold.plan.sample_db import SampleDatabase
from scaffold.plan.sample_values import candidates, sample_value

__all__ = [
    "Rows",
    "SampleDatabase",
    "fill_samples",
    "foreign_key_groups",
    "inserted_columns",
    "sample_rows",
    "sample_value",
    "tables_in_fk_order",
]

Rows = dict[str, list[dict[str, Any]]]
MAX_TRIES = 200
EXPLICIT_KEYS = ("autoincrement", "identity", "serial")


@dataclass(frozen=True)
class ForeignKeyGroup:
    """Columns of a table that reference one parent row together."""

    columns: tuple[str, ...]
    parent: str
    parent_columns: tuple[str, ...]


def sample_rows(catalog: Catalog, per_table: int = 3) -> Rows:
    """`per_table` rows per table (views excluded), keyed by table name, tables in FK order."""
    from scaffold.plan.ddl import schema_ddl

    oracle = SampleDatabase(catalog, schema_ddl(catalog, "sqlite"))
    try:
        return fill_samples(catalog, oracle, per_table)
    finally:
        oracle.close()


def fill_samples(catalog: Catalog, oracle: SampleDatabase, per_table: int = 3) -> Rows:
    """Build and insert the sample rows into `oracle` (left holding them, for query checks)."""
    rows: Rows = {}
    referenced = referenced_columns(catalog)  # once: it reads every table's foreign keys
    for table in tables_in_fk_order(catalog):
        rows[table.name] = []
        for i in range(per_table):
            row = _accepted_row(catalog, table, (i, per_table), rows, oracle, referenced)
            rows[table.name].append(row)
    return rows


def tables_in_fk_order(catalog: Catalog) -> list[Table]:
    """Tables (not views) with every referenced table first; catalog order breaks ties."""
    tables = [t for t in catalog.tables if not t.is_view]
    # Each table's parents once, not once per round: 200 tables made 140,000 calls.
    parents = [_parents(t) - {t.name} for t in tables]
    done: list[Table] = []
    names: set[str] = set()
    while len(done) < len(tables):
        waiting = [(t, p) for t, p in zip(tables, parents, strict=True) if t.name not in names]
        ready = next((t for t, p in waiting if p <= names), None)
        # A cycle of foreign keys: take the next table in catalog order and go on.
        pick = ready if ready is not None else waiting[0][0]
        done.append(pick)
        names.add(pick.name)
    return done


def _parents(table: Table) -> set[str]:
    return {g.parent for g in foreign_key_groups(table)}


def foreign_key_groups(table: Table) -> list[ForeignKeyGroup]:
    """Every FK of the table: column-level REFERENCES and table-level FOREIGN KEYs."""
    groups: dict[tuple[str, ...], ForeignKeyGroup] = {}
    for c in table.constraints:
        if c.kind == "foreign_key" and c.references is not None:
            groups[c.columns] = ForeignKeyGroup(c.columns, *c.references)
    for col in table.columns:
        fk = col.foreign_key
        if fk is not None and (col.name,) not in groups:
            groups[(col.name,)] = ForeignKeyGroup((col.name,), fk.table, (fk.column,))
    return list(groups.values())


def referenced_columns(catalog: Catalog) -> set[tuple[str, str]]:
    """(table, column) pairs some foreign key points at, lower-cased."""
    out: set[tuple[str, str]] = set()
    for table in catalog.tables:
        for group in foreign_key_groups(table):
            parent = catalog.table(group.parent)
            name = parent.name if parent else group.parent
            out |= {(name.lower(), c.lower()) for c in group.parent_columns}
    return out


def inserted_columns(
    catalog: Catalog, table: Table, referenced: set[tuple[str, str]] | None = None
) -> list[Column]:
    """The columns a sample row sets: all but those the server fills and nobody references.

    `referenced` is referenced_columns(catalog), when the caller has it already.
    """
    if referenced is None:
        referenced = referenced_columns(catalog)
    keys = {c.lower() for cols in table.unique for c in cols} | {
        c.lower() for c in table.primary_key
    }
    out = []
    for col in table.columns:
        generated = col.server_generated
        needed = col.name.lower() in keys or (table.name.lower(), col.name.lower()) in referenced
        if generated == "generated" or (generated == "default" and not needed):
            continue
        out.append(col)
    return out


@dataclass
class _Slot:
    """Columns that change together (one column, or a multi-column foreign key)."""

    columns: tuple[str, ...]
    options: list[tuple[Any, ...]]
    choice: int = 0


def _accepted_row(
    catalog: Catalog,
    table: Table,
    index: tuple[int, int],  # (row number, rows per table)
    rows: Rows,
    oracle: SampleDatabase,
    referenced: set[tuple[str, str]],
) -> dict[str, Any]:
    i = index[0]
    slots = _slots(catalog, table, index, rows, oracle, referenced)
    last_error = ""
    for _ in range(MAX_TRIES):
        row = {c: v for s in slots for c, v in zip(s.columns, s.options[s.choice], strict=True)}
        error = oracle.try_insert(table, row)
        if error is None:
            return row
        last_error = error
        suspects = _suspects(table, slots, error)
        _learn_from(table, suspects, error, i)
        if not _advance(suspects):
            break
    raise WriteError(
        f"no sample row {i + 1} for table {table.name!r} satisfies its constraints "
        f"(last: {last_error})",
        location=table.pos,
        hint="the generated tests need sample rows; check that the CHECK constraints "
        "can all be true together",
    )


def _slots(
    catalog: Catalog,
    table: Table,
    index: tuple[int, int],
    rows: Rows,
    oracle: SampleDatabase,
    referenced: set[tuple[str, str]],
) -> list[_Slot]:
    i, per_table = index
    null_row = i == per_table - 1  # the last row exercises every nullable column
    columns = inserted_columns(catalog, table, referenced)
    inserted = {c.name for c in columns}
    slots: list[_Slot] = []
    grouped: set[str] = set()
    for f, group in enumerate(foreign_key_groups(table)):
        if not set(group.columns) <= inserted:
            continue
        options = _parent_options(catalog, table, group, i + f, rows)
        nullable = all(_column(table, c).nullable for c in group.columns)
        if nullable and (null_row or not options):
            options.insert(0, (None,) * len(group.columns))
        if not options:
            raise WriteError(
                f"table {table.name!r} references {group.parent!r}, which has no sample rows",
                location=table.pos,
            )
        slots.append(_Slot(group.columns, options))
        grouped |= set(group.columns)
    for col in columns:
        if col.name not in grouped:
            col = _with_element_enum(catalog, col)
            options = _column_options(table, col, i, null_row)
            # Values that pass the column's own CHECKs first: the SQLite schema may lack one.
            passes = [oracle.satisfies(col, o[0]) for o in options]
            options = [o for o, ok in zip(options, passes, strict=True) if ok] + [
                o for o, ok in zip(options, passes, strict=True) if not ok
            ]
            slots.append(_Slot((col.name,), options))
    order = {c.name: n for n, c in enumerate(table.columns)}
    return sorted(slots, key=lambda s: order[s.columns[0]])


def _with_element_enum(catalog: Catalog, col: Column) -> Column:
    """An array of a PostgreSQL enum (`status[]`) takes its elements from the enum's values."""
    if col.py_type != "list" or col.enum_values or not col.sql_type.endswith("[]"):
        return col
    values = catalog.enum(col.sql_type.removesuffix("[]"))
    return replace(col, enum_values=values) if values else col


def _column(table: Table, name: str) -> Column:
    col = table.column(name)
    assert col is not None, f"{table.name}.{name}"
    return col


def _parent_options(
    catalog: Catalog, table: Table, group: ForeignKeyGroup, start: int, rows: Rows
) -> list[tuple[Any, ...]]:
    """Parent key values to try, rotating from row `start` of the parent's samples."""
    parent = catalog.table(group.parent)
    if parent is None:
        return []
    parent_rows = rows.get(parent.name, [])
    names = [_column(parent, c).name for c in group.parent_columns]
    options = []
    for k in range(len(parent_rows)):
        values = tuple(parent_rows[(start + k) % len(parent_rows)].get(n) for n in names)
        if None not in values:
            options.append(values)
    return options


def _column_options(table: Table, col: Column, i: int, null_row: bool) -> list[tuple[Any, ...]]:
    if col.server_generated in EXPLICIT_KEYS and col.py_type == "int":
        return [(i + 1,)]
    extra = tuple(
        c.expression
        for c in table.constraints
        if c.kind == "check" and c.expression is not None and col.name in c.columns
    )
    values: list[Any] = candidates(col, i, extra)
    if col.nullable:
        values = [None, *values] if null_row else [*values, None]
    return [(v,) for v in values]


def _learn_from(table: Table, suspects: Sequence[_Slot], error: str, i: int) -> None:
    """A CHECK the catalog did not attach to the column still names its literals in the
    database's message: add the candidates they suggest (once per message)."""
    prefix = "CHECK constraint failed: "
    if not error.startswith(prefix):
        return
    try:
        expression = sqlglot.parse_one(error[len(prefix) :], read="sqlite")
    except (ParseError, TokenError):
        return
    if not isinstance(expression, exp.Expression):
        return
    for slot in suspects:
        column = table.column(slot.columns[0])
        if len(slot.columns) != 1 or column is None or column.foreign_key is not None:
            continue
        for value in candidates(column, i, (expression,)):
            if (value,) not in slot.options:
                slot.options.append((value,))


def _suspects(table: Table, slots: Sequence[_Slot], error: str) -> list[_Slot]:
    """The slots a rejection names; every slot when it names none."""
    named = _columns_named(table, error)
    if error.startswith("FOREIGN KEY"):
        named = {c for g in foreign_key_groups(table) for c in g.columns}
    found = [s for s in slots if named & set(s.columns)]
    return found or list(slots)


def _columns_named(table: Table, error: str) -> set[str]:
    detail = error.split(":", 1)[-1]
    for c in table.constraints:
        if c.name and c.name.lower() == detail.strip().lower():
            return set(c.columns) or _expression_columns(c.expression)
    words = {w.lower() for w in re.findall(r"\w+", detail)}
    return {col.name for col in table.columns if col.name.lower() in words}


def _expression_columns(expression: exp.Expression | None) -> set[str]:
    if expression is None:
        return set()
    return {c.name for c in expression.find_all(exp.Column)}


def _advance(slots: Sequence[_Slot]) -> bool:
    """Move to the next combination of the slots' options (an odometer); False when done."""
    for slot in slots:
        slot.choice += 1
        if slot.choice < len(slot.options):
            return True
        slot.choice = 0
    return False
