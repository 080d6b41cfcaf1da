"""The scaffold block of `.gitattributes`: how git treats the files scaffold generated.

Every generated file keeps LF line endings on checkout, so its bytes match the manifest on any
platform. Template-written files are also `linguist-generated` (GitHub collapses them in diffs);
LLM-written files are not, on purpose: a collapsed file escapes review. The user's own lines
outside the block are kept as they are.
"""

from __future__ import annotations

from collections.abc import Mapping

from scaffold.manifest import SCAFFOLD_DIR

BEGIN = "# >>> scaffold: generated files (rewritten by scaffold gen; edit outside this block)"
END = "# <<< scaffold"


def with_generated_block(current: str | None, writers: Mapping[str, str]) -> str:
    """The new `.gitattributes` text: the user's lines, then the scaffold block.

    `writers` maps each generated file to the writer that wrote it ("template" or "llm").
    """
    lines = [f"/{SCAFFOLD_DIR}/** eol=lf linguist-generated=true"]
    for path, writer in sorted(writers.items()):
        collapsed = " linguist-generated=true" if writer == "template" else ""
        lines.append(f"{_pattern(path)} eol=lf{collapsed}")
    block = "\n".join([BEGIN, *lines, END]) + "\n"
    before, after = _outside_block(current or "")
    if before and not before.endswith("\n"):
        before += "\n"
    return before + block + after


def _outside_block(text: str) -> tuple[str, str]:
    """The text before and after an existing scaffold block (all of it before when none)."""
    start = text.find(BEGIN)
    if start < 0:
        return text, ""
    end = text.find(END, start)
    if end < 0:
        return text[:start], ""
    rest = text[end + len(END) :]
    return text[:start], rest.removeprefix("\n")


def _pattern(path: str) -> str:
    """An anchored pattern matching exactly this path.

    Glob characters are escaped; a path with whitespace or quotes is written C-quoted, the form
    git reads for such patterns.
    """
    pattern = "/" + "".join("\\" + ch if ch in "*?[\\" else ch for ch in path)
    if not any(ch.isspace() or ch == '"' for ch in pattern):
        return pattern
    return '"' + pattern.replace("\\", "\\\\").replace('"', '\\"') + '"'
