"""sqlc's analysis of a corpus case (its `gen: json` output), reduced to names, types, nullability.

sqlc is the reference analyzer; when it rejects a query, that query is blanked out and sqlc runs
again, so one query sqlc cannot handle does not hide the others.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_PG_INT = ("int2", "int4", "int8", "smallint", "integer", "int", "bigint", "oid")
_PG_SERIAL = ("serial", "serial2", "serial4", "serial8", "smallserial", "bigserial")
_PG_STR = ("text", "varchar", "char", "bpchar", "character", "character varying", "name")
_PG_STR_LIKE = ("citext", "inet", "cidr", "macaddr", "ltree", "xml", "tsvector", "bit")
# sqlc type name (lower case, without "pg_catalog.") -> our py_type.
PG_TYPES: dict[str, str] = {
    **dict.fromkeys(_PG_INT + _PG_SERIAL, "int"),
    **dict.fromkeys(("float4", "float8", "real", "double precision"), "float"),
    **dict.fromkeys(("numeric", "decimal", "money"), "Decimal"),
    **dict.fromkeys(_PG_STR + _PG_STR_LIKE, "str"),
    **dict.fromkeys(("bool", "boolean"), "bool"),
    **dict.fromkeys(("timestamp", "timestamptz", "timestamp with time zone"), "datetime"),
    **dict.fromkeys(("time", "timetz", "time with time zone"), "time"),
    **dict.fromkeys(("json", "jsonb"), "dict"),
    "bytea": "bytes",
    "date": "date",
    "interval": "timedelta",
    "uuid": "UUID",
}
# SQLite declared types sqlc passes through; what Python adapters make of them.
SQLITE_NAMED: dict[str, str] = {
    "date": "date",
    "datetime": "datetime",
    "timestamp": "datetime",
    "time": "time",
    "boolean": "bool",
    "bool": "bool",
    "decimal": "Decimal",
    "numeric": "Decimal",
    "json": "dict",
    "uuid": "UUID",
}
_DOMAIN = re.compile(
    r"CREATE\s+DOMAIN\s+(?:\w+\.)?(\"[^\"]+\"|\w+)\s+AS\s+(\w+(?:\s+precision|\s+varying)?)",
    re.IGNORECASE,
)
_ANNOTATION = re.compile(r"^\s*(?:--|/\*)\s*name:\s*(\w+)", re.MULTILINE)
_ERROR_LINE = re.compile(r"^(\S+?):(\d+):(\d+): (.*)$", re.MULTILINE)
_PARSER_LINE = re.compile(r"^line (\d+):(\d+) (.*)$", re.MULTILINE)


@dataclass(frozen=True)
class RefValue:
    """One output column or parameter as sqlc sees it."""

    name: str
    sql_type: str  # sqlc's type name
    py_type: str | None  # mapped; None when sqlc could not type it ("any") or we cannot map it
    nullable: bool
    is_list: bool = False


@dataclass(frozen=True)
class RefQuery:
    name: str
    columns: tuple[RefValue, ...]
    params: tuple[RefValue, ...]


@dataclass
class RefCase:
    """sqlc's answer for one corpus folder."""

    engine: str  # "sqlite" | "postgresql"
    queries: dict[str, RefQuery] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)  # query name -> sqlc's error


def engine_of(case: Path) -> str:
    """The engine named in SOURCE.txt ("Engine: sqlite." / "Engine: postgresql")."""
    text = (case / "SOURCE.txt").read_text()
    match = re.search(r"Engine:\s*(sqlite|postgresql|mysql)", text)
    if match is None:
        raise ValueError(f"{case}/SOURCE.txt names no engine")
    return match.group(1)


def schema_path(case: Path) -> Path:
    return case / "schema.sql" if (case / "schema.sql").exists() else case / "schema"


def query_path(case: Path) -> Path:
    return case / "query.sql" if (case / "query.sql").exists() else case / "query"


def query_files(case: Path) -> list[Path]:
    path = query_path(case)
    return [path] if path.is_file() else sorted(path.glob("*.sql"))


def run_sqlc(case: Path) -> RefCase:
    """sqlc's analysis of every query of `case` that sqlc accepts."""
    result = RefCase(engine=engine_of(case))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "case"
        shutil.copytree(case, work)
        _write_config(work, result.engine)
        for _ in range(50):  # one rejected query is blanked per round
            proc = subprocess.run(
                ["sqlc", "generate"], cwd=work, capture_output=True, text=True, check=False
            )
            if proc.returncode == 0:
                break
            _blank_rejected(work, proc.stderr, result.rejected)
        codegen = json.loads((work / "out" / "codegen.json").read_text())
    types = TypeNames(result.engine, _enum_names(codegen), domains_of(schema_path(case)))
    tables = _catalog_tables(codegen)
    for query in codegen["queries"]:
        result.queries[query["name"]] = _ref_query(query, types, tables)
    return result


def _write_config(work: Path, engine: str) -> None:
    schema = schema_path(work).name
    queries = query_path(work).name
    (work / "sqlc.yaml").write_text(
        'version: "2"\nsql:\n'
        f'  - engine: "{engine}"\n    schema: "{schema}"\n    queries: "{queries}"\n'
        '    gen:\n      json:\n        out: "out"\n        filename: "codegen.json"\n'
    )


def _blank_rejected(work: Path, stderr: str, rejected: dict[str, str]) -> None:
    """Blank the query blocks sqlc's errors point at, keeping every line number.

    sqlc's SQLite parser reports syntax errors at 1:1 and gives the real position only in
    its "line N:M" log lines; when neither points into a query block, each block is tried alone.
    """
    files = query_files(work)
    for match in _ERROR_LINE.finditer(stderr):
        target, line = work / match.group(1), int(match.group(2))
        real = (line, match.group(3)) != (1, "1") and target in files
        if real and _blank_into(target, line, match.group(4), rejected):
            return
    located = [(int(m.group(1)), m.group(3)) for m in _PARSER_LINE.finditer(stderr)]
    blanked = [_blank_into(files[0], n, msg, rejected) for n, msg in located if len(files) == 1]
    if any(blanked):
        return
    _isolate_rejected(work, rejected)


def _blank_into(path: Path, line: int, message: str, rejected: dict[str, str]) -> bool:
    name = _blank_block(path, line)
    if name is not None:
        rejected[name] = message
    return name is not None


def _isolate_rejected(work: Path, rejected: dict[str, str]) -> None:
    """Run sqlc on each query block alone and blank those it rejects."""
    before = len(rejected)
    for path in query_files(work):
        for start in _block_starts(path.read_text().split("\n")):
            error = _error_alone(work, path, start)
            if error is not None:
                _blank_into(path, start + 1, error, rejected)
    if len(rejected) == before:
        raise RuntimeError("sqlc fails on the schema or the config, not on one query")


def _error_alone(work: Path, path: Path, start: int) -> str | None:
    """sqlc's error for the block starting at line index `start` alone, or None."""
    with tempfile.TemporaryDirectory() as tmp:
        alone = Path(tmp) / "case"
        shutil.copytree(work, alone)
        for other in query_files(alone):
            lines = other.read_text().split("\n")
            keep = _block_span(lines, start) if other.name == path.name else (0, 0)
            kept = ["" if not keep[0] <= i < keep[1] else text for i, text in enumerate(lines)]
            other.write_text("\n".join(kept))
        proc = subprocess.run(
            ["sqlc", "generate"], cwd=alone, capture_output=True, text=True, check=False
        )
    return None if proc.returncode == 0 else proc.stderr.strip().splitlines()[-1]


def _block_starts(lines: list[str]) -> list[int]:
    return [i for i, text in enumerate(lines) if _ANNOTATION.match(text)]


def _block_span(lines: list[str], start: int) -> tuple[int, int]:
    return start, next((s for s in _block_starts(lines) if s > start), len(lines))


def _blank_block(path: Path, line: int) -> str | None:
    """Blank the block holding 1-based `line`; its query name, or None outside any block."""
    lines = path.read_text().split("\n")
    before = [s for s in _block_starts(lines) if s <= line - 1]
    if not before:
        return None
    start, end = _block_span(lines, before[-1])
    name_match = _ANNOTATION.match(lines[start])
    assert name_match is not None
    lines[start:end] = [""] * (end - start)
    path.write_text("\n".join(lines))
    return name_match.group(1)


@dataclass(frozen=True)
class TypeNames:
    """What a case's type names mean: the engine's types, its enums and its domains."""

    engine: str
    enums: frozenset[str] = frozenset()
    domains: tuple[tuple[str, str], ...] = ()  # (domain, base type), lower case

    def py_type(self, sql_type: str) -> str | None:
        """Our py_type for one of sqlc's type names; None for "any" and unmappable types."""
        name = sql_type.lower().removeprefix("pg_catalog.").strip()
        if self.engine == "sqlite":
            return _sqlite_py_type(name)
        base = re.sub(r"\(.*\)", "", name).strip().split(".")[-1].strip('"')
        base = dict(self.domains).get(base, base)
        if base in self.enums:
            return "str"
        return PG_TYPES.get(base)


def domains_of(schema: Path) -> tuple[tuple[str, str], ...]:
    """CREATE DOMAIN name AS type, from the schema files (sqlc reports the domain's name)."""
    files = [schema] if schema.is_file() else sorted(schema.glob("*.sql"))
    found: list[tuple[str, str]] = []
    for file in files:
        for match in _DOMAIN.finditer(file.read_text()):
            found.append((match.group(1).lower().strip('"'), match.group(2).lower().strip()))
    return tuple(found)


def _enum_names(codegen: dict[str, Any]) -> frozenset[str]:
    schemas = codegen["catalog"]["schemas"]
    return frozenset(e["name"].lower() for s in schemas for e in s.get("enums") or [])


def _catalog_tables(codegen: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Table name (lower case) -> sqlc's columns, to expand sqlc.embed(table)."""
    schemas = codegen["catalog"]["schemas"]
    return {t["rel"]["name"].lower(): t["columns"] for s in schemas for t in s["tables"]}


def _ref_query(
    query: dict[str, Any], types: TypeNames, tables: dict[str, list[dict[str, Any]]]
) -> RefQuery:
    """sqlc's columns with each sqlc.embed(t) expanded into t's columns, as t.* gives them."""
    expanded: list[dict[str, Any]] = []
    for column in query["columns"]:
        embed = column.get("embed_table")
        expanded.extend(tables[embed["name"].lower()] if embed else [column])
    columns = tuple(_ref_value(c, types) for c in expanded)
    params = tuple(_ref_value(p["column"], types) for p in query["params"])
    return RefQuery(query["name"], columns, params)


def _ref_value(column: dict[str, Any], types: TypeNames) -> RefValue:
    sql_type = column["type"]["name"]
    is_list = bool(column["is_array"] or column["is_sqlc_slice"])
    return RefValue(
        name=column["name"].strip('[]`"'),  # sqlc keeps SQLite's [brackets] in names
        sql_type=sql_type,
        py_type="list" if is_list else types.py_type(sql_type),
        nullable=not column["not_null"],
        is_list=is_list,
    )


def _sqlite_py_type(name: str) -> str | None:
    """SQLite's affinity rules (section 3.1 of its datatype page), after the named types."""
    base = re.sub(r"\(.*\)", "", name).strip()
    if base in SQLITE_NAMED:
        return SQLITE_NAMED[base]
    if name in ("", "any"):
        return None
    if "int" in name:
        return "int"
    if any(word in name for word in ("char", "clob", "text")):
        return "str"
    if "blob" in name:
        return "bytes"
    if any(word in name for word in ("real", "floa", "doub")):
        return "float"
    return "Decimal"
