"""Provenance, progress and cost of LLM units through the real commands, against the fake
server: what the manifest records, what `review` shows, what a dry run and `check` never ask,
how a token budget stops a parallel run, and what the progress display prints."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from scaffold.cli import main
from scaffold.console import CLEAR_LINE, GenConsole
from scaffold.manifest import LOCK_FILE, ManifestError, read_manifest
from scaffold.write.progress import StepKind, UnitProgress
from tests.fake_openai import FakeOpenAI, answer, fake_openai
from tests.test_llm_cli import FORM, GOOD, KEY, SCHEMA, SPEC, UNSAFE

pytestmark = pytest.mark.slow

TOKENS_PER_ANSWER = 15  # the fake server's usage.total_tokens
RULE = "ebooks cost less than 50"
TEMPLATE_KEYS = {"unit", "contract_hash", "writer", "model", "prompt_hash", "sha256"}
LLM_KEYS = TEMPLATE_KEYS | {"attempts", "tokens", "test_result"}


@dataclass
class Generated:
    """A project generated once with a refused then an accepted answer."""

    root: Path
    fake: FakeOpenAI
    result: Result


def _cli(fake: FakeOpenAI, *args: str) -> Result:
    env = {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": fake.base_url}
    return CliRunner(env=env).invoke(main, list(args))


def _project(root: Path, spec: str = SPEC) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "schema.sql").write_text(SCHEMA)
    (root / "scaffold.yaml").write_text(spec)
    return root / "scaffold.yaml"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    root = tmp_path_factory.mktemp("provenance") / "shop"
    spec = _project(root)
    with fake_openai() as fake:
        fake.queue(answer(UNSAFE), answer(GOOD))
        result = _cli(fake, "gen", str(spec))
        assert result.exit_code == 0, result.output
        yield Generated(root, fake, result)


@pytest.fixture
def copy(generated: Generated, tmp_path: Path) -> Path:
    """A copy of the generated project to change."""
    return Path(shutil.copytree(generated.root, tmp_path / "shop"))


def _lock(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root / LOCK_FILE).read_text())
    return data


def _cache_entry(root: Path) -> tuple[Path, dict[str, Any]]:
    (path,) = (root / ".scaffold/llm").glob("*.json")
    return path, json.loads(path.read_text())


def test_the_manifest_records_model_attempts_tokens_and_tests(generated: Generated) -> None:
    files = _lock(generated.root)["files"]
    record = files[FORM]
    assert set(record) == LLM_KEYS
    assert (record["writer"], record["model"], record["attempts"]) == ("llm", "fake-coder", 2)
    assert record["tokens"] == TOKENS_PER_ANSWER * len(generated.fake.completions) == 30
    assert record["test_result"].endswith(" passed") and "failed" not in record["test_result"]
    # Template records keep their shape (the committed examples pin their bytes).
    assert all(set(r) == TEMPLATE_KEYS for p, r in files.items() if p != FORM)
    _, entry = _cache_entry(generated.root)
    kept = (entry["attempts"], entry["tokens"], entry["test_result"])
    assert kept == (record["attempts"], record["tokens"], record["test_result"])


def test_an_offline_regeneration_gives_the_same_manifest_bytes(copy: Path) -> None:
    before = (copy / LOCK_FILE).read_bytes()
    shutil.rmtree(copy / "generated")
    shutil.rmtree(copy / ".scaffold/base")
    (copy / LOCK_FILE).unlink()
    with fake_openai() as offline:
        result = _cli(offline, "gen", str(copy / "scaffold.yaml"), "--offline")
        assert result.exit_code == 0, result.output
        assert offline.requests == []
    assert (copy / LOCK_FILE).read_bytes() == before


def test_a_cached_answer_of_an_older_scaffold_is_still_read(copy: Path) -> None:
    path, entry = _cache_entry(copy)
    del entry["test_result"]
    path.write_text(json.dumps(entry))
    shutil.rmtree(copy / "generated")
    with fake_openai() as offline:
        result = _cli(offline, "gen", str(copy / "scaffold.yaml"), "--offline", "--force")
        assert result.exit_code == 0, result.output
    record = _lock(copy)["files"][FORM]
    assert (record["attempts"], record["tokens"], record["test_result"]) == (2, 30, "not recorded")


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({}, (None, None, None)),  # a manifest of an older scaffold
        ({"attempts": 3, "tokens": 120, "test_result": "4 passed"}, (3, 120, "4 passed")),
    ],
)
def test_the_manifest_reads_both_shapes(
    copy: Path, record: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    lock = _lock(copy)
    old = {k: v for k, v in lock["files"][FORM].items() if k in TEMPLATE_KEYS}
    lock["files"][FORM] = {**old, **record}
    (copy / LOCK_FILE).write_text(json.dumps(lock))
    manifest = read_manifest(copy)
    assert manifest is not None
    rec = manifest.files[FORM]
    assert (rec.provenance.attempts, rec.provenance.tokens, rec.provenance.test_result) == expected
    assert set(rec.to_json()) == TEMPLATE_KEYS | {k for k in record}


def test_a_mistyped_provenance_field_is_a_corrupt_manifest(copy: Path) -> None:
    lock = _lock(copy)
    lock["files"][FORM]["attempts"] = "2"
    (copy / LOCK_FILE).write_text(json.dumps(lock))
    with pytest.raises(ManifestError, match="attempts must be of type int"):
        read_manifest(copy)


def test_progress_lines_show_units_attempts_and_tokens(generated: Generated) -> None:
    stderr = generated.result.stderr
    totals = re.escape("[0/1 units, 1 attempt(s), 15 tokens]")
    refused = rf"^llm forms\.add_item: attempt 1, \d+ problem\(s\) {totals}$"
    assert re.search(refused, stderr, re.MULTILINE), stderr
    accepted = "llm forms.add_item: attempt 2, accepted [1/1 units, 2 attempt(s), 30 tokens]"
    assert accepted in stderr.splitlines()
    assert "llm" not in generated.result.stdout


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("text", "llm forms.add_item: from the cache [1/1 units, 0 attempt(s), 0 tokens]\n"),
        ("json", ""),
    ],
)
def test_a_cached_run_says_one_line_or_nothing_in_json(copy: Path, fmt: str, expected: str) -> None:
    shutil.rmtree(copy / "generated")
    with fake_openai() as offline:
        spec = str(copy / "scaffold.yaml")
        result = _cli(offline, "gen", spec, "--offline", "--force", "--format", fmt)
    assert result.exit_code == 0, result.output
    llm_lines = [line for line in result.stderr.splitlines(keepends=True) if "llm" in line]
    assert "".join(llm_lines) == expected
    if fmt == "json":
        assert json.loads(result.stdout)["ok"] is True
        assert result.stderr == ""


@pytest.mark.parametrize("change_rule", [False, True])
def test_a_dry_run_never_asks_the_model_nor_writes_the_cache(copy: Path, change_rule: bool) -> None:
    spec = copy / "scaffold.yaml"
    if change_rule:
        spec.write_text(SPEC.replace(RULE, "ebooks cost less than 40"))
    cache = sorted((copy / ".scaffold/llm").iterdir())
    with fake_openai() as fake:
        text = _cli(fake, "gen", str(spec), "--dry-run")
        as_json = _cli(fake, "gen", str(spec), "--dry-run", "--format", "json")
        assert fake.requests == []
    assert (text.exit_code, as_json.exit_code) == (0, 0), text.output + as_json.output
    assert sorted((copy / ".scaffold/llm").iterdir()) == cache
    form = next(f for f in json.loads(as_json.stdout)["files"] if f["path"] == FORM)
    if change_rule:
        assert f"update  {FORM}  (would ask the model)" in text.stdout
        assert (form["action"], form["note"]) == ("update", "would ask the model")
        assert "llm forms.add_item: not cached: would ask the model [1/1 units" in text.stderr
    else:
        assert "would ask the model" not in text.output
        assert (form["action"], form["note"]) == ("unchanged", None)


def test_a_dry_run_of_a_new_project_lists_the_unit_to_ask(tmp_path: Path) -> None:
    spec = _project(tmp_path / "new")
    with fake_openai() as fake:
        result = _cli(fake, "gen", str(spec), "--dry-run")
        assert fake.requests == []
    assert result.exit_code == 0, result.output
    assert f"create  {FORM}  (would ask the model)" in result.stdout
    assert not (tmp_path / "new/.scaffold").exists()
    assert not (tmp_path / "new/generated").exists()


def test_check_never_asks_the_model(copy: Path) -> None:
    spec = copy / "scaffold.yaml"
    with fake_openai() as fake:
        fresh = _cli(fake, "check", str(spec))
        spec.write_text(SPEC.replace(RULE, "ebooks cost less than 40"))
        stale = _cli(fake, "check", str(spec))
        assert fake.requests == []
    assert fresh.exit_code == 0, fresh.output
    assert stale.exit_code == 1, stale.output
    assert "stale: unit forms.add_item" in stale.stdout


TWO_UNITS = SPEC.replace(
    "writer:\n  llm: {model: fake-coder, timeout: 1, max_attempts: 2}",
    """  add_ebook:
    table: items
    fields: [name, kind, price]
    writer: llm
    rules: [ebooks cost at least 1]
writer:
  llm: {model: fake-coder, timeout: 5, max_attempts: 3, concurrency: 2}""",
)


def test_a_token_budget_stops_a_parallel_run_cleanly(tmp_path: Path) -> None:
    spec = _project(tmp_path / "two", TWO_UNITS)
    with fake_openai() as fake:
        fake.queue(*[answer("no idea")] * 6)
        result = _cli(fake, "gen", str(spec), "--token-budget", "10")
        asked = len(fake.completions)
    assert result.exit_code == 1, result.output
    # Each unit is asked at most once: the first answer (15 tokens) spends the budget.
    assert 1 <= asked <= 2
    message = (
        f"write error: the run's token budget (10) is used up ({15 * asked} tokens); "
        "2 unit(s) not written: forms.add_ebook, forms.add_item; nothing was written"
    )
    assert message in result.stderr
    assert "raise --token-budget" in result.stderr
    assert "[2/2 units" in result.stderr  # the progress ends with every unit settled
    assert not (tmp_path / "two/generated").exists()
    assert not (tmp_path / "two" / LOCK_FILE).exists()
    assert not (tmp_path / "two/.scaffold/llm").exists()


def _git(repo: Path, *args: str) -> None:
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", *identity, *args], cwd=repo, check=True, capture_output=True)


def test_review_shows_the_validation_of_llm_units(generated: Generated, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    _project(repo)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "spec")
    for name in ("generated", ".scaffold"):
        shutil.copytree(generated.root / name, repo / name)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "generated")
    args = ["review", "HEAD~1", "HEAD", "--project", str(repo)]
    as_json = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).stdout)
    units = {u["unit"]: u for u in as_json["units"]}
    record = _lock(generated.root)["files"][FORM]
    form = units["forms.add_item"]
    assert (form["attempts"], form["tokens"]) == (2, 30)
    assert form["test_result"] == record["test_result"]
    assert (units["rows"]["attempts"], units["rows"]["test_result"]) == (None, None)
    text = CliRunner().invoke(main, args).stdout
    validation = (
        f"Validation: accepted on attempt 2, 30 tokens, its generated tests: "
        f"{record['test_result']}."
    )
    assert validation in text
    assert "Provenance: writer `template`, model none, prompt hash none.\n" in text


def _event(kind: StepKind, done: int, step: str = "attempt 1, accepted") -> UnitProgress:
    return UnitProgress("forms.x", kind, step, done, 2, done + 1, 15 * (done + 1))


def test_on_a_terminal_one_line_is_redrawn_then_kept_with_the_totals() -> None:
    out = io.StringIO()
    with GenConsole(out, live=True, columns=200) as console:
        console.unit(_event("answer", 0, "attempt 1, 1 problem(s)"))
        console.say("a message")
        console.unit(_event("answer", 1))
        console.unit(_event("cached", 2, "from the cache"))
        console.say("wrote 3 units")
    assert out.getvalue() == (
        f"{CLEAR_LINE}llm [0/2 units, 1 attempt(s), 15 tokens] forms.x: attempt 1, 1 problem(s)"
        f"{CLEAR_LINE}a message\n"
        f"{CLEAR_LINE}llm [1/2 units, 2 attempt(s), 30 tokens] forms.x: attempt 1, accepted"
        f"{CLEAR_LINE}llm units: 2/2 units, 3 attempt(s), 45 tokens\n"
        "wrote 3 units\n"
    )


@pytest.mark.parametrize(
    ("live", "quiet", "expected"),
    [
        (False, False, "llm forms.x: attempt 1, accepted [1/2 units, 2 attempt(s), 30 tokens]\n"),
        (True, True, ""),
        (False, True, ""),
    ],
)
def test_plain_lines_skip_cache_hits_and_quiet_prints_nothing(
    live: bool, quiet: bool, expected: str
) -> None:
    out = io.StringIO()
    with GenConsole(out, live=live, quiet=quiet) as console:
        console.unit(_event("cached", 0, "from the cache"))
        console.unit(_event("answer", 1))
    assert out.getvalue() == expected


def test_a_long_line_is_cut_to_the_terminal_width_and_cleared_on_exit() -> None:
    out = io.StringIO()
    with GenConsole(out, live=True, columns=21) as console:
        console.unit(_event("answer", 0))
    assert out.getvalue() == f"{CLEAR_LINE}llm [0/2 units, 1 a…{CLEAR_LINE}"
