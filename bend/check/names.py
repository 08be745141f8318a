"""Names: every variable is bound, every function, constructor and type exists, and the
constructs that only make sense in one place are only used there.

In:  a loaded Program (bend.frontend.loader): its merged book and each module's namespace.
Out: diagnostics, each at the name it is about, with a hint where one helps:
     - unbound variables (`did you mean ...?`; `x-1` is one name; fields exist inside a
       match/fold/open of their variable; unknown fields list the constructor's fields);
     - constructors in patterns and `case`s that do not exist, or with the wrong number of
       fields; `case`s of different types in one match;
     - `open` of an unknown type or of a type with several constructors; `with` on a type
       with no `Type/bind`;
     - `fork` outside the `when` branch of a `bend`, `<-` / `ask` / `wrap` outside `with`;
     - type annotations naming unknown types (when applied to arguments);
     - `main`: missing, defined with several rules, both `main` and `Main`, or referenced.

Scopes follow Bend: rule patterns and lambdas bind their variables; `let`, `use` and `ask`
bind in their body; a match, fold or switch arm sees the scrutinee's name and its `with`
variables, a constructor's arm sees `x.field` for its fields, the default arm of a switch
sees `x-N`; `open T x` binds `x.field`; a `bend` binds its state variables; a local `def`
is visible in its own rules and after it.
"""

from __future__ import annotations

from contextlib import contextmanager

from bend import ast
from bend.diagnostics import Diagnostics, did_you_mean

PRIMITIVE_TYPES = {"u24", "i24", "f24"}


class Context:
    """Where a term is: inside a bend's `when` branch, inside a `with` block (of which type)."""

    __slots__ = ("in_step", "with_type", "fields")

    def __init__(self, in_step=False, with_type=None, fields=None):
        self.in_step = in_step
        self.with_type = with_type
        self.fields = fields or {}  # variable -> (constructor name, its field names): for hints

    def but(self, **changes) -> "Context":
        new = Context(self.in_step, self.with_type, self.fields)
        for k, v in changes.items():
            setattr(new, k, v)
        return new


class NameChecker:
    def __init__(self, program, diagnostics: Diagnostics):
        self.program = program
        self.diagnostics = diagnostics
        self.bound: dict[str, int] = {}
        self.namespace: dict[str, str] = {}

    # -- scopes

    def push(self, names) -> None:
        for n in names:
            self.bound[n] = self.bound.get(n, 0) + 1

    def pop(self, names) -> None:
        for n in names:
            if self.bound[n] == 1:
                del self.bound[n]
            else:
                self.bound[n] -= 1

    @contextmanager
    def binding(self, names):
        names = list(names)
        self.push(names)
        try:
            yield
        finally:
            self.pop(names)

    def is_ctor(self, name: str) -> bool:
        return self.namespace.get(name) in self.program.ctors

    def ctor(self, name: str):
        return self.program.ctors[self.namespace[name]][1]

    def adt_of(self, name: str):
        return self.program.ctors[self.namespace[name]][0]

    def is_type_only(self, canonical: str) -> bool:
        """A type's name that names no definition or constructor (an object's names its constructor)."""
        book = self.program.book
        return (canonical in book.adts and canonical not in self.program.ctors and canonical not in book.defs
                and canonical not in book.hvm_defs)

    def adt(self, name: str):
        canonical = self.namespace.get(name)
        return self.program.book.adts.get(canonical) if canonical else None

    # -- entry

    def check_program(self) -> None:
        book = self.program.book
        for canonical, definition in book.defs.items():
            if definition.builtin:
                continue
            self.namespace = self.program.namespace(canonical)
            try:
                self.check_definition(definition, Context())
            except RecursionError:
                self.bound.clear()
                self.diagnostics.error("this definition nests too deeply to be checked", definition.span,
                                       hint="split it into smaller definitions")
        for canonical, adt in book.adts.items():
            if adt.builtin:
                continue
            self.namespace = self.program.namespace(canonical)
            params = set(adt.params)
            for ctor in adt.ctors:
                for f in ctor.fields:
                    if f.typ is not None:
                        self.check_type(f.typ, params)
        self.check_main()

    def check_definition(self, definition: ast.Definition, ctx: Context) -> None:
        if definition.typ is not None:
            self.check_type(definition.typ, set())
        for rule in definition.rules:
            names = []
            for pattern in rule.patterns:
                self.check_pattern(pattern, names)
            self.check_repeats(names)
            with self.binding(n.name for n in names):
                self.term(rule.body, ctx)

    def check_repeats(self, names: list) -> None:
        seen = set()
        for n in names:
            if n.name in seen and n.name != "_":
                self.diagnostics.warning(f"`{n.name}` is bound twice in this pattern: the last one is used", n.span)
            seen.add(n.name)

    # -- patterns

    def check_pattern(self, p, names: list) -> None:
        """Check constructors in p; collect the PVar nodes it binds into `names`."""
        cls = type(p)
        if cls is ast.PVar:
            if self.is_ctor(p.name):  # a bare constructor name is that constructor
                self.check_arity(p.name, 0, p.span)
            else:
                names.append(p)
        elif cls is ast.PCtr:
            if not self.is_ctor(p.name):
                self.diagnostics.error(f"unknown constructor `{p.name}` in a pattern", p.span,
                                       did_you_mean(p.name, self.ctor_names()))
            else:
                self.check_arity(p.name, len(p.args), p.span)
            for arg in p.args:
                self.check_pattern(arg, names)
        elif cls in (ast.PTuple, ast.PSup, ast.PList):
            for item in p.items:
                self.check_pattern(item, names)

    def check_arity(self, name: str, count: int, span) -> None:
        fields = self.ctor(name).fields
        if len(fields) != count:
            self.diagnostics.error(
                f"the constructor `{name}` has {len(fields)} field{'s' if len(fields) != 1 else ''}, "
                f"but the pattern gives {count}", span,
                hint=f"`{name}` has the fields: {', '.join(f.name for f in fields)}" if fields else None)

    def ctor_names(self) -> list[str]:
        return [name for name, canonical in self.namespace.items() if canonical in self.program.ctors]

    def binder_names(self, p) -> list[str]:
        names: list = []
        self.check_pattern(p, names)
        return [n.name for n in names]

    # -- types

    def check_type(self, t, params: set) -> None:
        cls = type(t)
        if cls is ast.TCtr:
            if t.name not in PRIMITIVE_TYPES and t.name not in params and self.adt(t.name) is None:
                types = [n for n, c in self.namespace.items() if c in self.program.book.adts]
                hint = did_you_mean(t.name, [*types, *PRIMITIVE_TYPES])
                if t.args:
                    self.diagnostics.error(f"unknown type `{t.name}`", t.span, hint)
                elif hint:  # a name that is no type is a type variable; a near miss deserves a word
                    self.diagnostics.warning(f"`{t.name}` is not a type, so it is a type variable here", t.span, hint)
            for a in t.args:
                self.check_type(a, params)
        elif cls is ast.TArrow:
            self.check_type(t.arg, params)
            self.check_type(t.result, params)
        elif cls is ast.TTuple:
            for item in t.items:
                self.check_type(item, params)

    # -- terms

    def term(self, t, ctx: Context) -> None:
        pushed = []  # chains of let/use/ask/λ go round this loop, not down the stack
        try:
            while True:
                cls = type(t)
                if cls is ast.Let or cls is ast.Ask:
                    if cls is ast.Ask and ctx.with_type is None:
                        self.diagnostics.error("`<-` (or `ask`) is used outside a `with` block", t.span,
                                               hint="sequence effects inside `with Type:` (for example `with IO:`)")
                    self.term(t.value, ctx)
                    names = self.binder_names(t.pattern)
                elif cls is ast.Use:
                    self.term(t.value, ctx)
                    names = [t.name]
                elif cls is ast.Lam:  # (chains of lambdas too: `λx0 λx1 ... body` can be 100,000 long)
                    names = self.binder_names(t.pattern)
                else:
                    break
                self.push(names)
                pushed.append(names)
                t = t.body
            self.single_term(t, ctx)
        finally:
            for names in reversed(pushed):
                self.pop(names)

    def single_term(self, t, ctx: Context) -> None:
        cls = type(t)
        if cls is ast.Var:
            self.var(t, ctx)
        elif cls is ast.Lam:
            with self.binding(self.binder_names(t.pattern)):
                self.term(t.body, ctx)
        elif cls in (ast.Match, ast.Fold):
            self.match(t, ctx)
        elif cls is ast.Switch:
            self.switch(t, ctx)
        elif cls is ast.Bend:
            self.bend(t, ctx)
        elif cls is ast.Open:
            self.open(t, ctx)
        elif cls is ast.With:
            self.with_block(t, ctx)
        elif cls is ast.LocalDef:
            with self.binding([t.definition.name]):
                self.check_definition(t.definition, ctx)
                self.term(t.body, ctx)
        else:
            for sub in ast.subterms(t):
                self.term(sub, ctx)

    def var(self, t: ast.Var, ctx: Context) -> None:
        name = t.name
        if name in self.bound:
            return
        if name in self.namespace:
            canonical = self.namespace[name]
            if canonical in ("main", "Main") and name == canonical:  # the entry point (both at once is an error)
                self.diagnostics.error(f"`{name}` cannot be referenced inside the program", t.span,
                                       hint=f"move what `{name}` computes into a definition of its own and call that")
            elif self.is_type_only(canonical):
                ctors = ", ".join(f"`{c.name}`" for c in self.program.book.adts[canonical].ctors)
                self.diagnostics.error(f"`{name}` is a type, not a value", t.span,
                                       hint=f"its values are made by its constructors: {ctors}" if ctors else None)
            return
        if name == "fork":
            if not ctx.in_step:
                self.diagnostics.error("`fork` is used outside a `bend`", t.span,
                                       hint="`fork(...)` recurses inside the `when` branch of a `bend`")
            return
        base = name.rpartition(".")[0]
        if base and base in ctx.fields and ctx.fields[base] is None:
            return  # a field of a variable whose `open` failed (reported there)
        if name == "wrap" and ctx.with_type is not None:
            if f"{ctx.with_type}/wrap" not in self.namespace:
                self.diagnostics.error(f"`wrap` needs a definition `{ctx.with_type}/wrap`", t.span)
            return
        self.diagnostics.error(f"unbound variable `{name}`", t.span, self.unbound_hint(name, ctx))

    def unbound_hint(self, name: str, ctx: Context) -> str | None:
        if name == "wrap":
            return "`wrap` exists inside a `with` block"
        base, dot, field = name.rpartition(".")
        if dot and ctx.fields.get(base) is not None:
            ctor, fields = ctx.fields[base]
            return f"`{ctor}` has no field `{field}`; its fields are: {', '.join(fields) or 'none'}"
        if dot and base in self.bound:
            return f"fields like `{name}` exist inside a `match`, `fold` or `open` of `{base}`"
        if "-" in name:
            left = name.split("-")[0]
            if left in self.bound or left in self.namespace:
                return f"`{name}` is one name; write `{name.replace('-', ' - ')}` to subtract"
        return did_you_mean(name, [*self.bound, *self.namespace])

    # -- branching terms

    def with_vars(self, t, ctx: Context) -> list[str]:
        names = []
        for name, value in t.with_:
            if value is not None:
                self.term(value, ctx)
            elif name not in self.bound:
                self.diagnostics.error(f"unbound variable `{name}` in `with`", t.span)
            names.append(name)
        return names

    def scrutinee_name(self, t) -> str | None:
        if t.bind is not None:
            return t.bind
        if type(t.scrutinee) is ast.Var:
            return t.scrutinee.name
        return None

    def match(self, t, ctx: Context) -> None:
        self.term(t.scrutinee, ctx)
        carried = self.with_vars(t, ctx)
        if not t.arms:
            kind = "fold" if type(t) is ast.Fold else "match"
            self.diagnostics.error(f"this `{kind}` has no cases", t.span,
                                   hint="add a `case` for each constructor, or `case _:` for the rest")
        name = self.scrutinee_name(t)
        adt = None
        for arm in t.arms:
            pattern = arm.pattern
            arm_names = [*carried] + ([name] if name else [])
            fields_hint = dict(ctx.fields)
            if self.is_ctor(pattern):
                ctor = self.ctor(pattern)
                this_adt = self.adt_of(pattern)
                if adt is not None and this_adt is not adt:
                    self.diagnostics.error(f"`{pattern}` is a constructor of `{this_adt.name}`, "
                                           f"but this match is on `{adt.name}`", arm.span)
                adt = adt or this_adt
                if name:
                    arm_names += [f"{name}.{f.name}" for f in ctor.fields]
                    fields_hint[name] = (pattern, [f.name for f in ctor.fields])
            elif "/" in pattern and pattern != "_":
                self.diagnostics.error(f"unknown constructor `{pattern}`", arm.span,
                                       did_you_mean(pattern, self.ctor_names()))
            elif pattern != "_":
                arm_names.append(pattern)  # `case x:` binds x
            with self.binding(arm_names):
                self.term(arm.body, ctx.but(fields=fields_hint))

    def switch(self, t: ast.Switch, ctx: Context) -> None:
        self.term(t.scrutinee, ctx)
        carried = self.with_vars(t, ctx)
        name = self.scrutinee_name(t)
        for i, arm in enumerate(t.arms):
            names = [*carried] + ([name] if name else [])
            if i == len(t.arms) - 1 and name:
                names.append(f"{name}-{len(t.arms) - 1}")
            with self.binding(names):
                self.term(arm, ctx)

    def bend(self, t: ast.Bend, ctx: Context) -> None:
        for name, value in t.binds:
            if value is not None:
                self.term(value, ctx)
            elif name not in self.bound:
                self.diagnostics.error(f"unbound variable `{name}` in `bend`", t.span,
                                       hint=f"give it a first value: `bend {name} = ...`")
        with self.binding([name for name, _ in t.binds]):
            self.term(t.cond, ctx)
            self.term(t.step, ctx.but(in_step=True))
            self.term(t.base, ctx)

    def open(self, t: ast.Open, ctx: Context) -> None:
        adt = self.adt(t.typ)
        if t.var not in self.bound:
            self.diagnostics.error(f"unbound variable `{t.var}` in `open`", t.span)
        if adt is None or len(adt.ctors) != 1:
            if adt is None:
                types = [n for n, c in self.namespace.items() if c in self.program.book.adts]
                self.diagnostics.error(f"`open` of an unknown type `{t.typ}`", t.span, did_you_mean(t.typ, types))
            else:
                self.diagnostics.error(f"`open` needs a type with one constructor; `{t.typ}` has {len(adt.ctors)}",
                                       t.span, hint=f"use `match {t.var}:` to tell its constructors apart")
            unknown = dict(ctx.fields)
            unknown[t.var] = None  # its fields are unknown: using them is not a second error
            self.term(t.body, ctx.but(fields=unknown))
            return
        fields = [f.name for f in adt.ctors[0].fields]
        hint = dict(ctx.fields)
        hint[t.var] = (adt.ctors[0].name, fields)
        with self.binding([f"{t.var}.{f}" for f in fields]):
            self.term(t.body, ctx.but(fields=hint))

    def with_block(self, t: ast.With, ctx: Context) -> None:
        if self.adt(t.typ) is None and f"{t.typ}/bind" not in self.namespace:
            self.diagnostics.error(f"`with` of an unknown type `{t.typ}`", t.span)
        elif f"{t.typ}/bind" not in self.namespace:
            self.diagnostics.error(f"`with {t.typ}` needs a definition `{t.typ}/bind`", t.span,
                                   hint=f"define `{t.typ}/bind(value, next)` to sequence `{t.typ}` values")
        self.term(t.body, ctx.but(with_type=t.typ))

    # -- main

    def check_main(self) -> None:
        main = self.program.main
        names = main.book.defs
        custom = getattr(self.program, "entrypoint", None)  # `bend -e NAME`
        if custom not in (None, "main", "Main"):
            if custom not in names:
                self.diagnostics.error(f"this program has no `{custom}` definition", path=str(main.path),
                                       hint=f"`-e {custom}` names the definition the program starts at",
                                       kind="missing-main")
            elif len(names[custom].rules) > 1:
                self.diagnostics.error(f"`{custom}` has several rules; an entry point must have exactly one",
                                       names[custom].span)
            return
        if "main" in names and "Main" in names:
            self.diagnostics.error("the program has both `main` and `Main`", names["Main"].span,
                                   hint="keep one entry point")
        entry = names.get("main") or names.get("Main")
        if entry is None:
            if not {"main", "Main"} & main.book.broken:  # (a syntax error in `main` was reported)
                self.diagnostics.error("this program has no `main` definition", path=str(main.path),
                                       hint="add `def main():` (or `main = ...`): the program starts there",
                                       kind="missing-main")
        elif len(entry.rules) > 1:
            self.diagnostics.error("`main` has several rules; it must have exactly one", entry.span)


def check_names(program, diagnostics: Diagnostics) -> None:
    NameChecker(program, diagnostics).check_program()


def check_term(program, term, canonical: str, diagnostics: Diagnostics) -> None:
    """A term outside the program (a command-line argument to `main`), as the definition
    `canonical` would see it."""
    checker = NameChecker(program, diagnostics)
    checker.namespace = program.namespace(canonical)
    checker.term(term, Context())
