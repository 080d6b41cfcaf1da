"""The code in a model's answer, whatever the server and the model wrapped it in.

Real answers carry reasoning (`<think>`), prose, several fences (``` or ~~~, any language tag),
JSON (`{"code": ...}`), CRLF line ends, a BOM, or a last fence never closed. The code is cut out
here; whether it is acceptable is for the policy to say.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import libcst as cst

_TAG = "(think|thinking|reasoning|thought)"
_REASONING = re.compile(rf"<{_TAG}>.*?</\1>", re.DOTALL | re.IGNORECASE)
_OPEN_REASONING = re.compile(rf"<{_TAG}>.*\Z", re.DOTALL | re.IGNORECASE)
_CLOSE_REASONING = re.compile(rf"\A.*</{_TAG}>", re.DOTALL | re.IGNORECASE)
# The final channel of a harmony-format answer (gpt-oss) that a server passed through raw.
_FINAL_CHANNEL = "<|channel|>final<|message|>"
# Chat-template tokens a server failed to strip (`<|im_end|>`, `<|eot_id|>`, a final `</s>`).
_SPECIAL_TOKENS = re.compile(r"<\|(im_start|im_end|endoftext|eot_id|end|return)\|>|</s>\s*\Z")
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)$")
_PYTHON_TAG = re.compile(r"^(py|python)[\d.]*$")
_CODE_START = re.compile(r"(async\s+def\s|def\s|class\s|from\s|import\s|@)")
_ERROR_AT = re.compile(r"error at (\d+):")
_JSON_KEYS = ("code", "python", "answer", "content", "source", "solution", "functions", "body")


@dataclass(frozen=True)
class Block:
    """One fenced block: its language tag (lower case, first word) and its text (a block never
    closed is cut to the code before any prose that follows it)."""

    lang: str
    text: str


def extract_code(answer: str, names: Sequence[str] = ()) -> str:
    """The Python in an answer. Among several fenced blocks, those defining the wanted functions
    (`names`, else any public function) win, the last one for each name; blocks of only imports
    and private helpers come along. Without fences, the bare text (prose around it cut off)."""
    text = _unwrapped_json(plain_text(answer))
    blocks = fenced_blocks(text)
    if not blocks:
        return _finish(_code_span(text))
    python = [b for b in blocks if b.lang == "" or _PYTHON_TAG.match(b.lang)]
    chosen = _choose(python, names) or _choose(blocks, names)
    if chosen:
        return _finish("\n\n".join(c.strip("\n").rstrip() for c in chosen))
    pool = python or blocks
    return _finish(next((b.text for b in reversed(pool) if "def " in b.text), pool[-1].text))


def plain_text(answer: str) -> str:
    """The answer without BOM, CR line ends and reasoning (closed, unclosed or only closed)."""
    text = answer.replace("\ufeff", "").replace("\u200b", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _FINAL_CHANNEL in text:
        text = text.rsplit(_FINAL_CHANNEL, 1)[1]
    text = _SPECIAL_TOKENS.sub("", text)
    text = _REASONING.sub("", text)
    text = _CLOSE_REASONING.sub("", text)  # templates that open <think> in the prompt
    return _OPEN_REASONING.sub("", text)  # reasoning cut off: no answer after it


def _unwrapped_json(text: str) -> str:
    """The code of a JSON-mode answer (`{"code": "..."}`, maybe in a ```json fence)."""
    candidates = [text.strip()] + [b.text for b in fenced_blocks(text) if b.lang == "json"]
    for candidate in candidates:
        if not candidate.startswith("{"):
            continue
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        code = _code_value(data) if isinstance(data, dict) else None
        if code is not None:
            return plain_text(code)
    return text


def _code_value(data: dict[str, object]) -> str | None:
    for key in _JSON_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value
    texts = [v for v in data.values() if isinstance(v, str) and "def " in v]
    return texts[0] if len(texts) == 1 else None


def fenced_blocks(text: str) -> list[Block]:
    """Fenced blocks in order; a fence never closed runs to the end (a cut-off answer)."""
    blocks: list[Block] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        opened = _FENCE.match(lines[i])
        if opened is None:
            i += 1
            continue
        fence, info = opened["fence"], opened["info"].strip()
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        end = next((j for j in range(i + 1, len(lines)) if closing.match(lines[j])), None)
        body = lines[i + 1 : end if end is not None else len(lines)]
        code = textwrap.dedent("\n".join(body))
        lang = info.split()[0].lower().strip("{}.") if info else ""
        blocks.append(Block(lang, code if end is not None else _code_span(code)))
        i = (end if end is not None else len(lines)) + 1
    return blocks


def _choose(blocks: Iterable[Block], names: Sequence[str]) -> list[str]:
    """The texts of the blocks to join: for each defined function its last complete block,
    plus blocks of only imports and private helpers."""
    parsed = [(b.text, m) for b in blocks if (m := _parse(b.text)) is not None]
    winner: dict[str, int] = {}
    for index, (_, module) in enumerate(parsed):
        for name in _public_functions(module, names):
            winner[name] = index
    keep = set(winner.values())
    if not keep:
        return []
    return [t for i, (t, m) in enumerate(parsed) if i in keep or _only_support(m)]


def _public_functions(module: cst.Module, names: Sequence[str]) -> list[str]:
    found = [s.name.value for s in module.body if isinstance(s, cst.FunctionDef)]
    if names:
        return [n for n in found if n in names]
    return [n for n in found if not n.startswith("_")]


def _only_support(module: cst.Module) -> bool:
    """Imports and private helpers only: what an answer may put in a block of its own."""
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value.startswith("_"):
            continue
        is_import = isinstance(stmt, cst.SimpleStatementLine) and all(
            isinstance(s, cst.Import | cst.ImportFrom) for s in stmt.body
        )
        if not is_import:
            return False
    return bool(module.body)


def _code_span(text: str) -> str:
    """Bare text as it is when it parses; else the code between prose: from a line that starts
    a definition or an import, to the last line before prose with which it still parses."""
    if _parse(text) is not None or not text.strip():
        return text
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if _CODE_START.match(line)]
    for start in starts[:3]:
        # Prose starts at the left margin: cut only before such lines, the latest first.
        ends = [j for j in range(start + 1, len(lines)) if lines[j][:1].strip()]
        for end in [len(lines), *reversed(ends)]:
            span = "\n".join(lines[start:end])
            if "def " in span and _parse(span) is not None:
                return span
    return text


def _finish(code: str) -> str:
    code = code.strip("\n").rstrip() + "\n"
    if "\t" in code and _parse(code) is None:
        # Tabs mixed with spaces (a copy-paste habit): tab stops of 4 make it consistent.
        spaced = re.sub(r"^[ \t]+", lambda m: m.group().expandtabs(4), code, flags=re.MULTILINE)
        if _parse(spaced) is not None:
            return spaced
    return code


def _parse(code: str) -> cst.Module | None:
    try:
        return cst.parse_module(code)
    except Exception:  # libcst raises more than ParserSyntaxError on odd input
        return None


def cut_off(code: str, message: str) -> bool:
    """Whether a parser error lies past the code's last line: the code ends too early."""
    at = _ERROR_AT.search(message)
    return at is not None and int(at.group(1)) > len(code.rstrip("\n").split("\n"))
