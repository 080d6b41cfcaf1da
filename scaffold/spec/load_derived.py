"""The examples of a derived state: its sources' rows and the value they give, checked
against the states they name (client fields here; server columns once the SQL is analyzed)."""

from __future__ import annotations

from collections.abc import Sequence

import yaml

from scaffold.errors import Location, SpecError, did_you_mean
from scaffold.spec.model import DerivedExample, DerivedGiven, StateSpec
from scaffold.spec.nodes import Node, Reader, construct, entries, section

EXAMPLE_KEYS = ("given", "expect")
ROWS = "a list of rows ({field: value, ...})"


def read_examples(r: Reader, node: Node, where: str) -> tuple[DerivedExample, ...]:
    """`examples: [{given: {source: [row, ...]}, expect: value}, ...]`, read as written."""
    if not isinstance(node, yaml.SequenceNode):
        r.expected(node, where, "a list of examples ({given: ..., expect: ...})")
        return ()
    out: list[DerivedExample] = []
    for number, item in enumerate(node.value, start=1):
        here = f"{where}[{number}]"
        keys = section(r, item, here, EXAMPLE_KEYS, required=EXAMPLE_KEYS)
        if keys is None or len(keys) < len(EXAMPLE_KEYS):
            continue
        given = _given(r, keys["given"], f"{here}.given")
        out.append(
            DerivedExample(given, construct(r, keys["expect"], f"{here}.expect"), r.at(item))
        )
    return tuple(out)


def _given(r: Reader, node: Node, where: str) -> tuple[DerivedGiven, ...]:
    out = []
    for source, key_node, value in entries(r, node, where) or []:
        fields = _field_positions(r, value)
        out.append(
            DerivedGiven(source, construct(r, value, f"{where}.{source}"), r.at(key_node), fields)
        )
    return tuple(out)


def _field_positions(r: Reader, node: Node) -> tuple[tuple[str, Location], ...]:
    """Where each field name of a list of rows is first written."""
    found: dict[str, Location] = {}
    rows = node.value if isinstance(node, yaml.SequenceNode) else []
    for row in rows:
        if isinstance(row, yaml.MappingNode):
            for key, _ in row.value:
                if isinstance(key, yaml.ScalarNode):
                    found.setdefault(str(key.value), r.at(key))
    return tuple(found.items())


def check_examples(r: Reader, states: Sequence[StateSpec]) -> None:
    """Every example names sources of its state, gives rows to collections and a value to
    derived sources, and only the fields a client state has."""
    by_name = {s.name: s for s in states}
    for state in states:
        for number, example in enumerate(state.examples, start=1):
            where = f"state.{state.name}.examples[{number}].given"
            for given in example.given:
                _check_given(r, state, given, by_name, where)
            named = {g.source for g in example.given}
            for source in state.sources:
                if _owner(by_name, source) == "derived" and source not in named:
                    message = f'{where}: no value for the derived source "{source}"'
                    _error(r, example.pos, message, f"add {source}: <its value>")


def _check_given(
    r: Reader, state: StateSpec, given: DerivedGiven, by_name: dict[str, StateSpec], where: str
) -> None:
    if given.source not in state.sources:
        hint = did_you_mean(given.source, state.sources) or "its sources: " + ", ".join(
            state.sources
        )
        _error(r, given.pos, f'{where}: "{given.source}" is not a source of {state.name}', hint)
        return
    source = by_name.get(given.source)
    if source is None or source.owner == "derived":
        return  # an unknown source is reported with `from:`; a derived one takes any value
    rows = given.value
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        _error(r, given.pos, f"{where}.{given.source}: expected {ROWS}", "write [] for none")
        return
    if source.owner == "client":
        fields = [name for name, _ in source.fields]
        for name, pos in given.field_pos:
            if name not in fields:
                hint = did_you_mean(name, fields) or "its fields: " + ", ".join(fields)
                _error(r, pos, f'{where}.{given.source}: {source.name} has no field "{name}"', hint)


def _owner(by_name: dict[str, StateSpec], name: str) -> str | None:
    state = by_name.get(name)
    return None if state is None else state.owner


def _error(r: Reader, where: Location, message: str, hint: str | None = None) -> None:
    r.errors.append(SpecError(message, location=where, hint=hint))
