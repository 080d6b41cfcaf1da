"""Checks of model-written code with libcst before it runs: the contract, imports and safety
(the policy itself is in safety.py).

Each finding names the rule and the line of the answer it concerns, so it can go back to the
model as precise feedback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper

from scaffold.plan.model import Contract
from scaffold.validate.finding import Finding
from scaffold.validate.safety import SafetyPolicy
from scaffold.validate.safety_names import SAFE_IMPORTS
from scaffold.validate.sql_text import squeeze
from scaffold.write.answers import cut_off
from scaffold.write.splice import Hole, canonical_signature, functions, signature

__all__ = [
    "SAFE_IMPORTS",
    "Finding",
    "check_holes",
    "check_safety",
    "check_symbols",
    "parse_answer",
]

NO_CODE = (
    "the answer holds no code (only reasoning or prose); answer with the complete functions "
    "in one ```python block"
)


def parse_answer(code: str) -> tuple[cst.Module | None, list[Finding]]:
    """The code as a module, or why it is none: no code at all, a syntax error (saying when
    the code ends too early, as a cut-off answer does)."""
    if not code.strip():
        return None, [Finding("syntax", NO_CODE)]
    try:
        return cst.parse_module(code), []
    except cst.ParserSyntaxError as exc:
        message = f"not valid Python: {exc.message}"
        if cut_off(code, exc.message):
            message += " (the code ends too early: was the answer cut off? answer shorter)"
        return None, [Finding("syntax", message, exc.raw_line)]
    except Exception as exc:  # libcst fails in more ways on odd input (deep nesting, ...)
        return None, [Finding("syntax", f"not valid Python: {type(exc).__name__}")]


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
    return out + _extra_public(module, wanted) + _not_taken(module, wanted)


def _not_taken(module: cst.Module, known: set[str]) -> list[Finding]:
    """Private module-level names of the answer's own that are no functions: splice() takes only
    functions and imports, so code using them would fail with a NameError; say so at once."""
    names: list[str] = []
    for stmt in module.body:
        if isinstance(stmt, cst.ClassDef):
            names.append(stmt.name.value)
        elif isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                names += _assigned(small)
    return [
        Finding(
            "contract",
            f"{name} is defined at module level, and only functions and imports are taken from "
            "the answer; define it inside the function that uses it",
        )
        for name in dict.fromkeys(names)
        if name.startswith("_") and not name.startswith("__") and name not in known
    ]


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
    skipped = frozenset(id(s) for s in module.body if used is not None and not used(s))
    visitor = SafetyPolicy(
        frozenset(allowed_imports) | SAFE_IMPORTS,
        frozenset(sql_names),
        frozenset(squeeze(t) for t in sql_texts),
        skipped,
    )
    MetadataWrapper(module, unsafe_skip_copy=True).visit(visitor)
    return sorted(visitor.findings, key=lambda f: (f.line or 0, f.message))
