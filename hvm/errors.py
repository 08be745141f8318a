"""The errors of the hvm package, and their text for users.

In:  a message, optionally a place in a source text (path, source, start/end offsets) and a hint.
Out: `HvmError` exceptions (raised by every hvm module for a user's mistake or a runtime limit)
     and `render(error)`, the text the CLI prints:

    error: variable `b` occurs only once in @main
     --> fib.hvm:9:10
      |
    9 | @main = (b a)
      |          ^
      = hint: every variable is one end of a wire and must occur exactly twice
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch `[start, end)` of a source text, by character offset."""

    path: str
    source: str
    start: int
    end: int

    def line_col(self) -> tuple[int, int]:
        """1-based line and column of `start`."""
        line = self.source.count("\n", 0, self.start) + 1
        col = self.start - (self.source.rfind("\n", 0, self.start) + 1) + 1
        return line, col


class HvmError(Exception):
    """A user-facing error: bad input, or a limit reached while running."""

    def __init__(self, message: str, span: Span | None = None, hint: str | None = None, path: str | None = None):
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint
        self.path = path if path is not None else (span.path if span else None)


class ParseError(HvmError):
    """The text is not a well-formed `.hvm` book."""


class ValidationError(HvmError):
    """The book parses but is not a valid net (a variable not used twice, an unknown @ref...)."""


class LimitError(HvmError):
    """A runtime limit (memory, interactions) was reached."""


def render(error: HvmError) -> str:
    """The error as text for a terminal: message, place, source line with a caret, hint."""
    return render_message("error", error.message, error.span, error.hint, error.path)


def render_message(severity: str, message: str, span: Span | None, hint: str | None = None,
                   path: str | None = None) -> str:
    """`severity: message`, then the place, the source line with a caret under the span, a hint.

    A long source line is shown as a window around the place (the column printed is still the
    true one), a long word of the message is shortened, and control characters show as the
    symbols for them (`␀` for NUL), so neither a 100,000-character line nor binary input floods
    the terminal."""
    lines = [f"{severity}: {shorten_words(visible(message))}"]
    if span is not None:
        line_no, col = span.line_col()
        line_start = span.start - (col - 1)
        line_end = span.source.find("\n", line_start)
        if line_end < 0:
            line_end = len(span.source)
        width = max(1, min(span.end, line_end) - span.start)
        text, caret_col, width = _window(span.source, line_start, line_end, col - 1, width)
        gutter = " " * len(str(line_no))
        lines += [
            f"{gutter}--> {span.path}:{line_no}:{col}",
            f"{gutter} |",
            f"{line_no} | {text}",
            f"{gutter} | {' ' * caret_col}{'^' * width}",
        ]
    elif path:
        lines.append(f" --> {path}")
    if hint:
        lines.append(f"  = hint: {shorten_words(visible(hint))}")
    return "\n".join(lines)


SHOWN_COLUMNS = 100  # at most this much of a source line is shown (and `…` at each cut side)
SHOWN_BEFORE = 40  # columns kept before the place when the line is cut
LONG_WORD = 80  # a word of a message longer than this is shortened


def _window(source: str, line_start: int, line_end: int, col: int, width: int) -> tuple[str, int, int]:
    """The part of a source line shown, the caret's column in it (0-based) and the caret's width."""
    size = line_end - line_start
    if size <= SHOWN_COLUMNS:
        return visible(source[line_start:line_end].replace("\t", " ")), col, width
    first = max(0, min(col - SHOWN_BEFORE, size - SHOWN_COLUMNS))
    last = min(size, first + SHOWN_COLUMNS)
    text = visible(source[line_start + first:line_start + last].replace("\t", " "))
    caret = col - first
    width = max(1, min(width, last - col))
    if first > 0:
        text, caret = "…" + text, caret + 1
    if last < size:
        text += "…"
    return text, caret, width


_CONTROL = {c: 0x2400 + c for c in range(0x20) if c not in (0x09, 0x0A)} | {0x7F: 0x2421}


def visible(text: str) -> str:
    """`text` with each control character (but tab and newline) as its symbol: NUL as `␀`, ESC as `␛`."""
    return text.translate(_CONTROL)


def abbreviate(text: str, limit: int = LONG_WORD) -> str:
    """`text`, or its start and end around `…` and its length when longer than `limit` characters."""
    if len(text) <= limit:
        return text
    keep = max(8, limit // 2 - 10)
    return f"{text[:keep]}…{text[-8:]} ({len(text):,} characters)"


def shorten_words(text: str) -> str:
    """`text` with every run of over LONG_WORD non-space characters abbreviated (a quoted token)."""
    if len(text) <= LONG_WORD:
        return text
    return re.sub(r"[^\s`]{%d,}" % (LONG_WORD + 1), lambda m: abbreviate(m.group()), text)
