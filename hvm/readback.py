"""Readback: runtime memory -> an hvm tree.

In:  a port (usually ROOT) and accessors into a runtime's memory: the two aux ports of a node,
     the end of a chain of substituted variables (`chain_resolver` builds one from the var
     buffer; a native runtime can follow chains natively), and a definition's name by id.
Out: an hvm.book tree. Variable chains are followed; a wire whose two ends are both still in
     the result is named `a`, `b`, ... in order of first appearance when printed.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from hvm.book import Era, Node, Num, Ref, Tag, Tree, Var, var_name  # (var_name: used here and by the compiler)
from hvm.errors import HvmError
from hvm.ports import ERA, FID_MASK, NONE, NUM, REF, VAR


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
    """The tree at `port`, in one walk (depth first, first items first: wires are named in that
    order) with no recursion, the cyclic collector paused: a result of millions of nodes is
    read in seconds."""
    collecting = gc.isenabled()
    gc.disable()  # (millions of new objects, no cycles among them: the collector's scans are wasted)
    try:
        return _read_back(port, load_node, resolve, ref_name)
    finally:
        if collecting:
            gc.enable()


def _read_back(port, load_node, resolve, ref_name) -> Tree:
    names: dict[int, Var] = {}  # an unbound var's port -> its wire
    leaves: dict[int, Tree] = {}  # a number's, reference's or eraser's port -> its leaf (immutable: one object)
    tags = {-1 - int(t): t for t in Tag}  # (a node's tag is pushed as -1 - tag: build it when its items are)
    seen_nodes: set[int] = set()
    built: list[Tree] = []
    push, add = built.append, seen_nodes.add
    stack = [port]
    pop = stack.pop
    while stack:
        p = pop()
        if p < 0:
            snd = built.pop()
            built[-1] = Node(tags[p], built[-1], snd)
            continue
        tag = p & 7
        if tag == VAR:
            p = resolve(p)
            tag = p & 7
            if tag == VAR:
                var = names.get(p)
                if var is None:
                    var = names[p] = Var(var_name(len(names)))
                push(var)
                continue
        if tag > NUM:
            val = p >> 3
            if val in seen_nodes:
                raise HvmError(CYCLE)
            add(val)
            fst, snd = load_node(val)
            stack += (-1 - tag, snd, fst)
            continue
        leaf = leaves.get(p)
        if leaf is None:
            val = p >> 3
            leaf = leaves[p] = Num(val) if tag == NUM else Ref(ref_name(val & FID_MASK)) if tag == REF else Era()
        push(leaf)
    return built[0]


def preorder_ports(port: int, load_node: Callable[[int], tuple[int, int]], resolve: Callable[[int], int]) -> list[int]:
    """The tree at `port` as its ports in pre-order, each var chain followed to its end."""
    seen_nodes: set[int] = set()
    ports: list[int] = []
    stack = [port]
    while stack:
        p = stack.pop()
        if p & 7 == VAR:
            p = resolve(p)
        ports.append(p)
        if p & 7 > NUM:
            if p >> 3 in seen_nodes:
                raise HvmError(CYCLE)
            seen_nodes.add(p >> 3)
            fst, snd = load_node(p >> 3)
            stack.append(snd)
            stack.append(fst)
    return ports


CYCLE = "the result net has a cycle; it cannot be read back as a tree"


def tree_from_ports(ports: list[int], ref_name: Callable[[int], str]) -> Tree:
    """A tree from its resolved ports in pre-order (a node's port is followed by its two
    subtrees'). A var still unbound is one end of a wire whose other end is also in the tree;
    wires are named a, b, ... in order of first appearance (the ports' order)."""
    names: dict[int, Var] = {}
    for p in ports:
        if p & 7 == VAR and p >> 3 not in names:
            names[p >> 3] = Var(var_name(len(names)))
    seen_nodes: set[int] = set()
    tags = {int(t): t for t in Tag}
    built: list[Tree] = []
    for p in reversed(ports):
        tag, val = p & 7, p >> 3
        if tag == VAR:
            built.append(names[val])
        elif tag == REF:
            built.append(Ref(ref_name(val & FID_MASK)))
        elif tag == NUM:
            built.append(Num(val))
        elif tag == ERA:
            built.append(Era())
        else:
            if val in seen_nodes or len(built) < 2:
                raise HvmError(CYCLE)
            seen_nodes.add(val)
            fst = built.pop()
            built.append(Node(tags[tag], fst, built.pop()))
    if len(built) != 1:
        raise HvmError(CYCLE)
    return built[0]
