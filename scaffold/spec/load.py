"""Stage "load": a spec file to the typed `Spec`, with every error located and explained.

The YAML is composed (not constructed) so that each value keeps its line and column.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, TypeVar, cast

import yaml

from scaffold.errors import Location, ScaffoldError, SpecError, raise_all
from scaffold.spec.load_forms import read_forms
from scaffold.spec.load_queries import read_queries
from scaffold.spec.load_state import WRITERS, optional_choice, read_state
from scaffold.spec.model import (
    DatabaseSpec,
    Dialect,
    LLMSpec,
    OutputSpec,
    Spec,
    WriterName,
    WriterSpec,
)
from scaffold.spec.nodes import Node, Reader, choice, identifier, integer, number, section, text
from scaffold.spec.paths import existing_paths, resolve

VERSION = 1
TOP_KEYS = ("version", "app", "database", "queries", "state", "forms", "writer", "output")
DIALECTS = ("sqlite", "postgres", "mysql")
DATABASE_KEYS = ("dialect", "schema", "url")
WRITER_KEYS = ("default", "llm")
LLM_KEYS = (
    "model",
    "base_url",
    "temperature",
    "max_attempts",
    "concurrency",
    "timeout",
    "test_timeout",
)
OUTPUT_KEYS = ("package", "tests", "web")
WEB_ADAPTERS = ("starlette",)
T = TypeVar("T")
MAX_DEPTH = 100  # levels of YAML nesting; a spec needs under ten, and the reader recurses


def load_spec(path: Path) -> Spec:
    """Read and check a spec file; raise SpecError (or an ErrorGroup of them) when it is wrong."""
    display = _display(path)
    source = _read(path, display)
    node = compose(source, display)
    r = Reader(display, source)
    spec = _spec(r, node, path.resolve())
    raise_all(sorted(r.errors, key=lambda e: _order(e, display)))
    assert spec is not None, "an incomplete spec must come with errors"
    return spec


def _display(path: Path) -> str:
    """The path as the user will recognise it: relative to the working folder when inside it."""
    if not path.is_absolute():
        return str(path)
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def _order(error: ScaffoldError, display: str) -> tuple[bool, str, int, int]:
    """Errors in the spec first, each file's errors top to bottom."""
    loc = error.location or Location(display)
    return (loc.file != display, loc.file, loc.line or 0, loc.column or 0)


def _read(path: Path, display: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(
            f"spec file not found: {display}",
            location=Location(display),
            hint="pass the path of a spec YAML file, e.g. scaffold.yaml",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(
            f"cannot read the spec: {exc}",
            location=Location(display),
            hint="a spec must be a readable UTF-8 text file",
        ) from None


def compose(source: str, display: str) -> Node:
    """The YAML node tree of one document; malformed YAML and duplicate keys are errors."""
    try:
        node = _fast_compose(source)
    except (yaml.YAMLError, RecursionError):
        node = _compose(source, display)  # the pure-Python parser words the error
    if node is not None and _depth(node) > MAX_DEPTH:
        raise _too_deep(display)
    if node is None:
        raise SpecError(
            "the spec is empty",
            location=Location(display, 1, 1),
            hint="start with: version: 1, app: <name>, database: {dialect: sqlite, schema: ...}",
        )
    raise_all(_duplicate_keys(node, display))
    return node


def _fast_compose(source: str) -> Node | None:
    """libyaml's parser when PyYAML was built with it: ~10x faster than the pure-Python one,
    which matters to a `scaffold check` run by every commit."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        raise yaml.YAMLError("no libyaml")
    node: Node | None = yaml.compose(source, Loader=loader)
    return node


def _compose(source: str, display: str) -> Node | None:
    try:
        return yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, display) from None
    except RecursionError:
        raise _too_deep(display) from None
    except yaml.YAMLError as exc:
        raise SpecError(
            f"malformed YAML: {exc}", location=Location(display), hint="save the spec as UTF-8 text"
        ) from None


def _depth(root: Node) -> int:
    """How deeply the tree nests (without recursion: libyaml reads any depth)."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            break
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend((child, depth + 1) for pair in node.value for child in pair)
    return deepest


def _too_deep(display: str) -> SpecError:
    return SpecError(
        "the YAML nests too deeply to read",
        location=Location(display),
        hint="a spec needs only a few levels of nesting",
    )


def _yaml_error(exc: yaml.MarkedYAMLError, display: str) -> SpecError:
    mark = exc.problem_mark or exc.context_mark
    location = Location(display, mark.line + 1, mark.column + 1) if mark else Location(display)
    problem = exc.problem or "cannot parse"
    fix = "check the indentation and quote values with ': '"
    if "\\t" in problem or "\t" in problem:
        fix = "YAML indents with spaces, not tabs"
    context = f"{exc.context}; " if exc.context else ""
    started = exc.context_mark
    if exc.context and started and mark and started.line != mark.line:
        context = f"{exc.context} started on line {started.line + 1}; "
    return SpecError(f"malformed YAML: {problem}", location=location, hint=context + fix)


def _duplicate_keys(root: Node, display: str) -> list[SpecError]:
    errors: list[SpecError] = []
    seen_nodes: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:  # aliases share nodes, and may even be recursive
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            errors += _duplicates_in(node, display)
            stack += [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return sorted(errors, key=lambda e: e.location.line or 0 if e.location else 0)


def _duplicates_in(node: yaml.MappingNode, display: str) -> list[SpecError]:
    errors: list[SpecError] = []
    first: dict[tuple[str, str], Node] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        earlier = first.setdefault((key.tag, key.value), key)
        if earlier is not key:
            mark = key.start_mark
            errors.append(
                SpecError(
                    f'duplicate key "{key.value}"',
                    location=Location(display, mark.line + 1, mark.column + 1),
                    hint=f"it is already set on line {earlier.start_mark.line + 1}; keep one",
                )
            )
    return errors


def _spec(r: Reader, node: Node, path: Path) -> Spec | None:
    keys = section(r, node, "spec", TOP_KEYS, required=("version", "app", "database"))
    if keys is None:
        return None
    root = path.parent
    version = _version(r, keys["version"]) if "version" in keys else None
    app = _app(r, keys["app"]) if "app" in keys else None
    database = _database(r, keys["database"], root) if "database" in keys else None
    queries = read_queries(r, keys["queries"], root) if "queries" in keys else ()
    state = read_state(r, keys["state"], queries) if "state" in keys else ()
    forms = read_forms(r, keys["forms"]) if "forms" in keys else ()
    writer = _writer(r, keys["writer"]) if "writer" in keys else WriterSpec()
    output = _output(r, keys.get("output"), root, app or "app")
    if version is None or app is None or database is None:
        return None
    return Spec(path, version, app, database, queries, state, forms, writer, output)


def _version(r: Reader, node: Node) -> int | None:
    version = integer(r, node, "version")
    if version is not None and version != VERSION:
        hint = f"this scaffold reads version: {VERSION}"
        r.error(node, f"unsupported spec version {version}", hint)
        return None
    return version


def _app(r: Reader, node: Node) -> str | None:
    app = text(r, node, "app", "the application's name")
    return app if app is not None and identifier(r, node, app, "app") else None


def _database(r: Reader, node: Node, root: Path) -> DatabaseSpec | None:
    keys = section(r, node, "database", DATABASE_KEYS, required=("dialect",))
    if keys is None:
        return None
    if "schema" not in keys and "url" not in keys:
        r.error(
            node,
            'database: expected "schema" (DDL files or migration folders) or "url"',
            "add e.g. schema: [schema.sql]",
        )
    schema = existing_paths(r, keys["schema"], "database.schema", root) if "schema" in keys else ()
    url = text(r, keys["url"], "database.url", "a SQLAlchemy URL") if "url" in keys else None
    if "dialect" not in keys:
        return None
    dialect = choice(r, keys["dialect"], "database.dialect", DIALECTS)
    if dialect is None:
        return None
    return DatabaseSpec(cast(Dialect, dialect), schema, url, r.at(node))


def _writer(r: Reader, node: Node) -> WriterSpec:
    keys = section(r, node, "writer", WRITER_KEYS) or {}
    default = optional_choice(r, keys, "default", "writer", WRITERS) or "template"
    llm = _llm(r, keys["llm"]) if "llm" in keys else LLMSpec()
    return WriterSpec(cast(WriterName, default), llm)


def _llm(r: Reader, node: Node) -> LLMSpec:
    keys = section(r, node, "writer.llm", LLM_KEYS) or {}
    out = LLMSpec()
    where = "writer.llm."
    return LLMSpec(
        model=(text(r, keys["model"], where + "model") if "model" in keys else None) or out.model,
        base_url=text(r, keys["base_url"], where + "base_url") if "base_url" in keys else None,
        temperature=_opt_num(r, keys, "temperature", out.temperature),
        max_attempts=_opt_int(r, keys, "max_attempts", out.max_attempts),
        concurrency=_opt_int(r, keys, "concurrency", out.concurrency),
        timeout=_opt_num(r, keys, "timeout", out.timeout, above=True),
        test_timeout=_opt_num(r, keys, "test_timeout", out.test_timeout, above=True),
    )


def _opt(value: T | None, default: T) -> T:
    return default if value is None else value


def _opt_num(
    r: Reader, keys: dict[str, Node], key: str, default: float, *, above: bool = False
) -> float:
    if key not in keys:
        return default
    return _opt(number(r, keys[key], f"writer.llm.{key}", 0.0, above=above), default)


def _opt_int(r: Reader, keys: dict[str, Node], key: str, default: int) -> int:
    if key not in keys:
        return default
    return _opt(integer(r, keys[key], f"writer.llm.{key}", 1), default)


def _output(r: Reader, node: Node | None, root: Path, app: str) -> OutputSpec:
    keys = (section(r, node, "output", OUTPUT_KEYS) or {}) if node is not None else {}
    package = _out_path(r, keys, "package", root) or root / "generated" / app
    tests = _out_path(r, keys, "tests", root) or root / "generated" / "tests"
    web = choice(r, keys["web"], "output.web", WEB_ADAPTERS) if "web" in keys else None
    return OutputSpec(package, tests, cast(Literal["starlette"] | None, web))


def _out_path(r: Reader, keys: dict[str, Node], key: str, root: Path) -> Path | None:
    if key not in keys:
        return None
    written = text(r, keys[key], f"output.{key}", "a folder path")
    if not written or not written.strip() or "\0" in written:
        if written is not None:
            r.error(keys[key], f"output.{key}: expected a folder path, got {written!r}")
        return None
    return resolve(root, written)
