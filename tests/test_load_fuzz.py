"""Fuzzing the loader: no input, however broken, gives anything but a ScaffoldError."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaffold.errors import ScaffoldError
from scaffold.spec.load import load_spec

VALID = """\
version: 1
app: shop
database: {dialect: sqlite, schema: [schema.sql]}
queries:
  file: query.sql
  recent: |
    SELECT id FROM t
state:
  items: {owner: server, query: ListItems, key: id}
  cart: {owner: client, fields: {id: int}, key: id}
  total: {owner: derived, from: [cart, items], compute: count}
forms:
  add:
    table: t
    fields: [a, b]
    choices: {a: "SELECT 1, 2"}
    rules: [a > 1, {rule: b > 1, message: nope}]
    examples: {valid: [{a: 1}], invalid: [{a: 0}]}
    labels: {a: A}
writer: {default: template, llm: {model: m, max_attempts: 2}}
output: {package: out, tests: out_tests}
"""
FUZZ = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["sqlite", "server", "client", "derived", "query.sql", "schema.sql", ""]),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    (root / "schema.sql").write_text("CREATE TABLE t (id INTEGER PRIMARY KEY, a INT, b INT);\n")
    (root / "query.sql").write_text("-- name: ListItems :many\nSELECT id FROM t;\n")
    return root


def load_text(folder: Path, text: str) -> None:
    path = folder / "scaffold.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_spec(path)
    except ScaffoldError as exc:
        assert str(exc)  # every error renders as text


def test_the_valid_spec_loads(folder: Path) -> None:
    (folder / "scaffold.yaml").write_text(VALID)
    spec = load_spec(folder / "scaffold.yaml")
    assert [s.name for s in spec.state] == ["items", "cart", "total"]


YAML_TOKENS = [*"ab: -[]{},\n\t'\"|>&*!#%@`?", "x", "1", "<<", "&a", "*a", "!!binary", ".nan"]
YAML_TOKENS += ["!!python/name:os.system", "2020-13-45", "file", "version", "database", "owner"]


@FUZZ
@given(st.lists(st.sampled_from(YAML_TOKENS)).map("".join))
def test_random_yamlish_text(folder: Path, text: str) -> None:
    load_text(folder, text)


@FUZZ
@given(st.integers(0, len(VALID)), st.integers(0, 8), st.text(max_size=6))
def test_text_mutations_of_a_valid_spec(folder: Path, at: int, cut: int, insert: str) -> None:
    load_text(folder, VALID[:at] + insert + VALID[at + cut :])


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside nested dicts and lists."""
    found = [prefix]
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for key, value in items:
        found += paths(value, (*prefix, key))
    return found


@FUZZ
@given(st.data())
def test_structural_mutations_of_a_valid_spec(folder: Path, data: st.DataObject) -> None:
    tree = yaml.safe_load(VALID)
    target = data.draw(st.sampled_from(paths(tree)[1:]))
    parent = tree
    for key in target[:-1]:
        parent = parent[key]
    action = data.draw(st.sampled_from(["replace", "delete", "rename"]))
    if action == "replace":
        parent[target[-1]] = data.draw(yaml_values)
    elif action == "delete":
        del parent[target[-1]]
    elif isinstance(parent, dict):
        parent[data.draw(st.text(max_size=8))] = parent.pop(target[-1])
    load_text(folder, yaml.safe_dump(tree, allow_unicode=True))
