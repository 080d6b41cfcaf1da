"""The regeneration workflow through the real CLI: `gen --dry-run` per file in text and JSON, a
run that changes nothing touches nothing, hand edits refuse the run, and the extension module
(extend.py) survives regeneration while the generated files stay byte for byte the same."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from scaffold.cli import main

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "bookshop"
PKG = "generated/bookshop"
OLD_QUERY = "SELECT id, title, price, stock FROM books WHERE stock > 0 ORDER BY title"
NEW_QUERY = "SELECT id, title, price FROM books WHERE stock > 0 ORDER BY title"
HOOK = """
from .rows import AddBookInput


def validate_add_book(value: AddBookInput) -> dict[str, list[str]]:
    if value.title == "Forbidden":
        return {"title": ["This title is not allowed."]}
    return {}
"""


def _cli(project: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [args[0], str(project / "scaffold.yaml"), *args[1:]])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The bookshop example, generated once."""
    work = tmp_path / "shop"
    work.mkdir()
    for name in ("scaffold.yaml", "schema.sql", "queries.sql"):
        shutil.copyfile(EXAMPLE / name, work / name)
    result = _cli(work, "gen", "--no-tests")
    assert result.exit_code == 0, result.output
    return work


def _snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of the project with its bytes and mtime."""
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def _generated(root: Path) -> dict[str, bytes]:
    lock = json.loads((root / ".scaffold/lock.json").read_text())
    return {path: (root / path).read_bytes() for path in lock["files"]}


def _edit_spec(project: Path, change: object) -> None:
    spec = project / "scaffold.yaml"
    data = yaml.safe_load(spec.read_text())
    assert callable(change)
    change(data)
    spec.write_text(yaml.safe_dump(data, sort_keys=False))


def _many_changes(project: Path) -> None:
    """A query changed, a form dropped, a file deleted and one edited by hand."""

    def change(data: dict[str, object]) -> None:
        queries = data["queries"]
        forms = data["forms"]
        assert isinstance(queries, dict) and isinstance(forms, dict)
        queries["books_in_stock"] = NEW_QUERY
        del forms["place_order"]

    _edit_spec(project, change)
    (project / f"{PKG}/templates/edit_book.html").unlink()
    author = project / f"{PKG}/forms/add_author.py"
    author.write_text(author.read_text() + "# my edit\n")


EXPECTED_ACTIONS = {
    f"{PKG}/sql.py": "update",
    f"{PKG}/rows.py": "update",
    f"{PKG}/queries.py": "update",
    f"{PKG}/forms/add_book.py": "unchanged",
    f"{PKG}/forms/add_author.py": "hand-edited",
    f"{PKG}/templates/edit_book.html": "user-deleted",
    f"{PKG}/forms/place_order.py": "orphan",
    f"{PKG}/templates/place_order.html": "orphan",
    "generated/tests/test_form_place_order.py": "orphan",
    f"{PKG}/extend.py": "unchanged",
}


def test_dry_run_json_lists_every_kind_of_change(project: Path) -> None:
    _many_changes(project)
    before = _snapshot(project)
    result = _cli(project, "gen", "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.output
    files = {f["path"]: f for f in json.loads(result.stdout)["files"]}
    for path, action in EXPECTED_ACTIONS.items():
        assert files[path]["action"] == action, path
    assert "you deleted it" in files[f"{PKG}/templates/edit_book.html"]["note"]
    assert _snapshot(project) == before  # a dry run writes nothing


def test_dry_run_text_shows_actions_and_the_edit(project: Path) -> None:
    _many_changes(project)
    result = _cli(project, "gen", "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    for path, action in EXPECTED_ACTIONS.items():
        if action != "unchanged":
            assert f"{action:>13}  {path}" in "\n".join(lines), path
    assert "+# my edit" in result.stdout
    assert lines[-1].startswith("would write: ")
    assert "1 hand-edited" in lines[-1] and "3 orphan" in lines[-1]


def test_fresh_dry_run_would_create_everything(tmp_path: Path) -> None:
    for name in ("scaffold.yaml", "schema.sql", "queries.sql"):
        shutil.copyfile(EXAMPLE / name, tmp_path / name)
    result = _cli(tmp_path, "gen", "--dry-run", "--format", "json")
    assert {f["action"] for f in json.loads(result.stdout)["files"]} == {"create"}
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert written == ["queries.sql", "scaffold.yaml", "schema.sql"]


def test_gen_without_changes_touches_no_file(project: Path) -> None:
    before = _snapshot(project)
    result = _cli(project, "gen")  # with the generated tests, on a staged copy
    assert result.exit_code == 0, result.output
    summary = result.stdout.splitlines()[-1]
    assert re.fullmatch(r"done: \d+ unchanged(; \d+ generated tests passed)?", summary), summary
    assert _snapshot(project) == before


def test_hand_edit_refuses_the_run_and_shows_the_edit(project: Path) -> None:
    _edit_spec(project, lambda d: d["queries"].__setitem__("books_in_stock", NEW_QUERY))
    rows = project / f"{PKG}/rows.py"
    rows.write_text(rows.read_text() + "# keep me\n")
    before = _snapshot(project)
    result = _cli(project, "gen", "--no-tests")
    assert result.exit_code == 1
    assert f"{PKG}/rows.py was edited by hand" in result.stderr
    assert "+# keep me" in result.stderr
    assert "--force" in result.stderr and "extension module" in result.stderr
    assert _snapshot(project) == before  # nothing was written, not even sql.py


def test_extension_module_is_created_once_and_survives(project: Path) -> None:
    extend = project / f"{PKG}/extend.py"
    text = extend.read_text()
    assert "Do not edit" not in text
    assert "validate_add_book(value: rows.AddBookInput)" in text  # the hooks are documented
    generated = _generated(project)
    extend.write_text(text + HOOK)
    result = _cli(project, "gen")  # the generated tests run with the user's hook
    assert result.exit_code == 0, result.output
    assert extend.read_text() == text + HOOK
    assert _generated(project) == generated
    assert _cli(project, "check").exit_code == 0
    assert extend.as_posix().endswith(
        json.loads((project / ".scaffold/lock.json").read_text())["extensions"][0]
    )


PARSE = """
import json
from generated.bookshop.forms import add_book
for title in ("Dune", "Forbidden"):
    data = {"title": title, "isbn": "9780441013593", "price": "9.99", "author_id": "1"}
    value, errors = add_book.parse(data)
    print(json.dumps([value is not None, errors]))
"""


def _parse_results(project: Path) -> list[object]:
    run = subprocess.run(
        [sys.executable, "-c", PARSE], cwd=project, capture_output=True, text=True, check=True
    )
    return [json.loads(line) for line in run.stdout.splitlines()]


def test_the_generated_form_calls_the_hook_when_defined(project: Path) -> None:
    assert _parse_results(project) == [[True, {}], [True, {}]]  # no hook: generated behaviour
    extend = project / f"{PKG}/extend.py"
    extend.write_text(extend.read_text() + HOOK)
    assert _parse_results(project) == [
        [True, {}],
        [False, {"title": ["This title is not allowed."]}],
    ]


def test_a_deleted_extension_module_is_recreated(project: Path) -> None:
    extend = project / f"{PKG}/extend.py"
    extend.unlink()
    check = _cli(project, "check")
    assert check.exit_code == 1 and "extension module" in check.stdout
    dry = _cli(project, "gen", "--dry-run", "--format", "json")
    actions = {f["path"]: f["action"] for f in json.loads(dry.stdout)["files"]}
    assert actions[f"{PKG}/extend.py"] == "create"
    assert _cli(project, "gen", "--no-tests").exit_code == 0
    assert extend.is_file()


@pytest.mark.parametrize(
    ("extension", "error"),
    [
        ("def validate_add_book(value):\n    return ['no']\n", "must return a dict"),
        ("import no_such_module_here\n", "No module named 'no_such_module_here'"),
    ],
)
def test_a_broken_extension_fails_loudly(project: Path, extension: str, error: str) -> None:
    (project / f"{PKG}/extend.py").write_text(extension)
    run = subprocess.run(
        [sys.executable, "-c", PARSE], cwd=project, capture_output=True, text=True, check=False
    )
    assert run.returncode == 1 and error in run.stderr
