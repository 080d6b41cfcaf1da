"""The bookshop example generated into a temporary folder, and `scaffold serve` started on it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scaffold.pipeline import generate

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "bookshop"


def generated_bookshop(folder: Path) -> Path:
    """A copy of the example with its web adapter generated; returns the spec's path."""
    root = folder / "bookshop"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".scaffold", "generated"))
    spec = root / "scaffold.yaml"
    generate(spec, run_tests=False)
    return spec


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(spec: Path, db: Path) -> Iterator[str]:
    """Run `scaffold serve` on a free port of 127.0.0.1; yields its base URL."""
    port = free_port()
    main = "from scaffold.cli import main; main()"
    command = [sys.executable, "-c", main, "serve", str(spec), "--port", str(port)]
    log = db.with_suffix(".log")
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as output:
        process = subprocess.Popen([*command, "--db", str(db)], stderr=output)
        try:
            _wait_until_up(url, process, log)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"scaffold serve exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("scaffold serve did not start within 30 s")
