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


# Each kind of term with inner terms has two functions: one lists them (in the order every walk
# visits them), one puts a list of new ones back in their places. Walks look them up by class
# in a table, once per node, and loop with a stack of their own: terms can be 100,000 deep.


def _get_items(t):
    return t.items


def _set_items(t, subs):
    t.items = subs


def _get_body(t):
    return [t.body]


def _set_body(t, subs):
    t.body, = subs


def _get_app(t):
    return [t.fun, t.arg]


def _set_app(t, subs):
    t.fun, t.arg = subs


def _get_call(t):
    return [t.fun, *t.args, *(value for _, value, _ in t.kwargs)]


def _set_call(t, subs):
    n = len(t.args)
    t.fun = subs[0]
    t.args = subs[1:1 + n]
    t.kwargs = [(k, v, s) for (k, _, s), v in zip(t.kwargs, subs[1 + n:])]


def _get_oper(t):
    return [t.left, t.right]


def _set_oper(t, subs):
    t.left, t.right = subs


def _get_let(t):
    return [t.value, t.body]


def _set_let(t, subs):
    t.value, t.body = subs


def _get_if(t):
    return [t.cond, t.then, t.otherwise]


def _set_if(t, subs):
    t.cond, t.then, t.otherwise = subs


def _get_match(t):
    return [t.scrutinee, *(v for _, v in t.with_ if v is not None), *(arm.body for arm in t.arms)]


def _fill(pairs: list, subs, i: int) -> tuple[list, int]:
    """`pairs` (name, value or None) with each value taken in turn from subs[i:]; the next index."""
    filled = []
    for k, v in pairs:
        if v is not None:
            v = subs[i]
            i += 1
        filled.append((k, v))
    return filled, i


def _set_with(t, subs) -> int:
    """Put the scrutinee and the `with` values back; the index of the first of the rest."""
    t.scrutinee = subs[0]
    t.with_, i = _fill(t.with_, subs, 1)
    return i


def _set_match(t, subs):
    i = _set_with(t, subs)
    for arm, body in zip(t.arms, subs[i:]):
        arm.body = body


def _get_switch(t):
    return [t.scrutinee, *(v for _, v in t.with_ if v is not None), *t.arms]


def _set_switch(t, subs):
    t.arms = subs[_set_with(t, subs):]


def _get_bend(t):
    return [*(v for _, v in t.binds if v is not None), t.cond, t.step, t.base]


def _set_bend(t, subs):
    t.binds, i = _fill(t.binds, subs, 0)
    t.cond, t.step, t.base = subs[i:]


def _get_local_def(t):
    return [*(rule.body for rule in t.definition.rules), t.body]


def _set_local_def(t, subs):
    for rule, body in zip(t.definition.rules, subs):
        rule.body = body
    t.body = subs[-1]


def _get_tree_node(t):
    return [t.left, t.right]


def _set_tree_node(t, subs):
    t.left, t.right = subs


def _get_value(t):
    return [t.value]


def _set_value(t, subs):
    t.value, = subs


def _get_swi(t):
    return [t.scrutinee, t.zero, t.succ]


def _set_swi(t, subs):
    t.scrutinee, t.zero, t.succ = subs


# class -> (get, put): get(t) lists t's inner terms (a list a walk reads, and must not change:
# for List, Tuple and Sup it is t.items itself), put(t, new) puts a list of as many back. The
# leaves (Var, Link, Era, Num, Str, Ref) have none; neither has anything that is not a term.
INNER_TERMS = {
    List: (_get_items, _set_items), Tuple: (_get_items, _set_items), Sup: (_get_items, _set_items),
    Lam: (_get_body, _set_body), With: (_get_body, _set_body), Open: (_get_body, _set_body),
    App: (_get_app, _set_app), Call: (_get_call, _set_call), Oper: (_get_oper, _set_oper),
    Let: (_get_let, _set_let), Use: (_get_let, _set_let), Ask: (_get_let, _set_let), If: (_get_if, _set_if),
    Match: (_get_match, _set_match), Fold: (_get_match, _set_match), Switch: (_get_switch, _set_switch),
    Bend: (_get_bend, _set_bend), LocalDef: (_get_local_def, _set_local_def),
    TreeNode: (_get_tree_node, _set_tree_node), TreeLeaf: (_get_value, _set_value), Swi: (_get_swi, _set_swi),
}
_LEAVES = frozenset((Var, Link, Era, Num, Str, Ref))
GET_INNER_TERMS = {cls: get for cls, (get, _) in INNER_TERMS.items()}  # class -> get


def subterms(term):
    """The terms directly inside `term` (the bodies of arms and local definitions' rules included)."""
    get = GET_INNER_TERMS.get(type(term))
    if get is not None:
        return list(get(term))
    if type(term) in _LEAVES:
        return []
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
    get_inner = GET_INNER_TERMS.get
    while stack:
        t = stack.pop()
        yield t
        get = get_inner(type(t))
        if get is not None:
            stack.extend(get(t))
        elif type(t) not in _LEAVES:
            raise TypeError(f"not a term: {t!r}")


def contains(term, classes) -> bool:
    """Whether `term` or a term inside it is of one of `classes` (a pass that rewrites only
    those skips a term without any: a walk that looks is cheaper than one that rewrites)."""
    get_inner = GET_INNER_TERMS.get
    stack = [term]
    while stack:
        t = stack.pop()
        cls = type(t)
        if cls in classes:
            return True
        get = get_inner(cls)
        if get is not None:
            stack.extend(get(t))
    return False


def map_subterms(term, fn) -> None:
    """Replace, in place, each term directly inside `term` by `fn(subterm)` (in order)."""
    inner = INNER_TERMS.get(type(term))
    if inner is not None:
        get, put = inner
        put(term, [fn(sub) for sub in get(term)])


def rewrite(term, fn):
    """Bottom-up: rewrite every subterm first, then `fn(term)`; returns the new term.

    The terms are visited as a recursion would (each term's inner terms left to right, each
    finished before the next starts, then `fn` of the term), by a loop with a stack."""
    get_inner = INNER_TERMS.get
    done = []  # the rewritten terms, waiting for their parent
    stack = [term]  # terms to rewrite; (term, put, count) once its inner terms are on the way
    while stack:
        t = stack.pop()
        if type(t) is tuple:
            t, put, n = t
            subs = done[-n:]
            del done[-n:]
            put(t, subs)
            done.append(fn(t))
            continue
        inner = get_inner(type(t))
        if inner is None:
            done.append(fn(t))
            continue
        get, put = inner
        subs = get(t)
        if not subs:
            put(t, [])
            done.append(fn(t))
            continue
        stack.append((t, put, len(subs)))
        stack.extend(reversed(subs))
    return done[0]


def map_outermost(term, pred, fn):
    """`term` with each outermost subterm `t` for which `pred(t)` holds replaced by `fn(t)`, left
    to right (the terms around them are walked by a loop, not by recursion)."""
    if pred(term):
        return fn(term)
    get_inner = INNER_TERMS.get
    stack = [term]  # terms to walk, and (subs, i): replace subs[i] by fn(subs[i]); (t, put, subs): put them back
    while stack:
        x = stack.pop()
        if type(x) is tuple:
            if len(x) == 2:
                subs, i = x
                subs[i] = fn(subs[i])
            else:
                t, put, subs = x
                put(t, subs)
            continue
        inner = get_inner(type(x))
        if inner is None:
            continue
        get, put = inner
        subs = get(x)
        if not any(pred(sub) for sub in subs):
            stack.extend(reversed(subs))
            continue
        subs = list(subs)
        stack.append((x, put, subs))
        for i in range(len(subs) - 1, -1, -1):
            stack.append((subs, i) if pred(subs[i]) else subs[i])
    return term


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


def reachable(book: Book, roots, known: set[str] = frozenset()) -> set[str]:
    """The definitions (native `hvm` ones included) that `roots` use, directly or not, with
    `known` (a set reachable() gave before: what they use is in it already, and not walked again)."""
    seen: set[str] = set(known)
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
