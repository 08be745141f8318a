"""Merge definitions whose bodies are the same term (`-Omerge`) into one.

In:  a Book after bend.desugar.prune (core terms, linear).
Out: the same Book where each group of definitions with the same body (up to the names of
     their variables) is one definition named after all of them, joined by `__M_`, and every
     reference to one of them refers to it; repeated until no two bodies are the same (a merge
     can make the bodies of their callers the same):

    F = λ* λa a     Z = λ* λb b     main = (F Z)
    ==>  F__M_Z = λ* λa a           main = (F__M_Z F__M_Z)

     The entry point is never merged. Nor are constructors and their tags, whose names the
     readback needs to show lists, strings and data (Bend merges those too).
"""

from __future__ import annotations

import dataclasses

from bend import ast
from bend.deep import deep

SEPARATOR = "__M_"


def run(book: ast.Book, ctx) -> ast.Book:
    if not ctx.options.merge:
        return book
    return deep(merge, book, ctx)


def merge(book: ast.Book, ctx) -> ast.Book:
    while True:
        groups: dict = {}
        for name, d in book.defs.items():
            if name == ctx.entry or name in ctx.ctors or name.removesuffix("/tag") in ctx.ctors:
                continue
            groups.setdefault(shape(d.rules[0].body), []).append(name)
        renames = {}
        for names in groups.values():
            if len(names) > 1:
                merged = SEPARATOR.join(names)
                first = book.defs[names[0]]
                book.defs[merged] = ast.Definition(merged, [first.rules[0]], span=first.span,
                                                   builtin=all(book.defs[n].builtin for n in names))
                for n in names:
                    del book.defs[n]
                    renames[n] = merged
        if not renames:
            return book

        def rename(t):
            if type(t) is ast.Ref and t.name in renames:
                t.name = renames[t.name]
            return t

        for d in book.defs.values():
            d.rules[0].body = ast.rewrite(d.rules[0].body, rename)


def shape(term):
    """A hashable picture of `term` in which each name (variable, `$x`) is replaced by the
    order of its first appearance: two terms get the same picture exactly when they are the
    same up to a renaming of their variables."""
    names: dict[str, int] = {}

    def go(x):
        cls = type(x)
        if cls in (ast.Var, ast.PVar, ast.Link, ast.PLink):
            return cls.__name__, names.setdefault(x.name, len(names))
        if isinstance(x, list):
            return tuple(go(y) for y in x)
        if dataclasses.is_dataclass(x):
            return (cls.__name__, *(go(getattr(x, f.name)) for f in dataclasses.fields(x) if f.name != "span"))
        return x

    return go(term)
