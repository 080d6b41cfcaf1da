"""`scaffold daemon`: start, status and stop; a run the daemon answers gives the same output,
exit code and environment handling as a run in a process of its own; every way to the daemon
that fails (a stale socket, a folder open to others, another protocol, changed code) falls back
to running in-process; and an idle daemon exits by itself.

Daemons run in folders of the tests' own (SCAFFOLD_DAEMON_DIR, mode 700), and each one a test
starts is stopped (killed if need be) when it ends.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scaffold import daemon, launch
from scaffold.daemon_code import CodeWatch

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "bookshop"
INPUTS = ("scaffold.yaml", "schema.sql", "queries.sql")
SCAFFOLD = str(Path(sys.executable).parent / "scaffold")
SOCKET_NAME = os.path.basename(launch.socket_path())  # the folder differs per test, not the name
OLD_QUERY = "SELECT id, name, country FROM authors ORDER BY name;"
NEW_QUERY = "SELECT id, name FROM authors ORDER BY name;"
PID = re.compile(r"\(pid (\d+)\)")
CACHE_ENV = "SCAFFOLD_CACHE_DIR"
WAIT = 20.0  # seconds to wait for a daemon to come up or go away: generous for a busy machine


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str


def scaffold(args: list[str], env: dict[str, str], cwd: Path) -> Outcome:
    proc = subprocess.run(
        [SCAFFOLD, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    return Outcome(proc.returncode, proc.stdout, proc.stderr)


def without_daemon(env: dict[str, str]) -> dict[str, str]:
    return {**env, launch.NO_DAEMON_ENV: "1"}


def client_env(daemon_dir: Path, cache: Path) -> dict[str, str]:
    """This process's environment, pointed at `daemon_dir` and `cache`, without the variables
    that would change what a run does (a pre-commit run, a bypassed daemon)."""
    env = {k: v for k, v in os.environ.items() if k not in (launch.NO_DAEMON_ENV, "PRE_COMMIT")}
    return {**env, launch.DIR_ENV: str(daemon_dir), CACHE_ENV: str(cache)}


def private_folder(folder: Path) -> Path:
    folder.mkdir(mode=0o700)
    folder.chmod(0o700)  # whatever the umask
    assert len(str(folder / SOCKET_NAME)) < 100, f"AF_UNIX path too long under {folder}"
    return folder


def copy_inputs(dest: Path) -> Path:
    dest.mkdir()
    for name in INPUTS:
        shutil.copyfile(EXAMPLE / name, dest / name)
    return dest


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@dataclass(frozen=True)
class RunningDaemon:
    env: dict[str, str]  # the environment it was started with
    pid: int
    said: str  # what `scaffold daemon start` printed

    @property
    def socket(self) -> str:
        return os.path.join(self.env[launch.DIR_ENV], SOCKET_NAME)

    def status(self) -> dict[str, Any] | None:
        return launch.request(self.socket, {"op": "status"}, timeout=5.0)

    def runs(self) -> int:
        info = self.status()
        assert info is not None, "the daemon does not answer"
        return int(info["runs"])


class Daemons:
    """The daemons one test (or module) starts, all stopped when it ends."""

    def __init__(self) -> None:
        self.envs: list[dict[str, str]] = []
        self.started: list[RunningDaemon] = []

    def start(self, env: dict[str, str]) -> RunningDaemon:
        self.envs.append(env)
        # A short idle timeout: a daemon the finalizer could not stop still goes away.
        out = scaffold(["daemon", "start", "--idle-timeout", "5"], env, Path("/"))
        assert out.code == 0 and "scaffold daemon started" in out.stdout, out
        found = PID.search(out.stdout)
        assert found is not None, out
        running = RunningDaemon(env, int(found.group(1)), out.stdout)
        self.started.append(running)
        return running

    def stop_all(self) -> None:
        for env in self.envs:
            scaffold(["daemon", "stop"], env, Path("/"))
            left = scaffold(["daemon", "status"], env, Path("/"))
            found = PID.search(left.stdout)
            if left.code == 0 and found is not None:
                os.kill(int(found.group(1)), signal.SIGKILL)
        for running in self.started:  # one that did not answer (restarting, say) yet lives
            if still_serving(running.pid, running.socket):
                os.kill(running.pid, signal.SIGKILL)


def still_serving(pid: int, socket: str) -> bool:
    """Whether `pid` is still a daemon on `socket` (and not a recycled pid)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return socket.encode() in command


@pytest.fixture
def daemons() -> Iterator[Daemons]:
    started = Daemons()
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The bookshop's inputs, not generated: enough for `inspect`."""
    return copy_inputs(tmp_path / "shop")


@dataclass(frozen=True)
class Shared:
    """One daemon for the module, and the projects its runs are compared on."""

    root: Path
    env: dict[str, str]  # the clients' environment
    daemon: RunningDaemon
    fresh: Path  # generated and unchanged: `check` passes
    stale: Path  # generated, then a query edited: `check` fails
    broken: Path  # a spec that is not YAML
    elsewhere: Path  # an empty folder

    def folder(self, name: str) -> Path:
        path: Path = getattr(self, name)
        return path


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shared]:
    root = tmp_path_factory.mktemp("daemon")
    env = client_env(private_folder(root / "d"), root / "cache")
    fresh = copy_inputs(root / "fresh")
    gen = scaffold(["gen", "--no-tests"], env, fresh)
    assert gen.code == 0, gen
    stale = Path(shutil.copytree(fresh, root / "stale"))
    queries = stale / "queries.sql"
    assert OLD_QUERY in queries.read_text()
    queries.write_text(queries.read_text().replace(OLD_QUERY, NEW_QUERY))
    broken = root / "broken"
    broken.mkdir()
    (broken / "bad.yaml").write_text("version: 1\napp: [bookshop\n")
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    started = Daemons()
    try:
        # The daemon's own cache folder: no run may write there, each uses its client's.
        running = started.start({**env, CACHE_ENV: str(root / "daemon-cache")})
        yield Shared(root, env, running, fresh, stale, broken, elsewhere)
    finally:
        started.stop_all()


# -- start, status, stop -----------------------------------------------------------------------


def test_start_status_stop(tmp_path: Path, project: Path, daemons: Daemons) -> None:
    env = client_env(private_folder(tmp_path / "d"), tmp_path / "cache")
    before = scaffold(["daemon", "status"], env, project)
    assert before.code == 1 and "no scaffold daemon is running" in before.stdout

    running = daemons.start(env)
    assert running.socket in running.said and os.path.exists(running.socket)
    status = scaffold(["daemon", "status"], env, project)
    assert status.code == 0, status
    assert f"(pid {running.pid})" in status.stdout and "0 runs served" in status.stdout
    assert scaffold(["inspect"], env, project).code == 0
    assert "1 runs served" in scaffold(["daemon", "status"], env, project).stdout

    again = scaffold(["daemon", "start"], env, project)
    assert again.code == 0 and "already running" in again.stdout
    assert f"(pid {running.pid})" in again.stdout

    stop = scaffold(["daemon", "stop"], env, project)
    assert stop.code == 0 and f"stopped (pid {running.pid})" in stop.stdout
    after = scaffold(["daemon", "status"], env, project)
    assert after.code == 1 and "no scaffold daemon is running" in after.stdout
    assert not os.path.exists(running.socket)
    assert "no scaffold daemon is running" in scaffold(["daemon", "stop"], env, project).stdout


# -- the same output with and without the daemon -----------------------------------------------


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    cwd: str  # a folder of Shared
    code: int
    shows: str  # in stdout or stderr: the run did what it should
    env: tuple[tuple[str, str], ...] = ()  # added to the clients' environment


CASES = {
    "inspect": Case(("inspect",), "fresh", 0, "4 tables, 10 queries"),
    "inspect --json": Case(("inspect", "--json"), "fresh", 0, '"tables": {'),
    "inspect spec": Case(("inspect", "scaffold.yaml"), "fresh", 0, "4 tables, 10 queries"),
    "inspect absolute": Case(("inspect", "{fresh}/scaffold.yaml"), "elsewhere", 0, "4 tables"),
    "check fresh": Case(("check",), "fresh", 0, "up to date"),
    "check stale": Case(("check",), "stale", 1, "queries.sql"),
    "check json fresh": Case(("check", "--format", "json"), "fresh", 0, '"ok": true'),
    "check json stale": Case(("check", "--format", "json"), "stale", 1, '"ok": false'),
    "malformed yaml": Case(("inspect", "bad.yaml"), "broken", 2, "bad.yaml:3:1: spec error"),
    "missing spec": Case(("inspect", "nope.yaml"), "fresh", 2, "spec file not found"),
    "check missing spec": Case(("check",), "elsewhere", 2, "spec file not found"),
    "unknown option": Case(("check", "--bogus"), "fresh", 2, "No such option '--bogus'"),
    "help": Case(("inspect", "--help"), "fresh", 0, "Usage: scaffold inspect [OPTIONS]"),
    # click writes UTF-8 to a stream that says ASCII; the client must print the same bytes
    "non-ASCII on an ASCII stream": Case(
        ("inspect", "nopé.yaml"), "fresh", 2, "nopé.yaml", (("PYTHONIOENCODING", "ascii"),)
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_daemon_gives_the_same_output(shared: Shared, case: Case) -> None:
    cwd = shared.folder(case.cwd)
    args = [arg.format(fresh=shared.fresh) for arg in case.args]
    env = {**shared.env, **dict(case.env)}
    served_before = shared.daemon.runs()
    served = scaffold(args, env, cwd)
    assert shared.daemon.runs() == served_before + 1, "the daemon did not answer the run"
    alone = scaffold(args, without_daemon(env), cwd)
    assert served == alone
    assert served.code == case.code, served
    assert case.shows in served.stdout + served.stderr, served


def test_two_clients_at_once_both_get_all_of_their_output(shared: Shared) -> None:
    expected = scaffold(["inspect", "--json"], without_daemon(shared.env), shared.fresh)
    assert expected.code == 0 and len(expected.stdout) > 1000
    before = shared.daemon.runs()
    procs = [
        subprocess.Popen(
            [SCAFFOLD, "inspect", "--json"],
            cwd=shared.fresh,
            env=shared.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [proc.communicate(timeout=120) for proc in procs]
    for proc, (out, err) in zip(procs, outs, strict=True):
        assert Outcome(proc.returncode, out, err) == expected
    assert shared.daemon.runs() == before + 2


# -- the client's environment, per run ---------------------------------------------------------


def test_the_clients_cache_folder_is_used_and_not_kept(shared: Shared, tmp_path: Path) -> None:
    mine = tmp_path / "cache"
    before = shared.daemon.runs()
    first = scaffold(["inspect"], {**shared.env, CACHE_ENV: str(mine)}, shared.fresh)
    assert first.code == 0, first
    # The daemon writes the cache after its reply; it answers one request at a time, so once
    # it has answered the next one (here: status), the write is done.
    after_first = shared.daemon.runs()
    assert list((mine / "analysis").glob("*.pickle")), "the analysis cache is not in my folder"
    assert not (shared.root / "daemon-cache").exists()

    # A later run without the variable falls back to $XDG_CACHE_HOME, as in its own process.
    env = {k: v for k, v in shared.env.items() if k != CACHE_ENV}
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")
    second = scaffold(["inspect"], env, shared.fresh)
    assert second == first
    assert shared.daemon.runs() == after_first + 1 == before + 2
    assert list((tmp_path / "xdg" / "scaffold" / "analysis").glob("*.pickle"))


def test_pre_commit_turns_on_staged_for_that_run_only(shared: Shared, tmp_path: Path) -> None:
    repo = Path(shutil.copytree(shared.fresh, tmp_path / "repo"))
    # Nothing is staged: with --staged every generated file is missing from the index.
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, capture_output=True)
    before = shared.daemon.runs()
    staged = scaffold(["check"], {**shared.env, "PRE_COMMIT": "1"}, repo)
    assert staged.code == 1 and "file missing" in staged.stdout + staged.stderr, staged
    assert staged == scaffold(["check"], without_daemon({**shared.env, "PRE_COMMIT": "1"}), repo)
    plain = scaffold(["check"], shared.env, repo)
    assert plain.code == 0 and "up to date" in plain.stdout, plain
    assert shared.daemon.runs() == before + 2


# -- fallbacks ---------------------------------------------------------------------------------


def test_a_stale_socket_runs_in_process_and_start_replaces_it(
    tmp_path: Path, project: Path, daemons: Daemons
) -> None:
    env = client_env(private_folder(tmp_path / "d"), tmp_path / "cache")
    killed = daemons.start(env)
    os.kill(killed.pid, signal.SIGKILL)
    wait_for(lambda: killed.status() is None, "the killed daemon to stop answering")
    assert os.path.exists(killed.socket), "the killed daemon should leave its socket behind"

    out = scaffold(["inspect"], env, project)
    assert out.code == 0 and out == scaffold(["inspect"], without_daemon(env), project)

    restarted = daemons.start(env)
    assert restarted.pid != killed.pid
    assert scaffold(["inspect"], env, project) == out
    assert restarted.runs() == 1


def test_a_folder_open_to_others_is_not_used(shared: Shared) -> None:
    folder = Path(shared.env[launch.DIR_ENV])
    expected = scaffold(["inspect"], without_daemon(shared.env), shared.fresh)
    before = shared.daemon.runs()
    folder.chmod(0o777)
    try:
        out = scaffold(["inspect"], shared.env, shared.fresh)
    finally:
        folder.chmod(0o700)
    assert out == expected and out.code == 0
    assert shared.daemon.runs() == before, "the client used a socket in an open folder"


def test_start_refuses_a_folder_open_to_others(tmp_path: Path, project: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    folder.chmod(0o777)
    env = client_env(folder, tmp_path / "cache")
    out = scaffold(["inspect"], env, project)
    assert out.code == 0 and out == scaffold(["inspect"], without_daemon(env), project)
    start = scaffold(["daemon", "start"], env, project)
    assert start.code == 2, start
    assert str(folder) in start.stderr and f"chmod 700 {folder}" in start.stderr
    assert list(folder.iterdir()) == []


# -- the protocol ------------------------------------------------------------------------------


def test_another_protocol_version_gets_a_fallback(shared: Shared) -> None:
    before = shared.daemon.runs()
    message = {
        "protocol": launch.PROTOCOL + 1,
        "op": "run",
        "argv": ["inspect"],
        "cwd": str(shared.fresh),
        "env": shared.env,
        "tty": [False, False],
    }
    reply = launch.request(shared.daemon.socket, message, timeout=10.0)
    assert reply is not None and "fallback" in reply and "exit" not in reply
    assert shared.daemon.runs() == before


def test_an_unknown_request_gets_a_fallback(shared: Shared) -> None:
    reply = launch.request(shared.daemon.socket, {"op": "reticulate"}, timeout=10.0)
    assert reply is not None and "reticulate" in reply["fallback"]
    assert shared.daemon.status() is not None, "the daemon should keep running"


def test_a_run_the_daemon_cannot_do_falls_back_and_it_keeps_serving(
    shared: Shared, tmp_path: Path
) -> None:
    """A request without arguments, or a working folder gone before the daemon got there, is a
    fallback (the client runs the command itself) and not the daemon's end."""
    gone = {**run_message(tmp_path / "removed"), "protocol": launch.PROTOCOL}
    no_argv = {k: v for k, v in run_message(shared.fresh).items() if k != "argv"}
    for message in (gone, no_argv):
        reply = launch.request(shared.daemon.socket, message, timeout=10.0)
        assert reply is not None and reply.get("fallback") == "the daemon failed; see its log"
        assert "exit" not in reply
    assert shared.daemon.status() is not None, "the daemon should keep running"
    log = Path(shared.daemon.socket).with_suffix(".log").read_text()
    assert "FileNotFoundError" in log and "KeyError: 'argv'" in log


def run_message(cwd: Path) -> dict[str, Any]:
    env = {**os.environ, CACHE_ENV: str(cwd / "cache")}
    message = {"op": "run", "argv": ["inspect"], "cwd": str(cwd), "env": env, "tty": [False] * 2}
    return {"protocol": launch.PROTOCOL, **message}


def code_tree(root: Path) -> tuple[Path, Path]:
    """A package (with a subpackage and a __pycache__) and a library folder to watch."""
    package, library = root / "pkg", root / "lib"
    (package / "sub").mkdir(parents=True)
    (package / "__pycache__").mkdir()
    library.mkdir()
    for path in (package / "a.py", package / "sub" / "b.py", library / "__init__.py"):
        path.write_text("x = 1\n")
    (library / "other.py").write_text("y = 1\n")
    (package / "form.html.j2").write_text("{{ x }}\n")
    return package, library


def mkdir(path: Path) -> Path:
    path.mkdir()
    return path


def later(path: Path, text: str) -> None:
    """Write `text` with an mtime surely after the last one (coarse clocks, fast tests)."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    os.utime(path, ns=(before + 10**9, before + 10**9))


Happening = Callable[[Path, Path], object]  # given the package and the library folder
# What happens under a package all the time, and must not restart the daemon.
NOT_CODE: dict[str, Happening] = {
    "bytecode written": lambda p, lib: (p / "__pycache__" / "a.cpython-311.pyc").write_bytes(b""),
    "an editor's swap file": lambda p, lib: (p / ".a.py.swp").write_text("swap"),
    "a backup file": lambda p, lib: (p / "a.py~").write_text("old"),
    "another module of a library": lambda p, lib: later(lib / "other.py", "y = 2\n"),
}
CODE: dict[str, Happening] = {  # what must
    "a module edited": lambda p, lib: later(p / "a.py", "x = 2\n"),
    "a module in a subpackage edited": lambda p, lib: later(p / "sub" / "b.py", "x = 2\n"),
    "a template edited": lambda p, lib: later(p / "form.html.j2", "{{ y }}\n"),
    "a module added": lambda p, lib: (p / "c.py").write_text("z = 1\n"),
    "a module removed": lambda p, lib: (p / "a.py").unlink(),
    "a subpackage added": lambda p, lib: later(mkdir(p / "new") / "__init__.py", ""),
    "a library reinstalled": lambda p, lib: later(lib / "__init__.py", "x = 3\n"),
    "a library's entry replaced": lambda p, lib: (lib / "__init__.py").unlink(),
}


@pytest.mark.parametrize("inotify", [True, False], ids=["inotify", "stat"])
@pytest.mark.parametrize("what", CODE.keys())
def test_a_change_to_code_is_seen_and_stays_seen(tmp_path: Path, what: str, inotify: bool) -> None:
    package, library = code_tree(tmp_path)
    watch = CodeWatch([str(package)], [str(library / "__init__.py")], inotify=inotify)
    if inotify:
        assert watch.uses_inotify, "inotify is not available on this machine"
    assert not watch.changed()
    CODE[what](package, library)
    assert watch.changed() and watch.changed()
    watch.close()


@pytest.mark.parametrize("what", NOT_CODE.keys())
def test_what_is_not_code_is_ignored(tmp_path: Path, what: str) -> None:
    package, library = code_tree(tmp_path)
    watch = CodeWatch([str(package)], [str(library / "__init__.py")])
    assert watch.uses_inotify, "inotify is not available on this machine"
    NOT_CODE[what](package, library)
    assert not watch.changed()
    stat_only = CodeWatch([str(package)], [str(library / "__init__.py")], inotify=False)
    NOT_CODE[what](package, library)
    assert not stat_only.changed()
    watch.close()


def test_changed_code_declines_the_run_and_restarts(tmp_path: Path) -> None:
    package, _ = code_tree(tmp_path / "code")
    stale = daemon.Daemon(str(tmp_path / "x.sock"), 0, CodeWatch([str(package)], []))
    later(package / "a.py", "x = 2\n")
    reply = stale.answer(run_message(tmp_path))
    assert "fallback" in reply and "exit" not in reply
    assert stale.restart and not stale.running and stale.runs == 0


def test_the_code_stamp_does_not_change_when_a_run_imports_a_library() -> None:
    # The daemon preloads sqlglot, yaml and click; a stale `check` imports jinja2 later.
    script = (
        "import sys\n"
        "from scaffold import daemon_code as code\n"
        "before = code.code_stamp(code.code_roots(), code.library_files())\n"
        "for name in code.WATCHED_LIBRARIES: __import__(name)\n"
        "code.library_files.cache_clear()\n"
        "sys.exit(0 if code.code_stamp(code.code_roots(), code.library_files()) == before else 1)\n"
    )
    proc = subprocess.run([sys.executable, "-P", "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr or "the stamp changed: the next run restarts"


def test_unchanged_code_answers_the_run(tmp_path: Path) -> None:
    current = daemon.Daemon(str(tmp_path / "x.sock"), 0, CodeWatch())
    reply = current.answer(run_message(tmp_path))  # no spec here: exit 2
    assert reply["exit"] == 2 and "spec file not found" in "".join(t for _, t in reply["chunks"])
    assert current.running and not current.restart and current.runs == 1


# -- the idle timeout --------------------------------------------------------------------------


def test_an_idle_daemon_exits_and_removes_its_socket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(launch.DIR_ENV, str(private_folder(tmp_path / "d")))
    path = launch.socket_path()
    log = tmp_path / "daemon.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-P", "-m", "scaffold.daemon", path, "0.5"],
            env=dict(os.environ),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(
            lambda: proc.poll() is not None or launch.request(path, {"op": "status"}) is not None,
            "the daemon to answer",
        )
        assert proc.poll() is None, f"the daemon exited before answering: {log.read_text()}"
        code = proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == 0, log.read_text()
    assert not os.path.exists(path)
    assert f"scaffold daemon {proc.pid} stopped" in log.read_text()


# -- a run in-process --------------------------------------------------------------------------


def test_the_capturing_stream_rejects_bytes() -> None:
    chunks: list[tuple[int, str]] = []
    stream = daemon._Stream(2, chunks, tty=False)
    with pytest.raises(TypeError):
        stream.write(b"")  # type: ignore[arg-type]
    assert stream.write("é\n") == 2
    assert chunks == [(2, "é\n")] and not stream.isatty()


def snapshot() -> tuple[object, object, dict[str, str], str]:
    return sys.stdout, sys.stderr, dict(os.environ), os.getcwd()


def text_of(reply: dict[str, Any], stream: int) -> str:
    return "".join(text for number, text in reply["chunks"] if number == stream)


def test_a_run_applies_the_clients_world_and_restores_ours(project: Path, tmp_path: Path) -> None:
    before = snapshot()
    env = {**os.environ, CACHE_ENV: str(tmp_path / "cache")}
    reply = daemon.run(["inspect"], str(project), env, None)
    assert snapshot() == before
    assert reply["exit"] == 0 and "4 tables, 10 queries" in text_of(reply, 1)
    assert list((tmp_path / "cache" / "analysis").glob("*.pickle")), "the run's env not applied"

    failed = daemon.run(["inspect", "nope.yaml"], str(project), env, [False, False])
    assert snapshot() == before
    assert failed["exit"] == 2 and "spec file not found" in text_of(failed, 2)
    assert text_of(failed, 1) == ""


def test_a_peer_of_this_user_is_served() -> None:
    """SO_PEERCRED, the second lock after the folder's mode: a peer of this user passes (one of
    another user is refused by the same comparison; the tests cannot run as another user)."""
    import socket

    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with left, right:
        assert daemon._same_user(left)


def test_start_without_unix_sockets_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    monkeypatch.delattr(socket, "AF_UNIX")
    with pytest.raises(daemon.DaemonError, match="Unix domain sockets") as caught:
        daemon.start(5)
    assert caught.value.hint is not None and "own process" in caught.value.hint
