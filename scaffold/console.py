"""What `scaffold gen` says while it runs, on stderr: on a terminal one redrawn line for the LLM
units (done/total, attempts, tokens), elsewhere (CI, pre-commit, tests) plain lines."""

from __future__ import annotations

import shutil
import sys
import threading
from types import TracebackType
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from scaffold.write.progress import UnitProgress

CLEAR_LINE = "\r\x1b[K"


class GenConsole:
    """Progress messages and LLM unit events, written as they come from any thread."""

    def __init__(
        self, stream: TextIO, *, live: bool, quiet: bool = False, columns: int | None = None
    ) -> None:
        self.stream = stream
        self.live = live  # a terminal: the units' line is redrawn in place
        self.quiet = quiet
        self.columns = columns  # the terminal's width; None: asked at each redraw
        self._drawn = False
        self._lock = threading.Lock()

    @classmethod
    def on_stderr(cls, *, quiet: bool = False) -> GenConsole:
        stream = sys.stderr
        return cls(stream, live=stream.isatty(), quiet=quiet)

    def __enter__(self) -> GenConsole:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        with self._lock:
            self._clear()  # before an error is printed, the unfinished line goes

    def say(self, message: str) -> None:
        if self.quiet:
            return
        with self._lock:
            self._clear()
            self._write(message + "\n")

    def unit(self, event: UnitProgress) -> None:
        if self.quiet:
            return
        with self._lock:
            if not self.live:
                # Cache hits are many and silent; the last event carries the run's totals.
                if event.kind != "cached" or event.finished:
                    self._write(f"{event}\n")
            elif event.finished:
                self._clear()
                self._write(f"llm units: {event.totals()}\n")
            else:
                self._draw(f"llm [{event.totals()}] {event.unit}: {event.step}")

    def _draw(self, line: str) -> None:
        # A line longer than the terminal would wrap, and "\r" redraw only its last row.
        width = (self.columns or shutil.get_terminal_size().columns) - 1
        shown = line if len(line) <= width else line[: max(width - 1, 0)] + "…"
        self._write(CLEAR_LINE + shown)
        self._drawn = True

    def _clear(self) -> None:
        if self._drawn:
            self._write(CLEAR_LINE)
            self._drawn = False

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()
