"""Readback: runtime memory -> an hvm tree.

In:  a port (usually ROOT) and accessors into a runtime's memory: the two aux ports of a node,
     the end of a chain of substituted variables (`chain_resolver` builds one from the var
     buffer; a native runtime can follow chains natively), and a definition's name by id
     (read_back); or the memory itself, its node words and vars (read_back_words, the native
     runtime's: the same tree, in one loop with no call per node).
Out: an hvm.book tree. Variable chains are followed; a wire whose two ends are both still in
     the result is named `a`, `b`, ... in order of first appearance when printed.

A list of a million numbers is 4 million nodes: read_back_words takes a list's cell (4 nodes)
in one step and makes the objects without the dataclasses' __init__; it reads such a list in
about 4 s of CPU (read_back took 9 s; bench/readback.py measures it).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable

from hvm.book import Era, Node, Num, Ref, Tag, Tree, Var, var_name  # (var_name: used here and by the compiler)
from hvm.errors import HvmError
from hvm.ports import CON, ERA, FID_MASK, NONE, NUM, REF, VAR


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
    with collector_paused():
        return _read_back(port, load_node, resolve, ref_name)


def read_back_words(port: int, nodes, variables, max_steps: int, ref_name: Callable[[int], str],
                    half: int = 32, none: int = NONE) -> Tree:
    """read_back straight from a runtime's memory: `nodes[i]` is node i's word (fst | snd << half),
    `variables[v]` var v's port (`none`: no end has arrived), as memoryviews or lists; chains of
    substituted vars are followed here (as chain_resolver does, at most `max_steps` steps).
    The same tree as read_back, with no call per node (two to three times faster). (`half`
    and `none` are 64 and NONE_WIDE for a runtime's 64-bit ports.)"""
    with collector_paused():
        return _read_back_words(port, nodes, variables, max_steps, ref_name, half, none)


class collector_paused:
    """(millions of new objects, no cycles among them: the cyclic collector's scans are wasted)"""

    def __enter__(self):
        self.collecting = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc):
        if self.collecting:
            gc.enable()


# Trees are built without their dataclasses' __init__ (a frozen dataclass sets each field through
# object.__setattr__: that was most of a big readback's time). Each maker below is a plain class
# with the same slots as the tree class it makes (so the same layout): it sets the fields and
# then becomes that class, an object like any other of it.


class new_node:
    """new_node(tag, fst, snd): a Node, made twice as fast as by Node(tag, fst, snd)."""

    __slots__ = Node.__slots__

    def __init__(self, tag: Tag, fst: Tree, snd: Tree):
        self.tag, self.fst, self.snd, self.pos = tag, fst, snd, None
        self.__class__ = Node


class new_var:
    """new_var(name): a Var."""

    __slots__ = Var.__slots__

    def __init__(self, name: str):
        self.name, self.pos = name, None
        self.__class__ = Var


class new_num:
    """new_num(numb): a Num."""

    __slots__ = Num.__slots__

    def __init__(self, numb: int):
        self.numb, self.pos = numb, None
        self.__class__ = Num


def new_leaf(p: int, ref_name: Callable[[int], str]) -> Tree:
    """The leaf of a number's, reference's or eraser's port."""
    tag = p & 7
    return new_num(p >> 3) if tag == NUM else Ref(ref_name((p >> 3) & FID_MASK)) if tag == REF else Era()


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
            built[-1] = new_node(tags[p], built[-1], snd)
            continue
        tag = p & 7
        if tag == VAR:
            p = resolve(p)
            tag = p & 7
            if tag == VAR:
                var = names.get(p)
                if var is None:
                    var = names[p] = new_var(var_name(len(names)))
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
            leaf = leaves[p] = new_leaf(p, ref_name)
        push(leaf)
    return built[0]


def _read_back_words(port, nodes, variables, max_steps, ref_name, half, NONE) -> Tree:
    """(_read_back with the node loads, the var chains and the new objects written out in the
    loop; and a list's or string's cell, `((x (h (t w))) w)`, taken in one step: see CELL)"""
    names: dict[int, Var] = {}
    leaves: dict[int, Tree] = {}  # (kept small: reused where the result repeats a leaf, looked up fast)
    tags = {-1 - int(t): t for t in Tag}
    far: set[int] = set()  # the nodes read (those below `near`, once many are read, marked in `seen` instead)
    seen, near = bytearray(), 0
    built: list[Tree] = []
    push, pop_built = built.append, built.pop
    node, con = new_node, Tag.CON
    wire = WIRE_NAMES  # (var_name(k), listed: made in bulk, taken by index)
    mask = (1 << half) - 1

    def resolve(p: int) -> int:  # (a VAR port: the end of its chain, as chain_resolver)
        steps = 0
        while steps <= max_steps:
            q = variables[p >> 3]
            if q == NONE:
                break
            p = q
            steps += 1
            if p & 7 != VAR:
                break
        return p

    stack = [port]
    pop, extend = stack.pop, stack.extend
    while stack:
        p = pop()
        if p < 0:
            if p > CELL:
                snd = pop_built()
                built[-1] = node(tags[p], built[-1], snd)
                continue
            w = CELL - p  # a cell's x, h and t are built: ((x (h (t w))) w)
            var = names.get(w)
            if var is None:
                k = len(names)
                var = names[w] = new_var(wire[k] if k < len(wire) else wire_names(k + 1)[k])
            t = pop_built()
            h = pop_built()
            built[-1] = node(con, node(con, built[-1], node(con, h, node(con, t, var))), var)
            continue
        tag = p & 7
        if tag == VAR:
            q = variables[p >> 3]  # (one step, inline: most chains are that long)
            p = p if q == NONE else q if q & 7 != VAR else resolve(p)
            tag = p & 7
            if tag == VAR:
                var = names.get(p)
                if var is None:
                    k = len(names)
                    var = names[p] = new_var(wire[k] if k < len(wire) else wire_names(k + 1)[k])
                push(var)
                continue
        if tag > NUM:
            if not near and len(far) > SEEN_AFTER:  # (a big result: a byte for each node is faster than a set)
                seen = bytearray(min(len(nodes), SEEN_BYTES))
                near = len(seen)
                for n in [n for n in far if n < near]:
                    seen[n] = 1
                    far.discard(n)
            a = p >> 3
            word = nodes[a]
            fst, snd = word & mask, word >> half
            if tag == CON:  # a cell, ((x (h (t w))) w): nodes a, b, c, d, read as the loop below would
                b = resolve(fst) if fst & 7 == VAR else fst
                w = snd
                if w & 7 == VAR and variables[w >> 3] != NONE:
                    w = resolve(w)
                if b & 7 == CON and w & 7 == VAR:
                    word = nodes[b >> 3]
                    x, c = word & mask, word >> half
                    c = resolve(c) if c & 7 == VAR else c
                    if c & 7 == CON:
                        word = nodes[c >> 3]
                        h, d = word & mask, word >> half
                        d = resolve(d) if d & 7 == VAR else d
                        if d & 7 == CON:
                            word = nodes[d >> 3]
                            t, w2 = word & mask, word >> half
                            if w2 & 7 == VAR and variables[w2 >> 3] != NONE:
                                w2 = resolve(w2)
                            b, c, d = b >> 3, c >> 3, d >> 3
                            fresh = False  # (four nodes not read before; else the loop below says where)
                            if w2 == w and len({a, b, c, d}) == 4:
                                if a < near and b < near and c < near and d < near:
                                    fresh = not (seen[a] or seen[b] or seen[c] or seen[d])
                                    if fresh:
                                        seen[a] = seen[b] = seen[c] = seen[d] = 1
                                elif not near:
                                    fresh = far.isdisjoint((a, b, c, d))
                                    if fresh:
                                        far.update((a, b, c, d))
                            if fresh:
                                if h & 7 == VAR:
                                    q = variables[h >> 3]
                                    h = h if q == NONE else q if q & 7 != VAR else resolve(h)
                                if 0 < x & 7 < CON and 0 < h & 7 < CON:  # (two leaves: built now, as they
                                    leaf = leaves.get(x)  # would be next; they name no wire)
                                    if leaf is None:
                                        leaf = leaves[x] = new_leaf(x, ref_name)
                                    push(leaf)
                                    leaf = leaves.get(h)
                                    if leaf is None:
                                        if len(leaves) >= LEAVES:
                                            leaves.clear()
                                        leaf = leaves[h] = new_leaf(h, ref_name)
                                    push(leaf)
                                    extend((CELL - w, t))
                                else:
                                    extend((CELL - w, t, h, x))
                                continue
            if a < near:
                if seen[a]:
                    raise HvmError(CYCLE)
                seen[a] = 1
            else:
                if a in far:
                    raise HvmError(CYCLE)
                far.add(a)
            extend((-1 - tag, snd, fst))
            continue
        leaf = leaves.get(p)
        if leaf is None:
            if len(leaves) >= LEAVES:
                leaves.clear()
            leaf = leaves[p] = new_leaf(p, ref_name)
        push(leaf)
    return built[0]


def wire_names(count: int) -> list[str]:
    """A list whose item k is var_name(k), for k < count at least (and kept, as var_name keeps
    its names): made 26 at a time, var_name(26 + 26 j + r) being var_name(j) + the r-th letter."""
    names = WIRE_NAMES
    with GROWING:  # (readbacks on several threads: one grows the list at a time, in order)
        while len(names) < count:
            prefix = names[(len(names) - 26) // 26]
            names += [prefix + c for c in LETTERS]
    return names


LETTERS = [chr(c) for c in range(97, 123)]
WIRE_NAMES = list(LETTERS)
GROWING = threading.Lock()


CELL = -16  # (CELL - w on the stack: build the cell whose wire is the var port w)
SEEN_BYTES = 1 << 25  # (nodes 0 .. 2^25 - 1 marked in a bytearray: faster than a set of millions)
SEEN_AFTER = 1 << 13  # (nodes read in a set first: a small result, an IO call's, makes no bytearray)
LEAVES = 1 << 12


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
