"""The LLM writer's acceptance, as a new user meets it: `scaffold gen` in a fresh project, against
an OpenAI-compatible server running as a process of its own (tests/scripted_openai_server.py)
that answers with unsafe, broken and correct code."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

SERVER = Path(__file__).with_name("scripted_openai_server.py")
KEY = "sk-acceptance-secret-0f9e8d"
MODEL = "coder-7b"
SERVED_AS = "coder-7b-instruct-q4_K_M"  # what the server says answered: the cache must say it
UNSAFE_MARK = "ZZ-unsafe-7f3a"
SCHEMA = """CREATE TABLE items (
    id    INTEGER PRIMARY KEY,
    name  VARCHAR(40) NOT NULL,
    kind  TEXT NOT NULL DEFAULT 'paperback' CHECK (kind IN ('paperback', 'ebook')),
    price NUMERIC(8, 2) NOT NULL
);
"""
SPEC = f"""version: 1
app: shop
database: {{dialect: sqlite, schema: [schema.sql]}}
forms:
  add_item:
    table: items
    fields: [name, kind, price]
    writer: llm
    rules: [ebooks cost less than 50]
    examples:
      valid:
        - {{name: Dune, kind: ebook, price: "9.99"}}
        - {{name: Emma, kind: paperback, price: "60"}}
      invalid: [{{name: Dune, kind: ebook, price: "60"}}]
writer:
  llm: {{model: {MODEL}, timeout: 20, max_attempts: 3}}
output: {{package: generated/shop, tests: generated/tests}}
"""
UNSAFE = f"""<think>The quickest way is to ask the shell.</think>
Here is the rule:

```python
import os


def rule_1(value: AddItemInput) -> str | None:
    os.system("touch {UNSAFE_MARK}")
    eval("print('{UNSAFE_MARK}')")
    open("{UNSAFE_MARK}.txt", "w").write("x")
    query = f"SELECT * FROM items WHERE name = '{{value.name}}' -- {UNSAFE_MARK}"
    return None
```
"""
# Runs, but lets a dear ebook through: the generated tests catch it.
BROKEN = """```py
def rule_1(value: AddItemInput) -> str | None:
    if value.kind == "ebook" and value.price >= 500:
        return "Ebooks cost less than 50."
    return None
```"""
CORRECT = """Sorry about that. Fixed:\r\n\r\n~~~python\r
def rule_1(value: AddItemInput) -> str | None:\r
    if value.kind == "ebook" and value.price >= 50:\r
        return "Ebooks cost less than 50."\r
    return None\r
~~~\r
It now refuses ebooks of 50 and more.\r
"""
FORM = "generated/shop/forms/add_item.py"


@dataclass
class Server:
    base_url: str
    log: Path

    def requests(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def completions(self) -> list[dict[str, Any]]:
        return [r for r in self.requests() if r["path"].endswith("/chat/completions")]


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Any]:
    """Start scripted servers as processes of their own; each is stopped at the end."""
    started: list[subprocess.Popen[bytes]] = []

    def start(replies: Sequence[dict[str, Any]], name: str = "server") -> Server:
        folder = tmp_path / name
        folder.mkdir()
        config = folder / "config.json"
        config.write_text(json.dumps({"models": [MODEL], "key": KEY, "replies": list(replies)}))
        port_file, log = folder / "port", folder / "log.jsonl"
        proc = subprocess.Popen(
            [sys.executable, str(SERVER), str(config), str(log), str(port_file)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(proc)
        for _ in range(400):  # a bounded wait for the port, not a timed assertion
            if port_file.exists() or proc.poll() is not None:
                break
            time.sleep(0.025)
        assert port_file.exists(), "the scripted server did not start"
        return Server(f"http://127.0.0.1:{port_file.read_text()}/v1", log)

    try:
        yield start
    finally:
        for proc in started:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh project, as a new user writes it: a schema and a spec."""
    root = tmp_path / "shop"
    root.mkdir()
    (root / "schema.sql").write_text(SCHEMA)
    (root / "scaffold.yaml").write_text(SPEC)
    (tmp_path / "tmp").mkdir()
    return root


def _scaffold(
    root: Path, base_url: str | None, *args: str, key: str = KEY
) -> subprocess.CompletedProcess[str]:
    """`scaffold ARGS` as a user runs it: the model server and key in the environment."""
    proc = _start_scaffold(root, base_url, *args, key=key)
    out, err = proc.communicate(timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _start_scaffold(
    root: Path, base_url: str | None, *args: str, key: str = KEY
) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["OPENAI_API_KEY"] = key
    if base_url is not None:
        env["OPENAI_BASE_URL"] = base_url
    env["TMPDIR"] = str(root.parent / "tmp")  # what the run leaves in the temp dir is seen
    script = Path(sys.executable).with_name("scaffold")
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "scaffold.cli"]
    return subprocess.Popen(
        [*command, *args],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _closed_port() -> int:
    """A port nothing listens on: one the system just gave out, closed again."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _holding(files: dict[str, bytes], text: str) -> list[str]:
    return sorted(path for path, data in files.items() if text.encode() in data)


def _temp_files_since(started: float, skip: Path) -> dict[str, bytes]:
    """Small files of the system temp dir changed since `started` (the server's log aside)."""
    found = {}
    for folder, _dirs, names in os.walk(tempfile.gettempdir()):
        if Path(folder).is_relative_to(skip):
            continue
        for name in names:
            path = Path(folder, name)
            try:
                if path.stat().st_mtime >= started and path.stat().st_size < 2_000_000:
                    found[str(path)] = path.read_bytes()
            except OSError:
                continue  # gone meanwhile, or not ours to read
    return found


def _run_generated_tests(root: Path) -> subprocess.CompletedProcess[str]:
    """The generated tests, run by plain pytest, writing nothing into the project."""
    ini = root.parent / "pytest.ini"
    ini.write_text("[pytest]\n")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(ini)]
    command += ["--rootdir", str(root), "generated/tests"]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)


def test_unsafe_then_broken_then_correct(launch: Any, project: Path, tmp_path: Path) -> None:
    server = launch(
        [
            {"content": UNSAFE},
            {"content": BROKEN, "omit": ["usage"]},
            {"content": CORRECT, "model": SERVED_AS, "reasoning_content": UNSAFE},
        ]
    )
    started = time.time() - 1
    first = _scaffold(project, server.base_url, "gen")
    assert first.returncode == 0, first.stdout + first.stderr
    asked = server.completions()
    assert len(asked) == 3 and {r["model"] for r in asked} == {MODEL}
    assert all(r["authorized"] for r in asked)
    unsafe_feedback = asked[1]["messages"][-1]["content"]
    assert "import of os is forbidden" in unsafe_feedback
    assert "eval is forbidden" in unsafe_feedback and "open is forbidden" in unsafe_feedback
    assert "SQL built with an f-string" in unsafe_feedback
    assert "test" in asked[2]["messages"][-1]["content"]  # the failing test, for the fix

    # No unsafe answer anywhere on disk: project, .scaffold (cache, backups, staging), temp dir.
    tree = _files(project)
    assert _holding(tree, UNSAFE_MARK) == []
    assert _holding(tree, "os.system") == [] and _holding(tree, "eval(") == []
    assert _holding(tree, KEY) == []
    assert _holding(_temp_files_since(started, tmp_path / "server"), UNSAFE_MARK) == []
    assert list((tmp_path / "tmp").rglob("*")) == []  # the run cleaned up after itself
    assert not list(project.rglob(f"{UNSAFE_MARK}*"))

    # The written module is the correct answer, and passes its generated tests.
    module = (project / FORM).read_text()
    assert 'if value.kind == "ebook" and value.price >= 50:' in module
    assert ">= 500" not in module and "\r" not in module
    (cached,) = (project / ".scaffold/llm").glob("*.json")
    assert json.loads(cached.read_text())["model"] == SERVED_AS
    tests = _run_generated_tests(project)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert " passed" in tests.stdout and "failed" not in tests.stdout

    # Again: no model call, not a byte changed; then offline, with no server at all.
    second = _scaffold(project, server.base_url, "gen")
    assert second.returncode == 0, second.stderr
    assert len(server.completions()) == 3
    assert _files(project) == tree
    offline = _scaffold(project, None, "gen", "--offline")
    assert offline.returncode == 0, offline.stderr
    assert _files(project) == tree


def test_a_model_that_never_gets_it_right(launch: Any, project: Path) -> None:
    """After a good run, the rule changes and the model only answers unsafe code."""
    good = launch([{"content": CORRECT}], "good")
    assert _scaffold(project, good.base_url, "gen").returncode == 0
    spec = project / "scaffold.yaml"
    spec.write_text(SPEC.replace("ebooks cost less than 50", "ebooks cost less than 50 euros"))
    before = _files(project)
    bad = launch([{"content": UNSAFE}] * 3, "bad")
    result = _scaffold(project, bad.base_url, "gen")
    assert result.returncode == 1, result.stdout + result.stderr
    assert len(bad.completions()) == 2  # the same failure twice: asking again is no use
    assert "Traceback" not in result.stderr
    assert "unit forms.add_item: the model's code was refused" in result.stderr
    assert "the same failure repeated" in result.stderr
    assert "last reasons:" in result.stderr and "import of os is forbidden" in result.stderr
    after = _files(project)
    assert _holding(after, UNSAFE_MARK) == []
    assert after == before  # the previous tree, byte for byte


def test_setup_errors_are_one_clear_error_each(launch: Any, project: Path, tmp_path: Path) -> None:
    """A wrong model name (404), a bad key (401), no server: exit 1, words, no traceback.
    The three runs go at once, each in a copy of the project."""
    server = launch([])
    unreachable = f"http://127.0.0.1:{_closed_port()}/v1"
    cases = {
        "wrong model": (server.base_url, KEY, "model 'gpt-nope' not found at http://127.0.0.1"),
        "bad key": (server.base_url, "sk-wrong", "refused the API key"),
        "unreachable": (unreachable, KEY, f"cannot reach the model server at {unreachable}"),
    }
    runs = {}
    for case, (base, key, _message) in cases.items():
        root = tmp_path / case.replace(" ", "-") / "shop"
        shutil.copytree(project, root)
        (root.parent / "tmp").mkdir()
        if case == "wrong model":
            spec = root / "scaffold.yaml"
            spec.write_text(spec.read_text().replace(f"model: {MODEL}", "model: gpt-nope"))
        runs[case] = (root, _files(root), _start_scaffold(root, base, "gen", key=key))
    for case, (root, before, proc) in runs.items():
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 1, (case, out, err)
        assert cases[case][2] in err, (case, err)
        assert "unit forms.add_item" in err and "Traceback" not in err, (case, err)
        assert _files(root) == before, case
    assert not server.completions() or all(
        r["model"] == "gpt-nope" or not r["authorized"] for r in server.completions()
    )
