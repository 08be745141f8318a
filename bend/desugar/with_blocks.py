"""Desugar monadic `with` blocks into calls of the type's `bind` and `wrap`.

In:  a Book after bend.desugar.folds.
Out: the same Book without With or Ask terms. Inside `with T { ... }`, `wrap` is `T/wrap`
     and `p <- e; rest` (`ask p = e; rest`) is

    (T/bind e λ%k (%k λfree... λp rest free...))

     The continuation is deferred: `T/bind` gets it as a function that must be given the
     identity (`undefer`) before use. The part that does the work, `λfree... λp rest`, is
     closed, so it becomes a combinator of its own and a recursive `rest` stays lazy.
"""

from __future__ import annotations

from bend import ast
from bend.desugar.terms import app, free_vars, lam


def run(book: ast.Book, ctx) -> ast.Book:
    for d in book.defs.values():
        if ast.contains(d.rules[0].body, (ast.With, ast.Ask)):
            d.rules[0].body = ast.map_outermost(d.rules[0].body, _is_block, lambda t: desugar(t, None, ctx))
    return book


def _is_block(t) -> bool:
    return type(t) is ast.With or type(t) is ast.Ask


def desugar(t, monad: str | None, ctx):
    cls = type(t)
    if cls is ast.With:
        body = desugar(t.body, t.typ, ctx)
        if f"{t.typ}/wrap" not in ctx.book.defs:  # (a use of `wrap` without one is an error already)
            return body
        return ast.Use("wrap", ast.Ref(f"{t.typ}/wrap", t.span), body, t.span)
    if cls is ast.Ask:
        value = desugar(t.value, monad, ctx)
        rest = desugar(t.body, monad, ctx)
        bound = set(ast.binder_names(t.pattern))
        free = sorted(v for v in free_vars(rest) if v not in bound)
        k = ctx.fresh("k")
        work = lam(t.pattern, rest, ctx.fresh, t.span)
        for v in reversed(free):
            work = ast.Lam(ast.PVar(v, t.span), work, t.span)
        deferred = ast.Lam(ast.PVar(k), app(ast.Var(k, t.span), [work, *(ast.Var(v, t.span) for v in free)]), t.span)
        return app(ast.Ref(f"{monad}/bind", t.span), [value, deferred], t.span)
    ast.map_subterms(t, lambda sub: desugar(sub, monad, ctx))
    return t
