"""The JSON Schema of the spec language, for editors (specs/spec.schema.json is generated here).

Key sets and enums come from the loader's own constants, so both describe one language.
Regenerate with: python -m scaffold.spec.schema > specs/spec.schema.json
"""

from __future__ import annotations

import json
import keyword
from collections.abc import Sequence
from typing import Any

from scaffold.spec.load import DIALECTS, VERSION, WEB_ADAPTERS
from scaffold.spec.load_forms import ACTIONS
from scaffold.spec.load_queries import CARDINALITIES
from scaffold.spec.load_state import (
    FIELD_TYPE,
    FIELD_TYPES,
    OWNER_NEEDS,
    OWNER_ONLY,
    OWNERS,
    SYNCS,
    WRITERS,
)
from scaffold.spec.nodes import IDENTIFIER

Schema = dict[str, Any]

NAME = {
    "type": "string",
    "description": "A name usable as a Python identifier: letters, digits, _; not a keyword.",
    "pattern": f"^{IDENTIFIER.pattern}$",
    "not": {"enum": keyword.kwlist},
}


def _str(description: str, **extra: Any) -> Schema:
    return {"type": "string", "description": description, **extra}


def _enum(options: Sequence[str], description: str) -> Schema:
    return {"enum": list(options), "description": description}


def _obj(description: str, properties: Schema, required: Sequence[str] = ()) -> Schema:
    out: Schema = {"type": "object", "description": description, "properties": properties}
    if required:
        out["required"] = list(required)
    out["additionalProperties"] = False
    return out


def _named(description: str, item: Schema) -> Schema:
    """A mapping from user-chosen names (identifiers) to items."""
    return {
        "type": "object",
        "description": description,
        "propertyNames": {"$ref": "#/$defs/name"},
        "additionalProperties": item,
    }


def _one_or_many(description: str, item: Schema) -> Schema:
    many = {"type": "array", "items": item, "minItems": 1}
    return {"description": description, "anyOf": [item, many]}


PATH = _str("A path, relative to the spec's folder.", minLength=1)
NAMES = _one_or_many("A name or a list of names.", {"type": "string"})


def database() -> Schema:
    paths = _one_or_many("DDL files or folders of migrations, applied in file-name order.", PATH)
    out = _obj(
        "The database the queries run on.",
        {
            "dialect": _enum(DIALECTS, "The SQL dialect of the schema and queries."),
            "schema": paths,
            "url": _str("A SQLAlchemy URL of an existing database (instead of schema files)."),
        },
        required=["dialect"],
    )
    out["anyOf"] = [{"required": ["schema"]}, {"required": ["url"]}]
    return out


def queries() -> Schema:
    sql = _str("A SQL statement; :name marks a parameter.", pattern=r"\S")
    sql["not"] = {"pattern": r"^\S+\.sql$"}  # a file name belongs under `file:`
    inline = _obj(
        "An inline query with an explicit result cardinality.",
        {"sql": sql, "cardinality": _enum(CARDINALITIES, "How many rows the query returns.")},
        required=["sql"],
    )
    out = _named("Named queries. `file` lists sqlc-style query files.", {"anyOf": [sql, inline]})
    files = _one_or_many("Query files or folders of .sql files in sqlc's annotated format.", PATH)
    out["properties"] = {"file": files}
    return out


def state() -> Schema:
    field_type = _str(
        "A Python type: " + ", ".join(FIELD_TYPES) + "; or list[T], T | None.",
        pattern=f"^{FIELD_TYPE.pattern}$",
    )
    props = {
        "owner": _enum(OWNERS, "Who owns the state: the database, the client, or derived."),
        "query": _str("server: the query that feeds this state."),
        "key": NAMES | {"description": "The column(s) or field(s) identifying an item."},
        "sync": _enum(SYNCS, "How changes reach the client: keyed diffs or whole snapshots."),
        "fields": _named("client: field name to Python type.", field_type),
        "from": _one_or_many("derived: the states it is computed from.", {"type": "string"}),
        "compute": _str("derived: the computation, in plain words or a Python expression."),
        "type": field_type | {"description": "derived: the type of the computed value."},
        "examples": {
            "type": "array",
            "items": _derived_example(),
            "description": "derived: sources' rows and the value they give (generated tests).",
        },
        "writer": _enum(WRITERS, "Which writer produces this unit."),
    }
    item = _obj("A piece of state and its owner.", props, required=["owner"])
    item["allOf"] = [_owner_rule(owner) for owner in OWNERS]
    return _named("Client-visible state by name.", item)


def _derived_example() -> Schema:
    given = {
        "type": "object",
        "description": "source: its rows ({field: value}), or a derived source's value.",
    }
    expect = {"description": "The value computed from the given sources."}
    return _obj("One example.", {"given": given, "expect": expect}, required=["given", "expect"])


def _owner_rule(owner: str) -> Schema:
    banned = {key: False for key, only in OWNER_ONLY.items() if only != owner}
    return {
        "if": {"properties": {"owner": {"const": owner}}, "required": ["owner"]},
        "then": {"required": list(OWNER_NEEDS[owner]), "properties": banned},
    }


def forms() -> Schema:
    rule = _str("A rule: a SQL condition or plain words.", pattern=r"\S")
    rule_obj = _obj(
        "A rule with the message shown when it fails.",
        {"rule": rule, "message": _str("The error message shown to the user.")},
        required=["rule"],
    )
    examples = {"type": "array", "items": {"type": "object"}, "description": "field: value rows."}
    texts = {"type": "object", "additionalProperties": {"type": "string"}}
    props = {
        "table": _str("The table the form writes."),
        "action": _enum(ACTIONS, "What the form does to the table (default insert)."),
        "fields": {"type": "array", "items": {"type": "string"}, "description": "Columns."},
        "key": NAMES | {"description": "Columns identifying the row (update/delete)."},
        "choices": texts | {"description": "field: a SELECT of (value, label) rows."},
        "rules": {
            "type": "array",
            "items": {"anyOf": [rule, rule_obj]},
            "description": "Business rules, checked when the form is submitted.",
        },
        "examples": _obj("Submissions to test.", {"valid": examples, "invalid": examples}),
        "labels": texts | {"description": "field: the label shown."},
        "help": texts | {"description": "field: a help text shown under the input."},
        "writer": _enum(WRITERS, "Which writer produces this form."),
    }
    item = _obj("A form writing one table.", props, required=["table"])
    return _named("Forms by name.", item)


def writer() -> Schema:
    positive_int = {"type": "integer", "minimum": 1}
    llm = _obj(
        "An OpenAI-compatible model server.",
        {
            "model": _str("The model name."),
            "base_url": _str("The server's base URL, e.g. http://localhost:11434/v1."),
            "temperature": {"type": "number", "minimum": 0, "description": "Sampling temperature."},
            "max_attempts": positive_int | {"description": "Tries per unit before failing."},
            "concurrency": positive_int | {"description": "Units written at the same time."},
            "timeout": {
                "type": "number",
                "exclusiveMinimum": 0,
                "description": "Seconds to wait for one answer.",
            },
            "test_timeout": {
                "type": "number",
                "exclusiveMinimum": 0,
                "description": "Seconds one attempt's generated tests may run.",
            },
        },
    )
    default = _enum(WRITERS, "The writer used unless a unit says otherwise.")
    return _obj("Who writes the code.", {"default": default, "llm": llm})


def output() -> Schema:
    return _obj(
        "Where generated code goes.",
        {
            "package": PATH | {"description": "The generated package (default generated/<app>)."},
            "tests": PATH | {"description": "The generated tests (default generated/tests)."},
            "web": _enum(WEB_ADAPTERS, "Also generate a web adapter."),
        },
    )


def spec_schema() -> Schema:
    """The whole JSON Schema of a spec file."""
    app = {"$ref": "#/$defs/name", "description": "The application's name."}
    top = _obj(
        "A scaffold spec: state ownership, queries, forms and rules.",
        {
            "version": {"const": VERSION, "description": "The spec language version."},
            "app": app,
            "database": database(),
            "queries": queries(),
            "state": state(),
            "forms": forms(),
            "writer": writer(),
            "output": output(),
        },
        required=["version", "app", "database"],
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "scaffold spec",
        **top,
        "$defs": {"name": NAME},
    }


def schema_text() -> str:
    return json.dumps(spec_schema(), indent=2) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(schema_text())
