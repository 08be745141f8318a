"""A book as HVM2's runtime sees it: each definition as arrays of 32-bit ports.

In:  a validated hvm.Book and the entry name.
Out: FlatBook, with the definitions the entry can reach (no others can ever be called).
     Definition ids follow HVM2: the entry (`main`) is 0, the others 1, 2, ... in byte-wise
     name order. Within a definition, nodes are numbered in pre-order (a node's slot
     is taken before its children's), the root first and then each redex's two sides in
     order; variables are numbered by first occurrence. `safe` means: no DUP node, and no
     reference, however indirect, to a definition that has one (REF~DUP may then copy the
     reference instead of expanding it).

    @main = a & @sum ~ (20 (0 a))
    ==> root VAR 0, nodes [(NUM 20, CON 1), (NUM 0, VAR 0)], redexes [(REF 1, CON 0)]
"""

from __future__ import annotations

from dataclasses import dataclass

from hvm.book import Book, Era, Net, Node, Num, Ref, Tag, Tree, Var, iter_net_trees, iter_subtrees
from hvm.errors import HvmError
from hvm.ports import ERA, NUM, PAR_BIT, REF, VAR, port


@dataclass(frozen=True, slots=True)
class FlatDef:
    name: str
    fid: int
    safe: bool
    root: int
    nodes: tuple[tuple[int, int], ...]  # (fst, snd) aux ports, def-local indices
    redexes: tuple[tuple[int, int], ...]
    var_count: int


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
    defs = []
    for name, fid in fids.items():
        net = book.defs[name].net
        builder = _DefBuilder(fids)
        root = builder.port_of(net.root)
        redexes = tuple(
            (builder.port_of(r.a, parallel=r.parallel), builder.port_of(r.b)) for r in net.redexes
        )
        defs.append(
            FlatDef(name, fid, name not in unsafe, root, tuple(map(tuple, builder.nodes)), redexes, len(builder.vars))
        )
    return FlatBook(tuple(defs), fids)


def flatten_net(net: Net, fids: dict[str, int], name: str = "<boot>") -> FlatDef:
    """A net that is no definition of the book (a run's starting net), with the book's fids."""
    builder = _DefBuilder(fids)
    root = builder.port_of(net.root)
    redexes = tuple((builder.port_of(r.a, parallel=r.parallel), builder.port_of(r.b)) for r in net.redexes)
    return FlatDef(name, -1, False, root, tuple(map(tuple, builder.nodes)), redexes, len(builder.vars))


class _DefBuilder:
    def __init__(self, fids: dict[str, int]):
        self.fids = fids
        self.nodes: list[list[int]] = []
        self.vars: dict[str, int] = {}

    def leaf_port(self, t: Tree, parallel: bool) -> int:
        cls = type(t)
        if cls is Var:
            return port(VAR, self.vars.setdefault(t.name, len(self.vars)))
        if cls is Ref:
            return port(REF, self.fids[t.name] | (PAR_BIT if parallel else 0))
        if cls is Num:
            return port(NUM, t.numb)
        if cls is Era:
            return port(ERA, 0)
        raise TypeError(f"not a tree: {t!r}")

    def port_of(self, tree: Tree, parallel: bool = False) -> int:
        """The port of `tree`, appending its nodes in pre-order (no recursion)."""
        result = [0]
        stack: list[tuple[Tree, list[int], int]] = [(tree, result, 0)]
        while stack:
            t, target, k = stack.pop()
            if type(t) is Node:
                pair = [0, 0]
                target[k] = port(int(t.tag), len(self.nodes))
                self.nodes.append(pair)
                stack.append((t.snd, pair, 1))
                stack.append((t.fst, pair, 0))
            else:
                target[k] = self.leaf_port(t, parallel and t is tree)
        return result[0]
