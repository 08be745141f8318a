"""Turn each `bend` into a recursive definition of its own.

In:  a Book after bend.desugar.match_defs (one rule per definition).
Out: the same Book without Bend terms. `bend` in `f` becomes `f__bend<k>`, whose parameters
     are the variables the bend uses from outside (sorted by name), then its state; `fork`
     calls it again with the same outside variables:

    bend x = 0 { when (< x n): (List/Cons x (fork (+ x 1))); else: List/Nil }
    ==>  (f__bend0 n 0)
         f__bend0 = λn λx switch (< x n) { 0: List/Nil; _: use fork = (f__bend0 n); (List/Cons x (fork (+ x 1))) }
"""

from __future__ import annotations

from bend import ast
from bend.desugar.terms import app, free_vars, lams


def run(book: ast.Book, ctx) -> ast.Book:
    return lift_each(book, ctx, ast.Bend, "bend", lift_bend)


def lift_each(book: ast.Book, ctx, cls, word: str, lift) -> ast.Book:
    """Replace every `cls` term of each definition, innermost first, by a call of a new
    definition `<def>__<word><k>`; `lift(term, new_name, ctx)` gives (the call, the new body)."""
    new_defs: dict[str, ast.Definition] = {}
    for name, d in list(book.defs.items()):
        count = 0

        def replace(t):
            nonlocal count
            if type(t) is not cls:
                return t
            new_name = f"{name}__{word}{count}"
            count += 1
            call, body = lift(t, new_name, ctx)
            new_defs[new_name] = ast.Definition(new_name, [ast.Rule([], body, t.span)], None, d.checked, t.span,
                                                d.syntax, builtin=d.builtin)
            return call

        if ast.contains(d.rules[0].body, (cls,)):
            d.rules[0].body = ast.rewrite(d.rules[0].body, replace)
    book.defs.update(new_defs)
    return book


def lift_bend(t: ast.Bend, new_name: str, ctx):
    names = [n for n, _ in t.binds]
    inside = ast.Bend([(n, ast.Era()) for n in names], t.cond, t.step, t.base)  # without the first values
    outside = sorted(free_vars(inside))
    ref = ast.Ref(new_name, t.span)
    step = ast.Use("fork", app(ref, [ast.Var(v, t.span) for v in outside], t.span), t.step, t.span)
    body = ast.Switch(t.cond, None, [], [t.base, step], t.span, pred=ctx.fresh("pred"))
    call = app(ast.Ref(new_name, t.span), [ast.Var(v, t.span) for v in outside] + [v for _, v in t.binds], t.span)
    return call, lams(outside + names, body, t.span)
