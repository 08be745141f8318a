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

A diagnostic Bend's `-W`/`-D`/`-A` flags can switch has a kind (one of KINDS, Bend's names);
`Diagnostics.levels` maps a kind to the severity its diagnostics get: "warning", "error", or
"allow" (dropped). A diagnostic made without a kind gets the one its message shows (see
kind_of), so every pass need not know about the flags.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from hvm.errors import Span, render_message


@dataclass(slots=True)
class Diagnostic:
    severity: str  # "error" or "warning"
    message: str
    span: Span | None = None
    hint: str | None = None
    path: str | None = None
    kind: str | None = None  # one of KINDS, for those -W/-D/-A switch

    def render(self) -> str:
        return render_message(self.severity, self.message, self.span, self.hint, self.path)

    def sort_key(self):
        if self.span is None:
            return (self.path or "", -1)
        return (self.span.path, self.span.start)


@dataclass
class Diagnostics:
    items: list[Diagnostic] = field(default_factory=list)
    levels: dict[str, str] = field(default_factory=dict)  # kind -> "warning" | "error" | "allow"

    def error(self, message: str, span: Span | None = None, hint: str | None = None, path: str | None = None,
              kind: str | None = None):
        self.add(Diagnostic("error", message, span, hint, path, kind or kind_of(message)))

    def warning(self, message: str, span: Span | None = None, hint: str | None = None, path: str | None = None,
                kind: str | None = None):
        self.add(Diagnostic("warning", message, span, hint, path, kind or kind_of(message)))

    def add(self, d: Diagnostic) -> None:
        level = self.levels.get(d.kind) if d.kind else None
        if level == "allow":
            return
        if level is not None:
            d.severity = level
        self.items.append(d)

    def configure(self, levels: dict[str, str]) -> None:
        """Set the severity of each kind from now on, and of those already found."""
        self.levels = dict(levels)
        items, self.items = self.items, []
        for d in items:
            self.add(d)

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


# The kinds of diagnostic `-W`, `-D` and `-A` switch (Bend 0.2.38's names, and `arity`, ours:
# bend.check.arity; `all` is every one but missing-main, as in Bend).
KINDS = ("irrefutable-match", "redundant-match", "unreachable-match", "unused-definition", "repeated-bind",
         "recursion-cycle", "import-shadow", "missing-main", "arity")

_KIND_OF_MESSAGE = [  # (kind, pattern): for diagnostics made without an explicit kind
    ("irrefutable-match", re.compile(r"^irrefutable match")),
    ("redundant-match", re.compile(r"^this case is never reached: `([A-Z]|[^`]*/)[^`]*` is matched before it")),
    ("unreachable-match", re.compile(r"^this case is never reached|^this rule of `[^`]*` is never used")),
    ("repeated-bind", re.compile(r"is bound twice in this pattern")),
    ("recursion-cycle", re.compile(r"^recursi(ve|on) cycle")),
    ("import-shadow", re.compile(r"^the import of `.*shadow")),
    ("missing-main", re.compile(r"^this program has no `[^`]*` definition")),
    ("unused-definition", re.compile(r"^`[^`]*` is defined but never used")),
]


def kind_of(message: str) -> str | None:
    """The kind of diagnostic a message is, by its words (None: no flag switches it)."""
    for kind, pattern in _KIND_OF_MESSAGE:
        if pattern.search(message):
            return kind
    return None
