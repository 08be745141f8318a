"""Pass the variables that match and switch arms use from outside into the arms as arguments.

In:  a Book after bend.desugar.unique_names.
Out: the same Book where no match or switch arm has a free variable bound outside the match:
     each such variable is bound by a lambda at the start of every arm and the match is
     applied to it (in binding order). Each arm then is a closed term, and an arm that does
     not use a variable erases it, instead of every path sharing one copy:

    λa λb switch a { 0: b; _: (+ b 1) }   ==>   λa λb (switch a { 0: λb b; _: λb (+ b 1) } b)
"""

from __future__ import annotations

from bend import ast
from bend.desugar.terms import app, free_vars, lams


def run(book: ast.Book, ctx) -> ast.Book:
    if not ctx.options.linearize_matches:
        return book
    order = ctx.var_order

    def lift(t):
        cls = type(t)
        if cls is ast.Match:
            arm_vars = [(arm.body, set(arm.binds)) for arm in t.arms]
        elif cls is ast.Switch:
            arm_vars = [(arm, set()) for arm in t.arms[:-1]] + [(t.arms[-1], {t.pred})]
        else:
            return t
        lifted: set[str] = set()
        for body, binds in arm_vars:
            lifted |= set(free_vars(body)) - binds
        if not lifted:
            return t
        names = sorted(lifted, key=lambda n: order.get(n, len(order)))
        if cls is ast.Match:
            for arm in t.arms:
                arm.body = lams(names, arm.body, arm.span)
        else:
            t.arms = [lams(names, arm, t.span) for arm in t.arms]
        return app(t, [ast.Var(n, t.span) for n in names], t.span)

    for d in book.defs.values():
        if ast.contains(d.rules[0].body, (ast.Match, ast.Switch)):
            d.rules[0].body = ast.rewrite(d.rules[0].body, lift)
    return book
