"""Results as data: a constructor's value shown as the constructor, not as its λ-encoding.

In:  a result term read back (bend.to_hvm.readback: strings and lists already resugared) and
     the program's data types (the core book's `adts`).
Out: the same term where each value `λk (k T/C/tag f1 … fn)` of a constructor `T/C` of n
     fields a1 … an (the num-scott encoding, the default) is `T/C { a1: f1, …, an: fn }`, Bend's
     own syntax to build one (an ast.Call with named arguments), and a constructor without
     fields is its name, `T/C`:

         λa (a Tree/Node/tag λb (b Tree/Leaf/tag 1) λc (c Tree/Leaf/tag 2))
     ==> Tree/Node { left: Tree/Leaf { value: 1 }, right: Tree/Leaf { value: 2 } }

     A term that only looks like one (another number of fields, a tag no type of the program
     has) stays as it is, and so does every value under the Scott encoding (`-Oadt-scott`:
     nothing in `λa λb (a 1)` says which type it is). `bend run` shows results this way;
     `--bend-text` shows Bend's own text, the λ-encoding.
"""

from __future__ import annotations

from bend import ast


def constructors(adts: dict) -> dict[str, tuple[str, list[str]]]:
    """`T/C/tag` -> (`T/C`, its field names), for every constructor of the program."""
    return {f"{c.name}/tag": (c.name, [f.name for f in c.fields]) for adt in adts.values() for c in adt.ctors}


def as_data(term, adts: dict):
    """The term with every constructor value shown as data (see the module's docstring). The
    term is changed in place (and returned, or its replacement where the whole term is one)."""
    ctors = constructors(adts)
    if not ctors:
        return term
    # children before their parents, in a loop: a result can be a tree a million deep
    for t in reversed(list(ast.descendants(term))):
        ast.map_subterms(t, lambda sub: data(sub, ctors))
    term = data(term, ctors)
    rename_binders(term)
    return term


def rename_binders(term) -> None:
    """Name the λ binders left a, b, c, ... in the order they are printed (the constructors'
    binders are gone), and their variables with them."""
    from bend.to_hvm.readback import var_name

    names: dict[str, str] = {}
    stack = [term]
    while stack:
        t = stack.pop()
        cls = type(t)
        if cls is ast.Lam and type(t.pattern) is ast.PVar:
            t.pattern.name = names.setdefault(t.pattern.name, var_name(len(names)))
        elif cls is ast.Var:
            base, minus, rest = t.name.partition("-")  # (`a-1`: a switch's predecessor)
            t.name = names.get(base, base) + minus + rest
        elif cls is ast.Switch:
            t.bind = names.setdefault(t.bind, var_name(len(names)))
        stack.extend(reversed(ast.subterms(t)))


def data(t, ctors: dict):
    """`t` as `T/C { … }` if it is a constructor's value (its fields already shown as data)."""
    if type(t) is not ast.Lam or type(t.pattern) is not ast.PVar:
        return t
    k, body, args = t.pattern.name, t.body, []
    while type(body) is ast.App:
        args.append(body.arg)
        body = body.fun
    if type(body) is not ast.Var or body.name != k or not args or type(args[-1]) is not ast.Ref:
        return t
    found = ctors.get(args[-1].name)
    if found is None or len(found[1]) != len(args) - 1:
        return t
    name, fields = found
    values = list(reversed(args[:-1]))
    if any(type(v) is ast.Var and v.name == k for v in values):
        return t
    if not fields:
        return ast.Ref(name)
    return ast.Call(ast.Ref(name), [], [(field, value, None) for field, value in zip(fields, values)])
