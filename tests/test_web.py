"""The generated web adapter of the bookshop example, through Starlette's test client."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from scaffold.errors import SpecError
from scaffold.serve import build_app
from tests.e2e.app import generated_bookshop


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_bookshop(tmp_path_factory.mktemp("web"))


@pytest.fixture
def client(spec: Path, tmp_path: Path) -> Iterator[TestClient]:
    app, _ = build_app(spec, tmp_path / "shop.sqlite3")
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client


def token(client: TestClient, form: str) -> str:
    page = client.get(f"/forms/{form}")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def post(client: TestClient, form: str, data: dict[str, str], **headers: str) -> Any:
    data = {"csrf_token": token(client, form), **data}
    return client.post(f"/forms/{form}", data=data, headers=headers, follow_redirects=False)


JSON = {"accept": "application/json"}


def test_index_links_every_form_and_state(client: TestClient) -> None:
    page = client.get("/").text
    for href in ["/forms/add_author", "/forms/add_book", "/forms/edit_book", "/forms/place_order"]:
        assert f'href="{href}"' in page
    for href in ["/states/books", "/states/author_books", "/states/authors"]:
        assert f'href="{href}"' in page


def test_valid_post_redirects_and_the_sync_answer_has_the_row(client: TestClient) -> None:
    before = client.get("/api/states/authors").json()
    answer = post(client, "add_author", {"name": "Ursula", "country": "US"})
    assert answer.status_code == 303
    after = client.get(f"/api/states/authors?cursor={before['version']}&epoch={before['epoch']}")
    puts = [p["row"]["name"] for p in after.json()["patches"] if p["op"] == "put"]
    assert puts == ["Ursula"]


def test_json_post_answers_the_commit_version(client: TestClient) -> None:
    answer = post(client, "add_author", {"name": "Le Guin"}, **JSON, **{"x-mutation-id": "m1"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["ok"] and body["version"] >= 1 and 'name="csrf_token"' in body["html"]


def test_invalid_post_re_renders_with_errors_and_input_kept(client: TestClient) -> None:
    answer = post(client, "add_author", {"name": "", "country": "GB"})
    assert answer.status_code == 422
    assert 'aria-invalid="true"' in answer.text and "Name is required." in answer.text
    assert 'value="GB"' in answer.text


@pytest.mark.parametrize(
    ("data", "headers"),
    [
        ({"name": "Forged"}, {}),
        ({"name": "Forged", "csrf_token": "abc.def"}, {}),
        ({"name": "Forged", "csrf_token": "abc.def"}, {"x-csrf-token": "abc.def"}),
    ],
)
def test_post_without_a_valid_csrf_token_is_refused(
    client: TestClient, data: dict[str, str], headers: dict[str, str]
) -> None:
    token(client, "add_author")  # the client holds a valid cookie: the field must match it
    answer = client.post("/forms/add_author", data=data, headers=headers)
    assert answer.status_code == 403
    assert client.get("/api/states/authors").json()["patches"] == []


def test_a_server_owned_field_cannot_be_set(client: TestClient) -> None:
    author = post(client, "add_author", {"name": "Herbert"}, **JSON)
    assert author.json()["ok"]
    data = {"title": "Dune", "isbn": "9780441013593", "price": "9.99", "stock": "3"}
    answer = post(client, "add_book", {**data, "author_id": "1", "id": "999"}, **JSON)
    assert answer.status_code == 422
    assert "id is set by the server" in answer.json()["errors"][""][0]
    assert client.get("/api/states/books").json()["patches"] == []


def test_sync_resets_on_an_unknown_epoch_and_refuses_bad_params(client: TestClient) -> None:
    assert client.get("/api/states/authors?cursor=0&epoch=old").json()["reset"] is True
    assert client.get("/api/states/author_books?author_id=x").status_code == 400
    assert client.get("/api/states/nothing").status_code == 404


def test_state_page_asks_for_its_parameters(client: TestClient) -> None:
    assert '<input id="p-author_id"' in client.get("/states/author_books").text
    shown = client.get("/states/author_books?author_id=1").text
    assert 'data-state="&quot;author_books&quot;"' in shown


def test_serve_needs_the_web_adapter(tmp_path: Path) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text("version: 1\napp: shop\ndatabase: {dialect: sqlite, schema: [s.sql]}\n")
    (tmp_path / "s.sql").write_text("CREATE TABLE t (id INTEGER PRIMARY KEY);\n")
    with pytest.raises(SpecError, match="no web adapter"):
        build_app(spec)


def _units(spec: Path) -> dict[str, Any]:
    from scaffold.pipeline import analyze, load, plan

    loaded = load(spec)
    return {c.unit: c for c in plan(loaded, analyze(loaded)).contracts}


def test_the_web_unit_exists_only_with_the_adapter(spec: Path, tmp_path: Path) -> None:
    web = _units(spec)["web"]
    assert [path for path, _ in web.files] == [
        "generated/bookshop/web.py",
        "generated/bookshop/web_runtime.py",
        "generated/bookshop/static/store.js",
    ]
    assert web.context["forms"][1] == {
        "name": "add_book",
        "title": "Add book",
        "table": "books",
        "action": "insert",
        "refreshes": ["books", "author_books"],
    }
    plain = tmp_path / "scaffold.yaml"
    for source in spec.parent.iterdir():
        if source.suffix in {".sql", ".yaml"}:
            text = source.read_text().replace("  web: starlette\n", "")
            (tmp_path / source.name).write_text(text)
    assert "web" not in _units(plain)


def test_generated_web_module_is_ruff_clean(spec: Path) -> None:
    package = spec.parent / "generated" / "bookshop"
    files = [str(package / "web.py"), str(package / "web_runtime.py")]
    config = Path(__file__).resolve().parents[1] / "pyproject.toml"
    for command in (["check"], ["format", "--check"]):
        done = subprocess.run(
            ["ruff", *command, "--config", str(config), *files], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_generated_web_module_is_mypy_strict_clean(spec: Path) -> None:
    generated = spec.parent / "generated"
    config = Path(__file__).resolve().parents[1] / "pyproject.toml"
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(config), "bookshop/web.py"],
        capture_output=True,
        text=True,
        cwd=generated,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_rows_link_their_edit_form_and_it_opens_filled(client: TestClient) -> None:
    assert post(client, "add_author", {"name": "Lem"}, **JSON).json()["ok"]
    data = {"title": "Solaris", "isbn": "9780156027601", "price": "11", "stock": "2"}
    assert post(client, "add_book", {**data, "author_id": "1"}, **JSON).json()["ok"]
    listed = client.get("/states/books").text
    found = re.search(r'href="(/forms/edit_book\?[^"]+)"', listed)
    assert found is not None
    form = client.get(found.group(1).replace("&amp;", "&")).text
    assert 'name="title" value="Solaris"' in form and 'name="id" value="1"' in form


def test_an_edit_form_without_a_row_points_to_the_lists(client: TestClient) -> None:
    page = client.get("/forms/edit_book").text
    assert 'Choose the row from a list: <a href="/states/books">Books</a>' in page
    assert "Choose the row" not in client.get("/forms/add_book").text


def test_the_default_database_is_made_from_the_schema_where_git_ignores_it(spec: Path) -> None:
    _, database = build_app(spec)
    assert database == spec.parent / ".scaffold" / "serve" / "bookshop.sqlite3"
    assert (database.parent / ".gitignore").read_text().endswith("*\n")
    with closing(sqlite3.connect(database)) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"authors", "books", "customers", "orders"} <= tables


def test_a_spec_without_state_still_serves_its_forms(tmp_path: Path) -> None:
    from scaffold.pipeline import generate

    (tmp_path / "s.sql").write_text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);\n")
    (tmp_path / "scaffold.yaml").write_text(
        "version: 1\napp: notes\ndatabase: {dialect: sqlite, schema: [s.sql]}\n"
        "forms:\n  add_note: {table: notes, fields: [body]}\n"
        "output: {package: gen/notes, tests: gen/tests, web: starlette}\n"
    )
    generate(tmp_path / "scaffold.yaml", run_tests=False)
    app, _ = build_app(tmp_path / "scaffold.yaml", tmp_path / "notes.sqlite3")
    with TestClient(app, base_url="http://127.0.0.1") as client:
        answer = post(client, "add_note", {"body": "<b>hi</b>"}, **JSON)
        assert answer.status_code == 200 and answer.json()["ok"]
        assert 'href="/forms/add_note"' in client.get("/").text


def test_a_restarted_server_accepts_the_pages_it_served_before(spec: Path, tmp_path: Path) -> None:
    before, _ = build_app(spec, tmp_path / "shop.sqlite3")
    with TestClient(before, base_url="http://127.0.0.1") as first:
        cookie = first.get("/forms/add_author").cookies["scaffold_csrf"]
    after, _ = build_app(spec, tmp_path / "shop.sqlite3")
    with TestClient(after, base_url="http://127.0.0.1", cookies={"scaffold_csrf": cookie}) as again:
        data = {"csrf_token": cookie, "name": "Banks"}
        answer = again.post("/forms/add_author", data=data, follow_redirects=False)
        assert answer.status_code == 303
