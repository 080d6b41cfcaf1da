"""Read pytest's JUnit XML (xunit1 family, which keeps file and line) into failures."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

# The last "path.py:12: SomeError" line of a traceback is where the test failed.
_TRACE_LINE = re.compile(r"^(?P<file>[^\s:][^:\n]*\.py):(?P<line>\d+): ", re.MULTILINE)
DETAIL_LIMIT = 1500


@dataclass(frozen=True)
class Failure:
    """A failed or broken test: its id, the message, where, and the head and tail of its output."""

    test_id: str
    message: str
    location: str | None  # "file:line"
    details: str = ""

    def describe(self) -> str:
        where = f" ({self.location})" if self.location else ""
        return f"{self.test_id}{where}: {self.message}"


@dataclass(frozen=True)
class JunitResult:
    passed: int
    failed: int
    errors: int
    skipped: int
    failures: tuple[Failure, ...]


def parse_junit(data: bytes) -> JunitResult:
    counts = {"passed": 0, "failure": 0, "error": 0, "skipped": 0}
    failures: list[Failure] = []
    for case in ET.fromstring(data).iter("testcase"):
        outcome = _outcome(case)
        counts[outcome.tag if outcome is not None else "passed"] += 1
        if outcome is not None and outcome.tag in ("failure", "error"):
            failures.append(_failure(case, outcome))
    return JunitResult(
        counts["passed"], counts["failure"], counts["error"], counts["skipped"], tuple(failures)
    )


def _outcome(case: ET.Element) -> ET.Element | None:
    for tag in ("failure", "error", "skipped"):
        found = case.find(tag)
        if found is not None:
            return found
    return None


def _failure(case: ET.Element, outcome: ET.Element) -> Failure:
    text = outcome.text or ""
    # pytest's message is the exception line; without one the traceback's last line says it.
    message = outcome.get("message") or "".join(text.strip().splitlines()[-1:])
    output = "\n".join(filter(None, (text, _captured(case))))
    return Failure(_test_id(case), _first_line(message), _location(case, text), _clip(output))


def _test_id(case: ET.Element) -> str:
    name = case.get("name", "?")
    classname = case.get("classname", "")
    file = case.get("file")
    if not file:
        return f"{classname}::{name}" if classname else name
    module = file.removesuffix(".py").replace("/", ".")
    inner = classname.removeprefix(module).lstrip(".").replace(".", "::")
    return "::".join(part for part in (file, inner, name) if part)


def _location(case: ET.Element, text: str) -> str | None:
    hits = list(_TRACE_LINE.finditer(text))
    if hits:
        return f"{hits[-1]['file']}:{hits[-1]['line']}"
    file, line = case.get("file"), case.get("line")
    if file and line and line.isdigit():
        return f"{file}:{int(line) + 1}"  # pytest writes the 0-based line of the test
    return file


def _captured(case: ET.Element) -> str:
    parts = [el.text or "" for tag in ("system-out", "system-err") for el in case.iter(tag)]
    return "\n".join(p for p in parts if p.strip())


def _first_line(message: str) -> str:
    lines = message.strip().splitlines()
    return lines[0] if lines else "(no message)"


def _clip(text: str, limit: int = DETAIL_LIMIT) -> str:
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n...\n{text[-half:]}"
