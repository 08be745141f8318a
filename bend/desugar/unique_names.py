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
        if any(type(x) is ast.Use for x in ast.descendants(rule.body)):
            rule.body = ast.rewrite(rule.body, inline_use)
        rule.body = namer.rename(rule.body, {})
    return book


def inline_use(t):
    if type(t) is not ast.Use:
        return t
    return replace_free(t.body, {t.name: lambda _var, value=t.value: clone(value)})


# the steps Namer.rename puts on its stack between terms
_RESTORE, _PATTERN, _USE, _ARM, _PRED = "restore", "pattern", "use", "arm", "pred"


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
        """`t` with its binders renamed, in binding order (the same term, changed in place).
        A loop with a stack of what is left to do: terms can be 100,000 deep."""
        get_inner = ast.GET_INNER_TERMS.get
        stack = [t]  # terms to rename, and steps: (_BIND, pattern or names, saved), (_RESTORE, saved)
        while stack:
            x = stack.pop()
            cls = type(x)
            if cls is ast.Var:
                new = env.get(x.name)
                if new is not None:
                    x.name = new
            elif cls is tuple:
                if x[0] is _RESTORE:
                    self.restore(env, x[1])
                elif x[0] is _PATTERN:
                    self.pattern(x[1], env, x[2])
                elif x[0] is _USE:
                    x[1].name = self.new(x[1].name, env, x[2])
                elif x[0] is _ARM:
                    arm = x[1]
                    arm.binds = [self.new(b, env, x[2]) for b in arm.binds]
                else:  # _PRED
                    x[1].pred = self.new(x[1].pred, env, x[2])
            elif cls is ast.Lam:
                saved: list = []
                self.pattern(x.pattern, env, saved)
                stack.append((_RESTORE, saved))
                stack.append(x.body)
            elif cls is ast.Let:
                saved = []
                stack.append((_RESTORE, saved))
                stack.append(x.body)
                stack.append((_PATTERN, x.pattern, saved))
                stack.append(x.value)
            elif cls is ast.Use:
                saved = []
                stack.append((_RESTORE, saved))
                stack.append(x.body)
                stack.append((_USE, x, saved))
                stack.append(x.value)
            elif cls is ast.Match:
                for arm in reversed(x.arms):
                    arm_saved: list = []
                    stack.append((_RESTORE, arm_saved))
                    stack.append(arm.body)
                    stack.append((_ARM, arm, arm_saved))
                stack.append(x.scrutinee)
            elif cls is ast.Switch:
                x.arms = list(x.arms)
                saved = []
                stack.append((_RESTORE, saved))
                stack.append(x.arms[-1])
                stack.append((_PRED, x, saved))
                stack.extend(reversed(x.arms[:-1]))
                stack.append(x.scrutinee)
            else:
                get = get_inner(cls)
                if get is not None:
                    stack.extend(reversed(get(x)))
        return t

    def pattern(self, p, env: dict, saved: list):
        cls = type(p)
        if cls is ast.PVar:
            p.name = self.new(p.name, env, saved)
        elif cls in (ast.PTuple, ast.PSup):
            p.items = [self.pattern(x, env, saved) for x in p.items]
        return p
