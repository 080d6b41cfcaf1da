"""`scaffold gen` with a form whose plain-words rule the model writes, against the fake server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_openai import FakeOpenAI, Reply, answer, fake_openai, slow

pytestmark = pytest.mark.slow

KEY = "sk-cli-secret-never-on-disk-42"
SCHEMA = """CREATE TABLE items (
    id    INTEGER PRIMARY KEY,
    name  VARCHAR(40) NOT NULL,
    kind  TEXT NOT NULL DEFAULT 'paperback' CHECK (kind IN ('paperback', 'ebook')),
    price NUMERIC(8, 2) NOT NULL
);
"""
SPEC = """version: 1
app: shop
database: {dialect: sqlite, schema: [schema.sql]}
forms:
  add_item:
    table: items
    fields: [name, kind, price]
    writer: llm
    rules: [ebooks cost less than 50]
    examples:
      valid:   [{name: Dune, kind: ebook, price: "9.99"}]
      invalid: [{name: Dune, kind: ebook, price: "60"}]
writer:
  llm: {model: fake-coder, timeout: 1, max_attempts: 2}
output: {package: generated/shop, tests: generated/tests}
"""
GOOD = """```python
def rule_1(value: AddItemInput) -> str | None:
    if value.kind == "ebook" and value.price >= 50:
        return "Ebooks cost less than 50."
    return None
```"""
UNSAFE = GOOD.replace(
    "    if value.kind", '    __import__("os").system("touch pwned")\n    if value.kind'
)
LAX = GOOD.replace("value.price >= 50", "value.price >= 500")
FORM = "generated/shop/forms/add_item.py"


@pytest.fixture
def project(tmp_path: Path) -> Iterator[tuple[Path, FakeOpenAI]]:
    (tmp_path / "schema.sql").write_text(SCHEMA)
    (tmp_path / "scaffold.yaml").write_text(SPEC)
    with fake_openai() as fake:
        yield tmp_path, fake


def _gen(root: Path, fake: FakeOpenAI | None, *flags: str) -> subprocess.CompletedProcess[str]:
    return _scaffold(root, fake, "gen", *flags)


def _scaffold(root: Path, fake: FakeOpenAI | None, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["OPENAI_API_KEY"] = KEY
    if fake is not None:
        env["OPENAI_BASE_URL"] = fake.base_url
    command = [sys.executable, "-c", "from scaffold.cli import main; main()", *args]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_gen_writes_the_unit_then_regenerates_offline_from_the_cache(
    project: tuple[Path, FakeOpenAI],
) -> None:
    root, fake = project
    fake.queue(answer(UNSAFE), answer(GOOD))
    first = _gen(root, fake)
    assert first.returncode == 0, first.stderr
    assert len(fake.completions) == 2
    assert "touch pwned" not in (root / FORM).read_text()
    assert 'return "Ebooks cost less than 50."' in (root / FORM).read_text()
    record = json.loads((root / ".scaffold/lock.json").read_text())["files"][FORM]
    assert (record["writer"], record["model"]) == ("llm", "fake-coder")
    assert len(record["prompt_hash"]) == 64
    check = _scaffold(root, None, "check")
    assert check.returncode == 0, check.stdout + check.stderr  # from hashes and the cache
    before = _files(root)
    assert not any(KEY.encode() in data for data in before.values())
    assert not any(b"pwned" in data for data in before.values())  # nor in the answer cache
    assert not (root / "pwned").exists()
    # A fresh checkout with only the spec and the committed answer cache: same bytes, no call.
    shutil.rmtree(root / "generated")
    for path in (root / ".scaffold").iterdir():
        if path.name != "llm":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    again = _gen(root, None, "--offline")
    assert again.returncode == 0, again.stderr
    assert len(fake.completions) == 2
    assert _files(root) == before


@pytest.mark.parametrize(
    ("replies", "message"),
    [
        ([slow(3)], "did not answer within 1 s"),
        ([answer(LAX), answer(LAX)], "unit forms.add_item: the model's code was refused"),
    ],
)
def test_a_failed_unit_exits_1_and_writes_nothing(
    project: tuple[Path, FakeOpenAI], replies: list[Reply], message: str
) -> None:
    root, fake = project
    fake.queue(*replies)
    result = _gen(root, fake, "--max-attempts", "2")
    assert result.returncode == 1, result.stderr
    assert message in result.stderr
    assert "scaffold.yaml:5:" in result.stderr  # where the spec asks for the unit
    assert "Traceback" not in result.stderr
    assert not (root / "generated").exists()
    assert not (root / ".scaffold/lock.json").exists()


def test_flags_override_the_specs_model_settings(project: tuple[Path, FakeOpenAI]) -> None:
    root, fake = project
    fake.queue(answer(GOOD))
    done = _gen(root, fake, "--model", "other-coder", "--temperature", "0.7", "--concurrency", "1")
    assert done.returncode == 0, done.stderr
    (sent,) = fake.completions
    assert (sent["model"], sent["temperature"]) == ("other-coder", 0.7)
