"""From core terms to HVM2 nets (and, in bend.to_hvm.readback, from result nets back to terms).

compile_nets: the core Book (bend.desugar) -> the hvm.book.Book that runs it: each definition
compiled to a net (bend.to_hvm.compile, which describes the encoding), then the net passes:
eta reduction, inlining (-Oinline), priorities of recursive calls, strict cycles, pruning and
net sizes (-Ocheck-net-size). The driver (bend.compiler) calls it.
"""

from __future__ import annotations

from bend import ast
from bend.desugar.context import Ctx, Options
from bend.diagnostics import BendError
from hvm.book import Book


def compile_nets(core: ast.Book, ctx: Ctx, options: Options) -> Book:
    """Raises BendError when the nets have errors (unscoped variables, native nets, cycles, sizes)."""
    from bend.to_hvm.compile import compile_book
    from bend.to_hvm.cycles import report_cycles
    from bend.to_hvm.eta import eta_reduce
    from bend.to_hvm.inline import inline_book
    from bend.to_hvm.net_size import check_net_sizes
    from bend.to_hvm.priority import mark_recursive_calls
    from hvm.flatbook import reachable

    trace = options.trace or (lambda stage: None)
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
    return book
