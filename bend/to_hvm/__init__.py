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
from bend.diagnostics import BendError
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
    from bend.to_hvm.inline import inline_book
    from bend.to_hvm.net_size import check_net_sizes
    from bend.to_hvm.priority import mark_recursive_calls
    from hvm.flatbook import reachable

    trace = options.trace or (lambda stage: None)
    core, ctx = desugar(program, options, args=args)
    trace("to_hvm: terms to nets")
    book = compile_book(core, ctx.entry, ctx.diagnostics)
    if options.eta:
        trace("to_hvm: eta")
        for d in book.defs.values():
            d.net = eta_reduce(d.net)
    if options.inline:
        trace("to_hvm: inline")
        inline_book(book, ctx.diagnostics)
    trace("to_hvm: recursive calls, cycles")
    mark_recursive_calls(book)
    try:
        report_cycles(book, core, ctx.diagnostics)
    except BendError:
        if ctx.diagnostics.errors:  # (not when `-A recursion-cycle` allowed them)
            raise
    keep: set[str] = set()
    roots = [ctx.entry] if options.prune else list(core.defs)  # (-Oprune: also what -Oinline left unused)
    for root in [*roots, *(n for n, h in core.hvm_defs.items() if not h.builtin)]:
        if root not in keep:
            keep |= reachable(book, root)
    book.defs = {n: d for n, d in book.defs.items() if n in keep}
    if options.check_net_size:
        trace("to_hvm: check_net_size")
        check_net_sizes(book, ctx.diagnostics, {n: d.span for n, d in core.defs.items()})
    return Compiled(book, core, ctx)
