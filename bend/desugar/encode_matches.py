"""Encode matches on data types and many-way switches with HVM2's two-way switch.

In:  a Book after bend.desugar.linearize_matches.
Out: the same Book without Match or Switch terms; only Swi (`zero` if the number is 0, else
     `succ` applied to the number minus 1). Data types are num-scott encoded (see
     bend.desugar.encode_adts): a value is `λk (k tag field...)`, so a match applies the
     value to a function of the tag that switches to the arm of that constructor:

    match x { A: a; B f: b; C g h: c }
    ==>  (x λt switch t { 0: a; _: λt2 switch t2 { 0: λf b; _: λ* λg λh c } })

    switch n { 0: a; 1: b; _: c(n-2) }
    ==>  switch n { 0: a; _: λp switch p { 0: b; _: λn-2 c(n-2) } }

     Under `-Oadt-scott` a value is `λA λB λC (B f)`: the match passes one function per
     constructor, in the order of the type's constructors:

    match x { A: a; B f: b; C g h: c }   ==>  (x a λf b λg λh c)
"""

from __future__ import annotations

from bend import ast
from bend.desugar.terms import app, lams


def run(book: ast.Book, ctx) -> ast.Book:
    def encode(t):
        if type(t) is ast.Match:
            return encode_match(t, ctx)
        if type(t) is ast.Switch:
            return encode_switch(t, ctx)
        return t

    for d in book.defs.values():
        if ast.contains(d.rules[0].body, (ast.Match, ast.Switch)):
            d.rules[0].body = ast.rewrite(d.rules[0].body, encode)
    return book


def encode_match(t: ast.Match, ctx):
    arms = [lams(arm.binds, arm.body, arm.span) for arm in t.arms]
    if ctx.options.adt_encoding == "scott":
        return app(t.scrutinee, arms, t.span)
    if len(arms) == 1:
        rest = ast.Era(t.span)  # a type with one constructor: tag 0 is the only one
    else:
        rest = ast.Lam(ast.PEra(), arms[-1], t.span)
        for arm in reversed(arms[1:-1]):
            tag = ctx.fresh("tag")
            rest = ast.Lam(ast.PVar(tag), ast.Swi(ast.Var(tag), arm, rest, t.span), t.span)
    tag = ctx.fresh("tag")
    on_tag = ast.Lam(ast.PVar(tag), ast.Swi(ast.Var(tag), arms[0], rest, t.span), t.span)
    return app(t.scrutinee, [on_tag], t.span)


def encode_switch(t: ast.Switch, ctx):
    rest = ast.Lam(ast.PVar(t.pred), t.arms[-1], t.span)
    for arm in reversed(t.arms[1:-1]):
        p = ctx.fresh("p")
        rest = ast.Lam(ast.PVar(p), ast.Swi(ast.Var(p), arm, rest, t.span), t.span)
    return ast.Swi(t.scrutinee, t.arms[0], rest, t.span)
