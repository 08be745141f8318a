"""Define each constructor as a function, in the encoding `-O` chose (num-scott by default).

In:  a Book (its data types).
Out: the same Book plus a definition for each constructor `T/C` with fields f1 ... fn, the
     i-th of its type's constructors C1 ... Ck. Num-scott (`-Oadt-num-scott`, the default):

    T/C     = λf1 ... λfn λk (k T/C/tag f1 ... fn)
    T/C/tag = i

     A value is a function waiting for what to do with it: a match passes a function of the
     tag (bend.desugar.encode_matches), and the IO runner reads the tag of an IO value.
     Scott (`-Oadt-scott`): one lambda per constructor of the type, and no tags:

    T/C     = λf1 ... λfn λC1 ... λCk (Ci f1 ... fn)    (the other Cj erased: λ*)

     A match passes one function per constructor. IO needs num-scott (as in Bend).
"""

from __future__ import annotations

from bend import ast
from bend.desugar.terms import app, lams
from hvm import numbers


def run(book: ast.Book, ctx) -> ast.Book:
    scott = ctx.options.adt_encoding == "scott"
    for adt in book.adts.values():
        for index, ctor in enumerate(adt.ctors):
            fields = [f"%{i}" for i in range(len(ctor.fields))]
            args = [ast.Var(f) for f in fields]
            if scott:
                cases = ["%k" if i == index else None for i in range(len(adt.ctors))]  # (linear: others erased)
                body = lams([*fields, *cases], app(ast.Var("%k"), args), ctor.span)
            else:
                tag = ast.Ref(f"{ctor.name}/tag", ctor.span)
                body = lams([*fields, "%k"], app(ast.Var("%k"), [tag, *args]), ctor.span)
                book.defs[f"{ctor.name}/tag"] = ast.Definition(
                    f"{ctor.name}/tag", [ast.Rule([], ast.Num(numbers.new_u24(index), ctor.span))], span=ctor.span,
                    builtin=adt.builtin)
            book.defs[ctor.name] = ast.Definition(ctor.name, [ast.Rule([], body)], span=ctor.span,
                                                  builtin=adt.builtin)
    return book
