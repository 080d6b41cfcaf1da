"""Lineage-based invalidation: which server-owned states a form's write must refresh.

An insert or delete refreshes every state whose query reads the written table; an update only
those whose query reads (selects, filters, joins, groups or orders on) a column it sets. Where a
state's query filters `table.column = :param` and the form knows the written row's value of that
column, the generated code refreshes only the instances whose parameter equals that value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from scaffold.analyze.lineage_facts import join_filters
from scaffold.analyze.model import Catalog, QueryInfo, Table
from scaffold.plan.fields import key_columns
from scaffold.spec.model import FormSpec, Spec, StateSpec

Maintenance = Literal["local", "refetch"]


@dataclass(frozen=True)
class Prune:
    """Refresh only the instances of a state whose `param` equals the written row's `field`."""

    param: str
    field: str


@dataclass(frozen=True)
class Refresh:
    state: str
    prune: tuple[Prune, ...] = ()  # empty: every instance of the state refreshes


@dataclass(frozen=True)
class FormLineage:
    form: str
    table: str
    action: str
    columns: tuple[str, ...]  # columns the form sets (insert/update) or removes (delete: all)
    refreshes: tuple[Refresh, ...]

    @property
    def state_names(self) -> tuple[str, ...]:
        return tuple(r.state for r in self.refreshes)


def maintenance(query: QueryInfo) -> Maintenance:
    """`local` when the state can apply a write itself (a filter/sort over one table)."""
    single_table = len(query.reads) == 1
    if query.has_aggregate or query.has_outer_join or query.has_window or query.has_limit:
        return "refetch"
    return "local" if single_table and query.kind == "select" else "refetch"


def written_columns(form: FormSpec, catalog: Catalog) -> tuple[str, ...]:
    table = catalog.table(form.table)
    if table is None:
        return ()
    if form.action == "delete":
        return tuple(c.name for c in table.columns)
    return tuple(c for c in form.fields if table.column(c) is not None)


def _refresh(
    form: FormSpec,
    columns: tuple[str, ...],
    table: Table,
    state: StateSpec,
    query: QueryInfo,
    dialect: str,
) -> Refresh | None:
    table_name = table.name
    reads = {t.lower() for t in query.reads}
    if table_name.lower() not in reads:
        return None
    if form.action == "update":
        read_cols = {c.lower() for c in query.columns_read}
        if not any(f"{table_name}.{c}".lower() in read_cols for c in columns):
            return None
    return Refresh(state.name, _prunes(form, table, query, dialect))


def _prunes(form: FormSpec, table: Table, query: QueryInfo, dialect: str) -> tuple[Prune, ...]:
    """Filters `table.col = :param` where the form's input carries the row's value of col.

    The filters include those implied by join equalities (`a.id = :p AND b.a_id = a.id`). An
    update that sets col moves the row between instances (old and new value), and the old
    value is not in the input, so such a filter cannot prune.
    """
    table_name, primary_key = table.name, table.primary_key
    # an insert learns its new row's key from submit(), so the key prunes too
    known = set(form.fields) | set(form.key) | set(primary_key)
    if form.action == "update":
        known = set(form.key) - set(form.fields)
    elif form.action == "delete":
        known = set(form.key)
    out: list[Prune] = []
    for flt in (*query.filters, *join_filters(query, dialect)):
        owner, _, column = flt.column.rpartition(".")
        prune = Prune(flt.param, column)
        if owner.lower() == table_name.lower() and column in known and prune not in out:
            out.append(prune)
    return tuple(out)


def invalidation(
    spec: Spec, catalog: Catalog, queries: Sequence[QueryInfo]
) -> tuple[FormLineage, ...]:
    """For every form, the server-owned states its write must refresh (in spec order)."""
    by_name = {q.name: q for q in queries} | {q.ident: q for q in queries}
    servers = [s for s in spec.state if s.owner == "server" and s.query in by_name]
    out: list[FormLineage] = []
    for form in spec.forms:
        table = catalog.table(form.table)
        if table is None:
            continue
        if not form.key and form.action != "insert":
            form = _with_key(form, key_columns(form, table))
        columns = written_columns(form, catalog)
        refreshes = [
            _refresh(form, columns, table, s, by_name[s.query or ""], catalog.dialect)
            for s in servers
        ]
        out.append(
            FormLineage(
                form.name,
                table.name,
                form.action,
                columns,
                tuple(r for r in refreshes if r is not None),
            )
        )
    return tuple(out)


def _with_key(form: FormSpec, key: tuple[str, ...]) -> FormSpec:
    from dataclasses import replace

    return replace(form, key=key)


def lineage_warnings(spec: Spec, lineage: Sequence[FormLineage]) -> list[str]:
    """Server states no form refreshes, and forms that refresh nothing."""
    refreshed = {r.state for f in lineage for r in f.refreshes}
    warnings = [
        f"form {f.form!r} writes {f.table!r} but refreshes no state"
        for f in lineage
        if not f.refreshes
    ]
    warnings += [
        f"server state {s.name!r} is refreshed by no form (its data only changes outside this app)"
        for s in spec.state
        if s.owner == "server" and s.name not in refreshed and spec.forms
    ]
    return warnings
