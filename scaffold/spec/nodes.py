"""Reading YAML nodes with positions: typed values out, located errors collected.

The loader works on composed nodes (not constructed Python values) so that every error can
point at the line and column the user wrote.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Collection
from typing import Any

import yaml

from scaffold.errors import Location, ScaffoldError, SpecError, did_you_mean
from scaffold.spec.hints import example_hint

Node = yaml.Node
# Names that become Python identifiers (app, queries, states, forms).
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_TAG = "tag:yaml.org,2002:"
_KINDS = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean",
    "null": "nothing (an empty value)",
    "timestamp": "a date",
}


class Reader:
    """Collects the errors of one spec file while its nodes are read."""

    def __init__(self, file: str, source: str = "") -> None:
        self.file = file
        self.source = source  # the file's text (the C parser's marks do not carry it)
        self.errors: list[ScaffoldError] = []
        # Sections read only in part (a query file failed): references into them are not checked.
        self.partial: set[str] = set()

    def at(self, node: Node) -> Location:
        mark = node.start_mark
        return Location(self.file, mark.line + 1, mark.column + 1)

    def error(self, node: Node, message: str, hint: str | None = None) -> None:
        """Record an error; messages start with the key path ("forms.add.fields: ...")."""
        hint = hint or example_hint(message.partition(": ")[0])
        self.errors.append(SpecError(message, location=self.at(node), hint=hint))

    def expected(self, node: Node, where: str, what: str, hint: str | None = None) -> None:
        self.error(node, f"{where}: expected {what}, got {kind(node)}", hint)


def identifier(r: Reader, node: Node, name: str, where: str) -> bool:
    """Check that a name the user chose can become a Python identifier."""
    if IDENTIFIER.fullmatch(name) and not keyword.iskeyword(name):
        return True
    r.error(
        node,
        f'{where}: "{name}" is not a valid name',
        "use letters, digits and underscores, not starting with a digit, not a Python keyword",
    )
    return False


def kind(node: Node) -> str:
    """What the user wrote, in words: 'a mapping', 'a list', 'an integer', ..."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    tag = node.tag.removeprefix(_TAG)
    return _KINDS.get(tag, f"a value tagged {node.tag}")


def is_str(node: Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == _TAG + "str"


def entries(r: Reader, node: Node, where: str) -> list[tuple[str, Node, Node]] | None:
    """(key, key node, value node) of a mapping with string keys, or None after an error."""
    if not isinstance(node, yaml.MappingNode):
        r.expected(node, where, "a mapping (key: value lines)")
        return None
    out: list[tuple[str, Node, Node]] = []
    for key_node, value_node in _merged(r, node, where):
        if not is_str(key_node):
            r.expected(key_node, where, "a name as key", "keys are plain names")
            continue
        out.append((key_node.value, key_node, value_node))
    return out


def _merged(
    r: Reader, node: yaml.MappingNode, where: str, seen: frozenset[int] = frozenset()
) -> list[tuple[Node, Node]]:
    """The pairs of a mapping with YAML merge keys (<<: *defaults) applied, as safe_load does."""
    seen = seen | {id(node)}
    own: list[tuple[Node, Node]] = []
    inherited: list[tuple[Node, Node]] = []
    for key_node, value_node in node.value:
        if key_node.tag != _TAG + "merge":
            own.append((key_node, value_node))
            continue
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source in sources:
            if isinstance(source, yaml.MappingNode) and id(source) in seen:
                r.error(source, f"{where}: a mapping cannot merge itself")
            elif isinstance(source, yaml.MappingNode):
                inherited += _merged(r, source, where, seen)
            else:
                r.expected(source, where, "a mapping to merge (<<: *name)")
    written = {(k.tag, k.value) for k, _ in own if isinstance(k, yaml.ScalarNode)}
    kept: dict[tuple[str, Any], tuple[Node, Node]] = {}
    for key_node, value_node in inherited:
        if (key_node.tag, key_node.value) not in written:  # keys written here win
            kept.setdefault((key_node.tag, key_node.value), (key_node, value_node))
    return own + list(kept.values())


def section(
    r: Reader,
    node: Node,
    where: str,
    allowed: Collection[str],
    required: Collection[str] = (),
) -> dict[str, Node] | None:
    """A mapping with a fixed set of keys: unknown and missing keys are errors."""
    items = entries(r, node, where)
    if items is None:
        return None
    found: dict[str, Node] = {}
    for key, key_node, value_node in items:
        if key in allowed:
            found[key] = value_node
        else:
            r.error(key_node, f'unknown key "{key}" in {where}', unknown_hint(key, allowed))
    for key in required:
        if key not in found:
            r.error(node, f'{where}: missing required key "{key}"', _add_hint(where, key))
    return found


def unknown_hint(key: str, allowed: Collection[str]) -> str:
    known = "expected one of: " + ", ".join(allowed)
    close = did_you_mean(key, allowed)
    return f"{close} ({known})" if close else known


def _add_hint(where: str, key: str) -> str:
    example = example_hint(key if where == "spec" else f"{where}.{key}")
    return f'add "{key}: ..." to this mapping' + (f"; {example}" if example else "")


def text(r: Reader, node: Node, where: str, what: str = "a string") -> str | None:
    if is_str(node):
        return str(node.value)
    hint = None
    if isinstance(node, yaml.ScalarNode) and node.value:
        hint = f'quote the value to make it a string: "{node.value}"'
    r.expected(node, where, what, hint)
    return None


def texts(
    r: Reader,
    node: Node,
    where: str,
    what: str = "a list of strings",
    *,
    single: bool = True,
    nonempty: bool = False,
) -> list[Node]:
    """The string items of a list (or of a single string, if allowed); wrong items are errors."""
    if single and is_str(node):
        return [node]
    if not isinstance(node, yaml.SequenceNode):
        r.expected(node, where, what)
        return []
    if nonempty and not node.value:
        r.error(node, f"{where}: expected {what}, got an empty list")
    good = [item for item in node.value if is_str(item)]
    for item in node.value:
        if not is_str(item):
            r.expected(item, where, what)
    return good


def choice(r: Reader, node: Node, where: str, options: Collection[str]) -> str | None:
    value = text(r, node, where, "one of: " + ", ".join(options))
    if value is None:
        return None
    if value not in options:
        hint = did_you_mean(value, options) or "expected one of: " + ", ".join(options)
        r.error(node, f'{where}: "{value}" is not one of: ' + ", ".join(options), hint)
        return None
    return value


def integer(r: Reader, node: Node, where: str, minimum: int | None = None) -> int | None:
    if not (isinstance(node, yaml.ScalarNode) and node.tag == _TAG + "int"):
        r.expected(node, where, "an integer")
        return None
    value = construct(r, node, where)
    if not isinstance(value, int):
        return None
    if minimum is not None and value < minimum:
        r.error(node, f"{where}: expected an integer of at least {minimum}, got {value}")
        return None
    return value


def number(
    r: Reader, node: Node, where: str, minimum: float | None = None, *, above: bool = False
) -> float | None:
    """A number of at least `minimum` (or above it, when `above`)."""
    if not (isinstance(node, yaml.ScalarNode) and node.tag in (_TAG + "int", _TAG + "float")):
        r.expected(node, where, "a number")
        return None
    value = construct(r, node, where)
    if not isinstance(value, int | float) or value != value:  # NaN compares unequal
        r.error(node, f"{where}: expected a number, got {node.value}")
        return None
    if minimum is not None and (value <= minimum if above else value < minimum):
        bound = "above" if above else "at least"
        r.error(node, f"{where}: expected a number {bound} {minimum:g}, got {value}")
        return None
    return float(value)


def construct(r: Reader, node: Node, where: str) -> Any:
    """The Python value of a node as yaml.safe_load would build it; None after an error."""
    try:
        return yaml.SafeLoader("").construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        r.error(node, f"{where}: cannot read this value ({_first_line(exc)})")
        return None


def _first_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
