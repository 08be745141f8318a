"""Resolve names: each reference to a definition or constructor becomes a `Ref` to its
canonical name; constructor names in patterns, `case`s, `open` and `with` become canonical.

In:  a loaded and checked Program (bend.frontend.loader): each module sees names through its
     namespace (visible name -> canonical name).
Out: its merged Book, where a `Var` is always a local variable (or `fork` / `wrap`, which
     the bend and with passes give meaning), and everything global is a `Ref`.

    from lib import sq        (sq 2)   ==>  (Ref lib/sq  2)
    def f(List/Nil) ...                ==>  rule pattern PCtr("List/Nil", [])
"""

from __future__ import annotations

from contextlib import contextmanager

from bend import ast


def run(program) -> ast.Book:
    book = program.book
    for canonical, definition in book.defs.items():
        Resolver(program, program.namespace(canonical)).definition(definition)
    canonical_names(book)
    return book


def canonical_names(book: ast.Book) -> None:
    """Items of imported files carry their canonical names too (`lib/sq`, `lib/Shape/Circle`)."""
    for canonical, adt in book.adts.items():
        prefix = canonical[:len(canonical) - len(adt.name)]
        adt.name = canonical
        for ctor in adt.ctors:
            ctor.name = prefix + ctor.name
    for table in (book.defs, book.hvm_defs):
        for canonical, item in table.items():
            item.name = canonical


BINDERS = (ast.Lam, ast.Let, ast.Ask, ast.Use)  # (bind names in their body)


class Resolver:
    def __init__(self, program, namespace: dict):
        self.ctors = program.ctors  # canonical constructor -> (Adt, Ctor)
        self.adts = program.book.adts
        self.namespace = namespace
        self.bound: dict[str, int] = {}

    @contextmanager
    def binding(self, names):
        names = list(names)
        for n in names:
            self.bound[n] = self.bound.get(n, 0) + 1
        try:
            yield
        finally:
            for n in names:
                self.bound[n] -= 1
                if not self.bound[n]:
                    del self.bound[n]

    def ctor(self, name: str) -> str | None:
        """The canonical name of the constructor `name` names here, if it names one."""
        canonical = self.namespace.get(name)
        return canonical if canonical in self.ctors else None

    def definition(self, d: ast.Definition) -> None:
        for rule in d.rules:
            rule.patterns = [self.pattern(p) for p in rule.patterns]
            with self.binding(n for p in rule.patterns for n in ast.binder_names(p)):
                rule.body = self.term(rule.body)

    def pattern(self, p):
        cls = type(p)
        if cls is ast.PVar:
            ctor = self.ctor(p.name)
            return ast.PCtr(ctor, [], p.span) if ctor else p
        if cls is ast.PCtr:
            p.name = self.ctor(p.name) or p.name
            p.args = [self.pattern(a) for a in p.args]
        elif cls in (ast.PTuple, ast.PSup, ast.PList):
            p.items = [self.pattern(x) for x in p.items]
        return p

    def term(self, t):
        cls = type(t)
        if cls is ast.Var:
            if t.name in self.bound or t.name not in self.namespace:
                return t
            return ast.Ref(self.namespace[t.name], t.span)
        if cls in BINDERS:
            self.chain(t)
        elif cls is ast.Match or cls is ast.Fold:
            self.match(t)
        elif cls is ast.Switch:
            self.switch(t)
        elif cls is ast.Bend:
            t.binds = [(n, None if v is None else self.term(v)) for n, v in t.binds]
            with self.binding(n for n, _ in t.binds):
                t.cond, t.step, t.base = self.term(t.cond), self.term(t.step), self.term(t.base)
        elif cls is ast.Open:
            t.typ = self.namespace.get(t.typ, t.typ)
            adt = self.adts.get(t.typ)
            fields = [f"{t.var}.{f.name}" for f in adt.ctors[0].fields] if adt and len(adt.ctors) == 1 else []
            with self.binding(fields):
                t.body = self.term(t.body)
        elif cls is ast.With:
            bind = self.namespace.get(f"{t.typ}/bind")
            t.typ = bind.removesuffix("/bind") if bind else self.namespace.get(t.typ, t.typ)
            t.body = self.term(t.body)
        elif cls is ast.LocalDef:
            with self.binding([t.definition.name]):
                self.definition(t.definition)
                t.body = self.term(t.body)
        else:
            ast.map_subterms(t, self.term)
        return t

    def chain(self, t) -> None:
        """A chain of lambdas, lets, asks and uses, each in the scope of those before it: a loop,
        as `λx0 λx1 ...` or a long block of statements can be 100,000 long."""
        links = []
        try:
            while type(t) in BINDERS:
                if type(t) is ast.Lam:
                    names = ast.binder_names(t.pattern)
                else:
                    t.value = self.term(t.value)
                    names = [t.name] if type(t) is ast.Use else ast.binder_names(t.pattern)
                for n in names:
                    self.bound[n] = self.bound.get(n, 0) + 1
                links.append((t, names))
                t = t.body
            body = self.term(t)
        finally:
            for link, names in reversed(links):
                for n in names:
                    self.bound[n] -= 1
                    if not self.bound[n]:
                        del self.bound[n]
        for link, _ in reversed(links):
            link.body = body
            body = link

    def with_values(self, t) -> list[str]:
        t.with_ = [(n, None if v is None else self.term(v)) for n, v in t.with_]
        return [n for n, _ in t.with_]

    @staticmethod
    def scrutinee_name(t) -> str | None:
        if t.bind is not None:
            return t.bind
        return t.scrutinee.name if type(t.scrutinee) is ast.Var else None

    def match(self, t) -> None:
        t.scrutinee = self.term(t.scrutinee)
        carried = self.with_values(t)
        name = self.scrutinee_name(t)
        for arm in t.arms:
            names = [*carried] + ([name] if name else [])
            ctor = self.ctor(arm.pattern)
            if ctor:
                arm.pattern = ctor
                if name:
                    names += [f"{name}.{f.name}" for f in self.ctors[ctor][1].fields]
            elif arm.pattern != "_":
                names.append(arm.pattern)
            with self.binding(names):
                arm.body = self.term(arm.body)

    def switch(self, t) -> None:
        t.scrutinee = self.term(t.scrutinee)
        carried = self.with_values(t)
        name = self.scrutinee_name(t)
        arms = []
        for i, arm in enumerate(t.arms):
            names = [*carried] + ([name] if name else [])
            if i == len(t.arms) - 1 and name:
                names.append(f"{name}-{len(t.arms) - 1}")
            with self.binding(names):
                arms.append(self.term(arm))
        t.arms = arms
