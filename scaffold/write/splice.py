"""Holes in a skeleton module and the model's code spliced into them, with libcst.

A hole is a top-level function whose body (after its docstring) is exactly ``HOLE_BODY``: the
template renders the signature and docstring, the LLM writer fills in the body. A planner that
wants a function written by the model renders it that way and sets ``writer="llm"``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeGuard

import libcst as cst

from scaffold.write.answers import extract_code as extract_code  # where callers look for it

HOLE_BODY = 'raise NotImplementedError("written by the LLM writer")'


@dataclass(frozen=True)
class Hole:
    """A function of the skeleton whose body the model writes."""

    name: str
    signature: str  # canonical: "def rule_2(value: AddBookInput) -> str | None"
    doc: str


def holes(skeleton: str) -> list[Hole]:
    """The skeleton's functions whose body is the hole marker, in file order."""
    module = cst.parse_module(skeleton)
    found = []
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef) and _is_hole(stmt):
            found.append(Hole(stmt.name.value, signature(stmt), stmt.get_docstring() or ""))
    return found


def _is_hole(func: cst.FunctionDef) -> bool:
    body = _without_docstring(func)
    code = "".join(cst.Module([]).code_for_node(s) for s in body).strip()
    return code == HOLE_BODY


def _without_docstring(func: cst.FunctionDef) -> Sequence[cst.BaseStatement]:
    stmts = list(func.body.body) if isinstance(func.body, cst.IndentedBlock) else []
    if stmts and func.get_docstring() is not None:
        return stmts[1:]
    return stmts


def signature(func: cst.FunctionDef) -> str:
    """``def name(params) -> ret`` in canonical spelling, whatever the formatting."""
    return canonical_signature(cst.Module([func.with_changes(leading_lines=())]).code)


def canonical_signature(source: str) -> str:
    """A signature or a whole def as ast.unparse spells it ("def f(a: int) -> str")."""
    text = source.strip()
    if not text.rstrip().endswith(":") and "\n" not in text:
        text += ":"
    if "\n" not in text:
        text += " ..."
    tree = ast.parse(text)
    func = tree.body[0]
    assert isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef)
    returns = f" -> {ast.unparse(func.returns)}" if func.returns is not None else ""
    prefix = "async def" if isinstance(func, ast.AsyncFunctionDef) else "def"
    return f"{prefix} {func.name}({ast.unparse(func.args)}){returns}"


def functions(module: cst.Module) -> dict[str, cst.FunctionDef]:
    return {s.name.value: s for s in module.body if isinstance(s, cst.FunctionDef)}


def splice(skeleton: str, answer: cst.Module, names: Sequence[str]) -> str:
    """The skeleton with each named hole's body taken from the answer's function of that name.

    The skeleton's def line and docstring stay (decorators the answer put on a hole are
    dropped); the answer's imports (already checked against the allowlist) that the skeleton
    lacks go first in the bodies that use them, as local imports; its private helper functions
    (the last definition of each) go before the first hole. Nothing else of the answer is taken:
    module-level assignments and classes of its own never reach the output.
    """
    given = functions(answer)
    module = cst.parse_module(skeleton)
    imports = _new_imports(answer, module)
    helpers = [_with_imports(h, imports) for h in _helpers(answer, names, defined_names(skeleton))]
    out: list[cst.CSTNode] = []
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value in names:
            if helpers:
                out += [h.with_changes(leading_lines=stmt.leading_lines) for h in helpers]
                helpers = []
            stmt = _fill(stmt, given[stmt.name.value], imports)
        out.append(stmt)
    return module.with_changes(body=out).code


def _helpers(
    answer: cst.Module, names: Sequence[str], skeleton_names: set[str]
) -> list[cst.FunctionDef]:
    """The answer's private helpers, the last definition of each name, in answer order; an
    echoed private function of the skeleton is the skeleton's own and stays as it is there."""
    last: dict[str, cst.FunctionDef] = {}
    for stmt in answer.body:
        if _is_helper(stmt, names) and stmt.name.value not in skeleton_names:
            last.pop(stmt.name.value, None)
            last[stmt.name.value] = stmt
    return list(last.values())


def _with_imports(
    helper: cst.FunctionDef, imports: Sequence[cst.SimpleStatementLine]
) -> cst.FunctionDef:
    """A helper with the answer's new imports it uses, as local imports (like the holes)."""
    assert isinstance(helper.body, cst.IndentedBlock)
    code = cst.Module([helper]).code
    used = [i for i in imports if any(re.search(rf"\b{n}\b", code) for n in _bound(i))]
    if not used:
        return helper
    stmts = list(helper.body.body)
    doc = stmts[:1] if helper.get_docstring() is not None else []
    body = [*doc, *used, *stmts[len(doc) :]]
    return helper.with_changes(body=helper.body.with_changes(body=body))


def is_spliced(stmt: cst.CSTNode, names: Sequence[str]) -> bool:
    """Whether splice() takes this top-level statement of an answer: the holes, private
    helpers and imports. Everything else an answer holds never reaches the output."""
    named = isinstance(stmt, cst.FunctionDef) and stmt.name.value in names
    return named or _is_helper(stmt, names) or _is_import(stmt)


def defined_names(skeleton: str) -> set[str]:
    """Top-level names the skeleton defines or imports (functions, classes, assignments,
    imports, also those under `if TYPE_CHECKING:`): an answer may echo them back."""
    names: set[str] = set()
    module = cst.parse_module(skeleton)
    guarded = [s for i in module.body if isinstance(i, cst.If) for s in i.body.body]
    for stmt in [*module.body, *guarded]:
        if isinstance(stmt, cst.FunctionDef | cst.ClassDef):
            names.add(stmt.name.value)
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign | cst.AnnAssign):
                    targets = small.targets if isinstance(small, cst.Assign) else [small]
                    names.update(t.target.value for t in targets if isinstance(t.target, cst.Name))
            if _is_import(stmt):
                names.update(_bound(stmt))
    return names


def _is_helper(stmt: cst.CSTNode, names: Sequence[str]) -> TypeGuard[cst.FunctionDef]:
    return (
        isinstance(stmt, cst.FunctionDef)
        and stmt.name.value.startswith("_")
        and stmt.name.value not in names
    )


def _fill(
    hole: cst.FunctionDef, given: cst.FunctionDef, imports: Sequence[cst.SimpleStatementLine]
) -> cst.FunctionDef:
    doc = [hole.body.body[0]] if hole.get_docstring() is not None else []
    assert isinstance(hole.body, cst.IndentedBlock)
    # The body only: the answer's decorators on a hole are dropped with its def line.
    code = cst.Module([given.with_changes(decorators=())]).code
    used = [i for i in imports if any(re.search(rf"\b{n}\b", code) for n in _bound(i))]
    body = [*doc, *used, *_without_docstring(given)]
    return hole.with_changes(body=hole.body.with_changes(body=body))


def _new_imports(answer: cst.Module, skeleton: cst.Module) -> list[cst.SimpleStatementLine]:
    have = {_import_code(s) for s in skeleton.body if _is_import(s)}
    out = []
    for stmt in answer.body:
        if _is_import(stmt) and _import_code(stmt) not in have:
            assert isinstance(stmt, cst.SimpleStatementLine)
            if "__future__" not in _import_code(stmt):
                out.append(stmt.with_changes(leading_lines=()))
    return out


def _bound(stmt: cst.SimpleStatementLine) -> list[str]:
    """The names an import statement binds."""
    names: list[str] = []
    for imp in stmt.body:
        if isinstance(imp, cst.Import | cst.ImportFrom) and not isinstance(
            imp.names, cst.ImportStar
        ):
            for alias in imp.names:
                bound = alias.evaluated_alias or alias.evaluated_name
                names.append(bound.split(".")[0])
    return names


def _is_import(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, cst.Import | cst.ImportFrom) for s in stmt.body
    )


def _import_code(stmt: cst.CSTNode) -> str:
    return " ".join(cst.Module([]).code_for_node(stmt).split())
