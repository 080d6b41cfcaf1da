"""A pytest plugin for the generated tests' process: Python code in it cannot open a network
connection. Only the test database's port stays reachable (a pure-Python driver needs it).

Loaded by the runner with `-p scaffold.validate.no_network`; the policy already refuses socket
imports in model code, and this stops whatever slips past it at run time.
"""

from __future__ import annotations

import os
import socket
from typing import Any
from urllib.parse import urlsplit

DATABASE_URL = "SCAFFOLD_TEST_DATABASE_URL"
DEFAULT_PORTS = {"postgresql": 5432, "postgres": 5432, "mysql": 3306}


class NetworkBlocked(OSError):
    """Raised instead of connecting: the generated tests run without a network."""


def database_port(url: str | None) -> int | None:
    """The port of the test database's URL (its scheme's default when none is written)."""
    if not url:
        return None
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.split("+", 1)[0]
    return port if port is not None else DEFAULT_PORTS.get(scheme)


def allowed(address: Any, family: int, port: int | None) -> bool:
    """Unix sockets, and the database's port; nothing else."""
    if family == getattr(socket, "AF_UNIX", None):
        return True
    if isinstance(address, tuple) and len(address) >= 2 and port is not None:
        return bool(address[1] == port)
    return False


def _refuse(address: Any) -> NetworkBlocked:
    return NetworkBlocked(f"scaffold: the generated tests run without a network ({address!r})")


def install(port: int | None) -> None:
    """Patch the socket module of this process."""
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

    def guarded_connect(self: socket.socket, address: Any) -> None:
        if not allowed(address, self.family, port):
            raise _refuse(address)
        connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        if not allowed(address, self.family, port):
            raise _refuse(address)
        return connect_ex(self, address)

    socket.socket.connect = guarded_connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = guarded_connect_ex  # type: ignore[method-assign,assignment]


def pytest_configure(config: Any) -> None:
    install(database_port(os.environ.get(DATABASE_URL)))
