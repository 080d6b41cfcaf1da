"""The generated tests run in an isolated subprocess; failures come back with id and location."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from scaffold.validate.junit import parse_junit
from scaffold.validate.runner import child_env, run_generated_tests

PASSING = """
def test_one() -> None:
    assert 1 + 1 == 2


def test_two() -> None:
    assert "a".upper() == "A"
"""

FAILING = """
def test_fine() -> None:
    assert True


class TestPrices:
    def test_total(self) -> None:
        total = 3
        print("computing the total")
        assert total == 4, "total is off"
"""


def project(tmp_path: Path, **tests: str) -> Path:
    """A staged root with tests/generated/<name>.py for every keyword."""
    staged = tmp_path / "staged"
    folder = staged / "tests" / "generated"
    folder.mkdir(parents=True)
    for name, source in tests.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(source))
    return staged


def test_passing_tests_are_counted(tmp_path: Path) -> None:
    report = run_generated_tests(project(tmp_path, test_ok=PASSING), "tests/generated")
    assert (report.passed, report.failed, report.errors, report.failures) == (2, 0, 0, ())
    assert report.ok and "2 passed" in report.output


def test_failures_carry_the_test_id_message_and_location(tmp_path: Path) -> None:
    report = run_generated_tests(project(tmp_path, test_prices=FAILING), "tests/generated")
    assert (report.passed, report.failed, report.errors) == (1, 1, 0)
    (failure,) = report.failures
    assert failure.test_id == "tests/generated/test_prices.py::TestPrices::test_total"
    assert failure.message.startswith("AssertionError: total is off")
    assert failure.location == "tests/generated/test_prices.py:10"
    assert "computing the total" in failure.details
    assert failure.describe().startswith(
        "tests/generated/test_prices.py::TestPrices::test_total (tests/generated/test_prices.py:10)"
    )


def test_a_module_that_does_not_import_is_an_error(tmp_path: Path) -> None:
    report = run_generated_tests(
        project(tmp_path, test_ok=PASSING, test_broken="import not_a_module\n"), "tests/generated"
    )
    assert (report.passed, report.errors) == (2, 1) and not report.ok
    assert "not_a_module" in report.failures[0].details


def test_a_run_over_the_time_limit_is_stopped_and_reported(tmp_path: Path) -> None:
    slow = "import time\n\n\ndef test_slow() -> None:\n    time.sleep(60)\n"
    report = run_generated_tests(project(tmp_path, test_slow=slow), "tests/generated", timeout=2)
    assert (report.passed, report.failed, report.errors) == (0, 0, 1)
    assert report.failures[0].message == (
        "the generated tests did not finish within 2 s and were stopped"
    )


def test_a_missing_tests_folder_is_a_broken_run(tmp_path: Path) -> None:
    report = run_generated_tests(project(tmp_path), "tests/nowhere")
    assert report.errors == 1 and "could not run the tests" in report.failures[0].message


def test_the_users_config_and_conftest_outside_the_staged_tree_are_ignored(
    tmp_path: Path,
) -> None:
    # The staging folder lives inside the user's project; their pytest setup must not leak in.
    staged = project(tmp_path, test_ok=PASSING)
    (tmp_path / "conftest.py").write_text("raise RuntimeError('user conftest loaded')\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --no-such-option\n")
    report = run_generated_tests(staged, "tests/generated")
    assert report.passed == 2 and report.ok, report.output


def test_proxies_are_removed_and_no_caches_are_written(tmp_path: Path) -> None:
    check_env = """
    import os
    import sys


    def test_env() -> None:
        assert "HTTPS_PROXY" not in os.environ and "http_proxy" not in os.environ
        assert os.environ["KEEP"] == "yes"
        assert sys.dont_write_bytecode
        assert os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] == "1"
    """
    staged = project(tmp_path, test_env=check_env)
    env = {"HTTPS_PROXY": "http://proxy:3128", "http_proxy": "http://p", "KEEP": "yes"}
    env["PATH"] = child_env(None).get("PATH", "")
    report = run_generated_tests(staged, "tests/generated", env=env)
    assert report.passed == 1, report.output
    leftovers = [p.name for p in staged.rglob("*") if p.name in ("__pycache__", ".pytest_cache")]
    assert leftovers == []


@pytest.mark.parametrize(
    ("xml", "counts"),
    [
        (
            '<testsuites><testsuite><testcase classname="a" name="t"/></testsuite></testsuites>',
            (1, 0, 0, 0),
        ),
        (
            '<testsuite><testcase name="t"><skipped message="later"/></testcase></testsuite>',
            (0, 0, 0, 1),
        ),
        (
            '<testsuite><testcase classname="" name="tests.test_x"><error message="collection'
            ' failure">E   ImportError</error></testcase></testsuite>',
            (0, 0, 1, 0),
        ),
    ],
)
def test_junit_outcomes_are_counted(xml: str, counts: tuple[int, int, int, int]) -> None:
    result = parse_junit(xml.encode())
    assert (result.passed, result.failed, result.errors, result.skipped) == counts


REACHES_OUT = """
import os
import socket


def test_reach_out() -> None:
    with socket.create_connection(("127.0.0.1", int(os.environ["LISTENING_PORT"])), timeout=5):
        pass
"""


@pytest.mark.parametrize(
    ("database_url", "reachable"),
    [
        (None, False),
        ("postgresql+psycopg://u@127.0.0.1:{port}/db", True),  # the test database's port
        ("postgresql+psycopg://u@127.0.0.1:1/db", False),
    ],
)
def test_the_tests_open_no_network_connection_but_to_the_database(
    tmp_path: Path, database_url: str | None, reachable: bool
) -> None:
    import os
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if k != "SCAFFOLD_TEST_DATABASE_URL"}
        env["LISTENING_PORT"] = str(port)
        if database_url is not None:
            env["SCAFFOLD_TEST_DATABASE_URL"] = database_url.format(port=port)
        staged = project(tmp_path, test_net=REACHES_OUT)
        report = run_generated_tests(staged, "tests/generated", env=env)
    assert report.ok is reachable, report.output
    if not reachable:
        (failure,) = report.failures
        assert "run without a network" in failure.message
