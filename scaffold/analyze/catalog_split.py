"""Where a schema file's statements start and end, found without sqlglot's tokenizer.

Tokenizing a whole pg_dump costs more than parsing the statements the catalog reads. This scanner
knows quotes, identifiers, comments and dollar quotes, and splits where the tokenizer would; on
anything it is not sure of (prefixed strings, backslashes in MySQL strings, unterminated quotes,
operators running into a comment's start) it returns None and the tokenizer splits the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from sqlglot.dialects.dialect import Dialect


@dataclass(frozen=True)
class Span:
    """One statement: its first token's start, its last token's end (exclusive), its semicolon."""

    start: int
    end: int
    stop: int  # the index of its semicolon, or len(text) when the last one has none
    tokenize: bool  # a command or a BEGIN: its tokens decide where it ends (see ddl_source)


# Characters after which -- or /* surely starts a comment (after |, |/* is an operator).
_SAFE_BEFORE = frozenset(" \t\r\n(),;'\"`")
_WORD = re.compile(r"[\w&$]")
_ODD_SPACE = re.compile(r"[^\S \t\r\n]")
_TAG = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPECIALS = {
    "postgres": re.compile(r"['\"$;]|--|/\*|\{#"),
    "sqlite": re.compile(r"['\"`\[;]|--|/\*|\{#"),
    "mysql": re.compile(r"['\"`;#]|--|/\*|\{#"),
}


class _Unsure(Exception):
    """The scanner cannot tell where the tokenizer would split."""


def statement_spans(text: str, dialect: str) -> list[Span] | None:
    """The statements of `text` as the tokenizer splits them; None when unsure."""
    if dialect not in _SPECIALS or _ODD_SPACE.search(text):
        return None
    try:
        return _Scanner(text, dialect).spans()
    except _Unsure:
        return None


class _Scanner:
    def __init__(self, text: str, dialect: str) -> None:
        self.text, self.dialect = text, dialect
        self.out: list[Span] = []
        self.first, self.last, self.tokenize = -1, -1, False

    def spans(self) -> list[Span]:
        text, specials = self.text, _SPECIALS[self.dialect]
        pos = 0
        while True:
            found = specials.search(text, pos)
            end = found.start() if found else len(text)
            self._code(pos, end)
            if found is None:
                self._close(len(text))
                return self.out
            pos = self._special(found.group(), end)

    def _code(self, pos: int, end: int) -> None:
        """Plain SQL between quotes and comments: every character not a space is a token's."""
        piece = self.text[pos:end]
        kept = piece.rstrip()
        if not kept:
            return
        if self.first < 0:
            self._begin(pos + len(piece) - len(piece.lstrip()))
        self.last = pos + len(kept)
        if not self.tokenize and _prefix_words(self.dialect).search(piece):
            self.tokenize = True

    def _begin(self, start: int) -> None:
        self.first = start
        self.tokenize = _command_words(self.dialect).match(self.text, start) is not None

    def _token(self, start: int, end: int) -> int:
        """A quoted token from start to end (exclusive); where scanning goes on."""
        if self.first < 0:
            self._begin(start)
        self.last = end
        return end

    def _close(self, stop: int) -> None:
        if self.first >= 0:
            self.out.append(Span(self.first, self.last, stop, self.tokenize))
        self.first, self.last, self.tokenize = -1, -1, False

    def _special(self, mark: str, at: int) -> int:
        if mark == ";":
            self._close(at)
            return at + 1
        if mark in ("--", "/*", "#", "{#"):
            return self._comment(mark, at)
        if mark == "$":
            return self._dollar(at)
        string = mark == "'" or (self.dialect == "mysql" and mark == '"')
        if string and at > 0 and _WORD.match(self.text[at - 1]):
            raise _Unsure  # E'..', X'..', N'..': prefixed strings, read with their own rules
        close = _closing(self.text, mark, at + 1)
        if string and self.dialect == "mysql" and "\\" in self.text[at:close]:
            raise _Unsure  # MySQL strings take backslash escapes
        return self._token(at, close + 1)

    def _comment(self, mark: str, at: int) -> int:
        text = self.text
        if at > 0 and text[at - 1] not in _SAFE_BEFORE and not text[at - 1].isalnum():
            raise _Unsure  # |/* and #-- are operators before they are comments
        if mark == "{#" or text.startswith("/*+", at) or text.startswith("#>", at):
            raise _Unsure  # template comments, optimizer hints, MySQL's #> operator
        if mark == "/*":
            close = text.find("*/", at + 2)
            # A /* that ends at the closing */ (/*/) opens a nested comment first.
            nested = self.dialect == "postgres" and "/*" in text[at + 2 : close + 1]
            if close < 0 or nested:
                raise _Unsure
            return close + 2
        after = text[at + len(mark) : at + len(mark) + 1]
        if self.dialect == "mysql" and mark == "--" and after and not _dash_boundary(after):
            raise _Unsure
        return _line_end(text, at, self.dialect)

    def _dollar(self, at: int) -> int:
        """$$ ... $$ and $tag$ ... $tag$ are strings; $1 a parameter."""
        text = self.text
        if at > 0 and text[at - 1] not in " \t\r\n(),;=":
            raise _Unsure  # a$b is a name; AS$$ a keyword and a string
        tag_end = text.find("$", at + 1)
        tag = text[at + 1 : tag_end]
        if tag_end < 0 or "\\" in tag:
            raise _Unsure  # the tokenizer reads on to the end, where '' can fail it
        if tag.isdigit() or any(c.isspace() for c in tag):
            return self._token(at, at + 1)  # the tokenizer's test for a parameter
        if tag and not _TAG.fullmatch(tag):
            raise _Unsure
        closing = f"${tag}$"
        close = text.find(closing, tag_end + 1)
        if close < 0:
            raise _Unsure
        return self._token(at, close + len(closing))


def _closing(text: str, quote: str, pos: int) -> int:
    """The index of the quote that closes a string or name ('' inside is an escaped quote)."""
    end = {"[": "]"}.get(quote, quote)
    while True:
        close = text.find(end, pos)
        if close < 0:
            raise _Unsure
        if text.startswith(end, close + 1):
            pos = close + 2
            continue
        return close


def _line_end(text: str, at: int, dialect: str) -> int:
    newline = text.find("\n", at)
    if dialect == "postgres":  # its comments end at a carriage return too
        carriage = text.find("\r", at, newline if newline >= 0 else len(text))
        newline = carriage if carriage >= 0 else newline
    return newline if newline >= 0 else len(text)


def _dash_boundary(char: str) -> bool:
    return char.isspace() or ord(char) < 32 or ord(char) == 127


@cache
def _command_words(dialect: str) -> re.Pattern[str]:
    """The first words of the tokenizer's commands (CALL, DO, SHOW...), whose statement it reads
    as one string up to the semicolon, trailing comments included."""
    tokenizer = Dialect.get_or_raise(dialect).tokenizer_class
    words = {k.split()[0] for k, v in tokenizer.KEYWORDS.items() if v in tokenizer.COMMANDS}
    return re.compile("|".join(sorted(map(re.escape, words))), re.I)


@cache
def _prefix_words(dialect: str) -> re.Pattern[str]:
    """BEGIN (and MySQL's START): a command may follow it inside a statement."""
    tokenizer = Dialect.get_or_raise(dialect).tokenizer_class
    kinds = tokenizer.COMMAND_PREFIX_TOKENS
    words = {k for k, v in tokenizer.KEYWORDS.items() if v in kinds and k.isalpha()}
    return re.compile("|".join(sorted(map(re.escape, words))), re.I)
