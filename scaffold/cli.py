"""Command line: parse arguments, call one function, print, exit.

Exit codes: 0 ok, 1 a check or generation failed, 2 bad input, 3 a bug in scaffold.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from scaffold.errors import ScaffoldError

SPEC = click.argument("spec", type=click.Path(path_type=Path, dir_okay=False))
FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    help="How errors (and results) are printed.",
)


@contextmanager
def reported(fmt: str) -> Iterator[None]:
    """Turn ScaffoldErrors into one clear message and an exit code; keep bugs loud."""
    try:
        yield
    except ScaffoldError as err:
        if fmt == "json":
            click.echo(json.dumps({"ok": False, **_error_json(err)}, indent=2))
        else:
            click.echo(str(err), err=True)
        sys.exit(err.exit_code)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception:
        traceback.print_exc()
        click.echo("scaffold crashed: this is a bug in scaffold, please report it.", err=True)
        sys.exit(3)


def _error_json(err: ScaffoldError) -> dict[str, Any]:
    data = err.to_json()
    return data if "errors" in data else {"errors": [data]}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="scaffold")
def main() -> None:
    """scaffold: an architect's spec in, typed and tested CRUD glue out."""


@main.command()
@SPEC
@click.option("--json", "as_json", is_flag=True, help="Print the analysis as stable JSON.")
@FORMAT
def inspect(spec: Path, as_json: bool, fmt: str) -> None:
    """Show what scaffold derives from SPEC: tables, columns, and per query its columns,
    types, nullability, parameters and the tables it reads and writes."""
    with reported("json" if as_json else fmt):
        from scaffold.pipeline import inspect_report

        click.echo(inspect_report(spec, as_json=as_json), nl=False)


@main.command()
@SPEC
@click.option("--dry-run", is_flag=True, help="List what would change per file; write nothing.")
@click.option("--force", is_flag=True, help="Overwrite hand-edited files (a backup is kept).")
@click.option("--merge", is_flag=True, help="3-way merge hand edits with the new output.")
@click.option("--no-tests", is_flag=True, help="Skip running the generated tests before writing.")
@FORMAT
def gen(spec: Path, dry_run: bool, force: bool, merge: bool, no_tests: bool, fmt: str) -> None:
    """Generate the code SPEC describes. Runs the generated tests on a staged copy first;
    writes nothing unless every unit is valid and every test passes."""
    with reported(fmt):
        from scaffold.pipeline import generate
        from scaffold.summary import print_gen_result

        progress: Callable[[str], None] = lambda msg: click.echo(msg, err=True)  # noqa: E731
        result = generate(
            spec,
            dry_run=dry_run,
            force=force,
            merge=merge,
            run_tests=not no_tests,
            progress=None if fmt == "json" else progress,
        )
        sys.exit(print_gen_result(result, fmt=fmt, dry_run=dry_run))


@main.command()
@SPEC
@click.option(
    "--staged",
    is_flag=True,
    envvar="PRE_COMMIT",
    help="Judge what is in the git index, ignoring untracked files (on under pre-commit).",
)
@FORMAT
def check(spec: Path, staged: bool, fmt: str) -> None:
    """Exit 0 when the generated tree is exactly what SPEC produces, 1 with the stale units
    otherwise. Decides from hashes; never calls a model."""
    with reported(fmt):
        from scaffold.check import check as run_check
        from scaffold.summary import print_check_report

        sys.exit(print_check_report(run_check(spec, tracked_only=staged), fmt=fmt))
