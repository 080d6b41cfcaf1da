"""The cases a form's generated tests try: a valid input found with the sample database as the
oracle, and per constraint the boundary values on each side of it.

Cases come from the contract (field metadata, bounds, constraints), never from generated code.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from scaffold.analyze.model import Table
from scaffold.plan.sample_db import SampleDatabase, quote, sqlite_value
from scaffold.plan.sample_values import candidates

Row = dict[str, Any]


@dataclass(frozen=True)
class Case:
    """One submission: ``field`` set to ``submitted``; parse accepts it or reports ``field``."""

    field: str
    submitted: str
    accepted: bool
    name: str
    typed: Any = None  # the parsed value, for inserting it without the form
    database_rejects: bool = False  # SQLite (the oracle) refuses the typed value too


def form_string(value: Any, field: Mapping[str, Any]) -> str:
    """A Python value as a browser would submit it for this field."""
    if value is None:
        return ""
    if isinstance(value, bool):
        if field["input_type"] == "checkbox":
            return "on" if value else ""
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep="T")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


class Oracle:
    """Asks the sample SQLite database (holding the samples) whether rows and rules hold."""

    def __init__(
        self, db: SampleDatabase, table: Table, rules: Sequence[str], key: Sequence[str] = ()
    ) -> None:
        self.db, self.table, self.rules = db, table, list(rules)
        self.key = list(key)  # update forms: the row is changed in place, not inserted

    def accepts(self, row: Row) -> bool:
        self.db.conn.execute("BEGIN")
        try:
            return self._write(row) and self._rules_hold(row)
        finally:
            self.db.conn.execute("ROLLBACK")

    def _write(self, row: Row) -> bool:
        if not self.key:
            return self.db.try_insert(self.table, row) is None
        changed = [c for c in row if c not in self.key]
        sets = ", ".join(f"{quote(c)} = ?" for c in changed)
        where = " AND ".join(f"{quote(c)} = ?" for c in self.key)
        name = quote(self.table.name.split(".")[-1])
        args = [sqlite_value(row[c]) for c in changed] + [sqlite_value(row[c]) for c in self.key]
        try:
            self.db.conn.execute(f"UPDATE {name} SET {sets} WHERE {where}", args)
        except sqlite3.IntegrityError:
            return False
        return True

    def _rules_hold(self, row: Row) -> bool:
        """Evaluate the form's SQL rules on the row, with the table's column affinities."""
        if not self.rules:
            return True
        name = quote(self.table.name.split(".")[-1])
        self.db.conn.execute(f"CREATE TEMP TABLE scaffold_probe AS SELECT * FROM {name} LIMIT 0")
        try:
            columns = ", ".join(quote(c) for c in row)
            marks = ", ".join("?" for _ in row)
            self.db.conn.execute(
                f"INSERT INTO scaffold_probe ({columns}) VALUES ({marks})",
                [sqlite_value(v) for v in row.values()],
            )
            return all(
                self.db.conn.execute(f"SELECT ({rule}) IS NOT 0 FROM scaffold_probe").fetchone()[0]
                for rule in self.rules
            )
        except Exception:  # a rule SQLite cannot evaluate: do not claim the row is valid
            return False
        finally:
            self.db.conn.execute("DROP TABLE temp.scaffold_probe")

    def deletable(self, key: Row) -> bool:
        where = " AND ".join(f"{quote(c)} = ?" for c in key)
        name = quote(self.table.name.split(".")[-1])
        self.db.conn.execute("BEGIN")
        try:
            self.db.conn.execute(f"DELETE FROM {name} WHERE {where}", list(key.values()))
            return True
        except Exception:
            return False
        finally:
            self.db.conn.execute("ROLLBACK")


def valid_insert(
    table: Table,
    fields: Sequence[Mapping[str, Any]],
    rows: Mapping[str, list[Row]],
    oracle: Oracle,
    parents: Mapping[str, tuple[str, str]],
) -> Row | None:
    """Values for the required fields (references to sample rows) the database accepts."""
    required = [f for f in fields if f["required"] or f["py_type"] == "bool"]
    for i in range(3, 20):
        options = {f["name"]: _candidates(table, f, i, rows, parents) for f in required}
        if not all(options.values()):
            continue
        row = {name: values[0] for name, values in options.items()}
        if oracle.accepts(row):
            return row
        for name, values in options.items():  # one column at a time, as the samples do
            for value in values[1:]:
                if oracle.accepts({**row, name: value}):
                    row[name] = value
                    return row
    return None


def _candidates(
    table: Table,
    f: Mapping[str, Any],
    i: int,
    rows: Mapping[str, list[Row]],
    parents: Mapping[str, tuple[str, str]],
) -> list[Any]:
    if f["name"] in parents:
        parent, column = parents[f["name"]]
        parent_rows = rows.get(parent, [])
        found = [r.get(column) for r in parent_rows[i % len(parent_rows) :]] if parent_rows else []
        return [v for v in found if v is not None]
    col = table.column(f["name"])
    assert col is not None
    checks = tuple(
        c.expression
        for c in table.constraints
        if c.kind == "check" and c.expression is not None and col.name in c.columns
    )
    return candidates(col, i, checks)


def boundary_cases(fields: Sequence[Mapping[str, Any]], valid: Row, oracle: Oracle) -> list[Case]:
    """Per field: empty when required, each side of every length, bound, enum and type."""
    cases: list[Case] = []
    for f in fields:
        if f["is_key"]:
            continue
        for case in _field_cases(f):
            if case.accepted and not oracle.accepts({**valid, f["name"]: case.typed}):
                continue  # a boundary the database refuses for another reason: not claimed
            rejects = (
                not case.accepted
                and case.typed is not None
                and not oracle.accepts({**valid, f["name"]: case.typed})
            )
            cases.append(
                Case(case.field, case.submitted, case.accepted, case.name, case.typed, rejects)
            )
    return cases


def _field_cases(f: Mapping[str, Any]) -> list[Case]:
    name = f["name"]
    out: list[Case] = []
    if f["required"]:
        out.append(Case(name, "", False, f"{name}-empty", None))
    out += _length_cases(f) + _number_cases(f) + _option_cases(f) + _type_cases(f)
    return out


def _length_cases(f: Mapping[str, Any]) -> list[Case]:
    if f["py_type"] != "str" or f["options"]:
        return []
    name, out = f["name"], []
    if f["maxlength"] is not None:
        n = int(f["maxlength"])
        out += [
            Case(name, "x" * n, True, f"{name}-length-{n}", "x" * n),
            Case(name, "x" * (n + 1), False, f"{name}-length-{n + 1}", "x" * (n + 1)),
        ]
    if f["minlength"] is not None and int(f["minlength"]) > 1:
        n = int(f["minlength"])
        out += [
            Case(name, "x" * n, True, f"{name}-length-{n}", "x" * n),
            Case(name, "x" * (n - 1), False, f"{name}-length-{n - 1}", "x" * (n - 1)),
        ]
    return out


def _number_cases(f: Mapping[str, Any]) -> list[Case]:
    name, kind, out = f["name"], f["py_type"], []
    for attr, outward in (("min", -1), ("max", 1)):
        if f[attr] is None:
            continue
        at = _typed(kind, f[attr])
        past = _step_past(kind, at, outward, f)
        if at is None or past is None:
            continue
        out += [
            Case(name, form_string(at, f), True, f"{name}-{attr}", at),
            Case(name, form_string(past, f), False, f"{name}-past-{attr}", past),
        ]
    if kind == "Decimal" and f["scale"] is not None:
        digits = "1." + "1" * (int(f["scale"]) + 1) if f["scale"] is not None else "1"
        out.append(Case(name, digits, False, f"{name}-scale", None))
        if f["precision"] is not None:
            whole = int(f["precision"]) - int(f["scale"])
            out.append(Case(name, "9" * (whole + 1), False, f"{name}-precision", None))
    return out


def _typed(kind: str, text: str) -> Any:
    if kind == "int":
        return int(Decimal(text))
    if kind == "Decimal":
        return Decimal(text)
    if kind == "date":
        return date.fromisoformat(text)
    return None


def _step_past(kind: str, value: Any, outward: int, f: Mapping[str, Any]) -> Any:
    if value is None:
        return None
    if kind == "int":
        return value + outward
    if kind == "Decimal":
        return value + outward * Decimal(1).scaleb(-int(f["scale"] or 0))
    if kind == "date":
        return value + timedelta(days=outward)
    return None


def _option_cases(f: Mapping[str, Any]) -> list[Case]:
    if not f["options"]:
        return []
    name, first = f["name"], f["options"][0]
    return [
        Case(name, first, True, f"{name}-option", first),
        Case(name, "not-a-choice", False, f"{name}-bad-option", None),
    ]


_BAD_TEXT = {
    "int": ["abc", "1.5"],
    "Decimal": ["abc", "1e3"],
    "float": ["abc"],
    "date": ["2021-02-30", "yesterday"],
    "datetime": ["yesterday"],
    "time": ["25:00"],
    "UUID": ["not-a-uuid"],
    "bool": ["maybe"],
}


def _type_cases(f: Mapping[str, Any]) -> list[Case]:
    name = f["name"]
    bad = _BAD_TEXT.get(f["py_type"], [])
    return [Case(name, text, False, f"{name}-bad-{i}", None) for i, text in enumerate(bad, 1)]


def unique_cases(
    checks: Sequence[Mapping[str, Any]],
    fields: Sequence[Mapping[str, Any]],
    rows: Sequence[Row],
    update: bool,
) -> list[tuple[str, dict[str, str]]]:
    """(field, submitted values) that repeat a sample row's unique values."""
    by_name = {f["name"]: f for f in fields}
    source = rows[1] if update and len(rows) > 1 else rows[0] if rows and not update else None
    if source is None:
        return []
    out = []
    for check in checks:
        if not check["const"].startswith("UNIQUE"):
            continue
        names = [
            f["name"]
            for f in fields
            if f["var"] in {p for p, _ in check["params"]} and not f["is_key"]
        ]
        if all(source.get(n) is not None for n in names):
            out.append((check["field"], {n: form_string(source[n], by_name[n]) for n in names}))
    return out


def missing_reference(rows: Sequence[Row], column: str) -> Any:
    """A key no sample row has."""
    values = [v for r in rows if isinstance(v := r.get(column), int)]
    if values or not rows:
        return max(values, default=0) + 1000
    sample = rows[0].get(column)
    if isinstance(sample, str):
        return "missing-" + sample
    if isinstance(sample, UUID):
        return UUID(int=0)
    return None
