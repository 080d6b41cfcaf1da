"""Command line: parse arguments, call one function, print, exit.

Exit codes: 0 ok, 1 a check or generation failed, 2 bad input, 3 a bug in scaffold.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from scaffold.errors import ScaffoldError

# Optional so that a pre-commit hook run from the project folder needs no argument.
SPEC = click.argument(
    "spec",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("scaffold.yaml"),
    required=False,
)
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
        import traceback  # only for a crash: ~2 ms that every `check` would pay

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
@click.option(
    "--dry-run", is_flag=True, help="List what would change per file; write nothing, ask no model."
)
@click.option("--force", is_flag=True, help="Overwrite hand-edited files (a backup is kept).")
@click.option("--merge", is_flag=True, help="3-way merge hand edits with the new output.")
@click.option("--no-tests", is_flag=True, help="Skip running the generated tests before writing.")
@click.option(
    "--offline",
    is_flag=True,
    help="Never call a model: LLM-written units come from the cache (the pre-commit hook).",
)
@click.option("--model", help="The model of LLM-written units (default: spec writer.llm.model).")
@click.option("--base-url", help="An OpenAI-compatible server (default: OPENAI_BASE_URL, spec).")
@click.option("--max-attempts", type=click.IntRange(min=1), help="Answers asked per unit.")
@click.option("--temperature", type=click.FloatRange(0, 2), help="Sampling temperature.")
@click.option("--concurrency", type=click.IntRange(min=1), help="Units asked in parallel.")
@click.option("--refresh", multiple=True, metavar="UNIT", help="Ask the model again for UNIT.")
@click.option("--token-budget", type=click.IntRange(min=1), help="Stop asking after N tokens.")
@FORMAT
def gen(
    spec: Path, dry_run: bool, force: bool, merge: bool, no_tests: bool, fmt: str, **llm_flags: Any
) -> None:
    """Generate the code SPEC describes. Runs the generated tests on a staged copy first;
    writes nothing unless every unit is valid and every test passes."""
    from scaffold.console import GenConsole

    with reported(fmt), GenConsole.on_stderr(quiet=fmt == "json") as console:
        from scaffold.pipeline import generate
        from scaffold.summary import print_gen_result
        from scaffold.write.units import LLMOptions

        llm = LLMOptions(**llm_flags)
        result = generate(
            spec,
            dry_run=dry_run,
            force=force,
            merge=merge,
            run_tests=not no_tests,
            progress=console.say,
            llm=llm,
            on_unit=console.unit,
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


@main.command()
@click.argument("base", required=False)
@click.argument("head", required=False)
@click.option(
    "--project",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("."),
    help="The folder holding the spec and .scaffold/ (default: the current folder).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["breaking", "risky"]),
    default=None,
    help="Exit 1 when a change of this class (or a more severe one) is found.",
)
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown")
def review(
    base: str | None, head: str | None, project: Path, fail_on: str | None, fmt: str
) -> None:
    """Explain the generated diff between BASE and HEAD (git revisions, or BASE..HEAD) in
    Markdown for a PR. BASE defaults to the merge-base with main (or master), HEAD to the work
    tree. Exit 1 when --fail-on finds a change of that class, 2 on bad input."""
    with reported("json" if fmt == "json" else "text"):
        from scaffold.review import review as run_review
        from scaffold.summary import print_review

        sys.exit(print_review(run_review(project, base, head), fmt=fmt, fail_on=fail_on))


@main.command()
@SPEC
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The SQLite file (default: .scaffold/serve/<app>.sqlite3 beside the spec).",
)
def serve(spec: Path, host: str, port: int, db: Path | None) -> None:
    """Run SPEC's generated web app (output.web: starlette) on an embedded SQLite database,
    created from the schema on first start; the index page at / links every form and state."""
    with reported("text"):
        from scaffold.serve import serve as run_server

        run_server(spec, host=host, port=port, db=db, progress=lambda m: click.echo(m, err=True))


@main.command()
@SPEC
@click.option("--model", help="The model to check (default: spec writer.llm.model).")
@click.option("--base-url", help="The server to check (default: OPENAI_BASE_URL, then the spec).")
def doctor(spec: Path, model: str | None, base_url: str | None) -> None:
    """Check the model setup of SPEC: the server, its models and one tiny request."""
    with reported("text"):
        from scaffold.write.units import doctor_report

        lines, ok = doctor_report(spec, model=model, base_url=base_url)
        click.echo(lines)
        sys.exit(0 if ok else 1)


@main.group()
def daemon() -> None:
    """A background process that keeps scaffold loaded: while it runs, `inspect` and `check`
    are answered by it, saving each run ~0.1 s of start-up (a pre-commit hook, an editor).
    Output and exit codes are the same as without it; set SCAFFOLD_NO_DAEMON=1 to bypass it."""


@daemon.command("start")
@click.option(
    "--idle-timeout",
    type=click.IntRange(min=0),
    default=180,
    show_default=True,
    metavar="MINUTES",
    help="Exit after this long without a request (0: never).",
)
def daemon_start(idle_timeout: int) -> None:
    """Start the daemon of this installation in the background (nothing if one runs)."""
    with reported("text"):
        from scaffold.daemon import start

        click.echo(start(idle_timeout))


@daemon.command("stop")
def daemon_stop() -> None:
    """Stop the daemon of this installation."""
    with reported("text"):
        from scaffold.daemon import stop

        click.echo(stop())


@daemon.command("status")
def daemon_status() -> None:
    """Say whether a daemon runs, since when and for which code; exit 1 when none does."""
    with reported("text"):
        from scaffold.daemon import describe, status

        info = status()
        click.echo(describe(info) if info else "no scaffold daemon is running")
        sys.exit(0 if info else 1)
