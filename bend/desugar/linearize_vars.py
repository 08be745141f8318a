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


# the steps Linearizer.term puts on its stack after a term's inner terms
_PUT, _LAM, _LET_BODY, _LET = "put", "lam", "let body", "let"


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
        """`t` made linear. A loop with a stack of what is left to do (terms can be 100,000
        deep): each term visited leaves its result on `done`, where the step after it takes it."""
        done: list = []
        stack = [t]  # terms, and the steps after their inner terms: (_LAM, t, saved), (_LET_BODY, t), ...
        get_inner = ast.INNER_TERMS.get
        while stack:
            x = stack.pop()
            cls = type(x)
            if cls is tuple:
                step = x[0]
                if step is _PUT:
                    _, node, put, n = x
                    subs = done[-n:]
                    del done[-n:]
                    put(node, subs)
                    done.append(node)
                elif step is _LAM:
                    _, lam, saved = x
                    body = done.pop()
                    uses = self.unbind(saved)[lam.pattern.name]
                    if not uses:
                        lam.pattern = ast.PEra(lam.pattern.span)
                    elif len(uses) > 1:
                        body = ast.Let(self.dup(uses), ast.Var(lam.pattern.name), body)
                    lam.body = body
                    done.append(lam)
                elif step is _LET_BODY:
                    let = x[1]
                    let.value = done.pop()
                    saved: list = []
                    self.bind(pattern_vars(let.pattern), saved)
                    stack.append((_LET, let, saved))
                    stack.append(let.body)
                else:  # _LET
                    done.append(self.let_end(x[1], done.pop(), x[2]))
                continue
            if cls is ast.Var:
                uses = self.env.get(x.name)
                if uses is not None:
                    uses.append(x)
                done.append(x)
            elif cls is ast.Lam and type(x.pattern) is ast.PVar:
                saved = []
                self.bind([x.pattern.name], saved)
                stack.append((_LAM, x, saved))
                stack.append(x.body)
            elif cls is ast.Let:
                stack.append((_LET_BODY, x))
                stack.append(x.value)
            else:
                inner = get_inner(cls)
                if inner is None:
                    done.append(x)
                    continue
                get, put = inner
                subs = get(x)
                if not subs:
                    put(x, [])
                    done.append(x)
                    continue
                stack.append((_PUT, x, put, len(subs)))
                stack.extend(reversed(subs))
        return done[0]

    def let_end(self, t, body, saved: list):
        """A `let` whose body is linear: inlined (its body returned), or its pattern made linear."""
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
        """Put the values of the inlined lets where their variable was used (a loop: terms can
        be 100,000 deep)."""
        t = self.inlined_value(t)
        stack = [t]
        while stack:
            x = stack.pop()
            inner = ast.INNER_TERMS.get(type(x))
            if inner is not None:
                get, put = inner
                subs = [self.inlined_value(sub) for sub in get(x)]
                put(x, subs)
                stack.extend(subs)
        return t

    def inlined_value(self, t):
        while type(t) is ast.Var:
            value = self.inlined.get(id(t))
            if value is None:
                break
            t = value
        return t


def pattern_vars(p) -> list[str]:
    cls = type(p)
    if cls is ast.PVar:
        return [p.name]
    if cls in (ast.PTuple, ast.PSup):
        return [n for item in p.items for n in pattern_vars(item)]
    return []
