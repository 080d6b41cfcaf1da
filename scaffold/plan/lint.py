"""The architecture lint: forms write only what the client may own, into tables that exist.

Every rule reports at the spec position of what it is about, with the fix in the hint. The
query and state rules live in ``lint_queries`` and ``lint_state``; ``lint`` runs them all and
raises every error at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from scaffold.analyze.model import Catalog, QueryInfo, Table
from scaffold.errors import LintError, ScaffoldError, did_you_mean, raise_all
from scaffold.plan.fields import key_columns
from scaffold.plan.lint_queries import query_errors
from scaffold.plan.lint_state import state_errors
from scaffold.spec.model import FormSpec, Spec

# Values the database assigns itself: a form can never set them, listed or not.
ALWAYS_SERVER_OWNED = ("autoincrement", "identity", "serial", "generated")


def lint(spec: Spec, catalog: Catalog, queries: Sequence[QueryInfo]) -> list[str]:
    """Check the spec's ownership and data-flow rules; return warnings, raise every error."""
    errors: list[ScaffoldError] = []
    warnings: list[str] = []
    errors += query_errors(queries)
    for form in spec.forms:
        form_errors, form_warnings = form_findings(form, spec, catalog)
        errors += form_errors
        warnings += form_warnings
    errors += state_errors(spec, catalog, queries, warnings)
    raise_all(errors)
    return warnings


def form_findings(
    form: FormSpec, spec: Spec, catalog: Catalog
) -> tuple[list[LintError], list[str]]:
    """The errors and warnings of one form."""
    table = catalog.table(form.table)
    if table is None:
        return [_unknown_target(form, spec, catalog)], []
    if table.is_view:
        return [
            LintError(
                f"form {form.name!r} writes {table.name!r}, which is a view",
                location=form.pos,
                hint="point `table` at the table the view reads; a view cannot be written",
            )
        ], []
    errors = _unknown_columns(form, table)
    errors += _server_owned(form, table)
    errors += _missing_key(form, table)
    errors += _missing_required(form, table)
    return errors, _key_warnings(form, table)


def _unknown_target(form: FormSpec, spec: Spec, catalog: Catalog) -> LintError:
    state = next((s for s in spec.state if s.name == form.table), None)
    if state is not None and state.owner != "server":
        return LintError(
            f"form {form.name!r} writes {'client-owned' if state.owner == 'client' else 'derived'}"
            f" state {state.name!r}, which never reaches the database",
            location=form.pos,
            hint="point `table` at a database table; "
            + (
                "client state changes through its store, not a form"
                if state.owner == "client"
                else "derived state is computed from its sources"
            ),
        )
    tables = [t.name for t in catalog.tables if not t.is_view]
    return LintError(
        f"form {form.name!r}: table {form.table!r} does not exist",
        location=form.pos,
        hint=did_you_mean(form.table, tables) or _listing("tables", tables),
    )


def _unknown_columns(form: FormSpec, table: Table) -> list[LintError]:
    named = [
        *form.fields,
        *form.key,
        *(f for f, _ in form.choices),
        *(f for f, _ in form.labels),
        *(f for f, _ in form.help),
    ]
    columns = [c.name for c in table.columns]
    errors: list[LintError] = []
    for name in dict.fromkeys(named):
        if table.column(name) is None:
            errors.append(
                LintError(
                    f"form {form.name!r}: table {table.name!r} has no column {name!r}",
                    location=form.pos_of(name),
                    hint=did_you_mean(name, columns) or _listing("columns", columns),
                )
            )
    return errors


def _server_owned(form: FormSpec, table: Table) -> list[LintError]:
    """Fields the database fills itself. A column with a plain DEFAULT may be listed: listing
    it is the explicit decision that the client supplies the value."""
    keys = {k.lower() for k in key_columns(form, table)}
    errors: list[LintError] = []
    for name in form.fields:
        col = table.column(name)
        if col is None or col.name.lower() in keys:
            continue
        if col.server_generated in ALWAYS_SERVER_OWNED:
            errors.append(
                LintError(
                    f"form {form.name!r} sets {table.name}.{col.name}, which the database assigns "
                    f"({col.server_generated})",
                    location=form.pos_of(name),
                    hint=f"remove {name!r} from `fields`; the server owns it",
                )
            )
    return errors


def _missing_key(form: FormSpec, table: Table) -> list[LintError]:
    if form.action == "insert" or form.key or table.primary_key:
        return []
    example = next(iter(table.unique), None)
    hint = "add `key: [column, ...]` naming columns that identify one row"
    if example:
        hint += f", e.g. `key: [{', '.join(example)}]`"
    return [
        LintError(
            f"{form.action} form {form.name!r}: table {table.name!r} has no primary key, so the "
            "row to change cannot be identified",
            location=form.pos,
            hint=hint,
        )
    ]


def _missing_required(form: FormSpec, table: Table) -> list[LintError]:
    """An insert that leaves out a NOT NULL column without a default always fails."""
    if form.action != "insert":
        return []
    listed = {f.lower() for f in form.fields}
    missing = [
        c.name
        for c in table.columns
        if not c.nullable and not c.has_default and c.name.lower() not in listed
    ]
    if not missing:
        return []
    names = ", ".join(missing)
    return [
        LintError(
            f"insert form {form.name!r} omits {names} of {table.name!r}: NOT NULL without a "
            "default, so every insert would fail",
            location=form.pos,
            hint=f"add {names} to `fields`",
        )
    ]


def _key_warnings(form: FormSpec, table: Table) -> list[str]:
    if form.action == "insert" or not form.key:
        return []
    key = {k.lower() for k in form.key}
    if any({c.lower() for c in unique} <= key for unique in table.unique):
        return []
    return [
        f"{form.pos}: form {form.name!r}: key ({', '.join(form.key)}) is not declared unique "
        f"in {table.name!r}; one {form.action} may change several rows"
    ]


def _listing(what: str, names: Sequence[str]) -> str:
    shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    return f"the {what} are: {shown}" if names else f"there are no {what}"
