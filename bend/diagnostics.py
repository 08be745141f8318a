"""Diagnostics: the errors and warnings found in a program, and their text.

In:  a severity, a message, a span (hvm.errors.Span: file, source, offsets) and a hint.
Out: Diagnostic values, collected in Diagnostics (every problem of a file, not only the first)
     and rendered like a compiler's, with file:line:column and a caret under the span:

    error: unbound variable `lenght`
     --> main.bend:4:10
      |
    4 |   return lenght(xs)
      |          ^^^^^^
      = hint: did you mean `length`?
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from hvm.errors import Span, render_message


@dataclass(slots=True)
class Diagnostic:
    severity: str  # "error" or "warning"
    message: str
    span: Span | None = None
    hint: str | None = None
    path: str | None = None

    def render(self) -> str:
        return render_message(self.severity, self.message, self.span, self.hint, self.path)

    def sort_key(self):
        if self.span is None:
            return (self.path or "", -1)
        return (self.span.path, self.span.start)


@dataclass
class Diagnostics:
    items: list[Diagnostic] = field(default_factory=list)

    def error(self, message: str, span: Span | None = None, hint: str | None = None, path: str | None = None):
        self.items.append(Diagnostic("error", message, span, hint, path))

    def warning(self, message: str, span: Span | None = None, hint: str | None = None, path: str | None = None):
        self.items.append(Diagnostic("warning", message, span, hint, path))

    def extend(self, other: "Diagnostics") -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=Diagnostic.sort_key)


class BendError(Exception):
    """Raised when a program has errors; carries every diagnostic found."""

    def __init__(self, diagnostics: Diagnostics):
        errors = diagnostics.errors
        super().__init__(errors[0].message if errors else "error")
        self.diagnostics = diagnostics


def did_you_mean(name: str, candidates, what: str = "") -> str | None:
    """A hint naming the closest candidate, if one is close enough.

    Names are also compared by their last part, so `lenght` finds `List/length`.
    """
    candidates = list(candidates)
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.7)
    if not close and "/" not in name:
        by_last = {}
        for c in candidates:
            by_last.setdefault(c.rsplit("/", 1)[-1], c)
        short = difflib.get_close_matches(name, list(by_last), n=1, cutoff=0.75)
        close = [by_last[short[0]]] if short else []
    return f"did you mean {what}`{close[0]}`?" if close else None
