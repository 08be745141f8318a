"""Readback: runtime memory -> an hvm tree.

In:  a port (usually what ROOT points to) and accessors into a runtime's memory: the two aux
     ports of a node, the substitution held by a variable, and a definition's name by id.
Out: an hvm.book tree. Variable chains are followed; a wire whose two ends are both still in
     the result is named `a`, `b`, ... in order of first appearance when printed.
"""

from __future__ import annotations

from collections.abc import Callable

from hvm.book import Era, Node, Num, Ref, Tag, Tree, Var
from hvm.errors import HvmError
from hvm.ports import ERA, FID_MASK, FREE, NONE, NUM, REF, VAR


def var_name(k: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa, 27 -> ab, ..."""
    name = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        name = chr(97 + r) + name
    return name


def read_back(
    port: int,
    load_node: Callable[[int], tuple[int, int]],
    load_var: Callable[[int], int],
    ref_name: Callable[[int], str],
) -> Tree:
    names: dict[int, Var] = {}
    seen_nodes: set[int] = set()
    tokens: list = []  # the tree in pre-order: leaves, and node tags standing for their node
    stack = [port]
    while stack:
        p = stack.pop()
        steps = 0
        while p & 7 == VAR:
            q = load_var(p >> 3)
            if q == NONE or q == FREE or q == p:
                break
            p = q
            steps += 1
            if steps > 1 << 24:
                raise HvmError("the result net has a cycle of variables; it cannot be read back")
        tag, val = p & 7, p >> 3
        if tag == VAR:
            var = names.get(val)
            if var is None:
                var = names[val] = Var(var_name(len(names)))
            tokens.append(var)
        elif tag == REF:
            tokens.append(Ref(ref_name(val & FID_MASK)))
        elif tag == NUM:
            tokens.append(Num(val))
        elif tag == ERA:
            tokens.append(Era())
        else:
            if val in seen_nodes:
                raise HvmError("the result net has a cycle; it cannot be read back as a tree")
            seen_nodes.add(val)
            tokens.append(tag)
            fst, snd = load_node(val)
            stack.append(snd)
            stack.append(fst)
    built: list[Tree] = []
    for token in reversed(tokens):
        if type(token) is int:
            fst = built.pop()
            built.append(Node(Tag(token), fst, built.pop()))
        else:
            built.append(token)
    return built[0]
