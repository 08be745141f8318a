"""The Bend syntax tree: what both parsers produce and every later pass reads.

In:  built by bend.frontend (imp statements are lowered to these terms while parsing).
Out: read by bend.frontend.printer (fun syntax text), bend.check, and the passes after them.

One language: the fun terms below, plus definitions, data types, native `hvm` definitions and
imports. Every node keeps the stretch of source it came from (`span`, an hvm.errors.Span),
which takes no part in equality, so two trees parsed from different texts compare equal when
they mean the same program.

Terms
    Var(name)  Link(name) ($x)  Era() (*)  Num(numb)  Str(text)  List(items)  Tuple(items)
    Sup(items)  Lam(pattern, body)  App(fun, arg)  Oper(op, left, right)
    Let(pattern, value, body)  Use(name, value, body)  Ask(pattern, value, body)  With(typ, body)
    If(cond, then, otherwise)  Match / Fold(scrutinee, bind, with_, arms)  Switch(...)
    Bend(binds, cond, step, base)  Open(typ, var, body)  LocalDef(definition, body)
    TreeNode(left, right) (![l r])  TreeLeaf(value) (!v)  Call(fun, args, kwargs) (named
    arguments, until the frontend puts them in order)
Core terms (made by bend.desugar; the only terms left when it is done, with Var, Link, Era,
Num, Lam, App, Oper, Let, Tuple and Sup)
    Ref(name) (a definition, by its canonical name)  Swi(scrutinee, zero, succ) (HVM2's
    two-way switch: `zero` when the number is 0, else `succ` applied to the number minus 1)
Patterns
    PVar(name)  PEra()  PLink(name)  PNum(numb)  PStr(text)  PCtr(name, args)  PTuple(items)
    PSup(items)  PList(items)
Types
    TVar(name)  TCtr(name, args)  TArrow(arg, result)  TTuple(items)  TAny()  TNone()  THole()
    (u24, i24 and f24 are TCtr with no arguments)
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from hvm.errors import Span

# A field for the source span of a node: kept, but ignored by ==, repr and hash.
SPAN = field(default=None, compare=False, repr=False)


def node(cls):
    return dataclass(slots=True)(cls)


# -- terms


@node
class Var:
    name: str
    span: Span | None = SPAN


@node
class Link:
    """An unscoped variable `$x`."""

    name: str
    span: Span | None = SPAN


@node
class Era:
    span: Span | None = SPAN


@node
class Num:
    """A number: an hvm.numbers word (u24, i24 or f24)."""

    numb: int
    span: Span | None = SPAN


@node
class Str:
    text: str
    span: Span | None = SPAN


@node
class List:
    items: list
    span: Span | None = SPAN


@node
class Tuple:
    items: list
    span: Span | None = SPAN


@node
class Sup:
    items: list
    span: Span | None = SPAN


@node
class Lam:
    pattern: object
    body: object
    span: Span | None = SPAN


@node
class App:
    fun: object
    arg: object
    span: Span | None = SPAN


@node
class Call:
    """`f(a, b, y = c)` or `Type/Ctor { x: a }` before the named arguments are put in order."""

    fun: object
    args: list
    kwargs: list  # [(name, term, name_span)]
    span: Span | None = SPAN


@node
class Oper:
    op: str  # as written: + - * / % == != < > <= >= & | ^ << >> **
    left: object
    right: object
    span: Span | None = SPAN


@node
class Let:
    pattern: object
    value: object
    body: object
    span: Span | None = SPAN


@node
class Use:
    name: str
    value: object
    body: object
    span: Span | None = SPAN


@node
class Ask:
    """`pattern <- value; body` inside a `with` block."""

    pattern: object
    value: object
    body: object
    span: Span | None = SPAN


@node
class With:
    typ: str
    body: object
    span: Span | None = SPAN


@node
class If:
    cond: object
    then: object
    otherwise: object
    span: Span | None = SPAN


@node
class Arm:
    """`case Type/Ctor:` (a constructor), `case _:` or `case name:` (anything).

    `binds`: once bend.desugar.fix_matches has run, the names the arm binds to the
    constructor's fields, in order (None until then).
    """

    pattern: str
    body: object
    span: Span | None = SPAN
    binds: list | None = None


@node
class Match:
    scrutinee: object
    bind: str | None  # `match x = e:` binds x; `match x:` binds x to itself
    with_: list  # [(name, term | None)]
    arms: list  # [Arm]
    span: Span | None = SPAN


@node
class Fold:
    scrutinee: object
    bind: str | None
    with_: list
    arms: list
    span: Span | None = SPAN


@node
class Switch:
    """Arms for 0, 1, ... in order, then the default arm, where `bind-N` is the predecessor."""

    scrutinee: object
    bind: str | None
    with_: list
    arms: list  # terms, for the cases 0 .. len(arms) - 2, then the default
    span: Span | None = SPAN
    pred: str | None = None  # once fixed (bend.desugar.fix_matches): the name the default arm binds


@node
class Bend:
    binds: list  # [(name, initial term | None)]
    cond: object
    step: object  # the `when` branch, where `fork(...)` recurses
    base: object  # the `else` branch
    span: Span | None = SPAN


@node
class Open:
    typ: str
    var: str
    body: object
    span: Span | None = SPAN


@node
class LocalDef:
    definition: "Definition"
    body: object
    span: Span | None = SPAN


@node
class TreeNode:
    left: object
    right: object
    span: Span | None = SPAN


@node
class TreeLeaf:
    value: object
    span: Span | None = SPAN


@node
class Ref:
    """A reference to a definition (or constructor, or native definition), by canonical name."""

    name: str
    span: Span | None = SPAN


@node
class Swi:
    """HVM2's switch: `zero` if the scrutinee is 0, else `(succ n-1)`."""

    scrutinee: object
    zero: object
    succ: object
    span: Span | None = SPAN


# -- patterns


@node
class PVar:
    name: str
    span: Span | None = SPAN


@node
class PEra:
    span: Span | None = SPAN


@node
class PLink:
    name: str
    span: Span | None = SPAN


@node
class PNum:
    numb: int
    span: Span | None = SPAN


@node
class PStr:
    text: str
    span: Span | None = SPAN


@node
class PCtr:
    name: str
    args: list
    span: Span | None = SPAN


@node
class PTuple:
    items: list
    span: Span | None = SPAN


@node
class PSup:
    items: list
    span: Span | None = SPAN


@node
class PList:
    items: list
    span: Span | None = SPAN


# -- types


@node
class TVar:
    name: str
    span: Span | None = SPAN


@node
class TCtr:
    name: str
    args: list
    span: Span | None = SPAN


@node
class TArrow:
    arg: object
    result: object
    span: Span | None = SPAN


@node
class TTuple:
    items: list
    span: Span | None = SPAN


@node
class TAny:
    span: Span | None = SPAN


@node
class TNone:
    span: Span | None = SPAN


@node
class THole:
    span: Span | None = SPAN


# -- top level


@node
class Rule:
    patterns: list
    body: object
    span: Span | None = SPAN


@node
class Definition:
    """A function or constant: one or more rules (fun equations; an imp `def` has one)."""

    name: str
    rules: list  # [Rule]
    typ: object | None = None  # the signature, when the source gives one
    checked: bool | None = None  # `checked` / `unchecked` when the source says so
    span: Span | None = SPAN
    syntax: str = field(default="fun", compare=False)  # "imp" or "fun": where it was written
    builtin: bool = field(default=False, compare=False)


@node
class Field:
    name: str
    recursive: bool  # `~field`: a fold recurses into it
    typ: object | None = None
    span: Span | None = SPAN


@node
class Ctor:
    name: str  # full name: `Shape/Circle`, or `Point` for an object
    fields: list  # [Field]
    span: Span | None = SPAN


@node
class Adt:
    name: str
    params: list  # type variable names
    ctors: list  # [Ctor]
    is_object: bool = False
    span: Span | None = SPAN
    builtin: bool = field(default=False, compare=False)


@node
class HvmDef:
    """`hvm name -> Type:` followed by a net in HVM2's syntax, copied as it is."""

    name: str
    typ: object | None
    net_text: str
    span: Span | None = SPAN
    builtin: bool = field(default=False, compare=False)
    net: object = field(default=None, compare=False)  # the net, parsed once (hvm.book.Net; positions in the file)


@node
class Import:
    """`from path import a, b as c` / `from path import *` / `import path [as alias]`."""

    path: str
    names: list | None  # [(name, alias | None)], ["*"], or None for `import path`
    alias: str | None = None
    span: Span | None = SPAN


@node
class Book:
    defs: dict = field(default_factory=dict)  # name -> Definition
    adts: dict = field(default_factory=dict)  # name -> Adt
    hvm_defs: dict = field(default_factory=dict)  # name -> HvmDef
    imports: list = field(default_factory=list)
    broken: set = field(default_factory=set, compare=False)  # items left out after a syntax error

    def ctors(self) -> dict:
        """Constructor name -> its Adt."""
        return {c.name: adt for adt in self.adts.values() for c in adt.ctors}


# -- traversal

TERM_CLASSES = (Var, Link, Era, Num, Str, List, Tuple, Sup, Lam, App, Call, Oper, Let, Use, Ask, With, If, Match,
                Fold, Switch, Bend, Open, LocalDef, TreeNode, TreeLeaf, Ref, Swi)


def subterms(term):
    """The terms directly inside `term` (the bodies of arms and local definitions' rules included)."""
    cls = type(term)
    if cls in (Var, Link, Era, Num, Str, Ref):
        return []
    if cls in (List, Tuple, Sup):
        return list(term.items)
    if cls is Lam:
        return [term.body]
    if cls is App:
        return [term.fun, term.arg]
    if cls is Call:
        return [term.fun, *term.args, *(value for _, value, _ in term.kwargs)]
    if cls is Oper:
        return [term.left, term.right]
    if cls in (Let, Use, Ask):
        return [term.value, term.body]
    if cls is With:
        return [term.body]
    if cls is If:
        return [term.cond, term.then, term.otherwise]
    if cls in (Match, Fold):
        return [term.scrutinee, *(v for _, v in term.with_ if v is not None), *(arm.body for arm in term.arms)]
    if cls is Switch:
        return [term.scrutinee, *(v for _, v in term.with_ if v is not None), *term.arms]
    if cls is Bend:
        return [*(v for _, v in term.binds if v is not None), term.cond, term.step, term.base]
    if cls is Open:
        return [term.body]
    if cls is LocalDef:
        return [*(rule.body for rule in term.definition.rules), term.body]
    if cls is TreeNode:
        return [term.left, term.right]
    if cls is TreeLeaf:
        return [term.value]
    if cls is Swi:
        return [term.scrutinee, term.zero, term.succ]
    raise TypeError(f"not a term: {term!r}")


def binder_names(p) -> list[str]:
    """The variables a pattern binds, left to right (`$x` binds nothing in scope: it is global)."""
    cls = type(p)
    if cls is PVar:
        return [p.name]
    if cls is PCtr:
        return [n for a in p.args for n in binder_names(a)]
    if cls in (PTuple, PSup, PList):
        return [n for item in p.items for n in binder_names(item)]
    return []


def descendants(term):
    """`term` and every term inside it, at any depth (a loop, not recursion: terms can be deep)."""
    stack = [term]
    while stack:
        t = stack.pop()
        yield t
        stack.extend(subterms(t))


def map_subterms(term, fn) -> None:
    """Replace, in place, each term directly inside `term` by `fn(subterm)`."""
    cls = type(term)
    if cls in (List, Tuple, Sup):
        term.items = [fn(x) for x in term.items]
    elif cls is Lam or cls is With or cls is Open:
        term.body = fn(term.body)
    elif cls is App:
        term.fun, term.arg = fn(term.fun), fn(term.arg)
    elif cls is Call:
        term.fun = fn(term.fun)
        term.args = [fn(x) for x in term.args]
        term.kwargs = [(k, fn(v), s) for k, v, s in term.kwargs]
    elif cls is Oper:
        term.left, term.right = fn(term.left), fn(term.right)
    elif cls in (Let, Use, Ask):
        term.value, term.body = fn(term.value), fn(term.body)
    elif cls is If:
        term.cond, term.then, term.otherwise = fn(term.cond), fn(term.then), fn(term.otherwise)
    elif cls in (Match, Fold, Switch):
        term.scrutinee = fn(term.scrutinee)
        term.with_ = [(k, None if v is None else fn(v)) for k, v in term.with_]
        if cls is Switch:
            term.arms = [fn(x) for x in term.arms]
        else:
            for arm in term.arms:
                arm.body = fn(arm.body)
    elif cls is Bend:
        term.binds = [(k, None if v is None else fn(v)) for k, v in term.binds]
        term.cond, term.step, term.base = fn(term.cond), fn(term.step), fn(term.base)
    elif cls is LocalDef:
        for rule in term.definition.rules:
            rule.body = fn(rule.body)
        term.body = fn(term.body)
    elif cls is TreeNode:
        term.left, term.right = fn(term.left), fn(term.right)
    elif cls is TreeLeaf:
        term.value = fn(term.value)
    elif cls is Swi:
        term.scrutinee, term.zero, term.succ = fn(term.scrutinee), fn(term.zero), fn(term.succ)


def rewrite(term, fn):
    """Bottom-up: rewrite every subterm first, then `fn(term)`; returns the new term."""
    map_subterms(term, lambda t: rewrite(t, fn))
    return fn(term)


# -- copies and what a book uses


def clone(t):
    """A copy of a term that shares nothing mutable with it (spans are shared: they never change)."""
    c = copy.copy(t)
    cls = type(c)
    if cls in (Lam, Let, Ask):
        c.pattern = clone_pattern(c.pattern)
    elif cls in (Match, Fold):
        c.arms = [copy.copy(arm) for arm in c.arms]
        c.with_ = list(c.with_)
    elif cls is LocalDef:
        c.definition = copy.copy(c.definition)
        c.definition.rules = [Rule([clone_pattern(p) for p in r.patterns], r.body, r.span)
                              for r in c.definition.rules]
    map_subterms(c, clone)
    return c


def clone_pattern(p):
    c = copy.copy(p)
    if type(c) is PCtr:
        c.args = [clone_pattern(a) for a in c.args]
    elif type(c) in (PTuple, PSup, PList):
        c.items = [clone_pattern(x) for x in c.items]
    return c


LITERAL_CONSTRUCTORS = {Str: ("String/Cons", "String/Nil"), List: ("List/Cons", "List/Nil")}


def is_user(name: str) -> bool:
    """Written by the user (generated definitions are kept when something uses them)."""
    return "__" not in name


def reachable(book: Book, roots) -> set[str]:
    """The definitions (native `hvm` ones included) that `roots` use, directly or not."""
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        if name in book.defs:
            for t in descendants(book.defs[name].rules[0].body):
                if type(t) is Ref:
                    stack.append(t.name)
                elif type(t) is Str or type(t) is List:  # (a long literal, see literals.LONG)
                    stack.extend(LITERAL_CONSTRUCTORS[type(t)])
        elif name in book.hvm_defs:
            stack.extend(native_refs(book.hvm_defs[name].net))
        else:
            continue
        seen.add(name)
    return seen


def native_refs(net) -> list[str]:
    """The names a native net (hvm.book.Net) refers to (`@name`)."""
    from hvm.book import Ref as NetRef, iter_net_trees, iter_subtrees

    return [t.name for tree in iter_net_trees(net) for t in iter_subtrees(tree) if type(t) is NetRef]
