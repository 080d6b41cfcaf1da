"""The state one query's analysis accumulates while it walks the tree.

Tables and columns read, what each parameter's surroundings say about it, and which
features (aggregates, windows, outer joins) the query uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlglot.expressions as exp

from scaffold.analyze.model import Catalog
from scaffold.analyze.scope import Relation, Scope, Value
from scaffold.errors import Location


@dataclass(frozen=True)
class ParamHint:
    """What one occurrence of a placeholder's context says about it."""

    token: str
    priority: int  # lower wins: 0 a CAST, 1 compared/assigned to a column, 2 anything else
    value: Value | None = None  # the type it should have
    name: str | None = None  # the name sqlc would give it (the column's name)
    column: str | None = None  # "table.column" it is compared with or assigned to
    nullable: bool = False  # compared with IS NULL (the optional-filter pattern)
    is_list: bool = False  # the single item of an IN list
    array: bool = False  # bound as one array (= ANY(:p)): the value's type is the element's


# Hint priorities.
CAST, COLUMN, OTHER = 0, 1, 2


@dataclass
class Context:
    catalog: Catalog
    dialect: str
    locate: Callable[[exp.Expr], Location | None]
    # Analyzes a SELECT / UNION / VALUES in a scope; set by the select module (mutual recursion).
    relation_of: Callable[[Context, exp.Expr, Scope], Relation] = field(repr=False)
    # The expression evaluator (infer.evaluate); injected for the same reason.
    evaluate: Callable[[Context, Scope, exp.Expr], Value] = field(repr=False)
    reads: set[str] = field(default_factory=set)
    columns_read: set[str] = field(default_factory=set)
    writes: set[str] = field(default_factory=set)
    columns_written: set[str] = field(default_factory=set)
    hints: list[ParamHint] = field(default_factory=list)
    has_aggregate: bool = False
    has_window: bool = False
    has_outer_join: bool = False

    def value(self, scope: Scope, node: exp.Expr) -> Value:
        """The value of `node` in `scope`."""
        return self.evaluate(self, scope, node)

    def hint(self, node: exp.Expr | None, hint: ParamHint) -> None:
        """Record `hint` when `node` is a placeholder (seen through parentheses)."""
        placeholder = unwrap_placeholder(node)
        if placeholder is not None:
            self.hints.append(ParamHint(**{**hint.__dict__, "token": placeholder.name}))


def unwrap_placeholder(node: exp.Expr | None) -> exp.Placeholder | None:
    """The placeholder under parentheses and casts (`($1::int)` is still compared with a column;
    a CAST's own hint outranks the comparison's)."""
    while isinstance(node, (exp.Paren, exp.Cast)):
        node = node.this
    return node if isinstance(node, exp.Placeholder) else None


def unwrap_column(node: exp.Expr | None) -> exp.Column | None:
    """The column under parentheses and casts, as NULL-ness passes through them."""
    while isinstance(node, (exp.Paren, exp.Cast)):
        node = node.this
    return node if isinstance(node, exp.Column) and not isinstance(node.this, exp.Star) else None
