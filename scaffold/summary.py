"""How command results are printed: per-file actions of `gen`, stale units of `check`, the
review of a generated diff."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from scaffold.check import CheckReport
    from scaffold.pipeline import GenResult
    from scaffold.review import Review


def print_gen_result(result: GenResult, *, fmt: str, dry_run: bool) -> int:
    """Print what `gen` did (or would do) per file and a summary; return the exit code."""
    from scaffold.emit import BLOCKING_ACTIONS

    blocked = [c for c in result.changes if c.action in BLOCKING_ACTIONS]
    code = 1 if blocked and not dry_run else 0
    if fmt == "json":
        click.echo(json.dumps(_gen_json(result, dry_run, code), indent=2))
        return code
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    for change in result.changes:
        if change.action != "unchanged":
            note = f"  ({change.note})" if change.note else ""
            click.echo(f"{change.action:>13}  {change.path}{note}")
            if change.diff:
                click.echo(change.diff)
    counts = Counter(c.action for c in result.changes)
    summary = ", ".join(f"{n} {action}" for action, n in sorted(counts.items()))
    tests = "" if result.tests_passed is None else f"; {result.tests_passed} generated tests passed"
    verb = "would write" if dry_run else "done"
    click.echo(f"{verb}: {summary}{tests}")
    return code


def _gen_json(result: GenResult, dry_run: bool, code: int) -> dict[str, Any]:
    return {
        "ok": code == 0,
        "dry_run": dry_run,
        "files": [
            {"path": c.path, "action": c.action, "unit": c.unit, "note": c.note}
            for c in result.changes
        ],
        "warnings": list(result.warnings),
        "tests_passed": result.tests_passed,
    }


def print_check_report(report: CheckReport, *, fmt: str) -> int:
    """Print the stale units and why; return 0 when fresh, 1 when stale."""
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), indent=2))
    elif report.ok:
        click.echo("generated code is up to date")
    else:
        for item in report.stale:
            click.echo(f"stale: {item}")
        click.echo("run `scaffold gen` to regenerate", err=True)
    return 0 if report.ok else 1


def print_review(result: Review, *, fmt: str, fail_on: str | None) -> int:
    """Print the review as Markdown or JSON; 1 when a change reaches `fail_on`, else 0."""
    from scaffold.review_delta import SEVERITIES
    from scaffold.review_render import review_json, review_markdown

    gate = next((s for s in SEVERITIES if s == fail_on), None)
    code = 1 if result.fails(gate) else 0
    if fmt == "json":
        click.echo(json.dumps({**review_json(result), "ok": code == 0}, indent=2))
    else:
        click.echo(review_markdown(result), nl=False)
    return code
