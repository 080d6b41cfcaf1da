"""The analysis cache: the catalog and each QueryInfo, keyed by content hashes, so a run
re-analyzes only the queries (and schema) that changed.

It lives in the user's cache folder ($SCAFFOLD_CACHE_DIR, else $XDG_CACHE_HOME/scaffold, else
~/.cache/scaffold), one file per schema version, so the project tree is never touched by it: a
`scaffold gen` that changes nothing writes no file, and nothing of it can be committed.

Keys cover everything the result depends on: the schema bytes and dialect (the catalog
fingerprint), the query's name, command and text, the scaffold and sqlglot versions and the
analyzer's own source files. A query's position is not in its key: a query that only moved is
a hit and gets its new position. Failed analyses are never cached, so errors are always fresh.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, partial
from pathlib import Path
from typing import TypeVar

from scaffold.analyze.model import Catalog, QueryInfo
from scaffold.atomic import replace_file
from scaffold.errors import ScaffoldError
from scaffold.spec.model import QuerySpec, Spec

DISABLE_ENV = "SCAFFOLD_NO_CACHE"  # set to 1 to analyze everything from scratch
DIR_ENV = "SCAFFOLD_CACHE_DIR"
_FORMAT = 1
_KEEP_FILES = 64  # schema versions kept; the least recently written go first
Analyzer = Callable[[Sequence[QuerySpec], Catalog], tuple[QueryInfo, ...]]
T = TypeVar("T")
_deferred: list[Callable[[], None]] | None = None  # see deferred_writes


@dataclass
class AnalysisCache:
    """What one run may reuse; `save` writes it back only when something new was computed."""

    path: Path | None  # None: caching is off (no schema files, or disabled)
    salt: str
    catalog_key: str = ""
    catalog_entry: Catalog | None = None
    queries: dict[str, QueryInfo] = field(default_factory=dict)
    used: dict[str, QueryInfo] = field(default_factory=dict)
    # What later stages computed from the catalog alone (see remember), by name: a file of
    # its own beside the analysis, read only by the runs that plan (inspect never does).
    derived: dict[str, object] | None = None
    derived_dirty: bool = False
    dirty: bool = False

    @classmethod
    def open(cls, spec: Spec) -> AnalysisCache:
        salt = _code_fingerprint()
        files = _schema_files(spec)
        if os.environ.get(DISABLE_ENV) or not files:
            return cls(None, salt)  # a reflected database has no bytes to hash
        key = _catalog_key(spec.database.dialect, files, salt)
        path = cache_dir() / "analysis" / f"{key}.pickle"
        cache = cls(path, salt, key)
        stored = _read(path)
        if stored is not None and stored.get("catalog_key") == cache.catalog_key:
            catalog, queries = stored.get("catalog"), stored.get("queries")
            if isinstance(catalog, Catalog) and isinstance(queries, dict):
                cache.catalog_entry, cache.queries = catalog, queries
        return cache

    def catalog(self, build: Callable[[], Catalog]) -> Catalog:
        """The cached catalog when the schema is unchanged, else a freshly built one."""
        if self.catalog_entry is None:
            self.catalog_entry = build()
            self.dirty = self.path is not None
        return self.catalog_entry

    def analyze(
        self, queries: Sequence[QuerySpec], catalog: Catalog, run: Analyzer
    ) -> tuple[QueryInfo, ...]:
        """QueryInfos in spec order: hits from the cache, misses from `run` (all errors at once)."""
        keys = [self._query_key(q) for q in queries]
        misses = [q for q, k in zip(queries, keys, strict=True) if k not in self.queries]
        fresh = iter(run(misses, catalog)) if misses else iter(())
        out: list[QueryInfo] = []
        for query, key in zip(queries, keys, strict=True):
            info = self.queries.get(key)
            if info is None:
                info = next(fresh)
                self.dirty = self.path is not None
            self.used[key] = info
            out.append(info if info.pos == query.pos else replace(info, pos=query.pos))
        return tuple(out)

    def remember(self, name: str, compute: Callable[[], T]) -> T:
        """What `compute` gives for this schema, kept with the catalog (a Memo of the plan
        stage): `name` must say all else it depends on; the planner's code is in the key."""
        key = f"{name}\0{_planner_fingerprint()}"
        if self.derived is None:
            stored = _read(self._derived_path()) if self.path is not None else None
            kept = stored.get("derived") if stored is not None else None
            self.derived = kept if isinstance(kept, dict) else {}
        if key in self.derived:
            return self.derived[key]  # type: ignore[return-value]
        value = compute()
        self.derived[key] = value
        self.derived_dirty = self.path is not None
        return value

    def _derived_path(self) -> Path:
        assert self.path is not None
        return self.path.with_suffix(".derived")

    def save(self) -> None:
        """Write the cache (atomically) when this run computed anything; never fail a run."""
        if self.path is not None and self.derived_dirty:
            assert self.derived is not None
            current = _planner_fingerprint()  # what older planners computed is dropped
            kept = {k: v for k, v in self.derived.items() if k.endswith(current)}
            data: dict[str, object] = {"format": _FORMAT, "derived": kept}
            self._write_later_or_now(self._derived_path(), data)
            self.derived_dirty = False
        if self.path is None or not self.dirty:
            return
        # Other projects (or branches) with this schema keep their entries, within bounds.
        kept = {**self.queries, **self.used}
        data = {
            "format": _FORMAT,
            "catalog_key": self.catalog_key,
            "catalog": self.catalog_entry,
            "queries": kept if len(kept) <= 2 * len(self.used) + 256 else self.used,
        }
        self._write_later_or_now(self.path, data)
        self.dirty = False

    def _write_later_or_now(self, path: Path, data: dict[str, object]) -> None:
        if _deferred is not None:
            _deferred.append(partial(_persist, path, data))
        else:
            _persist(path, data)

    def _query_key(self, query: QuerySpec) -> str:
        parts = (self.salt, self.catalog_key, query.name, str(query.command), query.sql)
        return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


@contextlib.contextmanager
def deferred_writes() -> Iterator[list[Callable[[], None]]]:
    """Collect the cache writes of the runs inside instead of doing them, for the caller to do
    later: the daemon writes them once its reply has gone out."""
    global _deferred
    saved, _deferred = _deferred, []
    try:
        yield _deferred
    finally:
        _deferred = saved


def _persist(path: Path, data: dict[str, object]) -> None:
    # A read-only home still analyzes, only slower next time.
    with contextlib.suppress(OSError):
        replace_file(path, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        _prune(path.parent)


def _schema_files(spec: Spec) -> list[Path]:
    """The files the catalog is built from; none when they cannot be read (the build says why)."""
    from scaffold.analyze.ddl_source import schema_files

    try:
        return schema_files(spec.database.schema)
    except ScaffoldError:
        return []


def _catalog_key(dialect: str, files: Sequence[Path], salt: str) -> str:
    digest = hashlib.sha256(f"{salt}\0{dialect}\0".encode())
    for path in files:
        digest.update(str(path).encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"\0missing\0")
        digest.update(b"\0")
    return digest.hexdigest()


@cache
def _code_fingerprint() -> str:
    """Versions plus the analyzer's source files (name, size, mtime): edits invalidate the cache.
    Once per process: its modules are loaded once, so what it computes with does not change
    (the daemon restarts when the files do)."""
    import sqlglot

    import scaffold

    parts = [str(_FORMAT), scaffold.__version__, str(getattr(sqlglot, "__version__", ""))]
    parts += _source_stamps("analyze") + _source_stamps("spec")
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


@cache
def _planner_fingerprint() -> str:
    """The plan stage's source files (name, size, mtime): what `remember` keeps was computed
    by them."""
    return hashlib.sha256("\0".join(_source_stamps("plan")).encode()).hexdigest()[:16]


def _source_stamps(package: str) -> list[str]:
    """ "name:size:mtime" of each module of one of scaffold's packages, by name."""
    folder = os.path.join(os.path.dirname(os.path.dirname(__file__)), package)
    with os.scandir(folder) as entries:  # scandir: a third of Path.glob's time
        found = sorted((e.name, e.path) for e in entries if e.name.endswith(".py"))
    stamps = []
    for name, path in found:
        stat = os.stat(path)
        stamps.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return stamps


def _read(path: Path) -> dict[str, object] | None:
    try:
        data = pickle.loads(path.read_bytes())
    except Exception:  # missing, truncated, or from another Python: analyze from scratch
        return None
    return data if isinstance(data, dict) and data.get("format") == _FORMAT else None


def cache_dir() -> Path:
    """Where scaffold keeps its caches for this user."""
    if os.environ.get(DIR_ENV):
        return Path(os.environ[DIR_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "scaffold"


def _prune(folder: Path) -> None:
    for pattern in ("*.pickle", "*.derived"):
        files = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in files[_KEEP_FILES:]:
            old.unlink(missing_ok=True)
