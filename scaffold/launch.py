"""The `scaffold` command's entry point: hand `inspect` and `check` to a running daemon
(`scaffold daemon start`) when one serves this installation, else run in this process.

This module decides before anything heavy is imported, so it uses only modules built into the
interpreter (`_socket`, `marshal`): a run through the daemon costs little more than Python's
own start. Whatever goes wrong on the way to the daemon (none running, a stale socket, a daemon
that stopped halfway) falls back to running in this process, which gives the same output.
"""

from __future__ import annotations

import marshal
import os
import sys

TYPE_CHECKING = False  # typing itself is not imported here: it costs a start ~2 ms
if TYPE_CHECKING:
    from _socket import socket
    from typing import Any

NO_DAEMON_ENV = "SCAFFOLD_NO_DAEMON"  # set to 1: never use a daemon
DIR_ENV = "SCAFFOLD_DAEMON_DIR"  # where the daemon's socket and log live
# Read-only commands whose output depends only on files, arguments and environment.
DAEMON_COMMANDS = frozenset({"inspect", "check"})
PROTOCOL = 1
_HEADER = 4  # bytes of big-endian length before each message


def main() -> None:
    argv = sys.argv[1:]
    if argv and argv[0] in DAEMON_COMMANDS and not os.environ.get(NO_DAEMON_ENV):
        code = run_remote(argv)
        if code is not None:
            _exit_now(code)
    from scaffold.cli import main as cli

    cli()


def _exit_now(code: int) -> None:
    """Exit without the interpreter's teardown (~5 ms, a sixth of such a run): nothing of this
    process needs it once its output is flushed. A failed flush takes the normal way out."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        sys.exit(code)
    os._exit(code)


def daemon_dir() -> str:
    """The per-user folder of the daemon's socket: $SCAFFOLD_DAEMON_DIR, else
    $XDG_RUNTIME_DIR/scaffold, else scaffold-<uid> in the temporary folder."""
    if os.environ.get(DIR_ENV):
        return os.environ[DIR_ENV]
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return os.path.join(runtime, "scaffold")
    tmp = os.environ.get("TMPDIR") or "/tmp"
    return os.path.join(tmp, f"scaffold-{_uid()}")


def socket_path() -> str:
    """One daemon per installation and environment: another virtualenv or checkout has its own."""
    import zlib

    here = os.path.dirname(os.path.abspath(__file__))
    key = zlib.crc32(f"{here}\0{sys.prefix}\0{sys.version}".encode())
    return os.path.join(daemon_dir(), f"daemon-{key:08x}.sock")


def run_remote(argv: list[str]) -> int | None:
    """Run `scaffold argv` in the daemon and replay its output; None when no daemon took it."""
    path = socket_path()
    if not _private(os.path.dirname(path)):
        return None
    env = dict(os.environ)
    tty = [sys.stdout.isatty(), sys.stderr.isatty()]
    if tty[0] and "COLUMNS" not in env:  # the daemon has no terminal to measure
        try:  # noqa: SIM105 (contextlib is one more import on this path)
            env["COLUMNS"] = str(os.get_terminal_size(sys.stdout.fileno()).columns)
        except (OSError, ValueError):
            pass
    try:
        cwd = os.getcwd()
    except OSError:  # a folder removed under the shell: let the command say what it says
        return None
    message = {"op": "run", "argv": argv, "cwd": cwd, "env": env, "tty": tty}
    try:
        reply = request(path, message)
    except KeyboardInterrupt:  # as click reports it in-process; the daemon finishes alone
        sys.stderr.write("Aborted!\n")
        return 1
    if reply is None or "exit" not in reply:
        return None
    for stream, text in reply["chunks"]:
        _write(sys.stdout if stream == 1 else sys.stderr, text)
    code: int = reply["exit"]
    return code


def _write(out: Any, text: str) -> None:
    """Print as click.echo does in-process: a stream that says ASCII is taken as misconfigured
    and gets UTF-8; elsewhere what the encoding cannot show is replaced."""
    import codecs  # loaded at every start already

    encoding = getattr(out, "encoding", None) or "ascii"
    binary = getattr(out, "buffer", None)
    if binary is not None and codecs.lookup(encoding).name == "ascii":
        out.flush()
        binary.write(text.encode("utf-8", "replace"))
        binary.flush()
        return
    try:
        out.write(text)
    except UnicodeEncodeError:
        out.flush()
        if binary is not None:
            binary.write(text.encode(encoding, "replace"))


def request(
    path: str, message: dict[str, Any], timeout: float | None = None
) -> dict[str, Any] | None:
    """Send one message to the daemon at `path` and read its one reply; None when it cannot."""
    import _socket

    if not hasattr(_socket, "AF_UNIX"):
        return None
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(path)
        send(sock, {"protocol": PROTOCOL, **message})
        reply = receive(sock)
    except (OSError, ValueError, EOFError, TypeError):
        return None
    finally:
        sock.close()
    return reply if isinstance(reply, dict) else None


def send(sock: socket, message: dict[str, Any]) -> None:
    data = marshal.dumps(message)
    sock.sendall(len(data).to_bytes(_HEADER, "big") + data)


def receive(sock: socket) -> object:
    size = int.from_bytes(_read_exactly(sock, _HEADER), "big")
    return marshal.loads(_read_exactly(sock, size))


def _read_exactly(sock: socket, size: int) -> bytes:
    parts: list[bytes] = []
    while size:
        part: bytes = sock.recv(min(size, 1 << 20))
        if not part:
            raise EOFError("the daemon closed the connection")
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def _private(folder: str) -> bool:
    """Only a folder of this user's that nobody else may write to can hold the socket."""
    try:
        st = os.stat(folder)
    except OSError:
        return False
    return st.st_uid == _uid() and not st.st_mode & 0o077


def _uid() -> int:
    getuid = getattr(os, "getuid", None)
    return getuid() if getuid else 0
