"""`scaffold review` on a temporary git repository with real commits: a spec change, a schema
change, a hand edit; the classes of each change, the merge gate, the formats and bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from scaffold.cli import main
from scaffold.pipeline import generate
from scaffold.review_delta import api_delta, normalize_sql, py_api, tables_written
from scaffold.review_spec import Cause, relevant

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "bookshop"
PKG = "generated/bookshop"
OLD_QUERY = "SELECT id, title, price, stock FROM books WHERE stock > 0 ORDER BY title"
NEW_QUERY = "SELECT id, title, price FROM books WHERE stock > 0 ORDER BY title"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


def _git(repo: Path, *args: str) -> str:
    run = subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True,
        env={**os.environ, **GIT_ENV},
    )  # fmt: skip
    return run.stdout.strip()


def _commit(repo: Path, message: str, *, regenerate: bool = True) -> None:
    if regenerate:
        generate(repo / "scaffold.yaml", run_tests=False)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "--allow-empty", "-m", message)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """main: the example generated; feature: spec change, schema change, hand edit, one a commit."""
    root = tmp_path_factory.mktemp("review") / "shop"
    root.mkdir()
    for name in ("scaffold.yaml", "schema.sql", "queries.sql"):
        shutil.copyfile(EXAMPLE / name, root / name)
    _git(root, "init", "-q", "-b", "main")
    _commit(root, "generated")
    _git(root, "checkout", "-q", "-b", "feature")
    _replace(root / "scaffold.yaml", OLD_QUERY, NEW_QUERY)
    _commit(root, "spec: books_in_stock without stock")
    _replace(root / "schema.sql", "title      VARCHAR(200) NOT NULL,", "title      VARCHAR(200),")
    _commit(root, "schema: title may be null")
    queries = root / f"{PKG}/queries.py"
    queries.write_text(queries.read_text() + "# tuned by hand\n")
    _commit(root, "hand edit", regenerate=False)
    return root


def _review(repo: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["review", "--project", str(repo), *args])


def _json(repo: Path, *args: str) -> dict[str, Any]:
    result = _review(repo, *args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _unit(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(u for u in data["units"] if u["unit"] == name)


def _messages(unit: dict[str, Any]) -> dict[str, str]:
    return {f["message"]: f["severity"] for f in unit["findings"]}


def test_spec_change_names_the_query_and_the_removed_field(repo: Path) -> None:
    data = _json(repo, "main", "feature~2")
    assert data["inputs"] == ["spec `queries.books_in_stock` changed"]
    rows = _unit(data, "rows")
    assert rows["severity"] == "breaking"
    assert rows["causes"] == ["spec `queries.books_in_stock` changed"]
    assert _messages(rows)["`BooksInStockRow.stock` removed (was `int`)"] == "breaking"
    sql = _unit(data, "sql")
    assert _messages(sql) == {"SQL `BOOKS_IN_STOCK` changed": "risky"}
    assert "-  stock" in sql["findings"][0]["detail"]  # the normalized SQL diff
    assert [f["path"] for f in sql["files"]] == [f"{PKG}/sql.py"]
    assert (sql["files"][0]["added"], sql["files"][0]["removed"]) == (1, 1)
    assert all(u["unit"] != "forms.add_book" for u in data["units"])  # untouched units omitted


def test_schema_change_says_the_column_became_nullable(repo: Path) -> None:
    data = _json(repo, "feature~2", "feature~1")
    assert data["inputs"] == ["schema `schema.sql`: table `books` changed"]
    rows = _messages(_unit(data, "rows"))
    assert rows["`GetBookRow.title` became nullable (`str` -> `str | None`)"] == "breaking"
    assert rows["`AddBookInput.title` became nullable (`str` -> `str | None`)"] == "breaking"
    form = _messages(_unit(data, "forms.add_book"))
    assert form == {"form field `title`: required `True` -> `False`": "safe"}
    assert _unit(data, "forms.add_book")["causes"] == data["inputs"]


def test_hand_edit_is_flagged_with_its_diff(repo: Path) -> None:
    data = _json(repo, "feature~1", "feature")
    queries = _unit(data, "queries")
    finding = next(f for f in queries["findings"] if "edited by hand" in f["message"])
    assert finding["severity"] == "risky"
    assert "+# tuned by hand" in finding["detail"]
    assert queries["files"][0]["hand_edited"] is True
    assert data["inputs"] == []


def test_markdown_puts_the_most_severe_first_and_collapses(repo: Path) -> None:
    result = _review(repo, "main", "feature")
    assert result.exit_code == 0
    text = result.stdout
    assert text.startswith("## scaffold review: `")
    assert text.index("### 🔴 `rows` (breaking)") < text.index("### 🟠 `queries` (risky)")
    assert "<details><summary>" in text and "safe unit(s)</summary>" in text
    assert "Provenance: writer `template`, model none, prompt hash none." in text
    assert "Caused by: spec `queries.books_in_stock` changed" in text


@pytest.mark.parametrize(
    ("revs", "gate", "code"),
    [
        (("main", "feature"), "breaking", 1),
        (("main", "feature"), "risky", 1),
        (("feature~1", "feature"), "breaking", 0),
        (("feature~1", "feature"), "risky", 1),
        (("feature", "feature"), "risky", 0),
        (("main..feature",), "breaking", 1),
        (("feature~1..feature",), "breaking", 0),
    ],
)
def test_fail_on_gates_the_merge(repo: Path, revs: tuple[str, ...], gate: str, code: int) -> None:
    assert _review(repo, *revs, "--fail-on", gate).exit_code == code


def test_default_base_is_the_merge_base_with_main_and_head_the_work_tree(repo: Path) -> None:
    data = _json(repo)
    assert data["head"] == "work tree"
    assert data["base"] == _git(repo, "rev-parse", "main")[:12]
    assert {"rows", "sql", "queries"} <= {u["unit"] for u in data["units"]}


def test_stale_work_tree_and_llm_provenance(repo: Path, tmp_path: Path) -> None:
    work = tmp_path / "clone"
    _git(repo, "clone", "-q", "--branch", "feature", str(repo), str(work))
    _git(work, "branch", "-q", "main", "origin/main")
    lock = json.loads((work / ".scaffold/lock.json").read_text())
    lock["files"][f"{PKG}/rows.py"].update(
        writer="llm", model="qwen2.5-coder", prompt_hash="ab" * 32
    )
    (work / ".scaffold/lock.json").write_text(json.dumps(lock))
    _replace(work / "scaffold.yaml", "app: bookshop", "app: bookshop  # renamed soon")
    data = _json(work)
    rows = _unit(data, "rows")
    assert (rows["writer"], rows["model"]) == ("llm", "qwen2.5-coder")
    assert _messages(rows)["written by an LLM by `qwen2.5-coder`: read it as untrusted code"]
    assert data["notes"][0]["severity"] == "risky"
    assert "stale at work tree: `scaffold.yaml`" in data["notes"][0]["message"]
    assert "prompt hash `abababababab`" in _review(work).stdout


def _broken(tmp_path: Path, repo: Path, lock_text: str | None) -> Path:
    work = tmp_path / "broken"
    _git(repo, "clone", "-q", "--branch", "feature", str(repo), str(work))
    lock = work / ".scaffold/lock.json"
    if lock_text is None:
        lock.unlink()
    else:
        lock.write_text(lock_text)
    return work


@pytest.mark.parametrize(
    ("lock_text", "message"),
    [
        ("{not json", "is not a valid manifest"),
        ('{"version": 99, "inputs": {}, "files": {}}', "newer scaffold"),
        (None, "no manifest at work tree"),
    ],
)
def test_bad_manifest_exits_2(
    repo: Path, tmp_path: Path, lock_text: str | None, message: str
) -> None:
    work = _broken(tmp_path, repo, lock_text)
    result = _review(work, "origin/main")
    assert result.exit_code == 2
    assert message in result.stderr and "review error" in result.stderr


def test_not_a_repository_and_unknown_revision_exit_2(repo: Path, tmp_path: Path) -> None:
    outside = _review(tmp_path)
    assert outside.exit_code == 2 and "not a git repository" in outside.stderr
    unknown = _review(repo, "no-such-branch")
    assert unknown.exit_code == 2 and "unknown revision 'no-such-branch'" in unknown.stderr
    as_json = _review(repo, "nope", "--format", "json")
    assert as_json.exit_code == 2
    assert json.loads(as_json.stdout)["errors"][0]["stage"] == "review"


ROWS_BEFORE = """
from dataclasses import dataclass
@dataclass
class BookRow:
    id: int
    title: str
    note: str | None
@dataclass
class AddBookInput:
    title: str | None
def books(conn: object, *, author_id: int) -> list[BookRow]: ...
def gone() -> None: ...
BOOKS = "SELECT id, title FROM books WHERE author_id = :author_id"
"""
ROWS_AFTER = """
import os
from dataclasses import dataclass
@dataclass
class BookRow:
    id: int
    title: str | None
    note: str
    price: int
@dataclass
class AddBookInput:
    title: str
def books(conn: object, *, author_id: str) -> list[BookRow]: ...
BOOKS = "select id,   title from books where author_id = :author_id"
RESTOCK = "UPDATE books SET stock = stock + :added WHERE id = :id"
LABEL = "not SQL"
"""


def test_api_delta_classes_each_change() -> None:
    found = {
        f.message: f.severity for f in api_delta(py_api(ROWS_BEFORE), py_api(ROWS_AFTER), None)
    }
    assert found == {
        "`BookRow.price: int` added": "safe",
        "`BookRow.title` became nullable (`str` -> `str | None`)": "breaking",
        "`BookRow.note` is no longer nullable (`str | None` -> `str`)": "safe",
        "`AddBookInput.title` became required (`str | None` -> `str`)": "breaking",
        "function `gone` removed": "breaking",
        "signature of `books` changed": "breaking",
        "new imports: `os`": "risky",
        "SQL `RESTOCK` added; it writes `books`": "risky",
    }  # BOOKS differs only in case and spaces: no finding


@pytest.mark.parametrize(
    ("sql", "written"),
    [
        ("SELECT * FROM books", set()),
        ("UPDATE books SET stock = 0 WHERE id = :id", {"books"}),
        ("INSERT INTO orders (id) SELECT id FROM books", {"orders"}),
        ("WITH x AS (DELETE FROM carts RETURNING id) SELECT * FROM x", {"carts"}),
        ("not sql at all (", set()),
    ],
)
def test_tables_written(sql: str, written: set[str]) -> None:
    assert tables_written(sql, "postgres") == written


def test_a_query_that_now_writes_a_table_is_risky() -> None:
    before = py_api('Q = "SELECT id FROM books"\n')
    after = py_api('Q = "UPDATE books SET stock = 0 RETURNING id"\n')
    (finding,) = api_delta(before, after, "sqlite")
    assert finding.severity == "risky"
    assert finding.message == "SQL `Q` changed; it now writes `books`"
    assert normalize_sql("select  1", None) == normalize_sql("SELECT 1", None)


def test_extension_module_changes_are_listed_as_yours(repo: Path, tmp_path: Path) -> None:
    work = tmp_path / "ext"
    _git(repo, "clone", "-q", "--branch", "feature", str(repo), str(work))
    extend = work / f"{PKG}/extend.py"
    extend.write_text(
        extend.read_text() + "import os\n\n\ndef validate_add_book(value):\n    return {}\n"
    )
    data = _json(work, "HEAD")
    (unit,) = data["units"]
    assert (unit["unit"], unit["writer"], unit["severity"]) == ("extend", None, "risky")
    assert _messages(unit) == {
        "your extension module (hand-written; called by generated code)": "safe",
        "function `validate_add_book` added": "safe",
        "new imports: `os`": "risky",
    }
    assert "written by hand (extension module)" in _review(work, "HEAD").stdout


STATE_BEFORE = """
INVALIDATION: dict[str, tuple[Refresh, ...]] = {
    "add_author": (Refresh("author_books", (Prune("author_id", "id"),)), Refresh("authors")),
    "add_book": (Refresh("books"),),
}
"""
STATE_AFTER = """
INVALIDATION: dict[str, tuple[Refresh, ...]] = {
    "add_author": (Refresh("author_books", (Prune("author_id", "id"),)),),
    "add_book": (Refresh("books"), Refresh("author_books")),
}
"""


def test_invalidation_delta() -> None:
    findings = api_delta(py_api(STATE_BEFORE), py_api(STATE_AFTER), None)
    assert {f.message: f.severity for f in findings} == {
        "form `add_author` no longer refreshes state `authors`": "risky",
        "form `add_book` now refreshes state `author_books`": "safe",
    }


@pytest.mark.parametrize(
    ("kind", "name", "unit", "expected"),
    [
        ("spec", "forms.add_book", "forms.add_book", True),
        ("spec", "forms.add_book", "tests.forms.add_book", True),
        ("spec", "forms.add_book", "rows", True),
        ("spec", "forms.add_book", "forms.edit_book", False),
        ("spec", "queries.books", "rows", True),
        ("spec", "queries.books", "forms.add_book", False),
        ("spec", "state.cart", "state", True),
        ("spec", "state.cart", "sql", False),
        ("spec", "database", "forms.add_book", True),
        ("schema", "books", "forms.edit_book", True),
        ("templates", "scaffold:templates", "package", True),
    ],
)
def test_which_input_change_concerns_which_unit(
    kind: str, name: str, unit: str, expected: bool
) -> None:
    assert relevant(Cause(kind, name, ""), unit) is expected


def test_first_generation_in_a_subfolder(tmp_path: Path) -> None:
    top = tmp_path / "mono"
    project = top / "services" / "shop"
    project.mkdir(parents=True)
    for name in ("scaffold.yaml", "schema.sql", "queries.sql"):
        shutil.copyfile(EXAMPLE / name, project / name)
    _git(top, "init", "-q", "-b", "main")
    _commit(top, "inputs only", regenerate=False)
    generate(project / "scaffold.yaml", run_tests=False)
    _commit(top, "first generation", regenerate=False)
    data = _json(project, "HEAD~1", "HEAD")
    assert data["notes"] == [
        {"severity": "safe", "message": f"no manifest at {data['base']}", "detail": ""}
    ]
    rows = _unit(data, "rows")
    assert "unit `rows` added" in _messages(rows)
    assert rows["files"][0]["path"] == f"{PKG}/rows.py"
    assert rows["files"][0]["status"] == "added"
    assert _unit(data, "extend")["files"][0]["status"] == "added"
    assert _messages(rows)["imports: `__future__`, `dataclasses`, `datetime`, `decimal`"] == "safe"
    assert rows["severity"] == "safe"


def test_query_file_change_names_the_query(repo: Path, tmp_path: Path) -> None:
    work = tmp_path / "queries"
    _git(repo, "clone", "-q", "--branch", "feature", str(repo), str(work))
    _git(work, "checkout", "-q", "HEAD~1")  # before the hand edit
    _commit(work, "regenerated")  # base and head from the same templates
    old = "SELECT id, name, country FROM authors ORDER BY name"
    _replace(work / "queries.sql", old, "SELECT id, name FROM authors ORDER BY name")
    generate(work / "scaffold.yaml", run_tests=False)
    data = _json(work, "HEAD")
    assert data["inputs"] == ["query `ListAuthors` in `queries.sql` changed"]
    rows = _unit(data, "rows")
    assert _messages(rows) == {"`ListAuthorsRow.country` removed (was `str | None`)": "breaking"}
    assert rows["causes"] == data["inputs"]
    assert "forms.add_author" not in {u["unit"] for u in data["units"]}
