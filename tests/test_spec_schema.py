"""specs/spec.schema.json is current, valid, and agrees with the loader on good and bad specs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, get_args

import jsonschema
import pytest
import yaml

from scaffold.analyze.model import PyType
from scaffold.errors import ScaffoldError
from scaffold.spec.load import load_spec
from scaffold.spec.load_state import FIELD_TYPES
from scaffold.spec.schema import schema_text, spec_schema

REPO = Path(__file__).resolve().parent.parent
SCHEMA_FILE = REPO / "specs" / "spec.schema.json"
BASE = "version: 1\napp: shop\ndatabase: {dialect: sqlite, schema: [schema.sql]}\n"
# A derived state of a client state, its mapping left open for one more key.
DERIVED = BASE + "state:\n  c: {owner: client, fields: {x: int}}\n  d: {owner: derived, from: c, "

GOOD = [
    BASE,
    BASE + "queries: {file: query.sql}\n",
    "version: 1\napp: shop\ndatabase: {dialect: postgres, url: 'postgresql://h/db'}\n",
    "version: 1\napp: shop\ndatabase: {dialect: mysql, schema: schema.sql, url: 'mysql://h/db'}\n",
    BASE
    + "queries:\n  file: [query.sql]\n  q1: SELECT 1\n  q2: {sql: SELECT 2, cardinality: many}\n",
    BASE
    + "queries: {file: query.sql}\nstate:\n  a: {owner: server, query: ListAuthors, key: [id]}\n",
    BASE + "state:\n  c: {owner: client, fields: {x: int}, key: x, sync: snapshot}\n",
    BASE + "state:\n  c: {owner: client, fields: {x: int}, writer: llm}\n",
    BASE + "state: {c: {owner: client, fields: {a: Decimal | None, b: 'list[UUID]'}}}\n",
    BASE
    + "state: {c: {owner: client, fields: {x: int}}, d: {owner: derived, from: c, compute: x}}\n",
    DERIVED + "compute: x, type: int | None, writer: llm,\n"
    "    examples: [{given: {c: [{x: 1}]}, expect: 1}]}\n",
    BASE + "forms:\n  f: {table: t}\n",
    BASE + "forms:\n  f:\n    table: t\n    action: update\n    fields: [a, b]\n    key: id\n"
    "    choices: {a: 'SELECT 1, 2'}\n    rules: [a > 1, {rule: b > 1, message: B!}]\n"
    "    examples: {valid: [{a: 1}], invalid: [{a: 0}]}\n    labels: {a: A}\n    help: {b: B}\n",
    BASE + "writer: {default: llm, llm: {model: m, temperature: 0, timeout: 1.5}}\n",
    BASE + "output: {package: src/x, tests: tests/x, web: starlette}\n",
    BASE + "forms:\n  a: &a {table: t, fields: [x]}\n  b: {<<: *a, action: delete}\n",
]

BAD = [
    "version: 1\napp: shop\n",
    "app: shop\ndatabase: {dialect: sqlite, schema: schema.sql}\n",
    BASE.replace("version: 1", "version: 2"),
    BASE.replace("version: 1", "version: '1'"),
    BASE.replace("app: shop", "app: my-shop"),
    BASE.replace("app: shop", "app: class"),
    BASE.replace("app: shop", "app: 12"),
    BASE + "extra: 1\n",
    "version: 1\napp: shop\ndatabase: {dialect: oracle, schema: schema.sql}\n",
    "version: 1\napp: shop\ndatabase: {dialect: sqlite}\n",
    "version: 1\napp: shop\ndatabase: {schema: schema.sql}\n",
    "version: 1\napp: shop\ndatabase: {dialect: sqlite, schema: []}\n",
    "version: 1\napp: shop\ndatabase: {dialect: sqlite, schema: {a: b}}\n",
    "version: 1\napp: shop\ndatabase: {dialect: sqlite, schema: x.sql, host: h}\n",
    BASE + "queries: {fiel: query.sql}\n",
    BASE + "queries: {q: ''}\n",
    BASE + "queries: {q: 3}\n",
    BASE + "queries: {bad-name: SELECT 1}\n",
    BASE + "queries: {q: {sql: SELECT 1, cardinality: all}}\n",
    BASE + "queries: {q: {cardinality: one}}\n",
    BASE + "state: {s: {query: q}}\n",
    BASE + "state: {s: {owner: cloud}}\n",
    BASE + "state: {s: {owner: client, fields: {x: int}, key: []}}\n",
    BASE
    + "state: {c: {owner: client, fields: {x: int}}, d: {owner: derived, from: [], compute: x}}\n",
    BASE + "state: {s: {owner: server}}\n",
    BASE + "state: {s: {owner: client}}\n",
    BASE + "state: {s: {owner: derived, from: [s]}}\n",
    BASE + "state: {s: {owner: client, fields: {x: int}, from: [y]}}\n",
    BASE + "state: {s: {owner: client, fields: {x: 1}}}\n",
    BASE + "state: {s: {owner: client, fields: {x: integer}}}\n",
    BASE + "state: {s: {owner: client, fields: {x: 'list[int'}}}\n",
    BASE + "state: {s: {owner: client, fields: {x: int}, sync: push}}\n",
    BASE + "state: {s: {owner: client, fields: {x: int}, colour: red}}\n",
    DERIVED + "compute: x, type: integer}\n",
    DERIVED + "compute: x, examples: 3}\n",
    DERIVED + "compute: x, examples: [{given: {c: []}}]}\n",
    DERIVED + "compute: x, examples: [{given: {c: []}, expect: 1, why: y}]}\n",
    BASE + "state: {c: {owner: client, fields: {x: int}, type: int}}\n",
    BASE + "state: {c: {owner: client, fields: {x: int}, examples: []}}\n",
    BASE + "forms: {f: {fields: [a]}}\n",
    BASE + "forms: {f: {table: t, action: upsert}}\n",
    BASE + "forms: {f: {table: t, fields: a}}\n",
    BASE + "forms: {f: {table: t, rules: [{rule: x, msg: y}]}}\n",
    BASE + "forms: {f: {table: t, rules: ['']}}\n",
    BASE + "forms: {f: {table: t, examples: {valid: [1]}}}\n",
    BASE + "forms: {f: {table: t, examples: {good: []}}}\n",
    BASE + "forms: {f: {table: t, fields: [a], labels: {a: 1}}}\n",
    BASE + "writer: {default: chatgpt}\n",
    BASE + "writer: {llm: {max_attempts: 0}}\n",
    BASE + "writer: {llm: {temperature: -1}}\n",
    BASE + "writer: {llm: {model: 3}}\n",
    BASE + "writer: {llm: {timeout: 0}}\n",
    BASE + "forms:\n  a: &a {table: t, fields: [x]}\n  b: {<<: *a, colour: red}\n",
    BASE + "output: {package: ''}\n",
    BASE + "output: {web: django}\n",
    "- a list\n",
]


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_schema_file_is_up_to_date() -> None:
    assert SCHEMA_FILE.read_text() == schema_text(), (
        "regenerate: python -m scaffold.spec.schema > specs/spec.schema.json"
    )


def test_every_key_has_a_description() -> None:
    def walk(node: Any, path: str) -> list[str]:
        if not isinstance(node, dict):
            return []
        missing = []
        for key, sub in node.get("properties", {}).items():
            if isinstance(sub, dict) and "description" not in sub:
                missing.append(f"{path}.{key}")
        for key, sub in node.items():
            if isinstance(sub, dict):
                missing += walk(sub, f"{path}.{key}")
        return missing

    assert walk(spec_schema(), "") == []


def loader_accepts(tmp_path: Path, text: str) -> bool:
    (tmp_path / "schema.sql").write_text("CREATE TABLE t (id INTEGER PRIMARY KEY);\n")
    (tmp_path / "query.sql").write_text("-- name: ListAuthors :many\nSELECT 1;\n")
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(text)
    try:
        load_spec(spec)
    except ScaffoldError:
        return False
    return True


@pytest.mark.parametrize(("text", "good"), [(t, True) for t in GOOD] + [(t, False) for t in BAD])
def test_loader_and_schema_agree(
    tmp_path: Path, validator: jsonschema.Draft202012Validator, text: str, good: bool
) -> None:
    assert loader_accepts(tmp_path, text) is good
    assert validator.is_valid(yaml.safe_load(text)) is good


@pytest.mark.parametrize("example", sorted(REPO.glob("examples/*/scaffold.yaml")))
def test_bundled_examples_agree(validator: jsonschema.Draft202012Validator, example: Path) -> None:
    accepted = True
    try:
        load_spec(example)
    except ScaffoldError:
        accepted = False
    assert validator.is_valid(yaml.safe_load(example.read_text())) is accepted


def test_client_field_types_are_the_analysis_types() -> None:
    assert get_args(PyType) == FIELD_TYPES
