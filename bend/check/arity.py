"""Calls with the wrong number of arguments, in code the type checker does not see.

In:  the Book right after bend.desugar.resolve (references resolved, rules still with their
     patterns), the diagnostics.
Out: a warning (kind `arity`) at each call of one of the program's definitions, in a
     definition that is not type-checked, that certainly gives the wrong number of arguments:
     - more arguments than the definition has parameters, when what it returns is data (a
       number, string, list, tuple or constructor), which cannot be applied;
     - fewer, where the call is an operand of an arithmetic operator, which needs a number and
       gets a partly applied function.
A partial application anywhere else, or extra arguments to a definition that returns a
function, is how functional code is written: no warning. (Bend says nothing in either case.)
"""

from __future__ import annotations

from bend import ast
from bend.check.types import is_checked

DATA = (ast.Num, ast.Str, ast.List, ast.Tuple, ast.Oper)


def check_arity(book: ast.Book, diagnostics) -> None:
    ctors = {c.name: len(c.fields) for adt in book.adts.values() for c in adt.ctors}
    arity = {name: len(d.rules[0].patterns) for name, d in book.defs.items() if d.rules}
    returns_data = {name: all(is_data(r.body, ctors) for r in d.rules) for name, d in book.defs.items()}
    for d in book.defs.values():
        if d.builtin or is_checked(d, book.defs):
            continue
        inner: set[int] = set()  # the inner App nodes of calls already seen
        for rule in d.rules:
            for t in ast.descendants(rule.body):
                if type(t) is ast.App and id(t) not in inner:
                    check_call(t, arity, returns_data, diagnostics, inner)
                elif type(t) is ast.Oper:
                    for operand in (t.left, t.right):
                        check_operand(operand, arity, diagnostics)


def spine(t):
    """(head, the App nodes from the outermost in, the number of arguments)."""
    apps = []
    while type(t) is ast.App:
        apps.append(t)
        t = t.fun
    return t, apps, len(apps)


def check_call(t, arity: dict, returns_data: dict, diagnostics, inner: set) -> None:
    head, apps, given = spine(t)
    inner.update(id(a) for a in apps[1:])
    if type(head) is not ast.Ref or head.name not in arity:
        return
    wanted = arity[head.name]
    if given > wanted and returns_data[head.name]:
        diagnostics.warning(f"`{head.name}` takes {plural(wanted)}, given {given}", t.span,
                            hint=f"`{head.name}` returns data, which cannot be applied to the rest", kind="arity")


def check_operand(t, arity: dict, diagnostics) -> None:
    head, _, given = spine(t)
    if type(head) is ast.Ref and head.name in arity and given < arity[head.name]:
        diagnostics.warning(f"`{head.name}` takes {plural(arity[head.name])}, given {given}", t.span,
                            hint="an operator needs a number here, not a partly applied function", kind="arity")


def plural(n: int) -> str:
    return f"{n} argument{'s' * (n != 1)}"


def is_data(t, ctors: dict, depth: int = 0) -> bool:
    """Whether `t` certainly evaluates to data (never to a function)."""
    if depth > 50:
        return False
    cls = type(t)
    if cls in DATA:
        return True
    if cls in (ast.Let, ast.Use):
        return is_data(t.body, ctors, depth + 1)
    if cls is ast.If:
        return is_data(t.then, ctors, depth + 1) and is_data(t.otherwise, ctors, depth + 1)
    if cls is ast.Ref:
        return ctors.get(t.name) == 0
    if cls is ast.App:
        head, _, given = spine(t)
        return type(head) is ast.Ref and ctors.get(head.name) == given
    return False
