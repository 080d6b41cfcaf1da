"""Run the generated tests on a staged tree in a subprocess, with a time limit, and report them.

The run is isolated from the user's pytest configuration, plugins and conftest files outside the
staged tree, writes no caches, and opens no network connection (see no_network.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from scaffold.validate.junit import Failure, parse_junit

__all__ = ["Failure", "TestReport", "run_generated_tests"]

PROXY_VARIABLES = frozenset(
    {"http_proxy", "https_proxy", "ftp_proxy", "all_proxy", "no_proxy"}
    | {"HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "ALL_PROXY", "NO_PROXY"}
)
PYTEST = (sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider")
# Python code under test cannot open network connections (the test database's port excepted).
NO_NETWORK = ("-p", "scaffold.validate.no_network")
# Every failure at once: a module that does not import must not hide the other tests.
KEEP_GOING = ("--continue-on-collection-errors",)


@dataclass(frozen=True)
class TestReport:
    __test__ = False  # not a pytest test class, despite the name

    passed: int
    failed: int
    errors: int
    failures: tuple[Failure, ...]
    output: str
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed and not self.errors


def run_generated_tests(
    staged_root: Path,
    tests_dir: str,
    *,
    timeout: float = 300,
    env: Mapping[str, str] | None = None,
) -> TestReport:
    """Run `pytest tests_dir` with staged_root as the working folder; parse its JUnit XML."""
    with tempfile.TemporaryDirectory(prefix="scaffold-tests-") as tmp:
        junit = Path(tmp) / "junit.xml"
        config = Path(tmp) / "pytest.ini"
        config.write_text("[pytest]\n", encoding="utf-8")
        # An empty config and a conftest cut at the staged root: the user's settings stay out.
        isolated = ["-c", str(config), "--rootdir", str(staged_root)]
        isolated += ["--confcutdir", str(staged_root)]
        report = ["-o", "junit_family=xunit1", f"--junitxml={junit}"]
        command = [*PYTEST, *NO_NETWORK, *KEEP_GOING, *isolated, *report, tests_dir]
        try:
            output, code = _run(command, staged_root, child_env(env), timeout)
        except subprocess.TimeoutExpired as exc:
            return _timed_out(exc, timeout)
        return _report(junit, output, code)


def child_env(env: Mapping[str, str] | None) -> dict[str, str]:
    """The environment of the test process: no proxies, no bytecode files, no plugins.

    The generated tests need plain pytest; plugins installed around it (random order, xdist,
    timeouts) would change how they run, and loading them costs seconds.
    """
    base = dict(os.environ if env is None else env)
    clean = {k: v for k, v in base.items() if k not in PROXY_VARIABLES}
    clean["PYTHONDONTWRITEBYTECODE"] = "1"
    clean["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return clean


def _run(command: list[str], cwd: Path, env: dict[str, str], timeout: float) -> tuple[str, int]:
    # A session of its own, so a timeout stops the tests and anything they started.
    with subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    ) as proc:
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            os.killpg(proc.pid, signal.SIGKILL)
            exc.output, _ = proc.communicate()
            raise
    return out.decode("utf-8", errors="replace"), proc.returncode


def _timed_out(exc: subprocess.TimeoutExpired, timeout: float) -> TestReport:
    output = _text(exc.output)
    failure = Failure(
        test_id="<test run>",
        message=f"the generated tests did not finish within {timeout:g} s and were stopped",
        location=None,
        details=_clip(output),
    )
    return TestReport(0, 0, 1, (failure,), output)


def _report(junit: Path, output: str, code: int) -> TestReport:
    # Exit codes: 0 passed, 1 some failed, 5 none collected; anything else is a broken run.
    if not junit.is_file() or code not in (0, 1, 5):
        failure = Failure(
            "<test run>", f"pytest could not run the tests (exit {code})", None, _clip(output)
        )
        return TestReport(0, 0, 1, (failure,), output)
    result = parse_junit(junit.read_bytes())
    return TestReport(
        result.passed, result.failed, result.errors, result.failures, output, result.skipped
    )


def _text(data: bytes | str | None) -> str:
    if isinstance(data, bytes):
        return data.decode("utf-8", errors="replace")
    return data or ""


def _clip(text: str, limit: int = 2000) -> str:
    """The head and the tail of a long output, where the useful lines usually are."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n... ({len(text) - limit} characters left out) ...\n{text[-half:]}"
