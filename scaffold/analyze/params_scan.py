"""Lexical scan of a query for placeholders, skipping literals, quoted names and comments.

A hand-written scanner rather than sqlglot's tokenizer: the tokenizer of each dialect knows
only that dialect's styles, and sqlc's (`sqlc.arg(x)`, `@x`, `$1` in SQLite) must work in all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from scaffold.errors import AnalysisError, Location, did_you_mean

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_SQLC_CALL = re.compile(r"sqlc\s*\.\s*(\w+)\s*\(", re.IGNORECASE)
_SQLC_ARG = re.compile(
    r"\s*(?:'([^']*)'|\"([^\"]*)\"|`([^`]*)`|(" + _NAME + r"(?:\." + _NAME + r")?))\s*\)"
)
_SQLC_FUNCS = ("arg", "narg", "slice", "embed")
_COLON = re.compile(r":(" + _NAME + ")")
_AT = re.compile(r"@(" + _NAME + ")")
_QMARK = re.compile(r"\?(\d*)")
_DOLLAR = re.compile(r"\$(?:(\d+)|(" + _NAME + "))")
_PYFORMAT = re.compile(r"%(\((" + _NAME + r")\))?s(?!\w)")
_DOLLAR_QUOTE = re.compile(r"\$(" + _NAME + r")?\$")
_WORD_BEFORE = re.compile(r"(\w+)\s*$")
# Words after which a value may follow: a `?` there is a placeholder, not PostgreSQL's
# jsonb "key exists" operator (which always follows an operand).
_VALUE_KEYWORDS = frozenset(
    {
        "AND", "OR", "NOT", "IN", "IS", "LIKE", "ILIKE", "BETWEEN", "SELECT", "WHERE",
        "HAVING", "ON", "SET", "VALUES", "LIMIT", "OFFSET", "THEN", "ELSE", "WHEN", "CASE",
        "BY", "AS", "RETURNING", "DISTINCT", "ALL", "ANY", "SOME", "EXISTS", "TO", "ESCAPE",
        "FETCH", "FROM", "FIRST", "NEXT", "ROWS", "USING", "DEFAULT",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Occurrence:
    """One placeholder (or sqlc.embed) as written: its span, style, name and number."""

    start: int
    end: int
    style: str  # a PlaceholderStyle, or "sqlc_embed"
    name: str | None = None
    number: int | None = None


def location_at(sql: str, offset: int, pos: Location) -> Location:
    """The file position of `offset` in a statement whose text starts at `pos`."""
    before = sql[:offset]
    newlines = before.count("\n")
    start_line = pos.line or 1
    if newlines == 0:
        return Location(pos.file, start_line, (pos.column or 1) + offset)
    return Location(pos.file, start_line + newlines, offset - before.rfind("\n"))


def scan(sql: str, dialect: str, pos: Location) -> list[Occurrence]:
    """Every placeholder and sqlc.embed outside literals, quoted identifiers and comments."""
    found: list[Occurrence] = []
    i = 0
    while i < len(sql):
        end = _skip(sql, i, dialect)
        if end > i:
            i = end
            continue
        occ = _placeholder_at(sql, i, dialect, pos)
        if occ is None:
            i += 1
        else:
            found.append(occ)
            i = occ.end
    return found


def _skip(sql: str, i: int, dialect: str) -> int:
    """End of the literal, quoted name or comment starting at i; i itself when none does."""
    ch = sql[i]
    two = sql[i : i + 2]
    if ch == "'":
        return _quoted_end(sql, i, "'", backslash=_backslash_string(sql, i, dialect))
    if ch == '"':
        return _quoted_end(sql, i, '"', backslash=dialect == "mysql")
    if ch == "`" and dialect != "postgres":
        return _quoted_end(sql, i, "`", backslash=False)
    if ch == "[" and dialect == "sqlite":
        close = sql.find("]", i + 1)
        return len(sql) if close < 0 else close + 1
    if two == "--" or (ch == "#" and dialect == "mysql"):
        newline = sql.find("\n", i)
        return len(sql) if newline < 0 else newline + 1
    if two == "/*":
        return _block_comment_end(sql, i, nested=dialect == "postgres")
    if ch == "$" and dialect == "postgres":
        return _dollar_quote_end(sql, i)
    return i


def _backslash_string(sql: str, i: int, dialect: str) -> bool:
    """MySQL strings and PostgreSQL E'...' strings take backslash escapes."""
    if dialect == "mysql":
        return True
    prefixed = i > 0 and sql[i - 1] in "eE"
    return dialect == "postgres" and prefixed and (i < 2 or not _is_word(sql[i - 2]))


def _quoted_end(sql: str, i: int, quote: str, *, backslash: bool) -> int:
    """End of a quoted run where a doubled quote (and maybe a backslash) escapes."""
    j = i + 1
    while j < len(sql):
        ch = sql[j]
        escaped = backslash and ch == "\\"
        if escaped or (ch == quote and sql[j + 1 : j + 2] == quote):
            j += 2
        elif ch == quote:
            return j + 1
        else:
            j += 1
    return len(sql)  # unterminated: the SQL parser reports it with its position


def _block_comment_end(sql: str, i: int, *, nested: bool) -> int:
    depth = 0
    j = i
    while j < len(sql):
        two = sql[j : j + 2]
        if two == "/*" and (nested or depth == 0):
            depth += 1
            j += 2
        elif two == "*/":
            depth -= 1
            j += 2
            if depth == 0:
                return j
        else:
            j += 1
    return len(sql)


def _dollar_quote_end(sql: str, i: int) -> int:
    """$$...$$ and $tag$...$tag$ (PostgreSQL); a $ inside an identifier starts nothing."""
    match = _DOLLAR_QUOTE.match(sql, i)
    if match is None or (i > 0 and _is_word(sql[i - 1])):
        return i
    close = sql.find(match.group(0), match.end())
    return len(sql) if close < 0 else close + len(match.group(0))


def _placeholder_at(sql: str, i: int, dialect: str, pos: Location) -> Occurrence | None:
    ch = sql[i]
    reader = _READERS.get(ch.lower())
    if reader is None:
        return None
    return reader(sql, i, dialect, pos)


def _colon(sql: str, i: int, dialect: str, pos: Location) -> Occurrence | None:
    """:name, but not in a ::type cast, nor an array slice arr[lo:hi] (:= has no name)."""
    match = _COLON.match(sql, i)
    if match is None or (i > 0 and (sql[i - 1] == ":" or _is_word(sql[i - 1]))):
        return None
    return Occurrence(i, match.end(), "named", name=match.group(1))


def _at(sql: str, i: int, dialect: str, pos: Location) -> Occurrence | None:
    """@name; in MySQL @name is a user variable, and <@ / @@ are operators or system names."""
    match = _AT.match(sql, i)
    after_word = i > 0 and (sql[i - 1] in "@<" or _is_word(sql[i - 1]))
    if match is None or dialect == "mysql" or after_word:
        return None
    return Occurrence(i, match.end(), "at", name=match.group(1))


def _qmark(sql: str, i: int, dialect: str, pos: Location) -> Occurrence | None:
    """? and ?NNN; in PostgreSQL ?, ?| and ?& after an operand are jsonb operators."""
    match = _QMARK.match(sql, i)
    assert match is not None  # the pattern matches any "?"
    operator = sql[i + 1 : i + 2] in ("|", "&") or _follows_operand(sql, i)
    if dialect == "postgres" and not match.group(1) and operator:
        return None
    if match.group(1):
        return Occurrence(i, match.end(), "numbered", number=int(match.group(1)))
    return Occurrence(i, match.end(), "qmark")


def _follows_operand(sql: str, i: int) -> bool:
    """Whether the text before i ends a value (so what follows is an operator)."""
    before = sql[:i].rstrip()
    if not before:
        return False
    if before[-1] in ")]'\"":
        return True
    word = _WORD_BEFORE.search(before)
    return word is not None and word.group(1).upper() not in _VALUE_KEYWORDS


def _dollar(sql: str, i: int, dialect: str, pos: Location) -> Occurrence | None:
    """$N; $name in SQLite (its own named style). A $ inside an identifier starts nothing."""
    match = _DOLLAR.match(sql, i)
    if match is None or (i > 0 and _is_word(sql[i - 1])):
        return None
    if match.group(1):
        return Occurrence(i, match.end(), "dollar", number=int(match.group(1)))
    if dialect == "sqlite":
        return Occurrence(i, match.end(), "named", name=match.group(2))
    raise AnalysisError(
        f"{match.group(0)!r} is not a parameter in {dialect}",
        location=location_at(sql, i, pos),
        hint=f"write :{match.group(2)} (or $1, $2 ... for positional parameters)",
    )


def _percent(sql: str, i: int, dialect: str, pos: Location) -> Occurrence | None:
    """%s and %(name)s are the DB-API's formats, not SQL: refuse them rather than drop them."""
    match = _PYFORMAT.match(sql, i)
    if match is None or (not match.group(1) and _follows_operand(sql, i)):
        return None  # `a %s` is a modulo by column s
    name = match.group(2) or "name"
    raise AnalysisError(
        f"{match.group(0)!r} is a Python DB-API placeholder, which scaffold does not read",
        location=location_at(sql, i, pos),
        hint=f"write :{name} (the generated code binds parameters by name)",
    )


def _sqlc(sql: str, i: int, dialect: str, pos: Location) -> Occurrence | None:
    """sqlc.arg(x) / narg / slice / embed, the name bare or quoted."""
    call = _SQLC_CALL.match(sql, i)
    if call is None or (i > 0 and (_is_word(sql[i - 1]) or sql[i - 1] == ".")):
        return None
    func = call.group(1).lower()
    if func not in _SQLC_FUNCS:
        hint = did_you_mean(func, _SQLC_FUNCS) or "sqlc knows arg, narg, slice and embed"
        raise AnalysisError(
            f"unknown sqlc function sqlc.{call.group(1)}(...)",
            location=location_at(sql, i, pos),
            hint=hint,
        )
    arg = _SQLC_ARG.match(sql, call.end())
    if arg is None:
        raise AnalysisError(
            f"sqlc.{func}(...) takes one name, e.g. sqlc.{func}(author_id)",
            location=location_at(sql, i, pos),
            hint="write the name bare or quoted: sqlc.arg(name) or sqlc.arg('name')",
        )
    name = next(g for g in arg.groups() if g is not None)
    return Occurrence(i, arg.end(), f"sqlc_{func}", name=name)


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch in "_$"


_READERS: dict[str, Callable[[str, int, str, Location], Occurrence | None]] = {
    ":": _colon,
    "@": _at,
    "?": _qmark,
    "$": _dollar,
    "%": _percent,
    "s": _sqlc,
}
