"""The review as Markdown for a pull-request comment (a summary table, then a section per unit,
most severe first; diffs, file lists and safe units collapsed in <details>) or as JSON."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scaffold.manifest import Provenance
from scaffold.review import FileDelta, Review, UnitReview
from scaffold.review_delta import SEVERITIES, Finding, Severity

MARK: dict[Severity, str] = {"breaking": "🔴", "risky": "🟠", "safe": "🟢"}
DETAIL_LINES = 80


def review_markdown(result: Review) -> str:
    lines = [f"## scaffold review: `{result.base}` → `{result.head}`", "", _counts(result), ""]
    if result.inputs:
        lines += ["**Inputs changed:**", *[f"- {c}" for c in result.inputs], ""]
    lines += [f"> {MARK[n.severity]} {n.message}" for n in result.notes]
    if result.notes:
        lines.append("")
    if not result.units:
        return "\n".join([*lines, "No generated file changed."]) + "\n"
    lines += _summary_table(result.units)
    careful = [u for u in result.units if u.severity != "safe"]
    safe = [u for u in result.units if u.severity == "safe"]
    for unit in careful:
        lines += ["", *_unit_section(unit)]
    if safe:
        lines += ["", f"<details><summary>{len(safe)} safe unit(s)</summary>", ""]
        for unit in safe:
            lines += [*_unit_section(unit), ""]
        lines.append("</details>")
    return "\n".join(lines) + "\n"


def _counts(result: Review) -> str:
    parts = [f"{MARK[s]} {result.count(s)} {s}" for s in SEVERITIES]
    return " · ".join(parts) + f" change(s) in {len(result.units)} generated unit(s)"


def _summary_table(units: tuple[UnitReview, ...]) -> list[str]:
    rows = ["| | unit | writer | files | lines |", "|---|---|---|---|---|"]
    for u in units:
        added, removed = sum(f.added for f in u.files), sum(f.removed for f in u.files)
        rows.append(
            f"| {MARK[u.severity]} {u.severity} | `{u.unit}` | {u.writer or 'yours'} "
            f"| {len(u.files)} | +{added} -{removed} |"
        )
    return rows


def _unit_section(unit: UnitReview) -> list[str]:
    lines = [f"### {MARK[unit.severity]} `{unit.unit}` ({unit.severity})", ""]
    if unit.causes:
        lines += ["Caused by: " + "; ".join(str(c) for c in unit.causes), ""]
    for finding in unit.findings:
        lines += _finding(finding)
    if not unit.findings:
        lines.append("- no contract change: only the bodies of the generated code changed")
    lines += ["", _provenance(unit), "", *_files(unit.files)]
    return lines


def _finding(finding: Finding) -> list[str]:
    item = f"- {MARK[finding.severity]} **{finding.severity}**: {finding.message}"
    if not finding.detail:
        return [item]
    return [item, *_indented(_collapsed("details", finding.detail))]


def _collapsed(summary: str, body: str) -> list[str]:
    lines = body.splitlines()
    if len(lines) > DETAIL_LINES:
        lines = [*lines[:DETAIL_LINES], f"... ({len(lines) - DETAIL_LINES} more lines)"]
    fence = "````" if "```" in body else "```"
    return [
        f"<details><summary>{summary}</summary>",
        "",
        f"{fence}diff",
        *lines,
        fence,
        "</details>",
    ]


def _indented(lines: list[str]) -> list[str]:
    return [f"  {line}" if line else "" for line in lines]


def _provenance(unit: UnitReview) -> str:
    if unit.writer is None:
        return "Provenance: written by hand (extension module)."
    given = unit.provenance
    model = f"`{given.model}`" if given.model else "none"
    prompt = f"`{given.prompt_hash[:12]}`" if given.prompt_hash else "none"
    line = f"Provenance: writer `{unit.writer}`, model {model}, prompt hash {prompt}."
    return line + _validation(given)


def _validation(given: Provenance) -> str:
    """An LLM unit's attempts, tokens and tests, as far as the manifest records them."""
    said = []
    if given.attempts is not None:
        said.append(f"accepted on attempt {given.attempts}")
    if given.tokens is not None:
        said.append(f"{given.tokens} tokens")
    if given.test_result is not None:
        said.append(f"its generated tests: {given.test_result}")
    return f" Validation: {', '.join(said)}." if said else ""


def _files(files: tuple[FileDelta, ...]) -> list[str]:
    rows = ["| file | change | + | - | hand edit |", "|---|---|---|---|---|"]
    for f in files:
        edited = "**yes**" if f.hand_edit is not None else ""
        rows.append(f"| `{f.path}` | {f.status} | {f.added} | {f.removed} | {edited} |")
    summary = f"Files ({len(files)})"
    return [f"<details><summary>{summary}</summary>", "", *rows, "", "</details>"]


def review_json(result: Review) -> dict[str, Any]:
    """The review as stable JSON (`--format json`)."""
    return {
        "base": result.base,
        "head": result.head,
        "counts": {s: result.count(s) for s in SEVERITIES},
        "inputs": [str(c) for c in result.inputs],
        "notes": [_finding_json(f) for f in result.notes],
        "units": [_unit_json(u) for u in result.units],
    }


def _unit_json(unit: UnitReview) -> dict[str, Any]:
    return {
        "unit": unit.unit,
        "severity": unit.severity,
        "causes": [str(c) for c in unit.causes],
        "findings": [_finding_json(f) for f in unit.findings],
        "files": [_file_json(f) for f in unit.files],
        "writer": unit.writer,
        # Flat, in field order: model, prompt_hash, attempts, tokens, test_result.
        **vars(unit.provenance),
    }


def _finding_json(finding: Finding) -> dict[str, str]:
    return {"severity": finding.severity, "message": finding.message, "detail": finding.detail}


def _file_json(delta: FileDelta) -> Mapping[str, Any]:
    return {
        "path": delta.path,
        "status": delta.status,
        "added": delta.added,
        "removed": delta.removed,
        "hand_edited": delta.hand_edit is not None,
    }
