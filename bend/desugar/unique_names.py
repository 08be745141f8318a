"""Give every bound variable a name of its own, and inline `use` bindings.

In:  a Book after bend.desugar.with_blocks: lambdas, lets, uses, fixed matches and switches.
Out: the same Book without Use terms, where no two binders share a name (so that no later
     pass needs to think about shadowing or capture). Names are `a`, `b`, ... in binding
     order; ctx.var_order keeps that order (bend.desugar.linearize_matches sorts by it).

    use x = (f y); (g x x)   ==>   (g (f y) (f y))
"""

from __future__ import annotations

from bend import ast
from bend.ast import clone
from bend.desugar.terms import replace_free
from hvm.readback import var_name


def run(book: ast.Book, ctx) -> ast.Book:
    namer = Namer(ctx)
    for d in book.defs.values():
        rule = d.rules[0]
        rule.body = namer.rename(rule.body, {})
        rule.body = ast.rewrite(rule.body, inline_use)
        rule.body = namer.rename(rule.body, {})
    return book


def inline_use(t):
    if type(t) is not ast.Use:
        return t
    return replace_free(t.body, {t.name: lambda _var, value=t.value: clone(value)})


class Namer:
    """Renames binders; `env` maps a source name to its new name in the current scope, and is
    put back as it was when a scope ends (no copies: chains of lets can be long)."""

    def __init__(self, ctx):
        self.order = ctx.var_order

    def new(self, old: str, env: dict, saved: list) -> str:
        name = var_name(len(self.order))
        self.order[name] = len(self.order)
        saved.append((old, env.get(old)))
        env[old] = name
        return name

    @staticmethod
    def restore(env: dict, saved: list) -> None:
        for old, previous in reversed(saved):
            if previous is None:
                del env[old]
            else:
                env[old] = previous

    def rename(self, t, env: dict):
        cls = type(t)
        if cls is ast.Var:
            new = env.get(t.name)
            if new is not None:
                t.name = new
            return t
        saved: list = []
        if cls is ast.Lam:
            t.pattern = self.pattern(t.pattern, env, saved)
            t.body = self.rename(t.body, env)
        elif cls is ast.Let:
            t.value = self.rename(t.value, env)
            t.pattern = self.pattern(t.pattern, env, saved)
            t.body = self.rename(t.body, env)
        elif cls is ast.Use:
            t.value = self.rename(t.value, env)
            t.name = self.new(t.name, env, saved)
            t.body = self.rename(t.body, env)
        elif cls is ast.Match:
            t.scrutinee = self.rename(t.scrutinee, env)
            for arm in t.arms:
                arm_saved: list = []
                arm.binds = [self.new(b, env, arm_saved) for b in arm.binds]
                arm.body = self.rename(arm.body, env)
                self.restore(env, arm_saved)
        elif cls is ast.Switch:
            t.scrutinee = self.rename(t.scrutinee, env)
            arms = [self.rename(arm, env) for arm in t.arms[:-1]]
            t.pred = self.new(t.pred, env, saved)
            t.arms = arms + [self.rename(t.arms[-1], env)]
        else:
            ast.map_subterms(t, lambda sub: self.rename(sub, env))
        self.restore(env, saved)
        return t

    def pattern(self, p, env: dict, saved: list):
        cls = type(p)
        if cls is ast.PVar:
            p.name = self.new(p.name, env, saved)
        elif cls in (ast.PTuple, ast.PSup):
            p.items = [self.pattern(x, env, saved) for x in p.items]
        return p
