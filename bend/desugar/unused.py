"""Warn about each definition of the program's own file that its entry point never uses.

In:  a Book after bend.desugar.encode_adts (every reference explicit), and the Ctx naming the
     entry point and the main file's definitions.
Out: the same Book, unchanged; a warning of kind `unused-definition` (Bend's; `-A
     unused-definition` silences it) for each such definition:

    def helper(x): return x        warning: `helper` is defined but never used
    def main(): return 1

     Constructors, the compiler's generated definitions and imported ones are not reported;
     `-Oprune` then removes what is unused (bend.desugar.prune).
"""

from __future__ import annotations

from bend import ast
from bend.ast import is_user, reachable


def run(book: ast.Book, ctx) -> ast.Book:
    used = reachable(book, [ctx.entry])
    for name in sorted(ctx.own_defs):
        if name in used or name == ctx.entry or not is_user(name) or name in ctx.ctors:
            continue
        item = book.defs.get(name) or book.hvm_defs.get(name)
        if item is None or item.builtin:
            continue
        ctx.diagnostics.warning(f"`{name}` is defined but never used", item.span, kind="unused-definition")
    return book
