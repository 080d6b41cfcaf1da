"""The safety policy of model-written code: what it may import, name, call, write and build.

It refuses by name, before anything runs, what a careless or hostile model might try: reaching
the interpreter (eval, dunders, frames, `__builtins__`), the process, files or the network,
changing module state, printing, and SQL that is not one of the provided constants.
"""

from __future__ import annotations

import re

import libcst as cst
from libcst.metadata import PositionProvider

from scaffold.validate.finding import Finding
from scaffold.validate.safety_names import (
    FORBIDDEN_ATTRIBUTES,
    FORBIDDEN_DUNDER_NAMES,
    FORBIDDEN_MODULES,
    FORBIDDEN_NAMES,
    MUTATORS,
    NAME_MESSAGES,
    SEVERE_NAMES,
    SQL_RUNNERS,
)
from scaffold.validate.scopes import local_names
from scaffold.validate.sql_text import (
    SQL_FRAGMENT,
    SQL_STATEMENT,
    is_text_call,
    squeeze,
    string_value,
)

_DUNDER_TEXT = re.compile(r"__(?!main__)\w+__")
_CONSTANT = re.compile(r"^_?[A-Z][A-Z0-9_]*$")


class SafetyPolicy(cst.CSTVisitor):
    """Collects a Finding for each refused node, with its line."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(
        self,
        allowed: frozenset[str],
        sql_names: frozenset[str],
        sql_texts: frozenset[str] = frozenset(),
        skipped: frozenset[int] = frozenset(),
    ) -> None:
        super().__init__()
        self.allowed = allowed
        self.sql_names = sql_names
        self.sql_texts = sql_texts  # a whole module may define its constants with these texts
        self.skipped = skipped  # top-level statements the output never takes
        self.findings: list[Finding] = []
        self._not_names: set[int] = set()  # attribute and import-path names, not free names
        self._bound: set[str] = set()  # names imports bind: modules and their classes
        self._scopes: list[set[str]] = []  # local names of the functions being visited
        self._outside = 0  # > 0 inside a statement the output never takes
        self._parts: set[int] = set()  # the pieces of implicitly concatenated strings

    def on_visit(self, node: cst.CSTNode) -> bool:
        if id(node) in self.skipped:
            self._outside += 1
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        super().on_leave(original_node)
        if id(original_node) in self.skipped:
            self._outside -= 1

    def _add(
        self, node: cst.CSTNode, message: str, rule: str = "safety", severe: bool = False
    ) -> None:
        """A finding. In statements the output never takes (an echoed skeleton, a demo call)
        only severe ones count: an answer that tries to reach the system anywhere is refused."""
        if self._outside and not severe:
            return
        line = self.get_metadata(PositionProvider, node).start.line
        self.findings.append(Finding(rule, message, line))

    # Imports

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = cst.Module([]).code_for_node(alias.name)
            self._module(node, name)
            self._skip_path(alias.name)
            self._bound.add((alias.evaluated_alias or name).split(".")[0])

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = cst.Module([]).code_for_node(node.module) if node.module is not None else ""
        dots = "." * len(node.relative)
        if dots and not module and not isinstance(node.names, cst.ImportStar):
            for alias in node.names:  # from . import rows: each name is a module
                self._module(node, dots + alias.evaluated_name)
        else:
            self._module(node, dots + module)
        if node.module is not None:
            self._skip_path(node.module)
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                self._bound.add(alias.evaluated_alias or alias.evaluated_name)
        else:
            self._add(node, f"from {dots + module} import * is not allowed; name what you use")

    def _skip_path(self, node: cst.BaseExpression) -> None:
        for sub in _names_in(node):
            self._not_names.add(id(sub))

    def _module(self, node: cst.CSTNode, name: str) -> None:
        top = name.lstrip(".").split(".")[0]
        if top in FORBIDDEN_MODULES:
            self._add(
                node, f"import of {name} is forbidden (process, file or network)", severe=True
            )
        elif not self._allowed(name):
            allowed = ", ".join(sorted(self.allowed - {"__future__"}))
            self._add(node, f"import of {name} is not allowed; allowed: {allowed}", "import")

    def _allowed(self, name: str) -> bool:
        """Listed, or a submodule of a listed module; a relative import is the package's own
        module that the contract lists (as `..rows`, or by its full name `shop.rows`)."""
        if name in self.allowed:
            return True
        if not name.startswith("."):
            return name.split(".")[0] in self.allowed
        tail = name.lstrip(".")
        return bool(tail) and any(a == tail or a.endswith(f".{tail}") for a in self.allowed)

    # Names and attributes

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:  # f(help="...") names a parameter, not the builtin
            self._not_names.add(id(node.keyword))

    def visit_Param(self, node: cst.Param) -> None:
        self._not_names.add(id(node.name))

    def visit_Name(self, node: cst.Name) -> None:
        if not node.value.isascii():
            # Python folds a full-width `eval` to `eval` (NFKC): a look-alike name evades.
            self._add(
                node, f"the name {node.value!r} is not ASCII; use plain ASCII names", severe=True
            )
            return
        if id(node) in self._not_names:
            return
        name = node.value
        if name in FORBIDDEN_NAMES or name in FORBIDDEN_DUNDER_NAMES:
            self._add(
                node, NAME_MESSAGES.get(name, f"{name} is forbidden"), severe=name in SEVERE_NAMES
            )

    def visit_Attribute(self, node: cst.Attribute) -> None:
        attr = node.attr.value
        self._not_names.add(id(node.attr))
        if attr.startswith("__") and attr.endswith("__"):
            self._add(node, f"access to {attr} is forbidden", severe=True)
        elif attr in FORBIDDEN_ATTRIBUTES:
            self._add(node, f"access to .{attr} is forbidden", severe=True)
        elif attr.startswith("_") and _root(node) not in ("self", "cls"):
            self._add(node, f"access to the private attribute {attr} is forbidden")
        elif isinstance(node.value, cst.Name) and node.value.value in self.sql_names:
            self._add(node, f"{node.value.value}.{attr}: pass the SQL constants as they are")
        elif attr == "format" and self._is_sql(node.value):
            self._add(node, "SQL built with .format(); use the provided SQL constants")

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if isinstance(node.value, cst.Name) and node.value.value in self.sql_names:
            self._add(node, f"{node.value.value}[...]: pass the SQL constants as they are")

    def visit_Global(self, node: cst.Global) -> None:
        names = ", ".join(n.name.value for n in node.names)
        self._add(node, f"global {names}: a function may not change module state")

    # Writes to module state

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._write(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._write(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._write(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self._write(node.target)

    def _write(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Tuple | cst.List):
            for element in target.elements:
                self._write(element.value)
        elif isinstance(target, cst.Attribute | cst.Subscript) and self._is_module_state(target):
            self._add(target, f"{_root(target)} belongs to the module: do not change it")
        elif isinstance(target, cst.Name) and target.value in self.sql_names and self._scopes:
            self._add(target, f"{target.value} is a provided SQL constant: do not rebind it")

    def _is_module_state(self, node: cst.BaseExpression) -> bool:
        """Rooted in a module-level name: in a function, any name that is not its own local
        (or self/cls); at module level, imported names and constants."""
        root = _root(node)
        if root is None or root in ("self", "cls"):
            return False
        if root in self._bound or _CONSTANT.match(root):
            return True
        return bool(self._scopes) and not any(root in scope for scope in self._scopes)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._scopes.append(local_names(node))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._scopes.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._scopes.append(local_names(node))

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._scopes.pop()

    # Calls

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        method = func.attr.value
        if method in MUTATORS and self._is_module_state(func.value):
            self._add(node, f"{_root(func.value)} belongs to the module: do not change it")
        elif method == "join" and (
            self._is_sql(func.value) or any(self._holds_sql(a.value) for a in node.args)
        ):
            self._add(node, "SQL built with join(); use the provided SQL constants")
        elif method in SQL_RUNNERS and not self._is_constant_sql(node):
            self._add(node, f".{method}() runs only the provided SQL constants, passed by name")

    def _is_constant_sql(self, call: cst.Call) -> bool:
        first = call.args[0].value if call.args else None
        if isinstance(first, cst.Call) and first.args and is_text_call(first.func):  # text(LIST)
            first = first.args[0].value
        return isinstance(first, cst.Name) and first.value in self.sql_names

    # Strings

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        text = "".join(p.value for p in node.parts if isinstance(p, cst.FormattedStringText))
        names = {
            cst.Module([]).code_for_node(p.expression)
            for p in node.parts
            if isinstance(p, cst.FormattedStringExpression)
        }
        if SQL_STATEMENT.search(text) or SQL_FRAGMENT.search(text) or names & self.sql_names:
            self._add(node, "SQL built with an f-string; use the provided SQL constants")
        self._dunder_text(node, text)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if not isinstance(node.operator, cst.Add | cst.Modulo):
            return
        if self._is_sql(node.left) or self._is_sql(node.right):
            op = "+" if isinstance(node.operator, cst.Add) else "%"
            self._add(node, f"SQL built with {op}; use the provided SQL constants")

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = string_value(node)
        whole = id(node) not in self._parts  # a piece is judged with the whole string
        if whole and SQL_STATEMENT.search(value) and squeeze(value) not in self.sql_texts:
            self._add(node, "SQL literal outside the provided SQL constants")
        self._dunder_text(node, value)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> None:
        for part in (node.left, node.right):
            self._parts.add(id(part))
        value = node.evaluated_value
        text = value if isinstance(value, str) else ""
        if SQL_STATEMENT.search(text) and squeeze(text) not in self.sql_texts:
            self._add(node, "SQL literal outside the provided SQL constants")

    def _dunder_text(self, node: cst.CSTNode, text: str) -> None:
        found = _DUNDER_TEXT.search(text)
        if found:
            self._add(node, f"a string naming {found.group()} is forbidden", severe=True)

    def _is_sql(self, node: cst.BaseExpression) -> bool:
        """A SQL constant, or text that reads as SQL, or an expression built of either."""
        if isinstance(node, cst.Name):
            return node.value in self.sql_names
        if isinstance(node, cst.SimpleString):
            value = string_value(node)
            return bool(SQL_STATEMENT.search(value) or SQL_FRAGMENT.search(value))
        if isinstance(node, cst.FormattedString | cst.ConcatenatedString):
            code = cst.Module([]).code_for_node(node)
            return bool(SQL_STATEMENT.search(code) or SQL_FRAGMENT.search(code))
        if isinstance(node, cst.BinaryOperation):
            return self._is_sql(node.left) or self._is_sql(node.right)
        return False

    def _holds_sql(self, node: cst.BaseExpression) -> bool:
        """The argument of a join: a list, tuple or generator of SQL pieces."""
        if isinstance(node, cst.List | cst.Tuple | cst.Set):
            return any(self._is_sql(e.value) for e in node.elements)
        return self._is_sql(node)


def _names_in(node: cst.BaseExpression) -> list[cst.Name]:
    if isinstance(node, cst.Name):
        return [node]
    if isinstance(node, cst.Attribute):
        return [*_names_in(node.value), node.attr]
    return []


def _root(node: cst.BaseExpression) -> str | None:
    """The name at the start of `a.b[c].d`, or None for calls and literals."""
    while isinstance(node, cst.Attribute | cst.Subscript):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None
