"""The import block of a generated module, as plain data in the order ruff's isort wants.

Sections: `__future__`, standard library, third party, this package (relative imports). In a
section, `import x` lines come before `from x import ...` lines, modules sorted
case-insensitively; names are sorted constants first, then classes, then the rest.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from scaffold.plan.fields import TYPE_IMPORTS

_SECTIONS = ("future", "stdlib", "thirdparty", "local")


@dataclass
class ImportSet:
    """Collects what a module imports; `add(module)` for `import module`, `add(module, name)`
    for `from module import name`."""

    straight: set[str] = field(default_factory=set)
    names: dict[str, set[str]] = field(default_factory=dict)

    def add(self, module: str, *names: str) -> ImportSet:
        if names:
            self.names.setdefault(module, set()).update(names)
        else:
            self.straight.add(module)
        return self

    def add_type(self, py_type: str | None, element: str | None = None) -> ImportSet:
        """The imports of the annotation of a Python type of the analysis (`element`: the type
        of a list's items, `Any` when unknown), as `fields.annotation` writes it."""
        if py_type in TYPE_IMPORTS:
            self.add(*TYPE_IMPORTS[py_type])
        elif py_type == "dict" or (py_type == "list" and element is None):
            self.add("typing", "Any")
        elif py_type == "list":
            self.add_type(element)
        return self

    def modules(self) -> list[str]:
        """Every imported module (relative ones with their dots), sorted: the allowlist."""
        return sorted(self.straight | set(self.names))

    def sections(self) -> list[list[dict[str, Any]]]:
        """Non-empty sections, each a list of {"module", "names"} ("names" empty: `import`)."""
        grouped: dict[str, list[dict[str, Any]]] = {s: [] for s in _SECTIONS}
        for module in sorted(self.straight, key=str.lower):
            grouped[_section(module)].append({"module": module, "names": []})
        for module in sorted(self.names, key=_from_key):
            names = sorted(self.names[module], key=_name_key)
            grouped[_section(module)].append({"module": module, "names": names})
        return [grouped[s] for s in _SECTIONS if grouped[s]]


def _section(module: str) -> str:
    if module == "__future__":
        return "future"
    if module.startswith("."):
        return "local"
    top = module.split(".")[0]
    return "stdlib" if top in sys.stdlib_module_names else "thirdparty"


def _from_key(module: str) -> tuple[int, str]:
    # Relative imports: the farther the parent (more dots), the earlier.
    dots = len(module) - len(module.lstrip("."))
    return (-dots, module.lstrip(".").lower())


def _name_key(name: str) -> tuple[int, str]:
    if name.isupper() and len(name) > 1:
        kind = 0  # CONSTANT
    elif name[:1].isupper():
        kind = 1  # Class
    else:
        kind = 2  # function or variable
    return (kind, name.lower())
