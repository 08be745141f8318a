"""Compile each definition's rules (fun-syntax equations) into one term of lambdas and matches.

In:  a Book after bend.desugar.local_defs: definitions with one or more rules, whose patterns
     are names, `*`, numbers, constructors and (binary) tuples.
Out: every definition with a single rule and no patterns. Rules are tried top to bottom,
     columns left to right (as Bend does):

    (Len List/Nil) = 0                ==>   Len = λ%a match %a {
    (Len (List/Cons h t)) = (+ 1 (Len t))         List/Nil: 0
                                                  List/Cons %h %t: use h = %h; use t = %t; (+ 1 (Len t)) }

     A column of constructors becomes a match on the type (a name in that column stands for
     the whole value: `use x = (Ctor fields...)`); a column of numbers a switch when the
     numbers are 0, 1, ..., k, else a chain of switches on differences (see number_chain);
     a column of tuples a `let`.
Errors: a constructor (or number) not covered by any rule, rules of different arities,
     constructors of different types in one column. Warnings: rules that can never apply.
"""

from __future__ import annotations

from dataclasses import dataclass

from bend import ast
from bend.ast import clone
from bend.desugar.terms import app, is_simple_binder, lam, lams
from hvm import numbers


def run(book: ast.Book, ctx) -> ast.Book:
    for d in book.defs.values():
        compile_definition(d, ctx)
    return book


@dataclass
class Row:
    patterns: list
    body: object
    index: int  # which rule it comes from


def compile_definition(d: ast.Definition, ctx) -> None:
    rules = d.rules
    arity = len(rules[0].patterns)
    for rule in rules[1:]:
        if len(rule.patterns) != arity:
            ctx.diagnostics.error(f"the rules of `{d.name}` take different numbers of arguments "
                                  f"({arity} in the first, {len(rule.patterns)} here)", rule.span or d.span)
            return
    if len(rules) == 1 and all(is_binder_pattern(p) for p in rules[0].patterns):
        body = rules[0].body
        for p in reversed(rules[0].patterns):
            body = lam(p, body, ctx.fresh, rules[0].span)
    else:
        compiler = RuleCompiler(ctx, d)
        args = [ctx.fresh("arg") for _ in range(arity)]
        rows = [Row(list(r.patterns), r.body, i) for i, r in enumerate(rules)]
        errors = len(ctx.diagnostics.errors)
        body = lams(args, compiler.compile(args, rows))
        for i, rule in enumerate(rules):
            if i not in compiler.used and len(ctx.diagnostics.errors) == errors:
                ctx.diagnostics.warning(f"this rule of `{d.name}` is never used: the rules before it match "
                                        "everything it matches", rule.span)
    d.rules = [ast.Rule([], body, rules[0].span)]


def is_binder_pattern(p) -> bool:
    """A pattern that takes any value apart without testing it: names, `*`, tuples, dups."""
    if is_simple_binder(p):
        return True
    return type(p) in (ast.PTuple, ast.PSup) and all(is_binder_pattern(x) for x in p.items)


def is_wildcard(p) -> bool:
    return type(p) in (ast.PVar, ast.PEra)


class RuleCompiler:
    def __init__(self, ctx, d: ast.Definition):
        self.ctx = ctx
        self.definition = d
        self.used: set[int] = set()

    def error(self, message: str, hint: str | None = None) -> ast.Era:
        self.ctx.diagnostics.error(message, self.definition.span, hint)
        return ast.Era()

    def compile(self, args: list[str], rows: list[Row]):
        if not rows:
            return self.error(f"the rules of `{self.definition.name}` do not cover every case")
        if not args:
            self.used.add(rows[0].index)
            return rows[0].body
        column = [row.patterns[0] for row in rows]
        if all(is_wildcard(p) or type(p) is ast.PSup for p in column):
            return self.compile(args[1:], [self.bind_first(row, ast.Var(args[0])) for row in rows])
        kinds = {type(p) for p in column if not is_wildcard(p)}
        if kinds == {ast.PCtr}:
            return self.constructors(args, rows)
        if kinds == {ast.PNum}:
            return self.numbers(args, rows)
        if kinds == {ast.PTuple}:
            return self.tuples(args, rows)
        return self.error(f"the rules of `{self.definition.name}` mix different kinds of patterns "
                          "in one argument", hint="an argument is matched against constructors, numbers or "
                                                  "tuples, not a mixture")

    def bind_first(self, row: Row, value, width: int = 0) -> Row:
        """The row without its first pattern (a wildcard, bound to `value`), with `width` wildcards
        in its place (the fields a constructor column adds)."""
        p, rest = row.patterns[0], row.patterns[1:]
        body = clone(row.body)  # (a row that takes anything may go down several branches)
        if type(p) is ast.PVar:
            body = ast.Use(p.name, clone(value), body, p.span)
        elif type(p) is ast.PSup:
            body = ast.Let(p, clone(value), body, p.span)
        return Row([ast.PEra() for _ in range(width)] + rest, body, row.index)

    def constructors(self, args: list[str], rows: list[Row]):
        first = next(p for p in (r.patterns[0] for r in rows) if type(p) is ast.PCtr)
        adt = self.ctx.ctors[first.name][0]
        for row in rows:
            p = row.patterns[0]
            if type(p) is ast.PCtr and self.ctx.ctors[p.name][0] is not adt:
                return self.error(f"`{p.name}` is a constructor of `{self.ctx.ctors[p.name][0].name}`, but the "
                                  f"rules of `{self.definition.name}` match this argument against `{adt.name}`")
        arms = []
        for ctor in adt.ctors:
            fields = [self.ctx.fresh(f.name) for f in ctor.fields]
            rebuilt = app(ast.Ref(ctor.name), [ast.Var(f) for f in fields])
            sub = []
            for row in rows:
                p = row.patterns[0]
                if type(p) is ast.PCtr:
                    if p.name == ctor.name:
                        sub.append(Row([*p.args, *row.patterns[1:]], row.body, row.index))
                else:
                    sub.append(self.bind_first(row, rebuilt, len(fields)))
            if not sub:
                body = self.error(f"the rules of `{self.definition.name}` do not cover `{ctor.name}`",
                                  hint=f"add a rule for `{ctor.name}`, or one with a variable in its place")
            else:
                body = self.compile(fields + args[1:], sub)
            arms.append(ast.Arm(ctor.name, body, binds=fields))
        return ast.Match(ast.Var(args[0]), None, [], arms)

    def numbers(self, args: list[str], rows: list[Row]):
        values: list[int] = []
        for row in rows:
            p = row.patterns[0]
            if type(p) is ast.PNum and p.numb not in values:
                values.append(p.numb)
        defaults = [row for row in rows if is_wildcard(row.patterns[0])]
        missing = None
        if not defaults:
            missing = self.error(f"the rules of `{self.definition.name}` cover some numbers only",
                                 hint="add a rule with a variable (or `_`) for the other numbers")

        def case(value) -> list[Row]:
            out = []
            for row in rows:
                p = row.patterns[0]
                if type(p) is ast.PNum:
                    if p.numb == value:
                        out.append(Row(row.patterns[1:], row.body, row.index))
                else:
                    out.append(self.bind_first(row, ast.Num(value)))
            return out

        x = args[0]
        payloads = sorted(numbers.payload_of(v) for v in values)
        if all(numbers.tag_of(v) == numbers.U24 for v in values) and payloads == list(range(len(values))):
            pred = self.ctx.fresh("pred")
            n = len(values)
            value = ast.Oper("+", ast.Var(pred), ast.Num(numbers.new_u24(n)))
            arms = [self.compile(args[1:], case(numbers.new_u24(i))) for i in range(n)]
            arms.append(self.compile(args[1:], [self.bind_first(r, value) for r in defaults]) if defaults else missing)
            return ast.Switch(ast.Var(x), None, [], arms, pred=pred)
        if all(numbers.tag_of(v) == numbers.U24 for v in values):
            return self.number_chain(args, values, case, defaults, missing)
        term = self.compile(args[1:], [self.bind_first(r, ast.Var(x)) for r in defaults]) if defaults else missing
        for value in reversed(values):
            test = ast.Oper("==", ast.Var(x), ast.Num(value))
            term = ast.Switch(test, None, [], [term, self.compile(args[1:], case(value))],
                              pred=self.ctx.fresh("pred"))
        return term

    def number_chain(self, args: list[str], values: list[int], case, defaults: list[Row], missing):
        """u24 patterns n0 < n1 < ...: switches on differences, each on the previous predecessor, so
        that the argument is used once (as Bend does; a test `(== x n)` per number would duplicate
        it, and a duplicated function then duplicates its own duplications: wrong results):

            switch (- x n0) { 0: case n0; _ p0: switch (- p0 (n1 - 1 - n0)) { 0: case n1; _ p1: ...
                default: use x = (+ pk (nk + 1)) } }

        (p_i is x - n_i - 1, modulo 2^24: switch i meets 0 exactly when x is n_i.)"""
        nums = sorted(values, key=numbers.payload_of)
        preds = [self.ctx.fresh("pred") for _ in nums]
        last = numbers.payload_of(nums[-1])
        recovered = ast.Oper("+", ast.Var(preds[-1]), ast.Num(numbers.new_u24(last + 1)))
        term = self.compile(args[1:], [self.bind_first(r, recovered) for r in defaults]) if defaults else missing
        for i in reversed(range(len(nums))):
            n = numbers.payload_of(nums[i])
            if i == 0:
                arg, k = ast.Var(args[0]), n
            else:
                arg, k = ast.Var(preds[i - 1]), n - 1 - numbers.payload_of(nums[i - 1])
            test = ast.Oper("-", arg, ast.Num(numbers.new_u24(k))) if k else arg
            term = ast.Switch(test, None, [], [self.compile(args[1:], case(nums[i])), term], pred=preds[i])
        return term

    def tuples(self, args: list[str], rows: list[Row]):
        a, b = self.ctx.fresh("fst"), self.ctx.fresh("snd")
        sub = []
        for row in rows:
            p = row.patterns[0]
            if type(p) is ast.PTuple:
                sub.append(Row([*p.items, *row.patterns[1:]], row.body, row.index))
            else:
                sub.append(self.bind_first(row, ast.Tuple([ast.Var(a), ast.Var(b)]), 2))
        pair = ast.PTuple([ast.PVar(a), ast.PVar(b)])
        return ast.Let(pair, ast.Var(args[0]), self.compile([a, b, *args[1:]], sub))
