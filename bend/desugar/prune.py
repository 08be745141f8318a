"""Keep what the program uses, and make `main` compute its result rather than name it.

In:  a Book after bend.desugar.encode_adts.
Out: the same Book with the definitions the entry point reaches and those the user wrote
     (with what they use, native `hvm` definitions' `@refs` included); the prelude's unused
     definitions go, and with `-Oprune` the user's unused ones too.
     In the entry point, a reference in return position (the whole body, a tuple's items, a
     constructor's arguments unless it is a nullary constructor, a lambda's body) is replaced by
     the definition's body, once per
     definition along a path (a recursive one is expanded once, as Bend does): `main = xs`
     prints the list, not `xs`. Unscoped variables in an expanded body get fresh names. Then
     the combinators floated out of it are put back (see expand_floated).
"""

from __future__ import annotations

from bend import ast
from bend.ast import clone, is_user, reachable


def run(book: ast.Book, ctx) -> ast.Book:
    expand_main(book, ctx)
    keep = reachable(book, [ctx.entry, *(n for n, h in book.hvm_defs.items() if not h.builtin)])
    if not ctx.options.prune:
        keep = reachable(book, [n for n, d in book.defs.items() if not d.builtin and is_user(n)], keep)
    book.defs = {n: d for n, d in book.defs.items() if n in keep}
    return book


def expand_main(book: ast.Book, ctx) -> None:
    main = book.defs.get(ctx.entry)
    if main is None:
        return
    rule = main.rules[0]
    rule.body = expand_floated(expand(rule.body, book, ctx, [ctx.entry]), book)


def expand_floated(t, book: ast.Book):
    """Each reference to a combinator floated out of `main` (`main__C0`, and those floated out
    of what was expanded into it) replaced by its body, anywhere in `main`: the entry point
    computes its result strictly, as Bend's does."""
    def floated(x):
        while type(x) is ast.Ref and "__C" in x.name and x.name in book.defs:
            x = clone(book.defs[x.name].rules[0].body)
        return x

    t = floated(t)
    stack = [t]  # (a loop: main can be 100,000 deep)
    while stack:
        x = stack.pop()
        inner = ast.INNER_TERMS.get(type(x))
        if inner is not None:
            get, put = inner
            subs = [floated(sub) for sub in get(x)]
            put(x, subs)
            stack.extend(subs)
    return t


def expand(t, book: ast.Book, ctx, seen: list):
    cls = type(t)
    if cls is ast.Ref:
        d = book.defs.get(t.name)
        if d is None or t.name in seen:
            return t
        return expand(rename_unscoped(clone(d.rules[0].body), ctx), book, ctx, [*seen, t.name])
    if cls is ast.Tuple or cls is ast.Sup:
        t.items = [expand(x, book, ctx, seen) for x in t.items]
    elif cls is ast.List:  # a long literal: its items are constructor arguments
        t.items = [x if is_nullary_ctor(x, ctx) else expand(x, book, ctx, seen) for x in t.items]
    elif cls is ast.App:
        head, args = t, []
        while type(head) is ast.App:
            args.append(head)
            head = head.fun
        if type(head) is ast.Ref and head.name in ctx.ctors:
            for node in args:
                if not is_nullary_ctor(node.arg, ctx):  # (stays a reference: it reads back by name)
                    node.arg = expand(node.arg, book, ctx, seen)
    elif cls is ast.Lam or cls is ast.Let:
        t.body = expand(t.body, book, ctx, seen)
    return t


def is_nullary_ctor(t, ctx) -> bool:
    return type(t) is ast.Ref and t.name in ctx.ctors and not ctx.ctors[t.name][1].fields


def rename_unscoped(t, ctx):
    """`t` with each unscoped variable `$x` (binder and use) renamed afresh: a definition's body
    copied twice into `main` must not bind the same `$x` twice."""
    names: dict[str, str] = {}

    def new(name: str) -> str:
        return names.setdefault(name, ctx.fresh(name.lstrip("%")))

    def visit(x):
        if type(x) is ast.Link:
            x.name = new(x.name)
        elif type(x) in (ast.Lam, ast.Let):
            stack = [x.pattern]
            while stack:
                p = stack.pop()
                if type(p) is ast.PLink:
                    p.name = new(p.name)
                elif type(p) in (ast.PTuple, ast.PSup):
                    stack.extend(p.items)
        for sub in ast.subterms(x):
            visit(sub)
        return x

    return visit(t)
