"""Lift local definitions (`def` inside a body) to the top level.

In:  a Book after bend.desugar.fix_matches.
Out: the same Book without LocalDef terms. A local `aux` of `f` becomes the definition
     `f__local_<k>_aux`, whose first parameters are the variables it captures; where `aux` was
     visible (after it, and inside itself), `use aux = (f__local_<k>_aux captured...)`.

    def f(x):            ==>   f__local_0_aux y k = (+ k y)
      def aux(y):              (f x) = use aux = (f__local_0_aux x); (aux 1)
        return y + x
      return aux(1)
"""

from __future__ import annotations

from bend import ast
from bend.ast import clone
from bend.desugar.terms import app, free_vars


def run(book: ast.Book, ctx) -> ast.Book:
    lifted: dict[str, ast.Definition] = {}
    for name, d in list(book.defs.items()):
        counter = iter(range(1 << 30))

        def lift(t, parent=name, counter=counter):
            if type(t) is not ast.LocalDef:
                return t
            local = t.definition
            new_name = f"{parent}__local_{next(counter)}_{local.name}"
            captured = []
            for rule in local.rules:  # (local definitions inside it are lifted already: rewrite is bottom-up)
                bound = {n for p in rule.patterns for n in ast.binder_names(p)} | {local.name}
                captured += [v for v in free_vars(rule.body) if v not in bound and v not in captured]
            captured.sort()
            call = app(ast.Ref(new_name, t.span), [ast.Var(v, t.span) for v in captured], t.span)
            rules = [ast.Rule([*(ast.PVar(v, rule.span) for v in captured), *rule.patterns],
                              ast.Use(local.name, clone(call), rule.body, rule.span), rule.span)
                     for rule in local.rules]
            lifted[new_name] = ast.Definition(new_name, rules, None, local.checked, local.span, local.syntax,
                                              builtin=book.defs[name].builtin)
            return ast.Use(local.name, call, t.body, t.span)

        for rule in d.rules:
            if ast.contains(rule.body, (ast.LocalDef,)):
                rule.body = ast.rewrite(rule.body, lift)
    book.defs.update(lifted)
    return book

