"""Reading sqlc-format query files: both annotation forms, every command, and the errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scaffold.errors import ErrorGroup, ScaffoldError, SpecError
from scaffold.spec.queryfile import COMMANDS, read_query_file, read_query_files

REPO = Path(__file__).resolve().parent.parent
# The shared corpus when this checkout has it, and always the repo's own corpus and examples.
CORPORA = [REPO.parent / "shared" / "corpus", REPO / "tests" / "corpus", REPO / "examples"]
CORPUS_QUERIES = [
    path
    for root in CORPORA
    for pattern in ("*/query.sql", "*/queries.sql", "*/query")
    for path in sorted(root.glob(pattern))
]


def write(tmp_path: Path, text: str, name: str = "query.sql") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("source", CORPUS_QUERIES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_reads_one_query_per_annotation(source: Path) -> None:
    files = sorted(source.glob("*.sql")) if source.is_dir() else [source]
    annotations = [
        line
        for f in files
        for line in f.read_text().splitlines()
        if re.match(r"\s*(--|/\*)\s*name:", line)
    ]
    names = [re.findall(r"name:\s*(\w+)", a)[0] for a in annotations]
    queries = read_query_files([source])
    assert [q.name for q in queries] == names
    for query in queries:
        assert query.command in COMMANDS
        assert query.sql and not query.sql.endswith(";")
        assert "name:" not in query.sql.splitlines()[0]
        assert query.pos.line is not None
        first_line = Path(query.pos.file).read_text().splitlines()[query.pos.line - 1]
        assert first_line.strip().rstrip(";") == query.sql.splitlines()[0].strip()


def test_folder_is_read_in_file_name_order(tmp_path: Path) -> None:
    write(tmp_path, "-- name: B :one\nSELECT 2;\n", "b.sql")
    write(tmp_path, "-- name: A :one\nSELECT 1;\n", "a.sql")
    write(tmp_path, "not sql at all", "notes.txt")
    assert [q.name for q in read_query_files([tmp_path])] == ["A", "B"]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    "form", ["-- name: Q :{}", "/* name: Q :{} */", "--name:Q :{}", "# name: Q :{}"]
)
def test_every_command_in_every_form(tmp_path: Path, form: str, command: str) -> None:
    path = write(tmp_path, form.format(command) + "\nSELECT 1;\n")
    (query,) = read_query_file(path)
    assert (query.name, query.command, query.sql) == ("Q", command, "SELECT 1")


def test_statement_text_keeps_inner_comments_and_drops_surroundings(tmp_path: Path) -> None:
    text = (
        "-- leading file comment\n\n"
        "-- name: ListBooks :many\n\n\n"
        "SELECT id -- the key\n"
        "FROM books;\n\n"
        "-- about the next one\n"
        "-- name: CountBooks :one\n"
        "SELECT count(*) FROM books\n"
    )
    first, second = read_query_file(write(tmp_path, text))
    assert first.sql == "SELECT id -- the key\nFROM books"
    assert (first.pos.line, first.pos.column) == (6, 1)
    assert second.sql == "SELECT count(*) FROM books"
    assert second.pos.line == 11
    assert first.ident == "list_books"


BAD = [
    ("-- name: Q\nSELECT 1;", 1, 'query "Q" has no command', None),
    ("-- name: Q :mny\nSELECT 1;", 1, 'unknown query command ":mny"', 'did you mean "many"?'),
    ("SELECT 1;\n-- name: Q :one\nSELECT 2;", 1, "query without a name annotation", None),
    ("\n-- name: Q :one\n\n-- name: R :one\nSELECT 1;", 3, 'query "Q" has no SQL', None),
    ("-- name: 1Q :one\nSELECT 1;", 1, "a query name must be an identifier", None),
    ("-- name: Q one\nSELECT 1;", 1, 'cannot read the annotation "name: Q one"', None),
    (
        "-- name: Q :one\nSELECT 1;\n-- name: Q :many\nSELECT 2;",
        4,
        'duplicate query name "Q"',
        None,
    ),
]


@pytest.mark.parametrize(("text", "line", "message", "hint"), BAD)
def test_bad_query_files(
    tmp_path: Path, text: str, line: int, message: str, hint: str | None
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SpecError) as caught:
        read_query_files([path])
    error = caught.value
    assert error.message == message
    assert error.location is not None
    assert (error.location.file, error.location.line) == (str(path), line)
    assert error.hint
    if hint:
        assert hint in error.hint


def test_duplicates_across_files_name_both_places(tmp_path: Path) -> None:
    a = write(tmp_path, "-- name: GetBook :one\nSELECT 1;\n", "a.sql")
    write(tmp_path, "-- name: get_book :one\nSELECT 2;\n", "b.sql")
    with pytest.raises(SpecError) as caught:
        read_query_files([tmp_path])
    assert caught.value.location is not None and caught.value.location.file.endswith("b.sql")
    assert f"{a}:2:1" in (caught.value.hint or "")


def test_all_errors_of_all_files_are_reported(tmp_path: Path) -> None:
    write(tmp_path, "-- name: A\nSELECT 1;\n", "a.sql")
    write(tmp_path, "-- name: B :nope\nSELECT 1;\n", "b.sql")
    with pytest.raises(ErrorGroup) as caught:
        read_query_files([tmp_path])
    assert [e.message for e in caught.value.errors] == [
        'query "A" has no command',
        'unknown query command ":nope"',
    ]


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError, match="query file not found"):
        read_query_files([tmp_path / "nope.sql"])
    (tmp_path / "bin.sql").write_bytes(b"\xff\xfe-- name: A :one")
    with pytest.raises(ScaffoldError, match="cannot read query file"):
        read_query_files([tmp_path / "bin.sql"])


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT ';' AS semi",
        'SELECT "a;b" FROM t',
        "SELECT 1 /* ; */",
        "SELECT 'it''s; fine'",
        "SELECT 1; -- a comment after the end",
        "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql",
    ],
)
def test_semicolons_inside_strings_comments_and_bodies_are_one_statement(
    tmp_path: Path, sql: str
) -> None:
    (query,) = read_query_file(write(tmp_path, f"-- name: Q :exec\n{sql}\n"))
    assert query.sql.startswith(sql.split(";")[0])
