"""The planner: lint the spec, then one contract per generated unit, in a stable order.

Units: the package, rows, sql and queries (here), then those of the modules that plan the
other units, each used when present: `plan.forms.form_contracts(spec, catalog, queries) ->
(contracts, warnings)`, `plan.tests.test_contracts(...) -> contracts` and, for client state,
`plan.state.state_contracts(...) -> (contracts, warnings)`. Output paths are relative to the
spec's folder, POSIX, under `output.package` and `output.tests` (default generated/<app>,
generated/tests).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Sequence
from typing import Any

from scaffold.analyze.model import Catalog, QueryInfo
from scaffold.plan.code_units import code_contracts
from scaffold.plan.lineage import invalidation, lineage_warnings
from scaffold.plan.lint import lint
from scaffold.plan.model import Contract, Memo, Plan, compute_now
from scaffold.plan.paths import package_dir
from scaffold.spec.model import Spec


def build_plan(
    spec: Spec, catalog: Catalog, queries: Sequence[QueryInfo], memo: Memo = compute_now
) -> Plan:
    """Lint (raising every error at once), then plan every unit. Same inputs, same plan;
    `memo` may keep what depends on the schema alone from one run to the next."""
    warnings = lint(spec, catalog, queries)
    contracts = list(code_contracts(spec, catalog, queries, package_dir(spec)))
    form_units, form_warnings = _form_units(spec, catalog, queries)
    contracts += form_units
    contracts += _optional_units(
        "scaffold.plan.tests", "test_contracts", spec, catalog, queries, memo
    )
    state_units, state_warnings = _form_units(spec, catalog, queries, "scaffold.plan.state")
    contracts += state_units
    contracts += _optional_units(
        "scaffold.plan.extension", "extension_contracts", spec, catalog, queries
    )
    contracts += _form_units(spec, catalog, queries, "scaffold.plan.web")[0]
    lineage = invalidation(spec, catalog, queries)
    return Plan(
        app=spec.app,
        contracts=tuple(contracts),
        warnings=tuple(
            [*warnings, *form_warnings, *state_warnings, *lineage_warnings(spec, lineage)]
        ),
        invalidation=tuple((f.form, f.state_names) for f in lineage),
    )


def _form_units(
    spec: Spec,
    catalog: Catalog,
    queries: Sequence[QueryInfo],
    module: str = "scaffold.plan.forms",
) -> tuple[list[Contract], list[str]]:
    """Units and warnings of a planner: forms, or client state (`state_contracts`)."""
    function = {"scaffold.plan.state": "state_contracts", "scaffold.plan.web": "web_contracts"}.get(
        module, "form_contracts"
    )
    build = _planner(module, function)
    if build is None:
        return [], []
    contracts, warnings = build(spec, catalog, queries)
    return list(contracts), list(warnings)


def _optional_units(module: str, function: str, *args: Any) -> list[Contract]:
    build = _planner(module, function)
    return [] if build is None else list(build(*args))


def _planner(module: str, function: str) -> Any:
    """A unit planner from its module, or None while that module does not exist yet."""
    if importlib.util.find_spec(module) is None:
        return None
    return getattr(importlib.import_module(module), function, None)
