"""`scaffold review`: explain the generated diff between two revisions, unit by unit.

For each unit whose files changed: the inputs that caused it (from the manifests' input hashes
and a spec diff by section), the contract delta (review_delta), the files with +/- counts, the
provenance (writer, model, prompt hash) and hand edits. Every finding is classed breaking, risky
or safe; units come most severe first.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from scaffold.hashing import TEMPLATES_KEY, sha256_bytes
from scaffold.manifest import FileRecord, Manifest, Provenance, base_path
from scaffold.review_delta import SEVERITIES, Finding, PyApi, Severity, api_delta, py_api
from scaffold.review_git import ReviewError, Side, sides
from scaffold.review_spec import Cause, input_changes, relevant, spec_dialect

EXTENSION_UNIT = "extend"


@dataclass(frozen=True)
class FileDelta:
    path: str
    status: str  # added | removed | modified | unchanged
    added: int = 0
    removed: int = 0
    hand_edit: str | None = None  # the diff of a hand edit at head, against the last generated


@dataclass(frozen=True)
class UnitReview:
    unit: str
    severity: Severity
    causes: tuple[Cause, ...]
    findings: tuple[Finding, ...]
    files: tuple[FileDelta, ...]
    writer: str | None = None  # None: the user's extension module, written by hand
    provenance: Provenance = field(default_factory=Provenance)


@dataclass(frozen=True)
class Review:
    base: str
    head: str
    inputs: tuple[Cause, ...]  # what changed among the inputs (spec sections, schema, queries)
    units: tuple[UnitReview, ...]
    notes: tuple[Finding, ...] = field(default=())  # about the whole tree (stale, no base)

    def count(self, severity: Severity) -> int:
        findings = [f for u in self.units for f in u.findings] + list(self.notes)
        return sum(1 for f in findings if f.severity == severity)

    def fails(self, fail_on: Severity | None) -> bool:
        """Whether a finding at or above `fail_on` exists (the merge gate)."""
        if fail_on is None:
            return False
        gate = SEVERITIES[: SEVERITIES.index(fail_on) + 1]
        return any(self.count(s) for s in gate)


@dataclass(frozen=True)
class _Compare:
    """Both sides of the review with their manifests."""

    old_side: Side
    new_side: Side
    old: Manifest
    new: Manifest
    dialect: str | None


def review(project: Path, base: str | None = None, head: str | None = None) -> Review:
    """Review the generated code of the project folder between two revisions (head None: the
    work tree; base None: the merge-base with main or master)."""
    old_side, new_side = sides(project, base, head)
    new = new_side.manifest()
    if new is None:
        raise ReviewError(
            f"no manifest at {new_side.label}: nothing generated in this folder",
            hint="run scaffold review from the folder holding scaffold.yaml and .scaffold/",
        )
    old = old_side.manifest()
    notes = [] if old is not None else [Finding("safe", f"no manifest at {_short(old_side)}")]
    old = old or Manifest()
    causes = input_changes(old_side, new_side, old, new)
    notes += _stale_inputs(new_side, new)
    both = _Compare(old_side, new_side, old, new, spec_dialect(new_side, new))
    units = [*_unit_reviews(both, causes), *_extension_reviews(both)]
    units.sort(key=lambda u: (SEVERITIES.index(u.severity), u.unit))
    return Review(_short(old_side), _short(new_side), tuple(causes), tuple(units), tuple(notes))


def _short(side: Side) -> str:
    return side.rev[:12] if side.rev else side.label


def _stale_inputs(side: Side, manifest: Manifest) -> list[Finding]:
    """Inputs edited after the last `scaffold gen` at head: the generated code is stale."""
    stale = [
        key
        for key, digest in sorted(manifest.inputs.items())
        if key != TEMPLATES_KEY and sha256_bytes(side.read(key) or b"") != digest
    ]
    if not stale:
        return []
    what = ", ".join(f"`{k}`" for k in stale)
    message = f"generated code is stale at {side.label}: {what} changed after the last gen"
    return [Finding("risky", message)]


def _unit_reviews(both: _Compare, causes: list[Cause]) -> list[UnitReview]:
    units: dict[str, set[str]] = {}
    for path, rec in [*both.old.files.items(), *both.new.files.items()]:
        units.setdefault(rec.unit, set()).add(path)
    out = []
    for unit, paths in units.items():
        reviewed = _unit_review(unit, sorted(paths), both)
        if reviewed is not None:
            cause = tuple(c for c in causes if relevant(c, unit))
            out.append(replace(reviewed, causes=cause))
    return out


def _unit_review(unit: str, paths: list[str], both: _Compare) -> UnitReview | None:
    files: list[FileDelta] = []
    findings: list[Finding] = []
    for path in paths:
        before, after = both.old_side.read(path), both.new_side.read(path)
        delta = _file_delta(path, before, after, both.new.files.get(path), both.new_side)
        files.append(delta)
        if path.endswith(".py") and delta.status != "unchanged":
            tests = unit.startswith("tests.")
            findings += api_delta(_api(before), _api(after), both.dialect, tests=tests)
        if delta.hand_edit is not None:
            findings.append(Finding("risky", f"`{path}` was edited by hand", delta.hand_edit))
    if all(f.status == "unchanged" for f in files):
        return None
    old, new = _record(unit, both.old), _record(unit, both.new)
    findings += _provenance_findings(unit, old, new)
    reviewed = UnitReview(
        unit=unit,
        severity=_worst(findings),
        causes=(),
        findings=tuple(_sorted(findings)),
        files=tuple(f for f in files if f.status != "unchanged"),
    )
    return _with_provenance(reviewed, new or old)


def _with_provenance(unit: UnitReview, rec: FileRecord | None) -> UnitReview:
    if rec is None:
        return unit
    return replace(unit, writer=rec.writer, provenance=rec.provenance)


def _api(data: bytes | None) -> PyApi | None:
    return py_api(None if data is None else data.decode("utf-8", errors="replace"))


def _file_delta(
    path: str, before: bytes | None, after: bytes | None, rec: FileRecord | None, side: Side
) -> FileDelta:
    if before == after:  # a hand edit already at base is not part of this diff
        return FileDelta(path, "unchanged")
    hand_edit = None
    if after is not None and rec is not None and sha256_bytes(after) != rec.sha256:
        last = side.read(base_path(path))
        hand_edit = _diff(last or b"", after, f"{path} (last generated)", f"{path} (edited)")
    status = "added" if before is None else "removed" if after is None else "modified"
    added, removed = _line_counts(before or b"", after or b"")
    return FileDelta(path, status, added, removed, hand_edit)


def _line_counts(before: bytes, after: bytes) -> tuple[int, int]:
    lines = list(difflib.unified_diff(_lines(before), _lines(after), lineterm="", n=0))
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    return added, removed


def _diff(before: bytes, after: bytes, old_label: str, new_label: str) -> str:
    lines = difflib.unified_diff(_lines(before), _lines(after), old_label, new_label, lineterm="")
    return "\n".join(lines)


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8", errors="replace").splitlines()


def _record(unit: str, manifest: Manifest) -> FileRecord | None:
    return next((r for _, r in sorted(manifest.files.items()) if r.unit == unit), None)


def _provenance_findings(
    unit: str, old: FileRecord | None, new: FileRecord | None
) -> list[Finding]:
    out: list[Finding] = []
    if new is None:
        out.append(Finding("breaking", f"unit `{unit}` removed: its files are deleted"))
    elif old is None:
        out.append(Finding("safe", f"unit `{unit}` added"))
    if new is not None and new.writer == "llm":
        model = f" by `{new.provenance.model}`" if new.provenance.model else ""
        out.append(Finding("risky", f"written by an LLM{model}: read it as untrusted code"))
    if old is not None and new is not None and old.writer != new.writer:
        out.append(Finding("risky", f"writer changed: {old.writer} -> {new.writer}"))
    return out


def _worst(findings: Iterable[Finding]) -> Severity:
    found = {f.severity for f in findings}
    return next((s for s in SEVERITIES if s in found), "safe")


def _sorted(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: SEVERITIES.index(f.severity))


def _extension_reviews(both: _Compare) -> list[UnitReview]:
    """The user's extension modules: ordinary code to review, listed so it is not missed."""
    out = []
    for path in sorted(set(both.old.extensions) | set(both.new.extensions)):
        before, after = both.old_side.read(path), both.new_side.read(path)
        if before == after:
            continue
        delta = _file_delta(path, before, after, None, both.new_side)
        note = Finding("safe", "your extension module (hand-written; called by generated code)")
        findings = [note, *api_delta(_api(before), _api(after), None)]
        out.append(UnitReview(EXTENSION_UNIT, _worst(findings), (), tuple(findings), (delta,)))
    return out
