"""Prompts of the LLM writer, rendered from templates/prompts/: only what one unit needs.

The contract as a Python skeleton, the types in its signatures, the SQL constants it may use,
the spec text it implements and what its generated tests check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from scaffold.errors import Location
from scaffold.plan.model import Contract
from scaffold.validate.policy import SAFE_IMPORTS
from scaffold.write.splice import Hole, holes
from scaffold.write.template import environment

Message = dict[str, str]
# Test sources longer than this are cut to their head and tail in the prompt.
TEST_CHARS = 700
FEEDBACK_CHARS = 1200


@dataclass(frozen=True)
class UnitJob:
    """One unit for the model: its contract, the skeleton of its module and its tests."""

    contract: Contract
    path: str  # the module the model writes (relative POSIX path)
    skeleton: str  # the template writer's rendering, with holes
    tests: Mapping[str, str] = field(default_factory=dict)  # the unit's test files: path -> text
    tree: Mapping[str, str] = field(default_factory=dict)  # every other file of the run
    location: Location | None = None  # where the spec asks for the unit (for its errors)

    @property
    def holes(self) -> list[Hole]:
        return holes(self.skeleton)


def unit_messages(job: UnitJob) -> list[Message]:
    """The first request for a unit: a system message and the task."""
    found = job.holes
    context = {
        "path": job.path,
        "holes": found,
        "symbols": job.contract.symbols,
        "spec_text": job.contract.spec_text,
        "available": available_names(job.skeleton) if found else [],
        "types": signature_types(found, job.tree),
        "columns": column_lines(job.contract),
        "table": _context(job.contract).get("table", "the table"),
        "sql": job.contract.sql if _uses_sql(job, found) else (),
        "imports": sorted(SAFE_IMPORTS - {"__future__"}),
        "tests": test_summaries(job.tests),
    }
    return [
        {"role": "system", "content": _render("system.md.j2", {})},
        {"role": "user", "content": _render("unit.md.j2", context)},
    ]


def feedback_message(problems: Sequence[str]) -> Message:
    """The numbered list of what was wrong, each item cut to its head and tail."""
    items = [clip(p, FEEDBACK_CHARS) for p in problems]
    return {"role": "user", "content": _render("feedback.md.j2", {"problems": items})}


def _render(name: str, context: Mapping[str, object]) -> str:
    text = environment(False).get_template(f"prompts/{name}").render(context)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _uses_sql(job: UnitJob, found: Sequence[Hole]) -> bool:
    return not found or any("conn" in h.signature for h in found)


def available_names(skeleton: str) -> list[str]:
    """The skeleton's imports and the one-line headers of its top-level definitions."""
    module = cst.parse_module(skeleton)
    out = []
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            code = module.code_for_node(stmt.with_changes(leading_lines=())).strip()
            if isinstance(stmt.body[0], cst.Import | cst.ImportFrom):
                flat = " ".join(code.split()).replace("( ", "").replace(", )", "")
                out.append(flat.replace(" )", ""))
            elif isinstance(stmt.body[0], cst.AnnAssign):
                out.append(_first_line(code))
        elif isinstance(stmt, cst.FunctionDef | cst.ClassDef):
            out.append(_first_line(module.code_for_node(stmt.with_changes(leading_lines=()))))
        elif isinstance(stmt, cst.If) and _is_type_checking(stmt):
            out += [line + "  # for annotations only" for line in _type_checking_imports(stmt)]
    return [line for line in out if "__future__" not in line]


def _is_type_checking(stmt: cst.If) -> bool:
    return isinstance(stmt.test, cst.Name) and stmt.test.value == "TYPE_CHECKING"


def _type_checking_imports(block: cst.If) -> list[str]:
    """The imports of an `if TYPE_CHECKING:` block (derived.py's names from state.py)."""
    body = block.body.body if isinstance(block.body, cst.IndentedBlock) else ()
    inner = cst.Module(body=[s for s in body if isinstance(s, cst.SimpleStatementLine)])
    return available_names(inner.code)


def _first_line(code: str) -> str:
    first = code.strip().split("\n", 1)[0]
    return first if "\n" not in code.strip() else first + " ..."


def column_lines(contract: Contract) -> list[str]:
    """The schema slice of a form unit: each field's column, type and allowed values."""
    out = []
    context = _context(contract)
    for f in context.get("fields") or []:
        if not isinstance(f, dict) or "name" not in f:
            continue
        line = f"{f['name']}: {f.get('py_type', '?')}"
        if f.get("required"):
            line += ", required"
        if f.get("options"):
            line += ", one of: " + ", ".join(str(o) for o in f["options"])
        out.append(line)
    return out


def signature_types(found: Sequence[Hole], tree: Mapping[str, str]) -> list[str]:
    """Source of the classes named in the holes' signatures, from the run's other modules."""
    wanted = {n for h in found for n in re.findall(r"\b([A-Z]\w*)\b", h.signature)}
    out: dict[str, str] = {}
    for path, text in sorted(tree.items()):
        if not path.endswith(".py") or not wanted - set(out):
            continue
        if not any(f"class {n}" in text for n in wanted - set(out)):
            continue
        module = cst.parse_module(text)
        for stmt in module.body:
            if isinstance(stmt, cst.ClassDef) and stmt.name.value in wanted - set(out):
                code = module.code_for_node(stmt.with_changes(leading_lines=()))
                out[stmt.name.value] = code.strip() + "\n"
    return [out[n] for n in sorted(out)]


def test_summaries(tests: Mapping[str, str]) -> list[str]:
    """Each test function's decorators, def line and docstring (long ones cut)."""
    out = []
    for _path, text in sorted(tests.items()):
        module = cst.parse_module(text)
        for stmt in module.body:
            if isinstance(stmt, cst.FunctionDef) and stmt.name.value.startswith("test_"):
                out.append(clip(_test_outline(module, stmt), TEST_CHARS))
    return out


def _test_outline(module: cst.Module, func: cst.FunctionDef) -> str:
    decorators = "".join(module.code_for_node(d) for d in func.decorators)
    code = module.code_for_node(func.with_changes(decorators=(), leading_lines=()))
    return (decorators + code).strip()


def clip(text: str, limit: int) -> str:
    """The head and the tail of a long text."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n... ({len(text) - limit} characters left out) ...\n{text[-half:]}"


def _context(contract: Contract) -> dict[str, Any]:
    return contract.context if isinstance(contract.context, dict) else {}
