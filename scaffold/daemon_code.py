"""Whether scaffold's own code, or a library it runs on, changed on disk since the daemon
started: the daemon must not answer with code older than what a new process would run.

On Linux, inotify watches the code's folders and a run costs one non-blocking read; elsewhere
(or when inotify is unavailable) every file is stat'ed before each run, ~0.5 ms.
"""

from __future__ import annotations

import os
import struct
import sys
from collections.abc import Iterable, Sequence
from contextlib import suppress
from functools import cache
from typing import Any

from scaffold import launch

WATCHED_LIBRARIES = ("sqlglot", "yaml", "click", "jinja2", "libcst")
CODE_SUFFIXES = (".py", ".j2", ".js", ".css")
Stamp = tuple[tuple[str, int, int], ...]

# inotify(7): what happens to an entry of a watched folder, or to the folder itself.
_IN_MODIFY, _IN_ATTRIB, _IN_CLOSE_WRITE = 0x2, 0x4, 0x8
_IN_MOVED_FROM, _IN_MOVED_TO, _IN_CREATE, _IN_DELETE = 0x40, 0x80, 0x100, 0x200
_IN_DELETE_SELF, _IN_MOVE_SELF, _IN_Q_OVERFLOW, _IN_ISDIR = 0x400, 0x800, 0x4000, 0x40000000
_IN_ENTRIES = _IN_MOVED_FROM | _IN_MOVED_TO | _IN_CREATE | _IN_DELETE
_IN_EVENTS = (
    _IN_MODIFY
    | _IN_ATTRIB
    | _IN_CLOSE_WRITE
    | _IN_MOVED_FROM
    | _IN_MOVED_TO
    | _IN_CREATE
    | _IN_DELETE
    | _IN_DELETE_SELF
    | _IN_MOVE_SELF
)
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len; then len bytes of name


class CodeWatch:
    """Answers `changed()`: has any watched file changed since this watch was made?"""

    def __init__(
        self,
        roots: Sequence[str] | None = None,
        libraries: Sequence[str] | None = None,
        *,
        inotify: bool = True,
    ) -> None:
        self.roots = tuple(roots if roots is not None else code_roots())
        self.libraries = tuple(libraries if libraries is not None else library_files())
        self.stamp = code_stamp(self.roots, self.libraries)
        self._fd: int | None = None
        self._seen = False  # a change, once seen, stays seen
        self._wanted: dict[int, frozenset[str] | None] = {}  # watch -> names (None: code files)
        if inotify:
            self._watch()

    @property
    def uses_inotify(self) -> bool:
        return self._fd is not None

    def changed(self) -> bool:
        if not self._seen:
            self._seen = self._look()
        return self._seen

    def _look(self) -> bool:
        if self._fd is None:
            return code_stamp(self.roots, self.libraries) != self.stamp
        while True:
            try:
                data = os.read(self._fd, 1 << 16)
            except BlockingIOError:
                return False  # nothing (more) happened
            except OSError:
                return True  # cannot tell: take it as changed (the daemon restarts)
            if self._relevant(data):
                return True

    def _relevant(self, data: bytes) -> bool:
        offset = 0
        while offset < len(data):
            wd, mask, _cookie, size = _EVENT.unpack_from(data, offset)
            start = offset + _EVENT.size
            name = data[start : start + size].split(b"\0", 1)[0].decode(errors="replace")
            offset = start + size
            if _concerns_code(mask, name, self._wanted.get(wd)):
                return True
        return False

    def _watch(self) -> None:
        libc = _libc()
        if libc is None:
            return
        fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            return
        folders: dict[str, frozenset[str] | None] = {f: None for f in _folders(self.roots)}
        for path in self.libraries:
            folder, name = os.path.split(path)
            known = folders.get(folder, frozenset())
            if known is not None:
                folders[folder] = known | {name}
        for folder, names in folders.items():
            wd = libc.inotify_add_watch(fd, os.fsencode(folder), _IN_EVENTS)
            if wd < 0:  # out of watches, or gone: fall back to stat'ing
                os.close(fd)
                self._wanted.clear()
                return
            self._wanted[wd] = names
        self._fd = fd

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _concerns_code(mask: int, name: str, wanted: frozenset[str] | None) -> bool:
    """Whether one event touches code: a code file, a library's entry module, a subpackage
    coming or going, or a watched folder itself (or events lost: the queue overflowed)."""
    if mask & (_IN_Q_OVERFLOW | _IN_DELETE_SELF | _IN_MOVE_SELF):
        return True
    if wanted is not None:  # a library's folder: only its entry module counts
        return name in wanted
    if mask & _IN_ISDIR:
        return bool(mask & _IN_ENTRIES) and name != "__pycache__"
    return name.endswith(CODE_SUFFIXES)


def code_stamp(roots: Iterable[str], libraries: Iterable[str]) -> Stamp:
    """Name, size and mtime of every code file under `roots` and of each library entry
    module: an edit or a reinstall changes it."""
    stamp: list[tuple[str, int, int]] = []
    for root in roots:
        _stamp_folder(root, stamp)
    for name in libraries:
        with suppress(OSError):
            st = os.stat(name)
            stamp.append((name, st.st_size, st.st_mtime_ns))
    return tuple(stamp)


@cache
def code_roots() -> tuple[str, ...]:
    """scaffold's package folder, and its templates' when they live elsewhere (an editable
    install maps them from the repository's templates/)."""
    import importlib

    templates = importlib.import_module("scaffold.templates")
    here = os.path.dirname(os.path.abspath(launch.__file__))
    return (here, *(p for p in getattr(templates, "__path__", []) if not p.startswith(here)))


@cache
def library_files() -> tuple[str, ...]:
    """The entry modules of the libraries, found (not imported: a run that first imports one
    must not change the stamp)."""
    import importlib.util

    found = []
    for name in WATCHED_LIBRARIES:
        with suppress(ImportError, ValueError):
            spec = importlib.util.find_spec(name)
            if spec is not None and spec.origin:
                found.append(spec.origin)
    return tuple(found)


def _stamp_folder(folder: str, stamp: list[tuple[str, int, int]]) -> None:
    with suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    _stamp_folder(entry.path, stamp)
            elif entry.name.endswith(CODE_SUFFIXES):
                with suppress(OSError):
                    st = entry.stat(follow_symlinks=True)
                    stamp.append((entry.path, st.st_size, st.st_mtime_ns))


def _folders(roots: Iterable[str]) -> list[str]:
    found = []
    for root in roots:
        for folder, subfolders, _files in os.walk(root):
            subfolders[:] = [d for d in subfolders if d != "__pycache__"]
            found.append(folder)
    return found


def _libc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.inotify_init1  # noqa: B018 (present in glibc and musl; absent elsewhere)
        libc.inotify_add_watch  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc
