"""Stage "load": good specs become the right objects; bad ones give located, helpful errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from scaffold.errors import ErrorGroup, Location, ScaffoldError, SpecError
from scaffold.spec.load import load_spec
from scaffold.spec.model import (
    FormExamples,
    LLMSpec,
    QuerySpec,
    RuleSpec,
    Spec,
    StateSpec,
    WriterSpec,
)

QUERY_SQL = """\
-- name: GetAuthor :one
SELECT * FROM authors WHERE id = ?;

-- name: ListAuthors :many
SELECT * FROM authors;
"""
MINIMAL = "version: 1\napp: shop\ndatabase: {dialect: sqlite, schema: [schema.sql]}\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "schema.sql").write_text("CREATE TABLE authors (id INTEGER PRIMARY KEY);\n")
    (tmp_path / "query.sql").write_text(QUERY_SQL)
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "0001.sql").write_text("CREATE TABLE t (id INTEGER);\n")
    return tmp_path


def load(folder: Path, text: str) -> Spec:
    path = folder / "scaffold.yaml"
    path.write_text(textwrap.dedent(text))
    return load_spec(path)


def errors_of(folder: Path, text: str) -> list[ScaffoldError]:
    with pytest.raises(ScaffoldError) as caught:
        load(folder, text)
    error = caught.value
    return error.errors if isinstance(error, ErrorGroup) else [error]


def test_smallest_spec_gets_defaults(folder: Path) -> None:
    spec = load(folder, MINIMAL + "queries: {file: query.sql}\n")
    assert spec.path == folder / "scaffold.yaml"
    assert (spec.version, spec.app, spec.database.dialect) == (1, "shop", "sqlite")
    assert spec.database.schema == (folder / "schema.sql",)
    assert [(q.name, q.command) for q in spec.queries] == [
        ("GetAuthor", "one"),
        ("ListAuthors", "many"),
    ]
    assert spec.queries[0].pos.file == str(folder / "query.sql")
    assert spec.writer == WriterSpec()
    assert spec.output is not None
    assert spec.output.package == folder / "generated" / "shop"
    assert spec.output.tests == folder / "generated" / "tests"
    assert spec.output.web is None


FULL = """\
version: 1
app: shop
database:
  dialect: postgres
  schema: migrations
  url: postgresql://localhost/shop
queries:
  file: [query.sql]
  recent_books: |
    SELECT id, title
    FROM books
  count_books: {sql: SELECT count(*) FROM books, cardinality: one}
  touch: "UPDATE books SET seen = 1"
state:
  authors: {owner: server, query: ListAuthors, key: id, sync: snapshot}
  author:  {owner: server, query: get_author, key: [id, name]}
  cart:    {owner: client, fields: {book_id: int, qty: int}, key: book_id, writer: llm}
  total:
    owner: derived
    from: [cart, authors]
    compute: sum of qty
forms:
  add_book:
    table: books
    fields: [title, price, author_id]
    choices: {author_id: "SELECT id, name FROM authors"}
    rules:
      - price < 1000
      - {rule: "title <> ''", message: A title is needed.}
    examples:
      valid: [{title: Dune, price: "9.99", author_id: 1}]
      invalid: [{title: "", price: "9.99"}]
    labels: {title: Book title}
    help: {price: In euros.}
  drop_book: {table: books, action: delete, key: id}
writer:
  default: llm
  llm: {model: m, base_url: "http://x/v1", temperature: 0.5, max_attempts: 2, concurrency: 1,
        timeout: 9, test_timeout: 7}
output: {package: src/shop, tests: tests/gen, web: starlette}
"""


def test_full_spec_becomes_the_right_objects(folder: Path) -> None:
    spec = load(folder, FULL)
    db = spec.database
    assert (db.dialect, db.schema, db.url) == (
        "postgres",
        (folder / "migrations",),
        "postgresql://localhost/shop",
    )
    inline = {q.name: q for q in spec.queries[2:]}
    assert inline["recent_books"] == QuerySpec(
        "recent_books", "SELECT id, title\nFROM books", inline["recent_books"].pos
    )
    assert (inline["recent_books"].pos.line, inline["recent_books"].pos.column) == (10, 5)
    assert (inline["count_books"].command, inline["count_books"].pos.line) == ("one", 12)
    assert (inline["touch"].pos.line, inline["touch"].pos.column) == (13, 11)
    authors, author, cart, total = spec.state
    assert authors == StateSpec(
        "authors", "server", authors.pos, query="ListAuthors", key=("id",), sync="snapshot"
    )
    assert (authors.pos.line, authors.pos.column) == (15, 3)
    assert author.key == ("id", "name")
    assert cart == StateSpec(
        "cart",
        "client",
        cart.pos,
        key=("book_id",),
        fields=(("book_id", "int"), ("qty", "int")),
        writer="llm",
    )
    assert (total.sources, total.compute) == (("cart", "authors"), "sum of qty")
    add, drop = spec.forms
    assert (add.table, add.action, add.fields) == (
        "books",
        "insert",
        ("title", "price", "author_id"),
    )
    assert add.choices == (("author_id", "SELECT id, name FROM authors"),)
    assert add.rules == (
        RuleSpec("price < 1000", add.rules[0].pos),
        RuleSpec("title <> ''", add.rules[1].pos, "A title is needed."),
    )
    assert add.rules[0].pos.line == 28
    assert add.examples == FormExamples(
        valid=({"title": "Dune", "price": "9.99", "author_id": 1},),
        invalid=({"title": "", "price": "9.99"},),
    )
    assert (add.labels, add.help) == ((("title", "Book title"),), (("price", "In euros."),))
    assert (add.pos_of("price").line, add.pos_of("price").column) == (25, 21)
    assert (drop.action, drop.key, drop.fields) == ("delete", ("id",), ())
    assert spec.writer == WriterSpec("llm", LLMSpec("m", "http://x/v1", 0.5, 2, 1, 9.0, 7.0))
    assert spec.output is not None
    assert (spec.output.package, spec.output.tests, spec.output.web) == (
        folder / "src" / "shop",
        folder / "tests" / "gen",
        "starlette",
    )


# (spec text, message, line, column, words the hint must contain)
BAD: list[tuple[str, str, int, int, str]] = [
    (
        "version: 1\napp: [x\n",
        "malformed YAML: expected ',' or ']', but got '<stream end>'",
        3,
        1,
        "indentation",
    ),
    ("a: 1\n  b: 2\n", "malformed YAML: mapping values are not allowed here", 2, 4, "quote"),
    (MINIMAL + "app: other\n", 'duplicate key "app"', 4, 1, "line 2"),
    ("- 1\n", "spec: expected a mapping (key: value lines), got a list", 1, 1, ""),
    (
        MINIMAL + "querys: {file: query.sql}\n",
        'unknown key "querys" in spec',
        4,
        1,
        'did you mean "queries"?',
    ),
    ("version: 1\napp: x\n", 'spec: missing required key "database"', 1, 1, 'add "database: ..."'),
    (
        "version: 2\napp: x\ndatabase: {dialect: sqlite, schema: schema.sql}\n",
        "unsupported spec version 2",
        1,
        10,
        "version: 1",
    ),
    (
        "version: one\napp: x\ndatabase: {dialect: sqlite, schema: schema.sql}\n",
        "version: expected an integer, got a string",
        1,
        10,
        "",
    ),
    (
        "version: 1\napp: my-app\ndatabase: {dialect: sqlite, schema: schema.sql}\n",
        'app: "my-app" is not a valid name',
        2,
        6,
        "letters, digits",
    ),
    (
        "version: 1\napp: x\ndatabase: {dialect: sqlight, schema: schema.sql}\n",
        'database.dialect: "sqlight" is not one of: sqlite, postgres, mysql',
        3,
        21,
        'did you mean "sqlite"?',
    ),
    (
        "version: 1\napp: x\ndatabase: {dialect: sqlite, shema: schema.sql}\n",
        'unknown key "shema" in database',
        3,
        29,
        'did you mean "schema"?',
    ),
    (
        "version: 1\napp: x\ndatabase: {dialect: sqlite}\n",
        'database: expected "schema" (DDL files or migration folders) or "url"',
        3,
        11,
        "schema: [schema.sql]",
    ),
    (
        "version: 1\napp: x\ndatabase: {dialect: sqlite, schema: [schema.sq]}\n",
        'database.schema: "schema.sq" does not exist',
        3,
        38,
        'did you mean "schema.sql"?',
    ),
    (
        "version: 1\napp: x\ndatabase: {dialect: sqlite, schema: {a: 1}}\n",
        "database.schema: expected a path or a list of paths, got a mapping",
        3,
        37,
        "",
    ),
    (
        "version: 1\napp: x\ndatabase: {dialect: sqlite, schema: []}\n",
        "database.schema: expected at least one path, got an empty list",
        3,
        37,
        "",
    ),
    (
        MINIMAL + "queries: {file: query.sql, fiel: other.sql}\n",
        'queries.fiel: "other.sql" looks like a file name, not SQL',
        4,
        34,
        "file:",
    ),
    (
        MINIMAL + "queries:\n  q: {sql: SELECT 1, cardinality: few}\n",
        'queries.q.cardinality: "few" is not one of: one, many, exec',
        5,
        35,
        "one, many, exec",
    ),
    (
        MINIMAL + "queries:\n  q: {sequel: SELECT 1}\n",
        'unknown key "sequel" in queries.q',
        5,
        7,
        "sql",
    ),
    (
        MINIMAL + "queries:\n  q: 42\n",
        "queries.q: expected SQL text or a mapping {sql: ..., cardinality: ...}, got an integer",
        5,
        6,
        "quote",
    ),
    (
        MINIMAL + "queries:\n  file: query.sql\n  get_author: SELECT 1\n",
        'duplicate query name "get_author"',
        6,
        15,
        "GetAuthor",
    ),
    (
        MINIMAL + "state:\n  s: {owner: servr, query: q}\n",
        'state.s.owner: "servr" is not one of: server, client, derived',
        5,
        14,
        'did you mean "server"?',
    ),
    (
        MINIMAL + "queries: {file: query.sql}\nstate:\n  s: {owner: server, query: ListAuthor}\n",
        'state.s.query: no query named "ListAuthor"',
        6,
        29,
        'did you mean "ListAuthors"',
    ),
    (
        MINIMAL + "state:\n  s: {owner: server}\n",
        'state.s: server state needs "query"',
        5,
        6,
        'add "query: ..."',
    ),
    (
        MINIMAL + "state:\n  s: {owner: client, fields: {a: int}, query: q}\n",
        'state.s: "query" is for server state, not client state',
        5,
        47,
        "",
    ),
    (
        MINIMAL + "state:\n  s: {owner: client, fields: [a, b]}\n",
        "state.s.fields: expected a mapping (key: value lines), got a list",
        5,
        30,
        "",
    ),
    (
        MINIMAL
        + "state:\n  cart: {owner: client, fields: {a: int}}\n"
        + "  d: {owner: derived, from: [carts], compute: x}\n",
        'state.d.from: no other state named "carts"',
        6,
        30,
        'did you mean "cart"?',
    ),
    (
        MINIMAL + "state:\n  s: {owner: client, fields: {a: int}, sync: live}\n",
        'state.s.sync: "live" is not one of: diff, snapshot',
        5,
        46,
        "",
    ),
    (
        MINIMAL + "forms:\n  f: {fields: [a]}\n",
        'forms.f: missing required key "table"',
        5,
        6,
        'add "table: ..."',
    ),
    (
        MINIMAL + "forms:\n  f: {table: t, action: upsert}\n",
        'forms.f.action: "upsert" is not one of: insert, update, delete',
        5,
        25,
        "",
    ),
    (
        MINIMAL + "forms:\n  f: {table: t, fields: a}\n",
        "forms.f.fields: expected a list of column names, got a string",
        5,
        25,
        "",
    ),
    (
        MINIMAL + "forms:\n  f: {table: t, fields: [a, a]}\n",
        'forms.f.fields: "a" is listed twice',
        5,
        29,
        "",
    ),
    (
        MINIMAL + "forms:\n  f: {table: t, fields: [title], labels: {titel: T}}\n",
        'forms.f.labels: "title" is not a field of this form'.replace('"title"', '"titel"'),
        5,
        43,
        'did you mean "title"?',
    ),
    (
        MINIMAL
        + "forms:\n  f:\n    table: t\n    fields: [a]\n    choices: {a: SELECT id, name FROM x}\n",
        'forms.f.choices: "name FROM x" is not a field of this form',
        8,
        29,
        "quote it",
    ),
    (
        MINIMAL + "forms:\n  f: {table: t, rules: [{rule: x, msg: y}]}\n",
        'unknown key "msg" in forms.f.rules',
        5,
        35,
        'did you mean "message"?',
    ),
    (
        MINIMAL + "forms:\n  f: {table: t, rules: ['  ']}\n",
        "forms.f.rules: expected a rule (words, a SQL condition, or {rule, message}),"
        " got an empty string",
        5,
        25,
        "",
    ),
    (
        MINIMAL + "forms:\n  f: {table: t, examples: {valid: {a: 1}}}\n",
        "forms.f.examples.valid: expected a list of {field: value} examples, got a mapping",
        5,
        35,
        "",
    ),
    (
        MINIMAL + "forms:\n  f: {table: t, fields: [a], labels: {a: yes}}\n",
        "forms.f.labels.a: expected a label, got a boolean",
        5,
        42,
        'quote the value to make it a string: "yes"',
    ),
    (
        MINIMAL + "writer: {default: gpt}\n",
        'writer.default: "gpt" is not one of: template, llm',
        4,
        19,
        "",
    ),
    (
        MINIMAL + "writer: {llm: {max_attempts: 0}}\n",
        "writer.llm.max_attempts: expected an integer of at least 1, got 0",
        4,
        30,
        "",
    ),
    (
        MINIMAL + "writer: {llm: {temprature: 1}}\n",
        'unknown key "temprature" in writer.llm',
        4,
        16,
        'did you mean "temperature"?',
    ),
    (
        MINIMAL + "output: {package: src, web: flask}\n",
        'output.web: "flask" is not one of: starlette',
        4,
        29,
        "",
    ),
    (
        MINIMAL + "output: {packages: src}\n",
        'unknown key "packages" in output',
        4,
        10,
        'did you mean "package"?',
    ),
]


@pytest.mark.parametrize(
    ("text", "message", "line", "column", "hint"), BAD, ids=[b[1][:50] for b in BAD]
)
def test_bad_spec_error_names_place_and_fix(
    folder: Path, text: str, message: str, line: int, column: int, hint: str
) -> None:
    errors = errors_of(folder, text)
    found = [e for e in errors if e.message == message]
    assert found, [str(e) for e in errors]
    error = found[0]
    assert error.location is not None
    assert error.location.file.endswith("scaffold.yaml")
    assert (error.location.line, error.location.column) == (line, column), str(error)
    assert hint in (error.hint or "")
    assert all(e.hint for e in errors), [str(e) for e in errors if not e.hint]


def test_all_errors_are_collected(folder: Path) -> None:
    text = (
        "version: 1\napp: x\ndatabase: {dialect: nosql, schema: nope.sql}\nforms: {f: {tabel: t}}\n"
    )
    errors = errors_of(folder, text)
    messages = [e.message for e in errors]
    places = [(e.location.line, e.location.column) for e in errors if e.location]
    assert places == sorted(places)  # top to bottom, as the user reads the file
    assert len(messages) == 4, messages
    assert 'unknown key "tabel" in forms.f' in messages


def test_missing_spec_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="spec file not found") as caught:
        load_spec(tmp_path / "nope.yaml")
    assert caught.value.hint


def test_empty_spec(folder: Path) -> None:
    (error,) = errors_of(folder, "# nothing here\n")
    assert error.message == "the spec is empty"


def test_query_file_errors_point_into_the_query_file(folder: Path) -> None:
    (folder / "bad.sql").write_text("-- name: Q :won\nSELECT 1;\n")
    text = MINIMAL + "queries: {file: bad.sql}\nstate: {s: {owner: server, query: Q}}\n"
    (error,) = errors_of(folder, text)  # and no second error about the state's query
    assert error.location == Location(str(folder / "bad.sql"), 1, 1)
    assert error.hint == 'did you mean "one"?'


def test_paths_resolve_against_the_spec_folder(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(folder.parent)
    spec = load(folder, MINIMAL + "queries: {file: query.sql}\noutput: {package: pkg}\n")
    assert spec.database.schema == (folder / "schema.sql",)
    assert spec.output is not None and spec.output.package == folder / "pkg"


def test_yaml_merge_keys_are_applied_and_own_keys_win(folder: Path) -> None:
    text = MINIMAL + (
        "forms:\n"
        "  base: &base {table: t, fields: [a, b], action: update}\n"
        "  remove: {<<: *base, action: delete}\n"
    )
    base, remove = load(folder, text).forms
    assert (remove.table, remove.fields, remove.action) == ("t", ("a", "b"), "delete")
    assert remove.pos_of("a") == base.pos_of("a")


def test_inline_query_with_two_statements(folder: Path) -> None:
    (error,) = errors_of(folder, MINIMAL + "queries:\n  q: SELECT 1; SELECT 2\n")
    assert error.message == "queries.q: expected one SQL statement, got more than one"


def test_llm_timeout_must_be_positive(folder: Path) -> None:
    (error,) = errors_of(folder, MINIMAL + "writer: {llm: {timeout: 0}}\n")
    assert error.message == "writer.llm.timeout: expected a number above 0, got 0"


def test_tabs_get_their_own_hint(folder: Path) -> None:
    (error,) = errors_of(folder, "a:\n\tb: 1\n")
    assert error.location is not None
    assert (error.location.line, error.location.column) == (2, 1)
    assert error.hint is not None and "not tabs" in error.hint


def test_deep_nesting_is_an_error_not_a_crash(folder: Path) -> None:
    (error,) = errors_of(folder, "a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert error.message == "the YAML nests too deeply to read"


def test_nesting_just_under_the_limit_is_read(folder: Path) -> None:
    """The depth guard (libyaml reads any depth) stops only specs no one writes by hand."""
    deep = "a: " + "[" * 90 + "]" * 90 + "\n"
    messages = [e.message for e in errors_of(folder, deep)]
    assert "the YAML nests too deeply to read" not in messages
    assert any('unknown key "a"' in m for m in messages)
    (error,) = errors_of(folder, "a: " + "[" * 101 + "]" * 101 + "\n")
    assert error.message == "the YAML nests too deeply to read"


def _shape(node: object) -> object:
    """A node tree as plain data: tag, value, style (plain as None) and where it starts."""
    import yaml

    assert isinstance(node, yaml.Node)
    mark = (node.start_mark.line, node.start_mark.column)
    if isinstance(node, yaml.ScalarNode):
        return (node.tag, node.value, node.style or None, mark)
    if isinstance(node, yaml.SequenceNode):
        return (node.tag, [_shape(child) for child in node.value], mark)
    assert isinstance(node, yaml.MappingNode)
    return (node.tag, [(_shape(k), _shape(v)) for k, v in node.value], mark)


SPEC_FILES = sorted(
    p
    for p in Path(__file__).resolve().parent.parent.glob("**/*.yaml")
    if "generated" not in p.parts and ".git" not in p.parts and ".scaffold" not in p.parts
)


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.name)
def test_libyaml_and_pure_python_read_the_same_tree(path: Path) -> None:
    """Specs are composed by libyaml when PyYAML has it; it must see what the pure-Python
    parser sees, down to each node's line and column (every error location depends on them)."""
    import yaml

    text = path.read_text(encoding="utf-8")
    assert yaml.__with_libyaml__, "PyYAML without libyaml: the fast path is not tested"
    fast = yaml.compose(text, Loader=yaml.CSafeLoader)
    slow = yaml.compose(text, Loader=yaml.SafeLoader)
    assert (fast is None) == (slow is None)
    if fast is not None:
        assert _shape(fast) == _shape(slow)


def test_inline_sql_is_located_without_the_parsers_buffer(folder: Path) -> None:
    """libyaml's marks carry no buffer: the SQL of a `|` block is located from the spec's text."""
    spec = MINIMAL + "queries:\n  Broken: |\n\n    SELECT nope FROM authors\n"
    (folder / "scaffold.yaml").write_text(spec)
    loaded = load_spec(folder / "scaffold.yaml")
    (query,) = loaded.queries
    assert query.pos is not None
    assert (query.pos.line, query.pos.column) == (7, 5)
