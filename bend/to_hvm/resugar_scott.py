"""Strings and lists in a result read back under `-Oadt-scott`, shown as `"text"` and `[1, 2]`.

In:  a term from bend.to_hvm.readback of a program compiled with the Scott encoding, where a
     String or List cons is `λ* λc (c head tail)` (bend.desugar.encode_adts) and a nil that
     nothing took apart is still the reference, read back as `""` or `[]`.
Out: the same term with each such chain ending in `""` replaced by a string from where its
     heads are all u24 numbers on, and each ending in `[]` by a list; as Bend's readback does
     under -Oadt-scott:

    λ* λa (a 104 λ* λb (b 105 ""))   ==>   "hi"
    λ* λa (a 1 λ* λb (b 2 []))       ==>   [1, 2]

     A nil that was computed (`λa λ* a`) cannot be told from any other first constructor of
     two, so a chain ending in one stays as it is (as in Bend). The variables left are named
     a, b, c, ... again, in the order they are printed.
"""

from __future__ import annotations

from bend import ast
from bend.deep import deep
from hvm import numbers
from hvm.readback import var_name


def resugar_scott(term):
    changed = [False]
    term = deep(resugar, term, changed)
    if changed[0]:
        rename(term)
    return term


def resugar(t, changed: list):
    """A loop down each chain of tails (a result can be a string of a million characters)."""
    spine, end = [], t
    while True:
        found = scott_cons(end)
        if found is None:
            break
        spine.append(found[0])
        end = found[1]
    if not spine:
        ast.map_subterms(t, lambda sub: resugar(sub, changed))
        return t
    end = resugar(end, changed)
    heads = [resugar(h, changed) for h in spine]
    if type(end) is ast.Str:  # the longest tail of characters is a string
        chars = len(heads)
        while chars and type(heads[chars - 1]) is ast.Num and numbers.tag_of(heads[chars - 1].numb) == numbers.U24:
            chars -= 1
        if chars < len(heads):
            changed[0] = True
            end = ast.Str("".join(chr(numbers.payload_of(h.numb) % 0x110000) for h in heads[chars:]) + end.text)
            if not chars:
                return end
            heads = heads[:chars]
    elif type(end) is ast.List:
        changed[0] = True
        return ast.List([*heads, *end.items])
    rebuilt = end  # not a string or list: put the chain back, its parts resugared
    for found, head in zip(reversed(chain_nodes(t, len(heads))), reversed(heads)):
        call = found.body.body
        call.fun.arg, call.arg = head, rebuilt
        rebuilt = found
    return rebuilt


def scott_cons(t):
    """(head, tail) if `t` is `λ* λc (c head tail)` (c not used in head or tail), else None."""
    if type(t) is not ast.Lam or type(t.pattern) is not ast.PEra:
        return None
    inner = t.body
    if type(inner) is not ast.Lam or type(inner.pattern) is not ast.PVar:
        return None
    call = inner.body
    if type(call) is not ast.App or type(call.fun) is not ast.App:
        return None
    k = call.fun.fun
    if type(k) is not ast.Var or k.name != inner.pattern.name:
        return None
    return call.fun.arg, call.arg


def chain_nodes(t, count: int) -> list:
    nodes = []
    for _ in range(count):
        nodes.append(t)
        t = t.body.body.arg
    return nodes


def rename(term) -> None:
    """Name the variables a, b, c, ... in the order they first appear in the text."""
    names: dict[str, str] = {}

    def name(old: str) -> str:
        return names.setdefault(old, var_name(len(names)))

    stack = [term]
    while stack:
        t = stack.pop()
        cls = type(t)
        if cls is ast.Lam and type(t.pattern) in (ast.PVar, ast.PLink):
            t.pattern.name = name(t.pattern.name)
        elif cls is ast.Let:
            for p in t.pattern.items:
                if type(p) in (ast.PVar, ast.PLink):
                    p.name = name(p.name)
        elif cls is ast.Var or cls is ast.Link:
            base, dash, count = t.name.rpartition("-")
            if dash and base and count.isdigit():  # a switch's predecessor, `a-1`
                t.name = f"{name(base)}-{count}"
            elif not t.name.startswith("<"):  # (<Invalid>, <cycle>)
                t.name = name(t.name)
        elif cls is ast.Switch and t.bind is not None:
            t.bind = name(t.bind)
        stack.extend(reversed(ast.subterms(t)))
