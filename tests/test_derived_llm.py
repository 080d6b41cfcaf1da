"""`scaffold gen` with a derived state the model computes, against the fake OpenAI server:
written and tested, repaired from a failing example, regenerated from the cache."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_openai import FakeOpenAI, answer, fake_openai
from tests.test_derived import SCHEMA, SPEC

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
LLM = "writer:\n  llm: {model: fake-coder, timeout: 5, max_attempts: 2}\n"
OUTPUT = "output: {package: generated/shop, tests: generated/tests}\n"
GOOD = """```python
def cart_total(cart: Sequence[CartItem], books: Sequence[BooksInStockRow]) -> Decimal:
    prices = {book.id: book.price for book in books}
    return sum((item.qty * prices.get(item.book_id, Decimal(0)) for item in cart), Decimal(0))
```"""
# Forgets the quantity: example 1 gives 9.99 instead of 19.98.
WRONG = GOOD.replace("item.qty * prices", "prices")
DERIVED = "generated/shop/derived.py"
# The session computes the derived state from a client store and a refreshed server state, and
# computes it again only after a source moved.
SESSION = """
import sqlalchemy as sa
from shop import state
with sa.create_engine("sqlite://").begin() as conn:
    conn.exec_driver_sql(open("../schema.sql").read())
    conn.exec_driver_sql("INSERT INTO books VALUES (1, 'Dune', 9.99, 3), (2, 'Emma', 5, 1)")
    session = state.Session()
    session.refresh(conn, "books")
    cart = state.cart_store()
    cart.put(state.CartItem(book_id=1, qty=2, added=None))
    for _ in range(2):
        print(session.derived_value("cart_total", cart=cart), session.derived["cart_total"].version)
    cart.put(state.CartItem(book_id=2, qty=1, added=None))
    print(session.derived_value("cart_total", cart=cart), session.derived["cart_total"].version)
"""


@pytest.fixture
def project(tmp_path: Path) -> Iterator[tuple[Path, FakeOpenAI]]:
    (tmp_path / "schema.sql").write_text(SCHEMA)
    (tmp_path / "scaffold.yaml").write_text(SPEC + LLM + OUTPUT)
    with fake_openai() as fake:
        yield tmp_path, fake


def _gen(root: Path, fake: FakeOpenAI, name: str = "gen") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env |= {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": fake.base_url}
    command = [sys.executable, "-c", "from scaffold.cli import main; main()", name]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _run(command: list[str], cwd: Path) -> str:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_model_writes_the_derived_state_and_a_second_run_asks_nothing(
    project: tuple[Path, FakeOpenAI],
) -> None:
    root, fake = project
    fake.queue(answer(GOOD))
    first = _gen(root, fake)
    assert first.returncode == 0, first.stderr
    assert len(fake.completions) == 1
    prompt = fake.completions[0]["messages"][-1]["content"]
    assert "class CartItem:" in prompt and "class BooksInStockRow:" in prompt
    assert "sum of qty times price over the cart's books" in prompt
    assert "def test_cart_total_example_1() -> None:" in prompt
    assert "prices.get(item.book_id" in (root / DERIVED).read_text()
    generated = root / "generated"
    tests = _run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], generated
    )
    assert "failed" not in tests and " passed" in tests
    config = str(ROOT / "pyproject.toml")
    _run(["ruff", "check", "--config", config, "."], generated)
    _run(["ruff", "format", "--check", "--config", config, "."], generated)
    mypy = [sys.executable, "-m", "mypy", "--strict", "--config-file", config, "--no-incremental"]
    _run([*mypy, "-p", "shop"], generated)
    assert _run([sys.executable, "-c", SESSION], generated).split() == [
        "19.98",
        "1",
        "19.98",
        "1",
        "24.98",
        "2",
    ]
    check = _gen(root, fake, "check")
    assert check.returncode == 0, check.stdout + check.stderr  # from the hashes and the cache
    before = _files(root)
    again = _gen(root, fake)
    assert again.returncode == 0, again.stderr
    assert len(fake.completions) == 1
    assert _files(root) == before


def test_a_failing_example_goes_back_to_the_model_then_the_fix_is_kept(
    project: tuple[Path, FakeOpenAI],
) -> None:
    root, fake = project
    fake.queue(answer(WRONG), answer(GOOD))
    result = _gen(root, fake)
    assert result.returncode == 0, result.stderr
    assert len(fake.completions) == 2
    feedback = fake.completions[1]["messages"][-1]["content"]
    assert "test_cart_total_example_1" in feedback
    assert "example 1: expected Decimal('19.98'), got Decimal('9.99')" in feedback
    assert "test_cart_total_example_2" not in feedback  # it passed: only failures go back
    assert "item.qty * prices" in (root / DERIVED).read_text()
