"""Checks of model-written code with libcst before it runs: the contract, imports and safety.

Each finding names the rule and the line of the answer it concerns, so it can go back to the
model as precise feedback.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from scaffold.plan.model import Contract
from scaffold.write.splice import Hole, canonical_signature, functions, signature

# Pure standard-library modules a function body may import besides the contract's own.
SAFE_IMPORTS = frozenset(
    {
        "re",
        "math",
        "decimal",
        "datetime",
        "string",
        "unicodedata",
        "itertools",
        "functools",
        "operator",
        "collections",
        "collections.abc",
        "dataclasses",
        "enum",
        "typing",
        "statistics",
        "fractions",
        "uuid",
        "__future__",
    }
)
# Never allowed, whatever the contract says: process, file, network and interpreter access.
FORBIDDEN_MODULES = frozenset(
    {
        "os",
        "sys",
        "subprocess",
        "socket",
        "http",
        "urllib",
        "requests",
        "httpx",
        "shutil",
        "pathlib",
        "io",
        "builtins",
        "importlib",
        "ctypes",
        "pickle",
        "marshal",
        "multiprocessing",
        "threading",
        "asyncio",
        "signal",
        "tempfile",
        "glob",
        "inspect",
        "code",
        "codeop",
        "pty",
        "ftplib",
        "smtplib",
        "telnetlib",
        "webbrowser",
    }
)
FORBIDDEN_CALLS = frozenset(
    {
        "eval",
        "exec",
        "compile",
        "__import__",
        "open",
        "getattr",
        "setattr",
        "delattr",
        "globals",
        "locals",
        "vars",
        "breakpoint",
        "input",
        "exit",
        "quit",
        "create_engine",  # a connection of its own, to anywhere
    }
)
# Text that reads as a SQL statement (not an English sentence that starts with "Update").
_SQL = re.compile(
    r"^\s*\(?\s*(SELECT\b.*\bFROM\b|INSERT\s+INTO\b|UPDATE\s+\S+\s+SET\b|DELETE\s+FROM\b"
    r"|WITH\s+\w+\s+AS\b|(CREATE|DROP|ALTER)\s+(TABLE|INDEX|VIEW)\b|TRUNCATE\b|PRAGMA\b)",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class Finding:
    """One reason an answer is refused."""

    rule: str  # "syntax" | "contract" | "import" | "safety"
    message: str
    line: int | None = None

    def describe(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{self.rule}: {where}{self.message}"


def parse_answer(code: str) -> tuple[cst.Module | None, list[Finding]]:
    try:
        return cst.parse_module(code), []
    except cst.ParserSyntaxError as exc:
        message = f"not valid Python: {exc.message}"
        return None, [Finding("syntax", message, exc.raw_line)]


def check_holes(
    module: cst.Module, holes: Sequence[Hole], known: Iterable[str] = ()
) -> list[Finding]:
    """Every hole defined once with its exact signature; nothing else public. Names the
    skeleton defines (`known`) may be echoed back: only the holes are taken from the answer."""
    given = functions(module)
    out = []
    for hole in holes:
        func = given.get(hole.name)
        if func is None:
            out.append(Finding("contract", f"function {hole.name} is missing; define it"))
        elif (found := signature(func)) != hole.signature:
            out.append(
                Finding(
                    "contract",
                    f"{hole.name} has signature `{found}`; it must be exactly `{hole.signature}`",
                )
            )
    wanted = {h.name for h in holes} | set(known)
    return out + _extra_public(module, wanted)


def check_symbols(module: cst.Module, contract: Contract) -> list[Finding]:
    """A whole module: every contract symbol present (functions with exact signatures)."""
    defined = _top_level_names(module)
    given = functions(module)
    out = []
    for sym in contract.symbols:
        if sym.name not in defined:
            out.append(Finding("contract", f"{sym.kind} {sym.name} is missing: `{sym.signature}`"))
        elif sym.kind == "function" and sym.name in given:
            want = canonical_signature(sym.signature)
            if signature(given[sym.name]) != want:
                out.append(Finding("contract", f"{sym.name} must be exactly `{want}`"))
    return out


def _extra_public(module: cst.Module, allowed: Iterable[str]) -> list[Finding]:
    allowed = set(allowed)
    extra = sorted(
        n for n in _top_level_names(module) if not n.startswith("_") and n not in allowed
    )
    return [
        Finding("contract", f"{name} is not part of the contract; remove it or make it private (_)")
        for name in extra
    ]


def _top_level_names(module: cst.Module) -> set[str]:
    names: set[str] = set()
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef | cst.ClassDef):
            names.add(stmt.name.value)
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                targets = _assigned(small)
                names.update(targets)
    return names


def _assigned(small: cst.BaseSmallStatement) -> list[str]:
    if isinstance(small, cst.Assign):
        return [t.target.value for t in small.targets if isinstance(t.target, cst.Name)]
    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
        return [small.target.value]
    return []


def check_safety(
    module: cst.Module,
    allowed_imports: Iterable[str],
    sql_names: Iterable[str] = (),
    sql_texts: Iterable[str] = (),
    used: Callable[[cst.CSTNode], bool] | None = None,
) -> list[Finding]:
    """Imports allowlist and the safety policy, each finding with its line. `sql_texts` are
    the analyzed statements a whole module may define as its constants, exactly as given.
    `used` picks the top-level statements that can reach the output (default: all)."""
    visitor = _Policy(frozenset(allowed_imports) | SAFE_IMPORTS, frozenset(sql_names))
    visitor.sql_texts = frozenset(_squeeze(t) for t in sql_texts)
    if used is not None:
        visitor.skipped = {id(s) for s in module.body if not used(s)}
    MetadataWrapper(module, unsafe_skip_copy=True).visit(visitor)
    return sorted(visitor.findings, key=lambda f: (f.line or 0, f.message))


class _Policy(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, allowed: frozenset[str], sql_names: frozenset[str]) -> None:
        super().__init__()
        self.allowed = allowed
        self.sql_names = sql_names
        self.findings: list[Finding] = []
        self._attr_names: set[int] = set()  # x.open is an attribute, not the builtin
        self.sql_texts: frozenset[str] = frozenset()
        self.skipped: set[int] = set()  # top-level statements the output never takes

    def on_visit(self, node: cst.CSTNode) -> bool:
        return id(node) not in self.skipped and super().on_visit(node)

    def _add(self, node: cst.CSTNode, rule: str, message: str) -> None:
        line = self.get_metadata(PositionProvider, node).start.line
        self.findings.append(Finding(rule, message, line))

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self._module(node, cst.Module([]).code_for_node(alias.name))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative:
            return  # the package's own modules: the contract's imports decide below
        if node.module is not None:
            self._module(node, cst.Module([]).code_for_node(node.module))

    def _module(self, node: cst.CSTNode, name: str) -> None:
        top = name.split(".")[0]
        if top in FORBIDDEN_MODULES:
            self._add(node, "safety", f"import of {name} is forbidden (process, file or network)")
        elif name not in self.allowed and top not in self.allowed:
            allowed = ", ".join(sorted(self.allowed - {"__future__"}))
            self._add(node, "import", f"import of {name} is not allowed; allowed: {allowed}")

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) in self._attr_names:
            return
        if node.value in FORBIDDEN_CALLS or node.value == "__builtins__":
            self._add(node, "safety", f"{node.value} is forbidden")

    def visit_Attribute(self, node: cst.Attribute) -> None:
        attr = node.attr.value
        self._attr_names.add(id(node.attr))
        if attr.startswith("__") and attr.endswith("__"):
            self._add(node, "safety", f"access to {attr} is forbidden")
        elif attr == "format" and self._is_sql(node.value):
            self._add(node, "safety", "SQL built with .format(); use the provided SQL constants")

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        text = "".join(p.value for p in node.parts if isinstance(p, cst.FormattedStringText))
        names = {
            cst.Module([]).code_for_node(p.expression)
            for p in node.parts
            if isinstance(p, cst.FormattedStringExpression)
        }
        if _SQL.search(text) or names & self.sql_names:
            self._add(node, "safety", "SQL built with an f-string; use the provided SQL constants")

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if not isinstance(node.operator, cst.Add | cst.Modulo):
            return
        if self._is_sql(node.left) or self._is_sql(node.right):
            op = "+" if isinstance(node.operator, cst.Add) else "%"
            self._add(node, "safety", f"SQL built with {op}; use the provided SQL constants")

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = _string_value(node)
        if _SQL.search(value) and _squeeze(value) not in self.sql_texts:
            self._add(node, "safety", "SQL literal outside the provided SQL constants")

    def _is_sql(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.Name):
            return node.value in self.sql_names
        if isinstance(node, cst.SimpleString):
            return bool(_SQL.search(_string_value(node)))
        if isinstance(node, cst.FormattedString | cst.ConcatenatedString):
            return bool(_SQL.search(cst.Module([]).code_for_node(node)))
        if isinstance(node, cst.BinaryOperation):
            return self._is_sql(node.left) or self._is_sql(node.right)
        return False


def _string_value(node: cst.SimpleString) -> str:
    value = node.evaluated_value
    return value if isinstance(value, str) else ""


def _squeeze(sql: str) -> str:
    return " ".join(sql.split())
