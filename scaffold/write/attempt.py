"""Judging one model answer: parse, contract and safety checks, splice, then the unit's tests."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import libcst as cst

from scaffold.validate.policy import (
    NO_CODE,
    Finding,
    check_holes,
    check_safety,
    check_symbols,
    parse_answer,
)
from scaffold.validate.runner import TestReport, run_generated_tests
from scaffold.write.prompts import UnitJob, clip
from scaffold.write.splice import Hole, defined_names, extract_code, is_spliced, splice

DETAIL_CHARS = 600
NOT_RUN = "not run"


@dataclass(frozen=True)
class Verdict:
    """The module built from an answer (None when refused before the tests) and its problems."""

    module: str | None
    problems: tuple[str, ...] = ()
    failing: frozenset[str] | None = None  # test ids failing; None when the tests did not run
    # The checked code the module was built from: what the cache keeps of the answer.
    kept: str = ""
    test_result: str = NOT_RUN  # the unit's generated tests in words: "3 passed", "1 failed"

    @property
    def ok(self) -> bool:
        return self.module is not None and not self.problems


def evaluate(
    job: UnitJob,
    answer: str,
    finish_reason: str,
    *,
    earlier: Sequence[Verdict] = (),
    run_tests: bool = True,
    test_timeout: float = 120.0,
) -> Verdict:
    """Refuse the answer with precise reasons, or return the accepted module."""
    if finish_reason == "length":
        cut = "the answer was cut off (finish_reason: length); answer shorter: only the functions"
        return Verdict(None, (cut,))
    if not answer.strip():
        return Verdict(None, ("the answer was empty; answer with one ```python block",))
    built = build_module(job, answer)
    if isinstance(built, tuple):
        return Verdict(None, built)
    module, kept = built.module, built.kept
    if not run_tests or not job.tests:
        return Verdict(module, kept=kept)
    return replace(_tested(job, module, earlier, test_timeout), kept=kept)


@dataclass(frozen=True)
class Built:
    module: str
    kept: str


def build_module(job: UnitJob, answer: str) -> Built | tuple[str, ...]:
    """The spliced module and the answer's code it took, or the reasons (contract, imports,
    safety) it cannot be built."""
    code = extract_code(answer, [h.name for h in job.holes])
    if "```" in answer:  # a fenced bare body is meant as code; bare prose is not
        code = _as_function(code, job.holes)
    parsed, findings = parse_answer(code)
    if parsed is None and any(f.message == NO_CODE for f in findings):
        return (NO_CODE,)
    if parsed is None and "```" not in answer:
        return (
            "the answer has no ```python block and is not Python code; answer with the "
            "complete functions in one ```python block",
        )
    if parsed is None:
        return tuple(f.describe() for f in findings)
    found = job.holes
    names = [h.name for h in found]
    problems = [f.describe() for f in _findings(job, parsed, found)]
    if problems:
        return tuple(problems)
    if not found:
        return Built(formatted(_header(job.skeleton) + parsed.code), parsed.code)
    kept = parsed.with_changes(body=[s for s in parsed.body if is_spliced(s, names)], header=())
    return Built(formatted(splice(job.skeleton, parsed, names)), kept.code.lstrip("\n"))


def _findings(job: UnitJob, parsed: cst.Module, found: Sequence[Hole]) -> list[Finding]:
    """Contract and safety findings. For holes, safety judges only what splice() takes."""
    contract = job.contract
    sql_names = [s.name for s in contract.sql]
    if not found:
        sql_texts = [s.sql for s in contract.sql]
        shape = check_symbols(parsed, contract)
        return shape + check_safety(parsed, contract.imports, sql_names, sql_texts)
    shape = check_holes(parsed, found, defined_names(job.skeleton))
    used = partial(is_spliced, names=[h.name for h in found])
    return shape + check_safety(parsed, contract.imports, sql_names, used=used)


def _as_function(code: str, found: Sequence[Hole]) -> str:
    """A bare body for the only hole (what small models often send) as the whole function."""
    if len(found) != 1 or re.search(r"^\s*(async\s+)?def\s", code, re.MULTILINE):
        return code
    body = textwrap.indent(textwrap.dedent(code).strip() + "\n", "    ")
    wrapped = f"{found[0].signature}:\n{body}"
    return wrapped if parse_answer(wrapped)[0] is not None else code


def _header(skeleton: str) -> str:
    """The generated-file header comment line(s) of the skeleton."""
    lines = []
    for line in skeleton.splitlines(keepends=True):
        if not line.startswith("#"):
            break
        lines.append(line)
    return "".join(lines)


def formatted(text: str) -> str:
    """The module as `ruff format` writes it (the generated code's style), when ruff is here."""
    ruff = shutil.which("ruff")
    if ruff is None:
        return text
    proc = subprocess.run(
        [ruff, "format", "--isolated", "--line-length", "100", "--stdin-filename", "m.py", "-"],
        input=text.encode(),
        capture_output=True,
        check=False,
        timeout=30,
    )
    return proc.stdout.decode() if proc.returncode == 0 else text


def _tested(job: UnitJob, module: str, earlier: Sequence[Verdict], timeout: float) -> Verdict:
    with tempfile.TemporaryDirectory(prefix="scaffold-unit-") as tmp:
        root = Path(tmp)
        for path, text in {**job.tree, **job.tests, job.path: module}.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        reports = [run_generated_tests(root, p, timeout=timeout) for p in sorted(job.tests)]
    failures = [f for report in reports for f in report.failures]
    failing = frozenset(f.test_id for f in failures)
    problems = []
    for f in failures:
        again = (
            " It passed before this change: do not break it."
            if _passed_before(f.test_id, earlier)
            else ""
        )
        detail = f"\n{clip(f.details.strip(), DETAIL_CHARS)}" if f.details.strip() else ""
        problems.append(f"test {f.describe()}.{again}{detail}")
    return Verdict(module, tuple(problems), failing, test_result=_tally(reports))


def _tally(reports: Sequence[TestReport]) -> str:
    """The outcome in pytest's words: "12 passed", "1 failed, 11 passed"."""
    errors = sum(r.errors for r in reports)
    counts = [
        (sum(r.failed for r in reports), "failed"),
        (errors, "error" if errors == 1 else "errors"),
        (sum(r.passed for r in reports), "passed"),
        (sum(r.skipped for r in reports), "skipped"),
    ]
    return ", ".join(f"{n} {what}" for n, what in counts if n) or "no tests ran"


def _passed_before(test_id: str, earlier: Sequence[Verdict]) -> bool:
    """The tests are fixed: one that an earlier run did not report failing passed then."""
    return any(v.failing is not None and test_id not in v.failing for v in earlier)
