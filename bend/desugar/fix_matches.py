"""Put every branching term in one normal form.

In:  a Book after bend.desugar.literals: Match, Fold, Switch, If and Open as the user wrote them.
Out: the same Book where
     - `if c { t } else { e }` is `switch c { 0: e; _: t }`, and `open T x; b` a one-arm match;
     - a match or fold has one arm per constructor, in the type's order, each with `binds`
       (the field variables `x.f`, or generated names when the scrutinee has no name); a
       `case _:` / `case y:` arm stands for every constructor not named before it;
     - inside an arm, the scrutinee's name stands for the value it matched (a switch arm for
       `n` sees `use n = 0`, ..., the default arm `use n = (+ n-k k)`; a match arm sees
       `use x = (Ctor x.f1 ... x.fn)`): it was consumed by the match;
     - `match x = e` / `switch x = e` first bind `let x = e` (a fold keeps its argument);
     - the `with` variables of a match or switch are passed to every arm as lambdas:
       `match x with a { C: b }` is `(match x { C: λa b } a)`; a fold keeps its `with`
       (the state it threads), and `with x` / a `bend` state without a value carry `Var(x)`;
     - each switch names the predecessor its default arm binds (`pred`).
Errors: a match that misses a constructor; warnings: arms that are never reached.
"""

from __future__ import annotations

from bend import ast
from bend.ast import clone
from bend.desugar.terms import app, lams
from hvm import numbers


def run(book: ast.Book, ctx) -> ast.Book:
    fixer = Fixer(ctx)
    for d in book.defs.values():
        fixer.rules(d.rules)
    return book


def u24(n: int, span=None) -> ast.Num:
    return ast.Num(numbers.new_u24(n), span)


# the terms Fixer.fix changes (a body without any is left as it is)
FIXED = (ast.If, ast.Open, ast.Match, ast.Fold, ast.Switch, ast.Bend, ast.LocalDef)


class Fixer:
    def __init__(self, ctx):
        self.ctx = ctx
        self.fresh = ctx.fresh

    def rules(self, rules) -> None:
        for rule in rules:
            if ast.contains(rule.body, FIXED):
                rule.body = ast.rewrite(rule.body, self.fix)

    def fix(self, t):
        cls = type(t)
        if cls is ast.If:
            return ast.Switch(t.cond, None, [], [t.otherwise, t.then], t.span, pred=self.fresh("pred"))
        if cls is ast.Open:
            adt = self.ctx.book.adts[t.typ]
            match = ast.Match(ast.Var(t.var, t.span), None, [], [ast.Arm(adt.ctors[0].name, t.body, t.span)], t.span)
            return self.match(match)
        if cls is ast.Match or cls is ast.Fold:
            t.with_ = [(n, ast.Var(n, t.span) if v is None else v) for n, v in t.with_]
            return self.match(t)
        if cls is ast.Switch:
            t.with_ = [(n, ast.Var(n, t.span) if v is None else v) for n, v in t.with_]
            return self.switch(t)
        if cls is ast.Bend:
            t.binds = [(n, ast.Var(n, t.span) if v is None else v) for n, v in t.binds]
        elif cls is ast.LocalDef:
            self.rules(t.definition.rules)
        return t

    # -- match and fold

    def scrutinee(self, t):
        """(name, the term to match on, the `let` to put first or None)."""
        name = t.bind if t.bind is not None else (t.scrutinee.name if type(t.scrutinee) is ast.Var else None)
        if type(t) is ast.Fold or (type(t.scrutinee) is ast.Var and t.scrutinee.name == name):
            return name, t.scrutinee, None
        bound = name or self.fresh("matched")
        return name, ast.Var(bound, t.span), (bound, t.scrutinee)

    def match(self, t):
        name, scrutinee, first = self.scrutinee(t)
        ctor_arms = [arm for arm in t.arms if arm.pattern in self.ctx.ctors]
        if not ctor_arms:
            if type(t) is ast.Fold:
                self.ctx.diagnostics.error("a `fold` needs a `case` for each constructor of a type", t.span,
                                           hint="name the constructors: `case List/Cons:` ...")
                return ast.Era(t.span)
            result = self.irrefutable(t, name, scrutinee)
        else:
            arms = self.arms(t, name, ctor_arms)
            if type(t) is ast.Fold:
                return ast.Fold(scrutinee, None, t.with_, arms, t.span)
            result = self.carry_with(ast.Match(scrutinee, None, [], arms, t.span), t.with_)
        return result if first is None else ast.Let(ast.PVar(first[0]), first[1], result, t.span)

    def irrefutable(self, t, name, scrutinee):
        """A match whose first arm takes anything: that arm, with its variable bound."""
        first = t.arms[0].pattern
        hint = (f"`{first}` is not a constructor, so it names whatever is matched; to match constructors, define "
                f"them in a `type` (or use `let` to name a value)") if first != "_" else None
        for arm in t.arms[1:]:
            self.ctx.diagnostics.warning("irrefutable match: this case is never reached, the case before it matches "
                                         "anything", arm.span, hint=hint)
        arm = t.arms[0]
        body = arm.body
        if arm.pattern != "_":
            body = ast.Use(arm.pattern, clone(scrutinee), body, arm.span)
        return body if not t.with_ else app(lams([n for n, _ in t.with_], body), [v for _, v in t.with_])

    def arms(self, t, name, ctor_arms) -> list:
        adt = self.ctx.ctors[ctor_arms[0].pattern][0]
        used: set[int] = set()
        arms = []
        missing = []
        for ctor in adt.ctors:
            index, arm = next(((i, a) for i, a in enumerate(t.arms)
                               if a.pattern == ctor.name or a.pattern not in self.ctx.ctors), (None, None))
            if arm is None:
                missing.append(ctor.name)
                continue
            body = clone(arm.body) if index in used else arm.body
            used.add(index)
            binds = [f"{name}.{f.name}" if name else self.fresh(f.name) for f in ctor.fields]
            rebuilt = app(ast.Ref(ctor.name, arm.span), [ast.Var(b, arm.span) for b in binds], arm.span)
            if arm.pattern not in self.ctx.ctors and arm.pattern != "_":
                body = ast.Use(arm.pattern, clone(rebuilt), body, arm.span)
            if name:
                body = ast.Use(name, rebuilt, body, arm.span)
            arms.append(ast.Arm(ctor.name, body, arm.span, binds=binds))
        if missing:
            kind = "fold" if type(t) is ast.Fold else "match"
            self.ctx.diagnostics.error(
                f"this `{kind}` on `{adt.name}` does not cover {', '.join(f'`{m}`' for m in missing)}", t.span,
                hint="add a `case` for each constructor, or `case _:` for the rest")
        for i, arm in enumerate(t.arms):
            if i not in used:
                self.ctx.diagnostics.warning(f"this case is never reached: `{arm.pattern}` is matched before it",
                                             arm.span)
        return arms

    def carry_with(self, term, with_):
        """`match x with a = v {arms}` ==> `(match x {λa arms} v)` (also for switches)."""
        if not with_:
            return term
        names = [n for n, _ in with_]
        if type(term) is ast.Match:
            for arm in term.arms:
                arm.body = lams(names, arm.body)
        else:
            term.arms = [lams(names, arm) for arm in term.arms]
        return app(term, [v for _, v in with_], term.span)

    # -- switch

    def switch(self, t):
        name, scrutinee, first = self.scrutinee(t)
        last = len(t.arms) - 1
        pred = f"{name}-{last}" if name else self.fresh("pred")
        arms = list(t.arms)
        if name:
            for i in range(last):
                arms[i] = ast.Use(name, u24(i, t.span), arms[i], t.span)
            value = ast.Oper("+", ast.Var(pred, t.span), u24(last, t.span), t.span)
            arms[last] = ast.Use(name, value, arms[last], t.span)
        result = self.carry_with(ast.Switch(scrutinee, None, [], arms, t.span, pred=pred), t.with_)
        return result if first is None else ast.Let(ast.PVar(first[0]), first[1], result, t.span)
