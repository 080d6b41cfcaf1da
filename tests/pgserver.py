"""A throwaway PostgreSQL cluster for the test run: initdb in a temp dir, listen on 127.0.0.1.

Runs the server as the `postgres` user when the tests run as root (postgres refuses root).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# The one role that must log in with a password (tests of wrong credentials); others are trusted.
PASSWORD_USER = "scaffold_password_user"


def find_bin(name: str) -> str | None:
    """The PostgreSQL server binary `name`, from PATH or Debian's versioned folders."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _require_password(hba: Path) -> None:
    # The first matching line wins: PASSWORD_USER must give a password, everyone else is trusted.
    line = f"host all {PASSWORD_USER} 127.0.0.1/32 scram-sha-256\n"
    hba.write_text(line + hba.read_text())


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """Start a fresh cluster; yield its SQLAlchemy URL (psycopg driver); always stop it."""
    initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise RuntimeError(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: install them, e.g. "
            "`apt-get install postgresql` (the test command in README.md needs them)"
        )
    base = Path(tempfile.mkdtemp(prefix="scaffold-pg-"))
    data = base / "data"
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    port = _free_port()
    run = lambda cmd: subprocess.run(  # noqa: E731
        _as_server_user(cmd), check=True, capture_output=True, text=True, cwd=base
    )
    try:
        run([initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"])
        _require_password(data / "pg_hba.conf")
        opts = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
        run([pg_ctl, "-D", str(data), "-o", opts, "-l", str(base / "log"), "-w", "start"])
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        finally:
            run([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"])
    finally:
        shutil.rmtree(base, ignore_errors=True)
