"""The extension unit: `<package>/extend.py`, the user's module the generated code calls into.

scaffold creates it once and never rewrites it; the hooks it may define are documented in it and
in the README. A form calls `validate_<form>(value)` when the module defines one.
"""

from __future__ import annotations

from collections.abc import Sequence

from scaffold.analyze.model import Catalog, QueryInfo
from scaffold.plan.fields import input_class_name
from scaffold.plan.model import Contract
from scaffold.plan.paths import package_dir
from scaffold.spec.model import Spec

EXTENSION_UNIT = "extend"
EXTENSION_MODULE = "extend.py"


def hook_name(form: str) -> str:
    """The hook a form calls for extra validation: validate_<form>."""
    return f"validate_{form}"


def extension_contracts(
    spec: Spec, catalog: Catalog, queries: Sequence[QueryInfo]
) -> list[Contract]:
    """The extension module, when the spec has forms (the only units that call hooks yet).

    Its hooks are optional, so the contract requires no symbol of it."""
    if not spec.forms:
        return []
    forms = [
        {"name": f.name, "hook": hook_name(f.name), "input_class": input_class_name(f)}
        for f in spec.forms
        if catalog.table(f.table) is not None
    ]
    return [
        Contract(
            unit=EXTENSION_UNIT,
            files=((f"{package_dir(spec)}/{EXTENSION_MODULE}", "extend.py.j2"),),
            kind="extension",
            context={"app": spec.app, "forms": forms},
        )
    ]
