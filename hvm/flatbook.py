"""A book as HVM2's runtime sees it: each definition as arrays of 32-bit ports.

In:  a validated hvm.Book and the entry name.
Out: FlatBook, with the definitions the entry can reach (no others can ever be called).
     Definition ids follow HVM2: the entry (`main`) is 0, the others 1, 2, ... in byte-wise
     name order. Within a definition, nodes are numbered in pre-order (a node's slot
     is taken before its children's), the root first and then each redex's two sides in
     order, then each chain's (hvm.book.Chain: laid out as if written out as redexes); variables
     are numbered by first occurrence. `safe` means: no DUP node, and no
     reference, however indirect, to a definition that has one (REF~DUP may then copy the
     reference instead of expanding it).

    @main = a & @sum ~ (20 (0 a))
    ==> root VAR 0, nodes [(NUM 20, CON 1), (NUM 0, VAR 0)], redexes [(REF 1, CON 0)]
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

from hvm.book import Book, Chain, Era, Net, Node, Num, Ref, Tag, Tree, Var, iter_net_trees, iter_subtrees
from hvm.errors import HvmError
from hvm.ports import CON, ERA, NUM, PAR_BIT, REF, VAR, port


@dataclass(frozen=True, slots=True)
class FlatDef:
    name: str
    fid: int
    safe: bool
    ports: array  # ("I") the (fst, snd) aux ports of each node, then each redex's two ports,
    #               then the root: def-local indices, the layout a CALL copies (HVM2's too)
    node_count: int
    redex_count: int
    var_count: int

    @property
    def root(self) -> int:
        return self.ports[-1]

    @property
    def nodes(self) -> tuple[tuple[int, int], ...]:
        end = 2 * self.node_count
        return tuple(zip(self.ports[0:end:2], self.ports[1:end:2]))

    @property
    def redexes(self) -> tuple[tuple[int, int], ...]:
        start, end = 2 * self.node_count, len(self.ports) - 1
        return tuple(zip(self.ports[start:end:2], self.ports[start + 1:end:2]))


@dataclass(frozen=True, slots=True)
class FlatBook:
    defs: tuple[FlatDef, ...]  # indexed by fid
    fids: dict[str, int]

    def name_of(self, fid: int) -> str:
        return self.defs[fid].name


def reachable(book: Book, entry: str = "main") -> set[str]:
    """The definitions `@entry` refers to, directly or not (itself included)."""
    seen, stack = {entry}, [entry]
    while stack:
        for tree in iter_net_trees(book.defs[stack.pop()].net):
            for t in iter_subtrees(tree):
                if type(t) is Ref and t.name not in seen and t.name in book.defs:
                    seen.add(t.name)
                    stack.append(t.name)
    return seen


def definition_ids(book: Book, entry: str = "main") -> dict[str, int]:
    """fids as HVM2 numbers them, for the definitions reachable from the entry only."""
    others = sorted((n for n in reachable(book, entry) if n != entry), key=lambda n: n.encode())
    return {name: fid for fid, name in enumerate([entry, *others])}


def unsafe_definitions(book: Book) -> set[str]:
    """Names of definitions that contain a DUP node or refer, transitively, to one that does."""
    referrers: dict[str, set[str]] = {name: set() for name in book.defs}
    unsafe: list[str] = []
    for name, d in book.defs.items():
        has_dup = False
        for tree in iter_net_trees(d.net):
            for t in iter_subtrees(tree):
                if type(t) is Node and t.tag == Tag.DUP:
                    has_dup = True
                elif type(t) is Ref and t.name in referrers:
                    referrers[t.name].add(name)
        if has_dup:
            unsafe.append(name)
    seen = set(unsafe)
    while unsafe:
        for referrer in referrers[unsafe.pop()]:
            if referrer not in seen:
                seen.add(referrer)
                unsafe.append(referrer)
    return seen


def flatten(book: Book, entry: str = "main") -> FlatBook:
    if entry not in book.defs:
        raise HvmError(f"the book has no @{entry} definition", path=book.path)
    fids = definition_ids(book, entry)
    if len(fids) > PAR_BIT:
        raise HvmError(f"too many definitions: {len(fids)} (at most {PAR_BIT})", path=book.path)
    unsafe = unsafe_definitions(book)
    return FlatBook(tuple(flatten_net(book.defs[name].net, fids, name, fid, name not in unsafe)
                          for name, fid in fids.items()), fids)


def flatten_net(net: Net, fids: dict[str, int], name: str = "<boot>", fid: int = -1, safe: bool = False) -> FlatDef:
    """One net as a FlatDef (by default a run's starting net, which is no definition of the book)."""
    builder = _DefBuilder(fids)
    root = builder.port_of(net.root)
    redexes = array("I")
    for r in net.redexes:
        redexes.append(builder.port_of(r.a, parallel=r.parallel))
        redexes.append(builder.port_of(r.b))
    for chain in net.chains:
        redexes += builder.chain(chain)
    ports = builder.nodes
    node_count = len(ports) // 2
    ports += redexes
    ports.append(root)
    return FlatDef(name, fid, safe, ports, node_count, len(redexes) // 2, builder.var_count)


class _DefBuilder:
    def __init__(self, fids: dict[str, int]):
        self.fids = fids
        self.nodes = array("I")  # each node's (fst, snd), in order
        self.vars: dict[str, int] = {}
        self.var_count = 0

    def var_id(self, name: str) -> int:
        v = self.vars.get(name)
        if v is None:
            v = self.vars[name] = self.var_count
            self.var_count += 1
        return v

    def leaf_port(self, t: Tree, parallel: bool) -> int:
        cls = type(t)
        if cls is Var:
            return port(VAR, self.var_id(t.name))
        if cls is Ref:
            return port(REF, self.fids[t.name] | (PAR_BIT if parallel else 0))
        if cls is Num:
            return port(NUM, t.numb)
        if cls is Era:
            return port(ERA, 0)
        raise TypeError(f"not a tree: {t!r}")

    def port_of(self, tree: Tree, parallel: bool = False) -> int:
        """The port of `tree`, appending its nodes in pre-order (no recursion)."""
        result = array("I", [0])
        nodes = self.nodes
        stack: list[tuple[Tree, array, int]] = [(tree, result, 0)]
        while stack:
            t, target, k = stack.pop()
            if type(t) is Node:
                i = len(nodes)
                target[k] = port(int(t.tag), i // 2)
                nodes += ZERO_PAIR
                stack.append((t.snd, nodes, i + 1))
                stack.append((t.fst, nodes, i))
            else:
                target[k] = self.leaf_port(t, parallel and t is tree)
        return result[0]

    def chain(self, chain: Chain) -> array:
        """Lay out a chain's nodes as its written-out redexes would be (see hvm.book.Chain), a
        column at a time; return its redexes' ports."""
        head = self.var_id(chain.head.name)
        n = len(chain.numbs)
        base, vbase = len(self.nodes) // 2, self.var_count
        inner_vars = array("I", range(port(VAR, vbase), port(VAR, vbase + n - 1), port(VAR, 1)))
        nodes = array("I", bytes(16 * n))  # item i: (n_i (w_i+1 w_i)), nodes base + 2i and base + 2i + 1
        nodes[0::4] = array("I", [port(NUM, numb) for numb in chain.numbs])
        nodes[1::4] = array("I", range(port(CON, base + 1), port(CON, base + 2 * n), port(0, 2)))
        nodes[2::4] = inner_vars + array("I", [port(REF, self.fids[chain.nil])])
        nodes[3::4] = array("I", [port(VAR, head)]) + inner_vars
        self.nodes += nodes
        self.var_count += n - 1
        redexes = array("I", bytes(8 * n))
        redexes[0::2] = array("I", [port(REF, self.fids[chain.cons])]) * n
        redexes[1::2] = array("I", range(port(CON, base), port(CON, base + 2 * n), port(0, 2)))
        return redexes


ZERO_PAIR = array("I", [0, 0])
