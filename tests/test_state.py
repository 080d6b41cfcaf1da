"""Client state end to end: the generated state.py and its tests, on a copy of the bookshop."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scaffold.pipeline import analyze, generate, load
from scaffold.plan.state import state_contracts, tuple_literal
from scaffold.plan.state_local import local_apply
from tests.test_lineage import shop

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def bookshop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bookshop generated (its tests run and passed) into a copy of the example."""
    root = tmp_path_factory.mktemp("bookshop")
    shutil.copytree(
        EXAMPLES / "bookshop",
        root,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("generated", ".scaffold", ".gitattributes"),
    )
    result = generate(root / "scaffold.yaml", run_tests=True)
    assert result.tests_passed
    return root / "generated"


def start_state_tests(generated: Path) -> subprocess.Popen[str]:
    """Start the generated test_state.py on the tree (plugins off: a bare, fast pytest)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env.pop("SCAFFOLD_TEST_DATABASE_URL", None)
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/test_state.py",
    ]
    return subprocess.Popen(command, cwd=generated, stdout=subprocess.PIPE, text=True, env=env)


def outcome(proc: subprocess.Popen[str]) -> tuple[int, int, str]:
    """(passed, failed, output) of a finished run."""
    output, _ = proc.communicate(timeout=120)
    passed = re.search(r"(\d+) passed", output)
    failed = re.search(r"(\d+) failed", output)
    return (
        int(passed.group(1)) if passed else 0,
        int(failed.group(1)) if failed else 0,
        output,
    )


def test_generated_state_tests_run_and_pass(bookshop: Path) -> None:
    assert (bookshop / "bookshop" / "state.py").is_file()
    passed, failed, output = outcome(start_state_tests(bookshop))
    assert failed == 0, output
    # oracle, rollback, resume per server state (3), one pruning case, the map, cart, cart_total
    assert passed == 3 * 3 + 1 + 1 + 1 + 1, output
    assert (
        "test_client_state_equals_a_fresh_query_after_every_write"
        in (bookshop / "tests" / "test_state.py").read_text()
    )


# (module, original text, broken text, the generated test that must then fail)
BREAKAGES = [
    # a store that loses a patch: mirrors drift from the query
    (
        "state_runtime.py",
        "        self.rows, self.order = fresh, list(fresh)\n",
        "        self.rows, self.order = fresh, list(fresh)\n        patches = patches[1:]\n",
        "test_client_state_equals_a_fresh_query_after_every_write",
    ),
    # an invalidation map that forgets a state: the oracle sees it stale
    (
        "state.py",
        '    "edit_book": (\n        Refresh("books"),\n',
        '    "edit_book": (\n',
        "test_client_state_equals_a_fresh_query_after_every_write[books]",
    ),
    # pruning that refreshes every instance moves the untouched one's version
    (
        "state.py",
        "    return all(p.field not in row or",
        "    return True or all(p.field not in row or",
        "test_a_write_refreshes_only_the_instances_it_can_change",
    ),
]


def test_a_broken_state_module_fails_its_tests(bookshop: Path, tmp_path: Path) -> None:
    runs = []
    for i, (name, old, new, failing) in enumerate(BREAKAGES):
        broken = tmp_path / str(i)
        shutil.copytree(bookshop, broken)
        module = broken / "bookshop" / name
        text = module.read_text()
        assert old in text
        module.write_text(text.replace(old, new, 1))
        runs.append((start_state_tests(broken), failing))  # in parallel: each takes seconds
    for proc, failing in runs:
        _passed, failed, output = outcome(proc)
        assert failed > 0, output
        assert f"FAILED tests/test_state.py::{failing}" in output


def test_derived_state_is_reported_not_stubbed() -> None:
    spec = load(EXAMPLES / "bookshop" / "scaffold.yaml")
    analysis = analyze(spec)
    contracts, warnings = state_contracts(spec, analysis.catalog, analysis.queries)
    assert [c.unit for c in contracts] == ["state", "tests.state"]
    assert warnings == [
        "derived state 'cart_total' computes in plain words; the template writer cannot "
        "implement it; set writer: llm"
    ]
    derived = contracts[0].context["derived"]
    assert derived[0]["reason"] == "needs the LLM writer (writer: llm)"


def test_local_apply_translates_where_and_order(tmp_path: Path) -> None:
    _spec, analysis = shop(tmp_path)
    by_name = {q.name: q for q in analysis.queries}
    local = local_apply(by_name["ItemsInCategory"], analysis.catalog, ("id",))
    assert local is not None
    assert local["columns"] == {"id": "id", "name": "name", "price": "price"}
    assert local["order"] == [["price", True, False], ["name", False, True]]
    assert sorted(local["where_columns"]) == ["category_id", "price"]
    predicate = eval(  # the generated source, over a row and the parameters
        "lambda row, params: " + local["where"], {"Decimal": __import__("decimal").Decimal}
    )
    row = {"category_id": 1, "price": __import__("decimal").Decimal("2")}
    assert predicate(row, {"category_id": 1}) is True
    assert predicate(row, {"category_id": 2}) is False
    assert predicate({**row, "price": None}, {"category_id": 1}) is False
    # two tables or an aggregate: not maintained locally
    assert local_apply(by_name["CategoryCounts"], analysis.catalog, ("id",)) is None


@pytest.mark.parametrize(
    ("items", "literal"),
    [
        ((), "()"),
        (("id",), '("id",)'),
        (("a", "b"), '("a", "b")'),
        ((("t", True),), '(("t", True),)'),
    ],
)
def test_tuple_literal(items: tuple[object, ...], literal: str) -> None:
    assert tuple_literal(items) == literal


def test_a_spec_without_state_has_no_state_units(tmp_path: Path) -> None:
    spec, analysis = shop(tmp_path)
    text = (tmp_path / "scaffold.yaml").read_text()
    head, _, rest = text.partition("state:\n")
    (tmp_path / "scaffold.yaml").write_text(head + rest[rest.index("forms:") :])
    spec = load(tmp_path / "scaffold.yaml")
    analysis = analyze(spec)
    assert state_contracts(spec, analysis.catalog, analysis.queries) == ([], [])


def test_state_without_forms_with_snapshot_and_client_state_generates_passing_tests(
    tmp_path: Path,
) -> None:
    shop(tmp_path)
    text = (tmp_path / "scaffold.yaml").read_text()
    text = text[: text.index("forms:")].replace(
        "query: ItemNames, key: id}", "query: ItemNames, key: id, sync: snapshot}"
    )
    text += (
        "  basket: {owner: client, fields: {item_id: int, price: Decimal, day: date}, "
        "key: [item_id, day]}\n"
        "output: {package: generated/shop, tests: generated/tests}\n"
    )
    (tmp_path / "scaffold.yaml").write_text(text)
    result = generate(tmp_path / "scaffold.yaml", run_tests=True)
    assert result.tests_passed
    state = (tmp_path / "generated" / "shop" / "state.py").read_text()
    assert 'log_size, "snapshot")' in state
    assert "return ClientStore(lambda item: (item.item_id, item.day))" in state
    passed, failed, output = outcome(start_state_tests(tmp_path / "generated"))
    # oracle, rollback, resume for 5 server states; the map; the client-owned collection
    assert (passed, failed) == (5 * 3 + 2, 0), output
