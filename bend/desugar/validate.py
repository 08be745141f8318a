"""A checker of the book between desugaring passes, as mypyc checks its IR: a pass that breaks
what the passes after it rely on is caught where it does it, not as a wrong net later.

In:  a Book after a pass (bend.desugar.pipeline.PASSES), the pass's name, the Ctx.
Out: the problems found, as text (`<definition>: <what>`); none for a well-formed book.

What holds depends on how far the pipeline has gone:
- always: every reference names a definition (a native `hvm` one, or a constructor);
- from `encode_matches` on (core terms only: Var, Link, Era, Num, Ref, Lam, App, Oper, Let,
  Tuple, Sup, Swi, and the long literals Str and List): every variable is bound;
- from `linearize_vars` on: each variable is used exactly once in its binder's scope (erased
  ones are `*`; unscoped variables `$x` are the net compiler's to check: a wrong use is the
  user's error, reported there).
"""

from __future__ import annotations

from collections import Counter

from bend import ast

CORE = (ast.Var, ast.Link, ast.Era, ast.Num, ast.Ref, ast.Lam, ast.App, ast.Oper, ast.Let, ast.Tuple, ast.Sup,
        ast.Swi, ast.Str, ast.List)


def validate(book: ast.Book, after: str, ctx=None) -> list[str]:
    from bend.desugar.pipeline import PASSES

    order = list(PASSES)
    reached = order.index(after) if after in order else len(order)
    core = reached >= order.index("encode_matches")
    linear = reached >= order.index("linearize_vars")
    ctors = set(ctx.ctors) if ctx is not None else {c.name for a in book.adts.values() for c in a.ctors}
    problems: list[str] = []
    for d in book.defs.values():
        if d.builtin and not d.name.startswith("main"):  # (the prelude is checked by its own tests)
            continue
        found: list[str] = []
        for rule in d.rules:
            check_refs(rule.body, book, ctors, found)
            if core:
                check_core(rule.body, linear, found)
        problems.extend(f"{d.name}: {p}" for p in found)
    return problems


def check_refs(term, book: ast.Book, ctors: set, found: list) -> None:
    for t in ast.descendants(term):
        if type(t) is ast.Ref and t.name not in book.defs and t.name not in book.hvm_defs and t.name not in ctors:
            found.append(f"unknown reference `{t.name}`")


def check_core(term, linear: bool, found: list) -> None:
    uses: Counter = Counter()  # binder (its pattern's id and the name) -> the uses it binds
    scope: dict = {}  # the binders in scope: name -> binder (one dict, put back as each scope ends)
    stack = [term]  # terms, and (binder, names, saved) to bind / saved: [(name, previous binder)] to put back
    while stack:
        t = stack.pop()
        cls = type(t)
        if cls is tuple:
            binder, names, saved = t
            for name in names:
                saved.append((name, scope.get(name)))
                scope[name] = (binder, name)
                uses[scope[name]] += 0
            continue
        if cls is list:
            for name, previous in reversed(t):
                if previous is None:
                    del scope[name]
                else:
                    scope[name] = previous
            continue
        if cls not in CORE:
            found.append(f"`{cls.__name__}` left in core terms")
            continue
        if cls is ast.Var:
            if t.name not in scope:
                found.append(f"unbound variable `{t.name}`")
            else:
                uses[scope[t.name]] += 1
            continue
        if cls is ast.Link:
            continue
        if cls is ast.Lam or cls is ast.Let:
            if cls is ast.Let:
                stack.append(t.value)  # (in the outer scope, after the body, as pushed before it)
            saved: list = []  # filled when the names are bound, emptied back after the body
            stack.append(saved)
            stack.append(t.body)
            stack.append((id(t), binders(t.pattern), saved))
            continue
        stack.extend(ast.subterms(t))
    if linear:
        found.extend(f"`{name}` used {n} times" for (_, name), n in uses.items() if n != 1)


def binders(pattern) -> list[str]:
    """The variables a Lam's or Let's pattern binds (not its unscoped `$x`)."""
    names, stack = [], [pattern]
    while stack:
        p = stack.pop()
        if type(p) is ast.PVar:
            names.append(p.name)
        elif type(p) in (ast.PTuple, ast.PSup):
            stack.extend(p.items)
    return names
