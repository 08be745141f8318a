"""Find definitions that expand forever: a cycle of calls in active position.

In:  an hvm.book.Book, and the core Book (for places to report).
Out: a warning per cycle found. A reference on one side of a redex (`& @f ~ ...`) is called as
     soon as its definition is; one anywhere else waits until something meets it. A cycle of
     the first kind (`@loop = a  & @loop ~ a`) can only grow: the program never stops (it runs
     out of memory). Bend reports these as `recursion-cycle`.
"""

from __future__ import annotations

from bend import ast
from bend.diagnostics import Diagnostics
from hvm.book import Book, Era, Ref


def eager_calls(book: Book, name: str) -> list[str]:
    calls = []
    for r in book.defs[name].net.redexes:
        for side, other in ((r.a, r.b), (r.b, r.a)):
            if type(side) is Ref and side.name in book.defs and type(other) is not Era:
                calls.append(side.name)
    return calls


def find_cycles(book: Book) -> list[list[str]]:
    """Each cycle once (as the path of names from its smallest member), in name order."""
    graph = {name: eager_calls(book, name) for name in book.defs}
    cycles, seen = [], set()
    for start in sorted(graph):
        stack = [(start, [start])]
        visited = {start}
        while stack:
            name, path = stack.pop()
            for callee in graph[name]:
                if callee == start:
                    key = frozenset(path)
                    if key not in seen and min(path) == start:
                        seen.add(key)
                        cycles.append(path + [start])
                elif callee not in visited and callee > start:
                    visited.add(callee)
                    stack.append((callee, path + [callee]))
    return cycles


def report_cycles(book: Book, core: ast.Book, diagnostics: Diagnostics) -> None:
    for cycle in find_cycles(book):
        user = cycle[0].split("__")[0]
        d = core.defs.get(user)
        if d is not None and d.builtin:
            continue
        shown = " -> ".join(dict.fromkeys(n.split("__")[0] for n in cycle[:-1])) + f" -> {user}"
        diagnostics.warning(
            f"recursion cycle: {shown}: each call starts the next at once, so this never stops",
            d.span if d is not None else None,
            hint="put the recursive call inside a `match`/`switch` arm (or behind a lambda), where it waits "
                 "until that branch is taken")
