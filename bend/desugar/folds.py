"""Turn each `fold` into a recursive definition of its own.

In:  a Book after bend.desugar.bends.
Out: the same Book without Fold terms. `fold` in `f` becomes `f__fold<k>`, which takes the
     value to fold, the variables the arms use from outside (sorted by name) and the `with`
     state, and matches; in each arm a recursive field `x.f` (`~f` in the type) stands for the
     fold of that field, that is `(f__fold<k> x.f outside...)` (a function of the state, when
     there is one):

    fold xs { List/Cons: (+ xs.head xs.tail); List/Nil: 0 }
    ==>  (f__fold0 xs)
         f__fold0 = λ%x match %x { List/Cons xs.head xs.tail: (+ xs.head (f__fold0 xs.tail)); List/Nil: 0 }
"""

from __future__ import annotations

from bend import ast
from bend.desugar.bends import lift_each
from bend.desugar.terms import app, free_vars, lams, replace_free


def run(book: ast.Book, ctx) -> ast.Book:
    return lift_each(book, ctx, ast.Fold, "fold", lift_fold)


def lift_fold(t: ast.Fold, new_name: str, ctx):
    state = [n for n, _ in t.with_]
    outside: set[str] = set()
    for arm in t.arms:
        outside |= set(free_vars(arm.body)) - set(arm.binds)
    outside = sorted(outside - set(state))

    def recurse(var: ast.Var):
        return app(ast.Ref(new_name, var.span), [var, *(ast.Var(v, var.span) for v in outside)], var.span)

    arms = []
    for arm in t.arms:
        ctor = ctx.ctors[arm.pattern][1]
        recursive = {b: recurse for b, f in zip(arm.binds, ctor.fields) if f.recursive}
        body = lams(state, replace_free(arm.body, recursive), arm.span)
        arms.append(ast.Arm(arm.pattern, body, arm.span, binds=arm.binds))
    x = ctx.fresh("x")
    match = app(ast.Match(ast.Var(x, t.span), None, [], arms, t.span), [ast.Var(s, t.span) for s in state], t.span)
    body = lams([x, *outside, *state], match, t.span)
    call = app(ast.Ref(new_name, t.span), [t.scrutinee, *(ast.Var(v, t.span) for v in outside),
                                           *(v for _, v in t.with_)], t.span)
    return call, body
