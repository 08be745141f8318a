"""Float closed subterms out into definitions of their own (`<def>__C<k>`).

In:  a Book after bend.desugar.linearize_vars (core terms, linear).
Out: the same Book plus the new definitions. A closed subterm is extracted when evaluating it
     eagerly could loop (it is not "safe": it uses a variable, or refers to a recursive
     definition), or when the definition is too large. Behind a reference it is expanded only
     when something interacts with it: a recursive call inside a switch arm waits until the
     switch has chosen that arm. This is Bend's rule, so programs expand as they do in Bend.
     The entry point is left alone (its result should be computed, not a reference).

    Fib = λn switch n { 0: 0; _: λp (+ (Fib p) ...) }
    ==>  Fib = λn switch n { 0: 0; _: Fib__C0 }     Fib__C0 = λp (+ (Fib p) ...)
"""

from __future__ import annotations

from bend import ast
from bend.desugar.terms import free_vars

MAX_SIZE = 64  # nodes: a larger definition gives up its closed parts, safe or not


def run(book: ast.Book, ctx) -> ast.Book:
    if not ctx.options.float_combinators:
        return book
    floater = Floater(book, ctx)
    for name, d in list(book.defs.items()):
        if name == ctx.entry:
            continue
        floater.start(name, d)
        floater.float_children(d.rules[0].body)
    book.defs.update(floater.new_defs)
    return book


def base_size(t) -> int:
    cls = type(t)
    if cls is ast.Lam or cls is ast.App or cls is ast.Oper:
        return 1
    if cls is ast.Tuple or cls is ast.Sup:
        return len(t.items) - 1
    if cls is ast.Swi:
        return 2
    if cls is ast.Let:
        return pattern_size(t.pattern)
    return 0


def pattern_size(p) -> int:
    if type(p) in (ast.PTuple, ast.PSup):
        return len(p.items) - 1 + sum(pattern_size(x) for x in p.items)
    return 0


def size(t) -> int:
    return base_size(t) + sum(size(sub) for sub in ast.subterms(t))


def unscoped(t, bound: set, used: set) -> None:
    if type(t) is ast.Link:
        used.add(t.name)
    elif type(t) in (ast.Lam, ast.Let):
        stack = [t.pattern]
        while stack:
            p = stack.pop()
            if type(p) is ast.PLink:
                bound.add(p.name)
            elif type(p) in (ast.PTuple, ast.PSup):
                stack.extend(p.items)
    for sub in ast.subterms(t):
        unscoped(sub, bound, used)


def is_combinator(t) -> bool:
    if type(t) in (ast.Ref, ast.Era) or free_vars(t):
        return False
    bound, used = set(), set()
    unscoped(t, bound, used)
    return bound == used


class Slot:
    """A place in a term that holds a subterm: `holder.field` or `holder.field[index]`."""

    __slots__ = ("holder", "field", "index")

    def __init__(self, holder, field, index=None):
        self.holder, self.field, self.index = holder, field, index

    def get(self):
        value = getattr(self.holder, self.field)
        return value if self.index is None else value[self.index]

    def set(self, term) -> None:
        if self.index is None:
            setattr(self.holder, self.field, term)
        else:
            getattr(self.holder, self.field)[self.index] = term


def child_slots(t) -> list[Slot]:
    """The subterms that may be floated out of `t` (Bend's order). A lambda's are those of its
    body (a lambda chain is floated whole or not at all); an application's are its arguments,
    last first, then its head."""
    cls = type(t)
    while cls is ast.Lam:
        t = t.body
        cls = type(t)
    if cls is ast.App:
        slots = []
        while type(t) is ast.App:
            slots.append(Slot(t, "arg"))
            if type(t.fun) is not ast.App:
                slots.append(Slot(t, "fun"))
            t = t.fun
        return slots
    if cls is ast.Swi:
        return [Slot(t, "scrutinee"), Slot(t, "zero"), Slot(t, "succ")]
    if cls is ast.Tuple or cls is ast.Sup:
        return [Slot(t, "items", i) for i in range(len(t.items))]
    if cls is ast.Let:
        return [Slot(t, "value"), Slot(t, "body")]
    if cls is ast.Oper:
        return [Slot(t, "left"), Slot(t, "right")]
    return []


class Floater:
    def __init__(self, book: ast.Book, ctx):
        self.book = book
        self.ctx = ctx
        self.new_defs: dict[str, ast.Definition] = {}
        self.safe: dict[str, bool] = {}  # the new definitions: is each safe?
        self.seen: set[str] = set()

    def start(self, name: str, d: ast.Definition) -> None:
        self.name, self.builtin, self.count = name, d.builtin, 0
        self.def_size = size(d.rules[0].body)

    def float_children(self, t) -> None:
        slots = child_slots(t)
        for slot in slots:
            self.float_children(slot.get())
        term_size = size(t)
        closed = is_combinator(t)
        for slot in slots:
            child = slot.get()
            if not is_combinator(child):
                continue
            child_size = size(child)
            if child_size == 0:
                continue
            safe = self.is_safe(child)
            too_big = term_size > MAX_SIZE if closed else self.def_size > MAX_SIZE
            if not safe or too_big:
                self.def_size -= child_size
                term_size -= child_size
                slot.set(self.extract(child, safe))

    def extract(self, term, safe: bool) -> ast.Ref:
        name = f"{self.name}__C{self.count}"
        self.count += 1
        self.new_defs[name] = ast.Definition(name, [ast.Rule([], term)], builtin=self.builtin)
        self.safe[name] = safe
        return ast.Ref(name)

    # -- safety: can this term be evaluated eagerly without expanding forever?

    def is_safe(self, t) -> bool:
        cls = type(t)
        if cls is ast.Num or cls is ast.Era:
            return True
        if cls in (ast.Tuple, ast.Sup, ast.App, ast.Oper, ast.Swi):
            return all(self.is_safe(sub) for sub in ast.subterms(t))
        if cls is ast.Lam:
            scope = set()
            while type(t) is ast.Lam:
                if type(t.pattern) is ast.PVar:
                    scope.add(t.pattern.name)
                t = t.body
            if type(t) is ast.Var and t.name in scope:
                return True  # a nullary constructor
            return type(t) is ast.Ref or self.is_safe(t)
        if cls is ast.Ref:
            return self.ref_is_safe(t.name)
        return False

    def ref_is_safe(self, name: str) -> bool:
        if name in self.ctx.ctors:
            return True
        if name in self.safe:
            return self.safe[name]
        if name in self.seen:
            return False  # recursive
        d = self.book.defs.get(name)
        if d is None:
            return False
        self.seen.add(name)
        try:
            return self.is_safe(d.rules[0].body)
        finally:
            self.seen.discard(name)
