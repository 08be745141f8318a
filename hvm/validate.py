"""Well-formedness of a book: what HVM2's parser accepts but a correct net must also satisfy.

In:  a parsed hvm.Book.
Out: every problem found, as ValidationErrors in source order (empty list: the book is valid):
     - each variable occurs exactly twice in its definition (it is the two ends of one wire);
     - each `@ref` names a definition of the book;
     - the entry definition (`@main`) exists.
"""

from __future__ import annotations

import difflib

from hvm.book import Book, Ref, Var, iter_net_trees, iter_subtrees
from hvm.errors import Span, ValidationError


def validate(book: Book, entry: str = "main") -> list[ValidationError]:
    errors: list[tuple[int, ValidationError]] = []

    def report(message: str, pos: int | None, length: int, hint: str | None = None) -> None:
        span = None
        if book.source is not None and book.path is not None and pos is not None:
            span = Span(book.path, book.source, pos, pos + length)
        errors.append((pos if pos is not None else -1, ValidationError(message, span, hint, path=book.path)))

    if entry not in book.defs:
        close = difflib.get_close_matches(entry, list(book.defs), n=1)
        hint = f"did you mean @{close[0]}?" if close else f"a runnable book defines `@{entry} = ...`"
        report(f"the book has no @{entry} definition", None, 0, hint)

    for definition in book.defs.values():
        for message, pos, length, hint in net_problems(definition.net, book.defs):
            report(f"{message} in @{definition.name}" if message.startswith("variable") else message, pos, length, hint)
    errors.sort(key=lambda item: item[0])
    return [e for _, e in errors]


def net_problems(net, defined) -> list[tuple[str, int | None, int, str | None]]:
    """(message, position in the net's text, length, hint) for each variable of `net` that does
    not occur exactly twice and each `@ref` not in `defined`."""
    problems = []
    occurrences: dict[str, list[Var]] = {}
    for tree in iter_net_trees(net):
        for t in iter_subtrees(tree):
            if type(t) is Var:
                occurrences.setdefault(t.name, []).append(t)
            elif type(t) is Ref and t.name not in defined:
                close = difflib.get_close_matches(t.name, list(defined), n=1)
                problems.append((f"@{t.name} is not defined", t.pos, len(t.name) + 1,
                                 f"did you mean @{close[0]}?" if close else None))
    for name, uses in occurrences.items():
        if len(uses) == 1:
            problems.append((f"variable `{name}` occurs only once", uses[0].pos, len(name),
                             "every variable is one end of a wire and must occur exactly twice"))
        elif len(uses) > 2:
            problems.append((f"variable `{name}` occurs {len(uses)} times", uses[2].pos, len(name),
                             "a wire has two ends: use `{a b}` (a DUP node) to share a value"))
    return problems
