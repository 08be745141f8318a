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
    """`severity: message`, then the place, the source line with a caret under the span, a hint."""
    lines = [f"{severity}: {message}"]
    if span is not None:
        line_no, col = span.line_col()
        line_start = span.start - (col - 1)
        line_end = span.source.find("\n", line_start)
        if line_end < 0:
            line_end = len(span.source)
        text = span.source[line_start:line_end].replace("\t", " ")
        width = max(1, min(span.end, line_end) - span.start)
        gutter = " " * len(str(line_no))
        lines += [
            f"{gutter}--> {span.path}:{line_no}:{col}",
            f"{gutter} |",
            f"{line_no} | {text}",
            f"{gutter} | {' ' * (col - 1)}{'^' * width}",
        ]
    elif path:
        lines.append(f" --> {path}")
    if hint:
        lines.append(f"  = hint: {hint}")
    return "\n".join(lines)
