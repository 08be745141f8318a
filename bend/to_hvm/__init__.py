"""From core terms to HVM2 nets, and from result nets back to terms.

compile_program: a loaded, checked program -> the hvm.book.Book that runs it (with the core
Book and the desugaring context, for readback). See bend.to_hvm.compile for the encoding.
"""

from __future__ import annotations

from dataclasses import dataclass

from bend import ast
from bend.deep import deep
from bend.desugar.context import Ctx, Options
from bend.desugar.pipeline import desugar
from hvm.book import Book


@dataclass
class Compiled:
    hvm: Book
    core: ast.Book
    ctx: Ctx


def compile_program(program, options: Options | None = None, args: list | None = None) -> Compiled:
    """`args`: terms to apply `main` to. Raises BendError when the program has errors (its
    diagnostics say which)."""
    return deep(_compile_program, program, options or Options(), args)


def _compile_program(program, options: Options, args: list | None) -> Compiled:
    from bend.to_hvm.compile import compile_book
    from bend.to_hvm.cycles import report_cycles
    from bend.to_hvm.eta import eta_reduce
    from bend.to_hvm.priority import mark_recursive_calls
    from hvm.flatbook import reachable

    core, ctx = desugar(program, options, args=args)
    book = compile_book(core, ctx.entry, ctx.diagnostics)
    if options.eta:
        for d in book.defs.values():
            d.net = eta_reduce(d.net)
    mark_recursive_calls(book)
    report_cycles(book, core, ctx.diagnostics)
    keep: set[str] = set()
    for root in [*core.defs, *(n for n, h in core.hvm_defs.items() if not h.builtin)]:
        if root not in keep:
            keep |= reachable(book, root)
    book.defs = {n: d for n, d in book.defs.items() if n in keep}
    return Compiled(book, core, ctx)
