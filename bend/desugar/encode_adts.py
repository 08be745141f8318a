"""Define each constructor as a function (num-scott encoding), with its tag as a constant.

In:  a Book (its data types).
Out: the same Book plus, for each constructor `T/C` with fields f1 ... fn and index i in its
     type, the definitions

    T/C     = λf1 ... λfn λk (k T/C/tag f1 ... fn)
    T/C/tag = i

     A value is a function waiting for what to do with it: a match passes a function of the
     tag (bend.desugar.encode_matches), and the IO runner reads the tag of an IO value.
"""

from __future__ import annotations

from bend import ast
from bend.desugar.terms import app, lams
from hvm import numbers


def run(book: ast.Book, ctx) -> ast.Book:
    for adt in book.adts.values():
        for index, ctor in enumerate(adt.ctors):
            fields = [f"%{i}" for i in range(len(ctor.fields))]
            tag = ast.Ref(f"{ctor.name}/tag", ctor.span)
            body = lams([*fields, "%k"], app(ast.Var("%k"), [tag, *(ast.Var(f) for f in fields)]), ctor.span)
            book.defs[ctor.name] = ast.Definition(ctor.name, [ast.Rule([], body)], span=ctor.span,
                                                  builtin=adt.builtin)
            book.defs[f"{ctor.name}/tag"] = ast.Definition(
                f"{ctor.name}/tag", [ast.Rule([], ast.Num(numbers.new_u24(index), ctor.span))], span=ctor.span,
                builtin=adt.builtin)
    return book
