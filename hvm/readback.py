"""Readback: runtime memory -> an hvm tree.

In:  a port (usually ROOT) and accessors into a runtime's memory: the two aux ports of a node,
     the end of a chain of substituted variables (`chain_resolver` builds one from the var
     buffer; a native runtime can follow chains natively), and a definition's name by id.
Out: an hvm.book tree. Variable chains are followed; a wire whose two ends are both still in
     the result is named `a`, `b`, ... in order of first appearance when printed.
"""

from __future__ import annotations

from collections.abc import Callable

from hvm.book import Era, Node, Num, Ref, Tag, Tree, Var
from hvm.errors import HvmError
from hvm.ports import ERA, FID_MASK, NONE, NUM, REF, VAR


def var_name(k: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa, 27 -> ab, ..."""
    name = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        name = chr(97 + r) + name
    return name


def chain_resolver(load_var: Callable[[int], int], max_steps: int) -> Callable[[int], int]:
    """resolve(port): follow a var whose other end was linked, and so on, to the end of the chain.

    Chains of var -> var substitutions can be as long as the run was (HVM2 shortens them only
    when a later link passes through). A chain longer than `max_steps` (the number of vars)
    must loop; it then ends at the var where it was cut.
    """

    def resolve(p: int) -> int:
        steps = 0
        while p & 7 == VAR and steps <= max_steps:
            q = load_var(p >> 3)
            if q == NONE:
                break
            p = q
            steps += 1
        return p

    return resolve


def read_back(
    port: int,
    load_node: Callable[[int], tuple[int, int]],
    resolve: Callable[[int], int],
    ref_name: Callable[[int], str],
) -> Tree:
    names: dict[int, Var] = {}
    seen_nodes: set[int] = set()
    tokens: list = []  # the tree in pre-order: leaves, and node tags standing for their node
    stack = [port]
    while stack:
        p = stack.pop()
        if p & 7 == VAR:
            p = resolve(p)
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
    tags = {int(t): t for t in Tag}
    for token in reversed(tokens):
        if type(token) is int:
            fst = built.pop()
            built.append(Node(tags[token], fst, built.pop()))
        else:
            built.append(token)
    return built[0]
