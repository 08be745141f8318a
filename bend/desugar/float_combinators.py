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


def pattern_links(p) -> frozenset:
    if type(p) is ast.PLink:
        return frozenset([p.name])
    if type(p) in (ast.PTuple, ast.PSup):
        return frozenset().union(*(pattern_links(x) for x in p.items))
    return frozenset()


class Info:
    """What float_combinators asks of a subterm, computed once per node: its size in nodes,
    its free variables, and the unscoped variables it binds and uses."""

    __slots__ = ("term", "size", "free", "links_bound", "links_used")

    def __init__(self, term, size, free, links_bound, links_used):
        self.term, self.size, self.free = term, size, free
        self.links_bound, self.links_used = links_bound, links_used


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


def path_to_children(t) -> list:
    """`t` and the nodes between it and its float children (a lambda chain, an application spine)."""
    path = [t]
    while type(t) is ast.Lam:
        t = t.body
        path.append(t)
    while type(t) is ast.App:
        t = t.fun
        path.append(t)
    return path


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
        self.infos: dict[int, Info] = {}
        self.safety: dict[int, tuple] = {}
        self.def_size = self.info(d.rules[0].body).size

    def info(self, t) -> Info:
        """The Info of `t` (memoized: a node is looked at once, however deep it is)."""
        found = self.infos.get(id(t))
        if found is not None and found.term is t:
            return found
        cls = type(t)
        subs = [self.info(sub) for sub in ast.subterms(t)]
        size = base_size(t) + sum(i.size for i in subs)
        free = frozenset().union(*(i.free for i in subs)) if subs else frozenset()
        bound = frozenset().union(*(i.links_bound for i in subs)) if subs else frozenset()
        used = frozenset().union(*(i.links_used for i in subs)) if subs else frozenset()
        if cls is ast.Var:
            free = frozenset([t.name])
        elif cls is ast.Link:
            used = frozenset([t.name])
        elif cls is ast.Lam:
            free = free - frozenset(ast.binder_names(t.pattern))
            bound = bound | pattern_links(t.pattern)
        elif cls is ast.Let:
            free = subs[0].free | (subs[1].free - frozenset(ast.binder_names(t.pattern)))
            bound = bound | pattern_links(t.pattern)
        info = self.infos[id(t)] = Info(t, size, free, bound, used)
        return info

    def is_combinator(self, t) -> bool:
        """Closed, with every unscoped variable bound and used inside, and not a leaf reference."""
        if type(t) in (ast.Ref, ast.Era):
            return False
        i = self.info(t)
        return not i.free and i.links_bound == i.links_used

    def float_children(self, t) -> None:
        slots = child_slots(t)
        for slot in slots:
            self.float_children(slot.get())
        for node in path_to_children(t):  # their subterms change below: forget what was known
            self.infos.pop(id(node), None)
        term_size = self.info(t).size
        closed = self.is_combinator(t)
        for slot in slots:
            child = slot.get()
            if not self.is_combinator(child):
                continue
            child_size = self.info(child).size
            if child_size == 0:
                continue
            safe = self.is_safe(child)
            too_big = term_size > MAX_SIZE if closed else self.def_size > MAX_SIZE
            if not safe or too_big:
                self.def_size -= child_size
                term_size -= child_size
                slot.set(self.extract(child, safe))
        for node in path_to_children(t):
            self.infos.pop(id(node), None)

    def extract(self, term, safe: bool) -> ast.Ref:
        name = f"{self.name}__C{self.count}"
        self.count += 1
        self.new_defs[name] = ast.Definition(name, [ast.Rule([], term)], builtin=self.builtin)
        self.safe[name] = safe
        return ast.Ref(name)

    # -- safety: can this term be evaluated eagerly without expanding forever?

    def is_safe(self, t) -> bool:
        if self.seen:  # (inside a definition's body: depends on what is being looked at)
            return self.safe_term(t)
        found = self.safety.get(id(t))
        if found is None or found[0] is not t:
            found = self.safety[id(t)] = (t, self.safe_term(t))
        return found[1]

    def safe_term(self, t) -> bool:
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
