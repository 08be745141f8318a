"""Move the binders just before a match into its arms (`-Olinearize-matches-alt`).

In:  a Book after bend.desugar.unique_names (matches and switches fixed, no `use`).
Out: the same Book where the lambdas and `let`s right before a match or switch, up to the last
     one the scrutinee needs, start each arm instead: an arm then binds them itself (a variable
     an arm does not use is erased there), and the arms are closed terms that eta-reduce:

    λa λb switch a { 0: b; _: b }   ==>   λa switch a { 0: λb b; _: λb b }

     A binder stays where it is when the scrutinee depends on it, when it depends on a
     variable bound further out (moving it would copy that variable into every arm), or when
     it comes before a lambda that stays (the arguments keep their order). A `let` whose
     value holds an unscoped variable (`$x`, bound once) is never copied. This is the
     `alt` form of Bend's linearize-matches; the default form is bend.desugar.linearize_matches.
"""

from __future__ import annotations

from bend import ast
from bend.ast import clone
from bend.deep import deep
from bend.desugar.terms import free_vars


def run(book: ast.Book, ctx) -> ast.Book:
    if not ctx.options.linearize_matches_alt:
        return book
    for d in book.defs.values():
        d.rules[0].body = deep(linearize, d.rules[0].body, [])
    return book


def linearize(t, binders: list):
    """`t` with `binders` (Lam and Let nodes, outermost first, detached from their bodies)
    put back around it, each match in it taking in the ones right before it."""
    cls = type(t)
    if cls is ast.Lam and not has_link(t.pattern):
        return linearize(t.body, [*binders, t])
    if cls is ast.Let:
        t.value = linearize(t.value, [])
        if has_unscoped(t.value) or has_link(t.pattern):
            t.body = linearize(t.body, [])
            return wrap(binders, t)
        return linearize(t.body, [*binders, t])
    if cls is ast.Match or cls is ast.Switch:
        t.scrutinee = linearize(t.scrutinee, [])
        fixed, moved = split(set(free_vars(t.scrutinee)), binders)
        if cls is ast.Match:
            for arm in t.arms:
                arm.body = linearize(wrap([clone_binder(b) for b in moved], arm.body), [])
        else:
            t.arms = [linearize(wrap([clone_binder(b) for b in moved], arm), []) for arm in t.arms]
        return wrap(fixed, t)
    ast.map_subterms(t, lambda sub: linearize(sub, []))
    return wrap(binders, t)


def wrap(binders: list, body):
    for b in reversed(binders):
        b.body = body
        body = b
    return body


def clone_binder(b):
    body, b.body = b.body, ast.Era()  # (the binder alone: its old body is not needed)
    c = clone(b)
    b.body = body
    return c


def names_of(b) -> list[str]:
    return ast.binder_names(b.pattern)


def split(used: set, binders: list) -> tuple[list, list]:
    """(the binders that stay, those moved into the arms), each in their order."""
    fixed_names = fixed_by_dependency(used, binders)
    fixed, moved, stop = [], [], False
    for b in reversed(binders):
        if not stop and not any(n in fixed_names for n in names_of(b)):
            moved.append(b)
        else:
            stop = stop or type(b) is ast.Lam
            fixed.append(b)
    return fixed[::-1], moved[::-1]


def fixed_by_dependency(used: set, binders: list) -> set:
    """The names bound by binders that must stay: those connected (through the values of the
    `let`s, either way) to what the scrutinee uses or to a variable bound further out, the
    lambdas before a lambda so connected, and what is connected to those."""
    bound = [n for b in binders for n in names_of(b)]
    known = set(bound)
    uses = {}  # name -> the names its binder's value uses
    for b in binders:
        deps = list(free_vars(b.value)) if type(b) is ast.Let else []
        for n in names_of(b):
            uses[n] = deps
    start = set(used) | {n for n, deps in uses.items() if any(d not in known for d in deps)}
    neighbours: dict[str, set] = {n: set() for n in bound}
    for n, deps in uses.items():
        for d in deps:
            neighbours.setdefault(d, set()).add(n)
            neighbours[n].add(d)
    connected = reach(start, neighbours)
    fixed_lams, on = set(), False
    for b in reversed(binders):
        if type(b) is ast.Lam:
            on = on or any(n in connected for n in names_of(b))
            if on:
                fixed_lams.update(names_of(b))
    return connected | reach(fixed_lams, neighbours)


def reach(start: set, edges: dict) -> set:
    seen, stack = set(), list(start)
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        stack.extend(edges.get(n, ()))
    return seen


def has_link(p) -> bool:
    if type(p) is ast.PLink:
        return True
    return type(p) in (ast.PTuple, ast.PSup) and any(has_link(x) for x in p.items)


def has_unscoped(t) -> bool:
    return any(type(x) is ast.Link or (type(x) in (ast.Lam, ast.Let) and has_link(x.pattern))
               for x in ast.descendants(t))
