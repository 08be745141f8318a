"""Type checking: Hindley–Milner inference (algorithm W, let-polymorphism), as Bend 0.2.38 does it.

In:  a Book after bend.desugar.unique_names (one rule per definition; lambdas, lets, fixed
     matches and switches, applications, operations, numbers, references, tuples).
Out: the same Book, untouched (a pure checker); type errors as diagnostics.

Which definitions are checked (notes §8): an imp `def` with an annotation (a parameter's or the
result's), a fun definition with a signature, or one written `checked`; an `unchecked` one,
or one without annotations, is trusted with its declared type (`Any` without one). A generated
definition (`f__fold0`, `f__bend0`, `f__local_0_g`) is checked when the one it came from is.
The prelude is trusted with its signatures (tests/bend/test_types.py checks that it agrees
with them); native `hvm` definitions too.

The definitions are checked a strongly connected component of references at a time (so that
mutual recursion is inferred together), callees first. A definition is checked against its
signature from the start (its parameters have their annotated types, its body must have the
result type), so that an error is found where it is made; the signature's type variables are
rigid there (the body must work for every type), `Any` accepts anything, a hole `_` takes the
inferred type. Other definitions see a checked definition with its signature (holes filled,
generalized); one without a signature (`checked f = ...`, `def checked f(x):`) as `Any`, as Bend
does (its declared type, all `Any`, wins over the inferred one); a generated one with its
inferred type. A fold's or a bend's definition is checked in one group with the definition it
came from, after it: it is only used there, and its errors are then found where they are made.

Rules: number literals have their kind's type; `+ - * / %` need two numbers of one type (`%`
on f24 is fmod), comparisons give a u24, `& | ^ << >>` need integers (u24 or i24), `**` f24; a switch (an
`if`) tests a u24; a match unifies its value with its data type and its arms with each other;
tuples are typed structurally; `*` is `None`; a dup gives both copies the value's type;
superpositions and unscoped variables cannot be typed (an error in a checked definition).
A match's arms agree even when the result is `Any` (as Bend infers them before it looks at the
signature), but for the signature's variables, which Bend's `Any` absorbs; an operation with an
`Any` operand has the other operand's type.

Errors are reported at the term where they are found, every one (after an error the term
takes the type `Any`, so that it does not cause more): a call's result is matched with what is
expected first, then its arguments, lambdas last (the others may tell their parameters' types;
if an argument is wrong, the call's result is not reported too); the arms of a match or a
switch in source order (an `if`'s `else` is its first arm).
"""

from __future__ import annotations

from bend import ast
from hvm import numbers

# -- types inside the checker


class TVar:
    """A type variable: `ref` is what it was unified with (None while free). `level`: the let
    depth where it was made (GENERIC: quantified, copied afresh at each use). `kind`: None, or
    "num" (a number type) or "int" (u24 or i24), for the variables of operators."""

    __slots__ = ("ref", "level", "kind")

    def __init__(self, level: int, kind: str | None = None):
        self.ref = None
        self.level = level
        self.kind = kind


class TCon:
    """A type constructor applied to types: u24, i24, f24, None, Any, `->` (a function),
    `(,)` (a pair; tuples are right-nested pairs, as their values), a data type."""

    __slots__ = ("name", "args")

    def __init__(self, name: str, args: tuple = ()):
        self.name = name
        self.args = args


class Rigid:
    """A type variable of a signature, inside the definition it belongs to: it stands for any
    type, so it only unifies with itself."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


GENERIC = 1 << 30
U24, I24, F24 = TCon("u24"), TCon("i24"), TCon("f24")
NONE, ANY = TCon("None"), TCon("Any")
# why the arms of a match whose result is `Any` must agree: they do, but a signature's variable
# agrees with anything there (Bend infers `T` and `E` as one variable, which its `Any` absorbs:
# its `Result/unwrap(res: Result(T, E)) -> Any` returns a `T` from one arm and an `E` from the other)
ANY_ARMS = ("any-arms",)
PRIMITIVES = {"u24": U24, "i24": I24, "f24": F24}
NUMBER_TYPES = {numbers.U24: U24, numbers.I24: I24, numbers.F24: F24}
KIND_TYPES = {"num": ("u24", "i24", "f24"), "int": ("u24", "i24")}

ARITHMETIC = ("+", "-", "*", "/", "%")  # (`%` on f24: fmod, as the prelude's IO/sleep uses it)
COMPARISONS = ("==", "!=", "<", ">", "<=", ">=")
INTEGER_OPS = ("&", "|", "^", "<<", ">>")

NUMBER_HINT = ("numbers of different types never mix: convert one with u24/to_f24, f24/to_u24, i24/to_f24, "
               "f24/to_i24, u24/to_i24 or i24/to_u24 (literals: `1` is a u24, `+1` an i24, `1.0` an f24)")
UNCHECKED_HINT = "a definition written `unchecked` (`def unchecked f(...)`, `unchecked f : ...`) is not type-checked"


def arrow(a, b) -> TCon:
    return TCon("->", (a, b))


def pair(a, b) -> TCon:
    return TCon("(,)", (a, b))


def tuple_type(items: list):
    """A tuple's type: right-nested pairs, as its value."""
    out = items[-1]
    for item in reversed(items[:-1]):
        out = pair(item, out)
    return out


def prune(t):
    while type(t) is TVar and t.ref is not None:
        t = t.ref
    return t


def is_arrow(t) -> bool:
    return type(t) is TCon and t.name == "->"


class Mismatch(Exception):
    """Two types that do not unify: the innermost pair that differs, and why."""

    def __init__(self, a, b, reason: str = "differ"):
        super().__init__(reason)
        self.a, self.b, self.reason = a, b, reason


# -- showing types as Bend writes them


class Shower:
    """Names free variables a, b, c, ... in the order met, the same across one message."""

    def __init__(self, *types):
        self.names: dict = {}
        self.taken = set()
        for t in types:
            self._rigid_names(t)

    def _rigid_names(self, t) -> None:
        t = prune(t)
        if type(t) is Rigid:
            self.taken.add(t.name)
        elif type(t) is TCon:
            for a in t.args:
                self._rigid_names(a)

    def var_name(self, v) -> str:
        name = self.names.get(v)
        if name is None:
            i = len(self.names)
            while True:
                name = chr(ord("a") + i % 26) + (str(i // 26) if i >= 26 else "")
                i += 1
                if name not in self.taken:
                    break
            self.taken.add(name)
            self.names[v] = name
        return name

    def show(self, t, in_arrow_arg: bool = False) -> str:
        t = prune(t)
        if type(t) is TVar:
            return self.var_name(t)
        if type(t) is Rigid:
            return t.name
        if t.name == "->":
            text = f"{self.show(t.args[0], True)} -> {self.show(t.args[1])}"
            return f"({text})" if in_arrow_arg else text
        if t.name == "(,)":
            items = [t.args[0]]
            rest = prune(t.args[1])
            while type(rest) is TCon and rest.name == "(,)":
                items.append(rest.args[0])
                rest = prune(rest.args[1])
            items.append(rest)
            return "(" + ", ".join(self.show(i) for i in items) + ")"
        if not t.args:
            return t.name
        return f"{t.name}(" + ", ".join(self.show(a) for a in t.args) + ")"


def show_type(t) -> str:
    return Shower(t).show(t)


def show_types(*types) -> list[str]:
    s = Shower(*types)
    return [s.show(t) for t in types]


# -- the checker


def run(book: ast.Book, ctx) -> ast.Book:
    """The pass: check the user's definitions; the book goes on unchanged."""
    if getattr(ctx.options, "type_check", True):
        Checker(book, ctx, ctx.diagnostics).check_book(builtins=False)
    return book


def check_book(book: ast.Book, ctx, diagnostics, builtins: bool = False) -> None:
    """Check a book, the prelude's annotated definitions too when `builtins` (for tests)."""
    Checker(book, ctx, diagnostics).check_book(builtins=builtins)


def is_checked(d: ast.Definition, defs: dict, builtins: bool = False) -> bool:
    """Whether a definition is type-checked (else it is trusted with its declared type)."""
    if "__" in d.name:  # generated from a definition: as that one
        parent_name = d.name.split("__", 1)[0]
        parent = defs.get(parent_name) or (defs.get("main") if parent_name == "Main" else None)
        return parent is not None and parent is not d and is_checked(parent, defs, builtins)
    if d.builtin and not builtins:
        return False
    if d.checked is not None:
        return d.checked
    return d.typ is not None


class Checker:
    def __init__(self, book: ast.Book, ctx, diagnostics):
        self.book = book
        self.ctx = ctx
        self.diagnostics = diagnostics
        self.level = 0
        self.trail: list = []
        self.globals: dict = {}  # name -> (type, polymorphic)
        self.locals: dict = {}  # variable -> (type, polymorphic); names are unique after unique_names
        self.templates: dict = {}  # data type -> its parameters (generic variables)
        self.fields: dict = {}  # constructor -> its fields' types (over its type's parameters)
        self.adt_by_suffix: dict = {}
        self.span = None  # the innermost span known, for terms made by the compiler
        self.def_errors = 0
        self.reported: set = set()

    # -- unification (with a trail, so that a failed unification leaves no trace)

    def set(self, obj, attr: str, value) -> None:
        self.trail.append((obj, attr, getattr(obj, attr)))
        setattr(obj, attr, value)

    def unify(self, a, b) -> None:
        a, b = prune(a), prune(b)
        if a is b:
            return
        if type(a) is TVar:
            if type(b) is TVar:
                self.join(a, b)
            else:
                self.bind(a, b)
            return
        if type(b) is TVar:
            self.bind(b, a)
            return
        if a is ANY:
            self.anyfy(b)
            return
        if b is ANY:
            self.anyfy(a)
            return
        if type(a) is TCon and type(b) is TCon and a.name == b.name and len(a.args) == len(b.args):
            for x, y in zip(a.args, b.args):
                self.unify(x, y)
            return
        raise Mismatch(a, b)

    def join(self, a: TVar, b: TVar) -> None:
        kind = stronger(a.kind, b.kind)
        if kind != b.kind:
            self.set(b, "kind", kind)
        if a.level < b.level:
            self.set(b, "level", a.level)
        self.set(a, "ref", b)

    def bind(self, v: TVar, t) -> None:
        if v.kind is not None and t is not ANY and not (type(t) is TCon and t.name in KIND_TYPES[v.kind]):
            raise Mismatch(v, t, "kind")
        self.occurs(v, t, t)
        self.set(v, "ref", t)

    def occurs(self, v: TVar, t, whole) -> None:
        t = prune(t)
        if t is v:
            raise Mismatch(v, whole, "occurs")
        if type(t) is TVar:
            if t.level > v.level:
                self.set(t, "level", v.level)
        elif type(t) is TCon:
            for a in t.args:
                self.occurs(v, a, whole)

    def anyfy(self, t) -> None:
        """`Any` met a type: its free variables become `Any` too (as in Bend)."""
        t = prune(t)
        if type(t) is TVar:
            self.set(t, "ref", ANY)
        elif type(t) is TCon:
            for a in t.args:
                self.anyfy(a)

    def try_unify(self, a, b) -> Mismatch | None:
        mark = len(self.trail)
        try:
            self.unify(a, b)
        except Mismatch as m:
            while len(self.trail) > mark:
                obj, attr, old = self.trail.pop()
                setattr(obj, attr, old)
            return m
        del self.trail[mark:]
        return None

    def constrain(self, t, kind: str) -> bool:
        """Whether `t` can be a number type ("num") / an integer type ("int"); a variable learns it."""
        t = prune(t)
        if type(t) is TVar:
            t.kind = stronger(t.kind, kind)
            return True
        return t is ANY or (type(t) is TCon and t.name in KIND_TYPES[kind])

    # -- schemes

    def instantiate(self, t, mapping: dict | None = None):
        if mapping is None:
            mapping = {}
        t = prune(t)
        if type(t) is TVar:
            if t.level != GENERIC:
                return t
            v = mapping.get(t)
            if v is None:
                v = mapping[t] = TVar(self.level, t.kind)
            return v
        if type(t) is TCon and t.args:
            return TCon(t.name, tuple(self.instantiate(a, mapping) for a in t.args))
        return t

    def generalize(self, t) -> bool:
        """Quantify the variables made deeper than the current level; whether there were any."""
        t = prune(t)
        if type(t) is TVar:
            if t.level == GENERIC:
                return True
            if t.level > self.level:
                t.level = GENERIC
                return True
            return False
        if type(t) is TCon:
            found = False
            for a in t.args:
                found = self.generalize(a) | found
            return found
        return False

    def finalize(self, t, rigids: dict):
        """A checked definition's type for the others: its free variables quantified, its
        signature's variables (rigid inside it) quantified too."""
        t = prune(t)
        if type(t) is TVar:
            if t.level != GENERIC and t.level > 0:
                t.level = GENERIC
            return t
        if type(t) is Rigid:
            return rigids.get(t, ANY)
        if t.args:
            return TCon(t.name, tuple(self.finalize(a, rigids) for a in t.args))
        return t

    # -- declared types

    def find_adt(self, name: str):
        adt = self.book.adts.get(name)
        if adt is not None:
            return adt
        if not self.adt_by_suffix:
            for canonical, a in self.book.adts.items():
                parts = canonical.split("/")
                for i in range(1, len(parts)):
                    key = "/".join(parts[i:])
                    self.adt_by_suffix[key] = None if key in self.adt_by_suffix else a
            self.adt_by_suffix[""] = None
        return self.adt_by_suffix.get(name)

    def convert(self, t, var, hole, errors: list | None = None):
        """An annotation (bend.ast types) as a checker type. `var(name)`: a type variable's type,
        `hole()`: a `_`'s type; errors in it go to `errors`."""
        cls = type(t)
        if cls is ast.TArrow:
            return arrow(self.convert(t.arg, var, hole, errors), self.convert(t.result, var, hole, errors))
        if cls is ast.TTuple:
            return tuple_type([self.convert(i, var, hole, errors) for i in t.items])
        if cls is ast.TAny:
            return ANY
        if cls is ast.TNone:
            return NONE
        if cls is ast.THole:
            return hole()
        if cls is ast.TVar:
            return var(t.name)
        if cls is ast.TCtr:
            if t.name in PRIMITIVES and not t.args:
                return PRIMITIVES[t.name]
            adt = self.find_adt(t.name)
            if adt is None:
                if t.args:  # an unknown type (bend.check.names reports it)
                    return ANY
                return var(t.name)
            args = [self.convert(a, var, hole, errors) for a in t.args]
            if not t.args and adt.params:  # `List` alone: `List(Any)`
                args = [ANY] * len(adt.params)
            elif len(args) != len(adt.params):
                if errors is not None:
                    n = len(adt.params)
                    errors.append((f"the type `{t.name}` takes {n} type argument{'s' if n != 1 else ''}, "
                                   f"found {len(args)}", t.span))
                return ANY
            return TCon(adt.name, tuple(args))
        return ANY

    def declared(self, typ, report: bool = False):
        """A trusted definition's type: its signature (type variables quantified), else Any;
        `report`: report the errors in the signature (a user's definition)."""
        if typ is None:
            return ANY, False
        generic: dict = {}
        errors: list | None = [] if report else None
        t = self.convert(typ, lambda n: generic.setdefault(n, TVar(GENERIC)), lambda: ANY, errors)
        for message, span in errors or ():
            self.error(message, span)
        return t, bool(generic)

    def add_data_types(self) -> None:
        for adt in self.book.adts.values():
            params = {p: TVar(GENERIC) for p in adt.params}
            self.templates[adt.name] = [params[p] for p in adt.params]
            result = TCon(adt.name, tuple(params[p] for p in adt.params))
            for ctor in adt.ctors:
                errors: list | None = None if adt.builtin else []
                fields = [ANY if f.typ is None else
                          self.convert(f.typ, lambda n: params.get(n, ANY), lambda: ANY, errors)
                          for f in ctor.fields]
                for message, span in errors or ():
                    self.error(message, span or ctor.span)
                self.fields[ctor.name] = fields
                t = result
                for f in reversed(fields):
                    t = arrow(f, t)
                self.globals[ctor.name] = (t, bool(params))

    # -- the book

    def check_book(self, builtins: bool) -> None:
        defs = self.book.defs
        self.add_data_types()
        for h in self.book.hvm_defs.values():
            self.globals[h.name] = self.declared(h.typ, report=not h.builtin)
        checked = {name for name, d in defs.items() if is_checked(d, defs, builtins)}
        for name, d in defs.items():
            if name not in checked:
                self.globals[name] = self.declared(d.typ, report=not d.builtin)
        edges = {name: references(defs[name]) for name in checked}
        for name in checked:  # a fold's or a bend's definition is checked with the one it came from
            parent = lifted_from(name)
            if parent in checked:
                edges[name].add(parent)
        for group in components(checked, edges):
            self.check_group([defs[name] for name in call_order(group, edges)])

    def check_group(self, group: list) -> None:
        self.level = 1
        plans = []
        for d in group:
            rigids: dict = {}
            if d.typ is not None:
                errors: list = []
                sig = self.convert(d.typ, lambda n: rigids.setdefault(n, Rigid(n)), lambda: TVar(1), errors)
                for message, span in errors:
                    self.error(message, span or d.span)
                generic = {r: TVar(GENERIC) for r in rigids.values()}
                scheme = self.finalize_rigids(sig, generic)
                self.globals[d.name] = (scheme, bool(generic))
            else:
                sig = scheme = TVar(1)
                generic = {}
                self.globals[d.name] = (sig, False)
            plans.append((d, sig, scheme, generic))
        failed = set()
        for d, sig, _, _ in plans:
            if not self.check_definition(d, sig):
                failed.add(d.name)
        self.level = 0
        all_rigids: dict = {}
        for _, _, _, generic in plans:
            all_rigids.update(generic)
        for d, sig, scheme, generic in plans:
            if d.typ is None and (d.name in failed or "__" not in d.name):
                # a user's definition without a signature is seen as `Any` (as in Bend, where its
                # declared type `Any -> ... -> Any` wins over the inferred one); a generated one, or
                # a signature's holes, take the inferred type
                self.globals[d.name] = (ANY, False)
            else:
                t = self.finalize(scheme, all_rigids)
                self.globals[d.name] = (t, True)

    def finalize_rigids(self, t, generic: dict):
        """The signature with its rigid variables as quantified ones (holes stay shared)."""
        t = prune(t)
        if type(t) is Rigid:
            return generic[t]
        if type(t) is TCon and t.args:
            return TCon(t.name, tuple(self.finalize_rigids(a, generic) for a in t.args))
        return t

    def check_definition(self, d: ast.Definition, sig) -> bool:
        """Check one definition against its signature; whether it had no error."""
        self.locals = {}
        self.span = d.span
        self.def_errors = 0
        self.current = d
        why = ("sig", d) if d.typ is not None else None
        body, args = d.rules[0].body, []
        if d.name == self.ctx.entry:  # `main` applied to the command line's terms: each one a parameter
            for _ in range(getattr(self.ctx, "entry_args", 0)):
                args.append(body.arg)
                body = body.fun
        self.check(body, sig, why)
        params = sig
        for i, arg in enumerate(reversed(args)):
            params = prune(params)
            if not is_arrow(params):
                self.error(f"`{d.name}` takes {i} argument{'s' * (i != 1)}, given {len(args)} on the command line",
                           d.span)
                break
            self.check_arg(arg, params.args[0], i, d.name)
            params = params.args[1]
        return self.def_errors == 0

    # -- errors

    def error(self, message: str, span, hint: str | None = None) -> None:
        span = span or self.span
        key = (message, span.start if span is not None else None)
        if key in self.reported:
            return
        self.reported.add(key)
        self.def_errors += 1
        self.diagnostics.error(message, span, hint)

    def mismatch(self, expected, found, m: Mismatch, span, why=None, message=None) -> None:
        shower = Shower(expected, found, m.a, m.b)
        e, f = shower.show(expected), shower.show(found)
        hints = []
        if message is None:
            message = f"type mismatch: expected `{e}`, found `{f}`"
        if m.reason == "occurs":
            v, whole = shower.show(m.a), shower.show(m.b)
            message = f"type mismatch: expected `{e}`, found `{f}` (an infinite type: `{v}` would be `{whole}`)"
            hints.append("a value is used in a way that would need a type containing itself "
                         "(applying a function to itself, for one)")
        elif m.reason == "kind":
            v, other = shower.show(m.a), shower.show(m.b)
            what = "a number type" if m.a.kind == "num" else "an integer type (`u24` or `i24`)"
            if (v, other) != (e, f) and (other, v) != (e, f):
                hints.append(f"`{v}` must be {what} (it is used with a numeric operator), so it cannot be `{other}`")
            else:
                hints.append(f"`{v}` must be {what}: it is used with a numeric operator")
        else:
            a, b = shower.show(m.a), shower.show(m.b)
            if {a, b} != {e, f} and not (is_arrow(prune(m.a)) or is_arrow(prune(m.b))):
                hints.append(f"`{a}` and `{b}` differ")
            if {a, b} <= {"u24", "i24", "f24"} and a != b:
                hints.append(NUMBER_HINT)
            for t in (m.a, m.b):
                t = prune(t)
                if type(t) is Rigid:
                    hints.append(self.rigid_hint(t))
        why_hint = self.why_hint(why)
        if why_hint:
            hints.insert(0, why_hint)
        self.error(message, span, "; ".join(hints) if hints else None)

    def rigid_hint(self, r: Rigid) -> str:
        if self.find_adt(r.name) is None and r.name[:1].isupper() and len(r.name) > 1:
            return (f"`{r.name}` is not a type, so it is a type variable here, which stands for any type "
                    "(the function must work for all of them)")
        return f"`{r.name}` is a type variable of the signature: the function must work for any type `{r.name}`"

    def why_hint(self, why) -> str | None:
        if why is None:
            return None
        if why[0] == "sig":
            d = why[1]
            sig = self.declared(d.typ)[0]
            return f"the signature of `{d.name}` is `{show_type(sig)}`"
        if why[0] == "arg":
            _, i, fname, _ = why
            return f"argument {i + 1} of `{fname}`" if fname else None
        if why[0] == "arms" or why is ANY_ARMS:
            return "every case of a `match` or `switch` must give the same type"
        return None

    def expect(self, expected, found, term, why=None) -> None:
        m = self.try_unify(expected, found)
        if m is None or why is ANY_ARMS and (type(m.a) is Rigid or type(m.b) is Rigid):
            return
        span = term.span or self.span
        message = None
        if why is not None and why[0] == "arg" and why[3] is term and why[2]:
            e, f = show_types(expected, found)
            message = f"type mismatch in argument {why[1] + 1} of `{why[2]}`: expected `{e}`, found `{f}`"
            why = None
        self.mismatch(expected, found, m, span, why, message)

    def untypeable(self, what: str, span) -> None:
        self.error(f"{what} is not allowed in a type-checked function", span, UNCHECKED_HINT)

    # -- terms

    def check(self, t, expected, why=None) -> None:
        """Check that `t` has the type `expected` (which guides the lambdas, lets, matches,
        switches, tuples and calls inside it, so that an error is found where it is made)."""
        saved = self.span
        if t.span is not None:
            self.span = t.span
        cls = type(t)
        if prune(expected) is ANY and (cls is ast.Match or cls is ast.Switch):
            r = TVar(self.level)  # the arms still agree, but for the signature's variables (see ANY_ARMS)
            (self.match if cls is ast.Match else self.switch)(t, r, ANY_ARMS)
            self.expect(expected, r, t, why)
        elif prune(expected) is ANY:  # nothing to check against: infer
            self.expect(expected, self.infer(t), t, why)
        elif cls is ast.Lam:
            e = prune(expected)
            if is_arrow(e):
                self.bind_pattern(t.pattern, e.args[0])
                self.check(t.body, e.args[1], why)
            else:
                self.expect(expected, self.infer(t), t, why)
        elif cls is ast.Let:
            self.let_value(t)
            self.check(t.body, expected, why)
        elif cls is ast.Match:
            self.match(t, expected, why)
        elif cls is ast.Switch:
            self.switch(t, expected, why)
        elif cls is ast.App:
            self.app(t, expected, why)
        elif cls is ast.Tuple and len(t.items) == 2 and type(prune(expected)) is TCon and prune(expected).name == "(,)":
            e = prune(expected)
            self.check(t.items[0], e.args[0], why)
            self.check(t.items[1], e.args[1], why)
        else:
            self.expect(expected, self.infer(t), t, why)
        self.span = saved

    def infer(self, t):
        saved = self.span
        if t.span is not None:
            self.span = t.span
        out = self._infer(t)
        self.span = saved
        return out

    def _infer(self, t):
        cls = type(t)
        if cls is ast.Var:
            entry = self.locals.get(t.name)
            if entry is None:  # unbound: reported by a later pass
                return TVar(self.level)
            ty, poly = entry
            return self.instantiate(ty) if poly else ty
        if cls is ast.Ref:
            entry = self.globals.get(t.name)
            if entry is None:  # undefined: reported by a later pass
                return TVar(self.level)
            ty, poly = entry
            return self.instantiate(ty) if poly else ty
        if cls is ast.Num:
            return NUMBER_TYPES.get(numbers.tag_of(t.numb)) or TVar(self.level)
        if cls is ast.App:
            return self.app(t, None, None)
        if cls is ast.Lam:
            a = TVar(self.level)
            self.bind_pattern(t.pattern, a)
            return arrow(a, self.infer(t.body))
        if cls is ast.Oper:
            return self.oper(t)
        if cls is ast.Let:
            self.let_value(t)
            return self.infer(t.body)
        if cls is ast.Match or cls is ast.Switch:
            r = TVar(self.level)
            (self.match if cls is ast.Match else self.switch)(t, r, None)
            return r
        if cls is ast.Tuple:
            return tuple_type([self.infer(i) for i in t.items]) if t.items else NONE
        if cls is ast.Era:
            return NONE
        if cls is ast.Sup:
            self.untypeable("a superposition", t.span)
            return ANY
        if cls is ast.Link:
            self.untypeable(f"the unscoped variable `${t.name}`", t.span)
            return ANY
        return ANY  # a term this pass does not expect: trusted

    def bind_pattern(self, p, ty) -> None:
        cls = type(p)
        if cls is ast.PVar:
            self.locals[p.name] = (ty, False)
        elif cls is ast.PTuple and p.items:
            parts = [TVar(self.level) for _ in p.items]
            shape = parts[-1]
            for part in reversed(parts[:-1]):
                shape = pair(part, shape)
            if len(parts) > 1:
                m = self.try_unify(shape, ty)
                if m is not None:
                    self.mismatch(shape, ty, m, p.span or self.span,
                                  message=f"type mismatch: expected a tuple, found `{show_type(ty)}`")
                    parts = [ANY] * len(parts)
            else:
                parts = [ty]
            for item, part in zip(p.items, parts):
                self.bind_pattern(item, part)
        elif cls is ast.PSup:  # a dup: every copy has the value's type
            for item in p.items:
                self.bind_pattern(item, ty)
        elif cls is ast.PLink:
            self.untypeable(f"the unscoped variable `${p.name}`", p.span)
        elif cls is not ast.PEra:
            for name in ast.binder_names(p):
                self.locals[name] = (ANY, False)

    def let_value(self, t) -> None:
        if type(t.pattern) is ast.PVar:  # let-polymorphism
            self.level += 1
            vt = self.infer(t.value)
            self.level -= 1
            self.locals[t.pattern.name] = (vt, self.generalize(vt))
        else:
            self.bind_pattern(t.pattern, self.infer(t.value))

    def app(self, t, expected, why):
        args = []
        head = t
        while type(head) is ast.App:
            args.append(head.arg)
            head = head.fun
        args.reverse()
        ft = self.infer(head)
        fname = head.name if type(head) is ast.Ref and "__" not in head.name else None
        if expected is not None:  # the result first: then the arguments are checked knowing it
            res, n = ft, 0
            while n < len(args) and is_arrow(prune(res)):
                res = prune(res).args[1]
                n += 1
            if n < len(args) and type(prune(res)) is TVar:  # a type still unknown: shaped as the call
                shape = out = TVar(self.level)
                for _ in range(len(args) - n):
                    shape = arrow(TVar(self.level), shape)
                if self.try_unify(res, shape) is None:
                    res, n = out, len(args)
            # (when the result does not fit, the arguments are checked first: if one of them is
            # wrong, that is the error, and the call is not reported a second time)
            if n == len(args) and self.try_unify(expected, res) is None:
                expected = None
        errors_before = self.def_errors
        whole = ft
        lambdas = []  # checked after the other arguments, which may tell their parameters' types
        for i, arg in enumerate(args):
            f = prune(ft)
            if type(f) is TVar:
                a, r = TVar(self.level), TVar(self.level)
                if self.try_unify(f, arrow(a, r)) is None:
                    f = prune(f)
            if is_arrow(f):
                param, ft = f.args
                if type(arg) is ast.Lam:
                    lambdas.append((i, arg, param))
                else:
                    self.check_arg(arg, param, i, fname)
            elif f is ANY:
                self.infer(arg)
                ft = ANY
            else:
                span = arg.span or t.span or self.span
                if i == 0 or fname is None:
                    self.error(f"type mismatch: this is applied to an argument, but its type is `{show_type(f)}`",
                               head.span or t.span or self.span if i == 0 else span,
                               "only a function can be applied to arguments")
                else:
                    n = count_arrows(whole)
                    self.error(f"`{fname}` is applied to too many arguments: it takes {n}, found {len(args)}", span,
                               f"the type of `{fname}` is `{show_type(whole)}`")
                for rest in args[i:]:
                    self.infer(rest)
                ft = ANY
                break
        for i, arg, param in lambdas:
            self.check_arg(arg, param, i, fname)
        if expected is not None:
            if self.def_errors != errors_before:
                return ANY
            self.expect(expected, ft, t, why)
        return ft

    def check_arg(self, arg, param, i: int, fname) -> None:
        why = ("arg", i, fname, arg)
        if type(arg) in (ast.Lam, ast.Let, ast.Match, ast.Switch, ast.Tuple, ast.App):
            self.check(arg, param, why)
        else:
            self.expect(param, self.infer(arg), arg, why)

    def oper(self, t):
        op = t.op
        lt, rt = self.infer(t.left), self.infer(t.right)
        span = t.span or self.span
        m = self.try_unify(lt, rt)
        if m is not None:
            a, b = show_types(lt, rt)
            numeric = {show_type(m.a), show_type(m.b)} <= {"u24", "i24", "f24"}
            self.error(f"type mismatch in `{op}`: its operands are `{a}` and `{b}`", span,
                       NUMBER_HINT if numeric else "both operands of an operator have the same number type")
            return U24 if op in COMPARISONS else ANY
        if prune(lt) is ANY:  # `Any + 1.0` is an f24
            lt = rt
        if op == "**":
            m = self.try_unify(F24, lt)
            if m is not None:
                self.error(f"`**` needs `f24` numbers, found `{show_type(lt)}`", span,
                           "`**` raises an f24 to an f24 power; convert with u24/to_f24 or i24/to_f24")
                return ANY
            return F24
        if op in INTEGER_OPS:
            if not self.constrain(lt, "int"):
                hint = None
                if prune(lt) is F24:
                    hint = "on f24 these operators are other functions in HVM (atan2, log, sin, tan); " \
                           "convert with f24/to_u24 or f24/to_i24, or use Math/ functions"
                self.error(f"`{op}` needs integers (`u24` or `i24`), found `{show_type(lt)}`", span, hint)
                return ANY
            return lt
        if op in ARITHMETIC or op in COMPARISONS:
            if not self.constrain(lt, "num"):
                self.error(f"`{op}` needs numbers (`u24`, `i24` or `f24`), found `{show_type(lt)}`", span)
                return U24 if op in COMPARISONS else ANY
            return U24 if op in COMPARISONS else lt
        return ANY

    def match(self, t, expected, why) -> None:
        st = self.infer(t.scrutinee)
        info = None
        for arm in t.arms:
            info = self.ctx.ctors.get(arm.pattern)
            if info is not None:
                break
        arm_why = why or ("arms",)
        mapping: dict = {}
        if info is not None:
            adt = info[0]
            params = self.templates.get(adt.name, [])
            mapping = {p: TVar(self.level) for p in params}
            adt_t = TCon(adt.name, tuple(mapping[p] for p in params))
            m = self.try_unify(adt_t, st)
            if m is not None:
                self.mismatch(adt_t, st, m, t.scrutinee.span or t.span or self.span,
                              message=f"type mismatch: this `match` is on a `{adt.name}`, but the value is a "
                                      f"`{show_type(st)}`")
        for arm in source_order(t.arms):
            fields = self.fields.get(arm.pattern, [])
            for i, b in enumerate(arm.binds or ()):
                ft = self.instantiate(fields[i], mapping) if i < len(fields) else ANY
                self.locals[b] = (ft, False)
            self.check(arm.body, expected, arm_why)

    def switch(self, t, expected, why) -> None:
        st = self.infer(t.scrutinee)
        m = self.try_unify(U24, st)
        if m is not None:
            self.error(f"type mismatch: expected `u24`, found `{show_type(st)}`",
                       t.scrutinee.span or t.span or self.span,
                       "a `switch` or an `if` tests a u24 (0 is false, any other number true); "
                       "compare other values first, as in `x != 0.0`")
        arm_why = why or ("arms",)
        if t.pred is not None:
            self.locals[t.pred] = (U24, False)
        for arm in source_order(t.arms):  # (an `if`'s arms are `else` first)
            self.check(arm, expected, arm_why)


def source_order(terms: list) -> list:
    """Terms in the order they are written (an error between them is found in the later one)."""
    if all(t.span is not None for t in terms):
        return sorted(terms, key=lambda t: t.span.start)
    return terms


def stronger(a: str | None, b: str | None) -> str | None:
    if a == "int" or b == "int":
        return "int"
    return a or b


def count_arrows(t) -> int:
    n = 0
    t = prune(t)
    while is_arrow(t):
        n += 1
        t = prune(t.args[1])
    return n


def lifted_from(name: str) -> str | None:
    """The definition a `bend` or a `fold` was lifted from (`f` for `f__fold0`), else None."""
    parent, sep, last = name.rpartition("__")
    if sep and last.startswith(("fold", "bend")) and last[4:].isdigit():
        return parent
    return None


def call_order(group: list, edges: dict) -> list:
    """A group's definitions, each lifted one after the one it came from (so that a fold's
    definition is checked knowing how its parent uses it: its errors are found where they are)."""
    members = set(group)
    order: list = []
    seen: set = set()
    for root in [n for n in group if lifted_from(n) is None] + group:
        if root in seen:
            continue
        seen.add(root)
        queue = [root]
        for node in queue:
            order.append(node)
            for child in sorted(edges[node]):
                if child in members and child not in seen and lifted_from(child) is not None:
                    seen.add(child)
                    queue.append(child)
    return order


def references(d: ast.Definition) -> set:
    """The definitions a definition refers to."""
    return {t.name for r in d.rules for t in ast.descendants(r.body) if type(t) is ast.Ref}


def components(names: set, edges: dict) -> list:
    """The strongly connected components of the graph (Tarjan), callees before callers;
    names in a stable order."""
    index: dict = {}
    low: dict = {}
    on_stack: set = set()
    stack: list = []
    out: list = []
    counter = 0
    for root in sorted(names):
        if root in index:
            continue
        work = [(root, iter(sorted(n for n in edges[root] if n in names)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(n for n in edges[child] if n in names))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    n = stack.pop()
                    on_stack.discard(n)
                    group.append(n)
                    if n == node:
                        break
                out.append(sorted(group))
    return out
