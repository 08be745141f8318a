"""Find definitions that expand forever: a cycle of references in active (strict) position.

In:  an hvm.book.Book, and the core Book (for places to report).
Out: an error per cycle found (Bend's `recursion-cycle`, an error by default there too); then
     BendError, as compile_program promises for a program with errors.

HVM2 is strict: a reference is expanded as soon as it meets something. A reference is active

  - on one side of a redex (`& @f ~ (x r)`: a call), or
  - in the definition's root, at the end of its chain of lambdas (`@f = (x @g)`, `@A = @B`):
    whatever meets the result meets it at once,

and lazy elsewhere (an argument, `(x @f)`, waits until something uses it). A cycle of active
references (`Foo = Foo`; `A = B`, `B = C`, `C = A`; `loop(x) = loop(x + 1)`) can only grow: the
program never stops. Like Bend we look through every node of the root but a lambda's
parameter side. Unlike Bend we do not count a reference that meets an eraser (`& @f ~ *`): that
pair vanishes without expanding it.
"""

from __future__ import annotations

import re

from bend import ast
from bend.diagnostics import BendError, Diagnostics
from hvm.book import Book, Era, Node, Ref, Tag

STRICT_HINT = ("HVM is strict: each reference here is expanded as soon as its definition is, so this "
               "never stops. Make the recursion lazy: call it inside a `match`/`switch`/`fold` arm, pass the "
               "function as an argument instead of calling it, or write `use x = F` for `let x = F`")


def root_refs(root) -> list[str]:
    refs, stack = [], [root]
    while stack:
        tree = stack.pop()
        while type(tree) is Node:
            if tree.tag is not Tag.CON:  # a λ's parameter side is lazy; everything else is looked through
                stack.append(tree.fst)
            tree = tree.snd
        if type(tree) is Ref:
            refs.append(tree.name)
    return refs


def active_refs(book: Book, name: str) -> list[str]:
    net = book.defs[name].net
    refs = root_refs(net.root)
    for r in net.redexes:
        for side, other in ((r.a, r.b), (r.b, r.a)):
            if type(side) is Ref and type(other) is not Era:
                refs.append(side.name)
    refs += (chain.cons for chain in net.chains)
    return list(dict.fromkeys(n for n in refs if n in book.defs))


def find_cycles(book: Book) -> list[list[str]]:
    """Each cycle once (as the path of names from its smallest member, back to it), in name order."""
    graph = {name: active_refs(book, name) for name in book.defs}
    cycles, seen = [], set()
    for start in sorted(graph):
        stack = [(start, [start])]
        visited = {start}
        while stack:
            name, path = stack.pop()
            for callee in graph[name]:
                if callee == start:
                    key = frozenset(path)
                    if key not in seen:
                        seen.add(key)
                        cycles.append(path + [start])
                elif callee not in visited and callee > start:
                    visited.add(callee)
                    stack.append((callee, path + [callee]))
    return cycles


def source_name(name: str) -> str:
    """The user's definition a generated one came from (`f__C0`, `f__fold0` -> `f`)."""
    return name.split("__")[0]


def shown_name(name: str) -> str:
    """A name as the cycle shows it: a floated combinator as the definition it came from
    (`f__C0` -> `f`); other generated names as they are (`main__fold0`)."""
    return COMBINATOR.sub("", name)


COMBINATOR = re.compile(r"(__C\d+)+$")


def report_cycles(book: Book, core: ast.Book, diagnostics: Diagnostics) -> None:
    """Add an error per cycle of active references outside the prelude; raise BendError if any."""
    for cycle in find_cycles(book):
        defs = [core.defs.get(source_name(n)) for n in cycle[:-1]]
        if all(d is not None and d.builtin for d in defs):
            continue
        first = next((d for d in defs if d is not None and not d.builtin), None)
        names = [n for i, n in enumerate(map(shown_name, cycle[:-1])) if i == 0 or n != shown_name(cycle[i - 1])]
        if len(names) > 1 and names[-1] == names[0]:
            names.pop()
        shown = " -> ".join([*names, names[0]])
        diagnostics.error(
            f"recursive cycle incompatible with HVM's strict evaluation: {shown}",
            first.span if first is not None else None, hint=STRICT_HINT)
    if diagnostics.errors:  # (`-W recursion-cycle` may have made them warnings)
        raise BendError(diagnostics)
