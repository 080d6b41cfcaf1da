"""The resident process behind `scaffold daemon start`: it keeps Python, sqlglot and scaffold
loaded and runs the `inspect` and `check` commands that `scaffold` hands it (launch.py), so such
a run costs an interpreter start plus the work itself, not the ~0.1 s of imports.

A run in the daemon is the same run as in a process of its own: the client's arguments, working
folder and environment are applied for its duration, its output is sent back whole, and its
exit code with it. Nothing is remembered between runs but what scaffold's caches key by content.
When scaffold's own code (or a library it uses) changes on disk, the daemon declines the run, so
the client runs it itself, and restarts with the new code. It exits after an idle timeout.
"""

from __future__ import annotations

import io
import os
import socket
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold import launch
from scaffold.analyze.cache import deferred_writes
from scaffold.daemon_code import CodeWatch
from scaffold.errors import ScaffoldError

_START_TIMEOUT = 20.0  # seconds `daemon start` waits for the new daemon to answer
_PRELOAD = (
    "scaffold.cli",
    "scaffold.pipeline",
    "scaffold.report",
    "scaffold.check",
    "scaffold.summary",
    "scaffold.spec.load",
    "scaffold.analyze.cache",
    "scaffold.analyze.catalog",
    "scaffold.analyze.query",
    "scaffold.plan.lineage",
)


class DaemonError(ScaffoldError):
    """The daemon cannot be started, reached or stopped."""


# -- the commands' side: start, stop, status ---------------------------------------------------


def status() -> dict[str, Any] | None:
    """What the daemon of this installation says of itself; None when none answers."""
    return launch.request(launch.socket_path(), {"op": "status"}, timeout=5.0)


def start(idle_minutes: int) -> str:
    """Start this installation's daemon in the background and wait until it answers."""
    import subprocess

    if not hasattr(socket, "AF_UNIX"):
        raise DaemonError(
            "the scaffold daemon needs Unix domain sockets, which this platform lacks",
            hint="scaffold runs every command in its own process here",
        )
    path = launch.socket_path()
    _private_folder(Path(path).parent)  # first: clients would not use a daemon in an open one
    running = status()
    if running is not None:
        return f"scaffold daemon already running (pid {running['pid']}), socket {path}"
    log = Path(path).with_suffix(".log")
    command = _command(path, idle_minutes * 60)
    with log.open("ab") as out:
        child = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            cwd="/",
            start_new_session=True,
        )
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        running = status()
        if running is not None:
            return f"scaffold daemon started (pid {running['pid']}), socket {path}"
        if child.poll() is not None:
            raise DaemonError(
                f"the scaffold daemon exited at start (code {child.returncode}): {_tail(log)}",
                hint=f"see {log}; until then scaffold runs every command in its own process",
            )
        time.sleep(0.05)
    child.kill()
    raise DaemonError(
        f"the scaffold daemon did not answer within {_START_TIMEOUT:.0f} s",
        hint=f"see {log}; until then scaffold runs every command in its own process",
    )


def stop() -> str:
    """Stop this installation's daemon; saying so when none was running."""
    path = launch.socket_path()
    reply = launch.request(path, {"op": "stop"}, timeout=5.0)
    if reply is None:
        return "no scaffold daemon is running"
    deadline = time.monotonic() + 5.0
    while os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.02)
    return f"scaffold daemon stopped (pid {reply['pid']})"


def describe(info: dict[str, Any]) -> str:
    idle = info["idle_timeout"]
    return "\n".join(
        [
            f"scaffold daemon running (pid {info['pid']})",
            f"  socket:  {info['socket']}",
            f"  log:     {Path(info['socket']).with_suffix('.log')}",
            f"  code:    {info['code']}",
            f"  up:      {info['uptime']:.0f} s, {info['runs']} runs served",
            f"  memory:  {info['max_rss_kb'] / 1024:.0f} MB at most",
            f"  exits:   after {idle / 60:.0f} idle minutes" if idle else "  exits:   when stopped",
        ]
    )


def _command(path: str, idle_seconds: float) -> list[str]:
    # -P: the daemon must import the scaffold this command runs, not one in a working folder.
    return [sys.executable, "-P", "-m", "scaffold.daemon", path, str(idle_seconds)]


def _private_folder(folder: Path) -> None:
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = folder.stat()
    except OSError as err:
        raise DaemonError(
            f"cannot create the daemon's folder {folder}: {err.strerror}",
            hint=f"set {launch.DIR_ENV} to a folder of yours",
        ) from None
    if st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise DaemonError(
            f"the daemon's folder {folder} is open to other users (mode {st.st_mode & 0o777:o})",
            hint=f"run `chmod 700 {folder}`, or set {launch.DIR_ENV} to a private folder",
        )


def _tail(log: Path, lines: int = 5) -> str:
    with suppress(OSError):
        text = log.read_text(errors="replace").strip().splitlines()
        return " | ".join(text[-lines:]) or "no output"
    return "no output"


# -- the daemon itself ------------------------------------------------------------------------


@dataclass
class Daemon:
    path: str
    idle_timeout: float  # seconds; 0: never
    code: CodeWatch
    started: float = field(default_factory=time.monotonic)
    last: float = field(default_factory=time.monotonic)
    runs: int = 0
    running: bool = True
    restart: bool = False

    def info(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "socket": self.path,
            "code": str(Path(launch.__file__).parent),
            "uptime": time.monotonic() - self.started,
            "runs": self.runs,
            "idle_timeout": self.idle_timeout,
            "max_rss_kb": _peak_memory_kb(),
        }

    def answer(self, message: dict[str, Any]) -> dict[str, Any]:
        op = message.get("op")
        if message.get("protocol") != launch.PROTOCOL:
            return {"fallback": "another protocol version"}
        if op == "status":
            return self.info()
        if op == "stop":
            self.running = False
            return {"pid": os.getpid()}
        if op == "run":
            if self.code.changed():  # scaffold or a library was edited or reinstalled
                self.running, self.restart = False, True
                return {"fallback": "scaffold's code changed; restarting"}
            self.runs += 1
            return run(message["argv"], message["cwd"], message["env"], message.get("tty"))
        return {"fallback": f"unknown request {op!r}"}


def serve(path: str, idle_timeout: float) -> None:
    """Answer requests on the socket at `path` until stopped, idle, or out of date."""
    if path != launch.socket_path():
        raise DaemonError(
            f"this daemon imported scaffold from {Path(launch.__file__).parent}, "
            f"whose socket is {launch.socket_path()}, not {path}",
            hint="start the daemon with `scaffold daemon start` from the same environment",
        )
    for name in _PRELOAD:
        __import__(name)
    _preload_dialects()
    daemon = Daemon(path, idle_timeout, CodeWatch())
    with _listening(path, wake=min(idle_timeout, 30.0) if idle_timeout else 30.0) as server:
        while daemon.running:
            if idle_timeout and time.monotonic() - daemon.last > idle_timeout:
                break
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                _serve_one(daemon, conn)
            daemon.last = time.monotonic()
    if daemon.restart:
        print(f"{_now()} scaffold's code changed on disk: restarting", flush=True)
        os.execv(sys.executable, _command(path, idle_timeout))


def _serve_one(daemon: Daemon, conn: socket.socket) -> None:
    if not _same_user(conn):
        return  # the folder's mode keeps others out; this is the second lock
    conn.settimeout(10.0)
    try:
        message = launch.receive(conn)
    except (OSError, ValueError, EOFError, TypeError):
        return  # a client that went away or spoke garbage: nothing to answer
    if not isinstance(message, dict):
        return  # not a request of scaffold's: nothing to answer
    with deferred_writes() as writes:
        try:
            reply = daemon.answer(message)
        except Exception:  # a bug of the daemon's own (the command's are in its output)
            traceback.print_exc()
            reply = {"fallback": "the daemon failed; see its log"}
    with suppress(OSError):
        launch.send(conn, reply)
    for write in writes:  # the analysis cache, once the client has its answer
        write()


def _same_user(conn: socket.socket) -> bool:
    """Whether the peer runs as this user, where the system says (Linux: SO_PEERCRED)."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return True
    import struct

    creds = conn.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return bool(uid == os.getuid())


@contextmanager
def _listening(path: str, wake: float) -> Iterator[socket.socket]:
    if os.path.exists(path):
        if launch.request(path, {"op": "status"}, timeout=5.0) is not None:
            raise DaemonError(f"a scaffold daemon already answers on {path}")
        os.unlink(path)  # left by a daemon that was killed
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    inode = os.stat(path).st_ino
    server.listen(16)
    server.settimeout(wake)  # to look at the idle time now and then
    try:
        yield server
    finally:
        server.close()
        with suppress(OSError):
            if os.stat(path).st_ino == inode:  # not a successor's socket
                os.unlink(path)


def run(argv: list[str], cwd: str, env: dict[str, str], tty: list[bool] | None) -> dict[str, Any]:
    """One `scaffold argv` run as if in a process of its own; its output and exit code."""
    from scaffold.cli import main as cli

    chunks: list[tuple[int, str]] = []
    out_tty, err_tty = tty or (False, False)
    with _as_client(cwd, env), _captured(chunks, out_tty, err_tty):
        try:
            cli.main(args=argv, prog_name="scaffold", standalone_mode=True)
            code = 0
        except SystemExit as end:
            code = _exit_code(end.code, chunks)
    return {"chunks": _merged(chunks), "exit": code}


def _exit_code(code: object, chunks: list[tuple[int, str]]) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    chunks.append((2, f"{code}\n"))  # as Python prints sys.exit("message")
    return 1


@contextmanager
def _as_client(cwd: str, env: dict[str, str]) -> Iterator[None]:
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    # Processes the command starts must not come back to this busy daemon.
    _set_environment({**env, launch.NO_DAEMON_ENV: "1"})
    try:
        os.chdir(cwd)
        yield
    finally:
        _set_environment(saved_env)
        os.chdir(saved_cwd)


def _set_environment(wanted: dict[str, str]) -> None:
    """Make os.environ equal `wanted`, touching only what differs (each change is a putenv)."""
    for name in [name for name in os.environ if name not in wanted]:
        del os.environ[name]
    for name, value in wanted.items():
        if os.environ.get(name) != value:
            os.environ[name] = value


class _Stream(io.TextIOBase):
    """A text stream that records what is written to it, in order with its sibling."""

    def __init__(self, number: int, chunks: list[tuple[int, str]], tty: bool) -> None:
        self.number, self.chunks, self.tty = number, chunks, tty

    encoding = "utf-8"
    errors = "strict"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # as a real text stream; click probes with bytes
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self.chunks.append((self.number, text))
        return len(text)


@contextmanager
def _captured(chunks: list[tuple[int, str]], out_tty: bool, err_tty: bool) -> Iterator[None]:
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Stream(1, chunks, out_tty), _Stream(2, chunks, err_tty)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _merged(chunks: list[tuple[int, str]]) -> list[tuple[int, str]]:
    merged: list[tuple[int, str]] = []
    for number, text in chunks:
        if merged and merged[-1][0] == number:
            merged[-1] = (number, merged[-1][1] + text)
        elif text:
            merged.append((number, text))
    return merged


def _preload_dialects() -> None:
    from sqlglot.dialects.dialect import Dialect

    for name in ("sqlite", "postgres", "mysql"):
        Dialect.get_or_raise(name)


def main() -> None:
    """`python -m scaffold.daemon SOCKET IDLE_SECONDS`, as `scaffold daemon start` runs it."""
    path, idle = sys.argv[1], float(sys.argv[2])
    print(f"{_now()} scaffold daemon {os.getpid()} on {path}", flush=True)
    try:
        serve(path, idle)
    except ScaffoldError as err:
        print(err, file=sys.stderr, flush=True)
        sys.exit(2)
    print(f"{_now()} scaffold daemon {os.getpid()} stopped", flush=True)


def _peak_memory_kb() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def _now() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S")


if __name__ == "__main__":
    main()
