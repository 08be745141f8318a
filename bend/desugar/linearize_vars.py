"""Make every variable occur exactly once, as wires in a net do.

In:  a Book after bend.desugar.encode_matches: core terms only (lambdas, lets, applications,
     numbers, operators, tuples, superpositions, Swi, references).
Out: the same Book where each bound variable is used exactly once: an unused binder becomes
     `*` (its value is erased), a variable used n > 1 times is duplicated right where it is
     bound, `let {x1 {x2 x3}} = x` (each use gets its own copy, in order of occurrence), and a
     `let x = v` used once is inlined (in a net, it is the same wire).

    λx (+ x x)            ==>   λx let {x1 x2} = x; (+ x1 x2)
    let y = (f 1); (g y)  ==>   (g (f 1))
"""

from __future__ import annotations

from bend import ast


def run(book: ast.Book, ctx) -> ast.Book:
    for d in book.defs.values():
        linearizer = Linearizer(ctx.fresh)
        body = linearizer.term(d.rules[0].body)
        d.rules[0].body = linearizer.inline(body) if linearizer.inlined else body
    return book


class Linearizer:
    def __init__(self, fresh):
        self.fresh = fresh
        self.env: dict[str, list] = {}  # variable -> the Var nodes that use it (in scope now)
        self.inlined: dict[int, object] = {}  # id of a Var node -> the value that replaces it

    def bind(self, names, saved: list) -> None:
        for n in names:
            saved.append((n, self.env.get(n)))
            self.env[n] = []

    def unbind(self, saved: list) -> dict:
        uses = {n: self.env[n] for n, _ in saved}
        for n, previous in reversed(saved):
            if previous is None:
                del self.env[n]
            else:
                self.env[n] = previous
        return uses

    def term(self, t):
        cls = type(t)
        if cls is ast.Var:
            uses = self.env.get(t.name)
            if uses is not None:
                uses.append(t)
            return t
        if cls is ast.Lam and type(t.pattern) is ast.PVar:
            saved: list = []
            self.bind([t.pattern.name], saved)
            body = self.term(t.body)
            uses = self.unbind(saved)[t.pattern.name]
            if not uses:
                t.pattern = ast.PEra(t.pattern.span)
            elif len(uses) > 1:
                body = ast.Let(self.dup(uses), ast.Var(t.pattern.name), body)
            t.body = body
            return t
        if cls is ast.Let:
            t.value = self.term(t.value)
            saved = []
            self.bind(pattern_vars(t.pattern), saved)
            body = self.term(t.body)
            uses = self.unbind(saved)
            if type(t.pattern) is ast.PVar:
                used = uses[t.pattern.name]
                if len(used) == 1:
                    self.inlined[id(used[0])] = t.value
                    return body
                t.pattern = self.dup(used) if used else ast.PEra(t.pattern.span)
                t.body = body
                return t
            t.pattern, t.body = self.split(t.pattern, uses, body)
            return t
        ast.map_subterms(t, self.term)
        return t

    def split(self, p, uses: dict, body):
        """A destructuring pattern with unused names erased and names used twice or more duplicated."""
        cls = type(p)
        if cls is ast.PVar:
            used = uses[p.name]
            if not used:
                return ast.PEra(p.span), body
            if len(used) > 1:
                body = ast.Let(self.dup(used), ast.Var(p.name), body)
            return p, body
        if cls in (ast.PTuple, ast.PSup):
            items = []
            for item in p.items:
                item, body = self.split(item, uses, body)
                items.append(item)
            return cls(items, p.span), body
        return p, body

    def dup(self, uses: list):
        """`{x1 {x2 ... xn}}`, renaming the uses to x1 ... xn."""
        names = [self.fresh("dup") for _ in uses]
        for var, name in zip(uses, names):
            var.name = name
        pattern = ast.PVar(names[-1])
        for name in reversed(names[:-1]):
            pattern = ast.PSup([ast.PVar(name), pattern])
        return pattern

    def inline(self, t):
        """Put the values of the inlined lets where their variable was used."""
        if type(t) is ast.Var:
            value = self.inlined.get(id(t))
            return t if value is None else self.inline(value)
        ast.map_subterms(t, self.inline)
        return t


def pattern_vars(p) -> list[str]:
    cls = type(p)
    if cls is ast.PVar:
        return [p.name]
    if cls in (ast.PTuple, ast.PSup):
        return [n for item in p.items for n in pattern_vars(item)]
    return []
