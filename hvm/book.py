"""The HVM2 net language as data: trees, nets, definitions and books.

In:  built by `hvm.syntax.parse_book` (from text) or by the Bend compiler (from terms).
Out: read by `hvm.syntax` (to text), `hvm.validate`, `hvm.flatbook` and every backend.

A tree is one of:
    Var(name)            a wire end; each name occurs exactly twice in a definition
    Era()                `*`, the eraser
    Ref(name)            `@name`, a reference to a definition
    Num(numb)            a number word (see hvm.numbers): `42`, `+1`, `1.5`, `[+]`, `[*0x0000002]`
    Node(tag, fst, snd)  a binary node: CON `(a b)`, DUP `{a b}`, OPR `$(a b)`, SWI `?(a b)`

A net is a root tree plus redexes `& a ~ b` (`&!` marks a parallel one) and chains (a long
literal's redexes kept as one object, see Chain); a definition is `@name = net`; a book maps
names to definitions, in the order they were written.

Source positions (`pos`, a character offset) are kept for error messages only; they take no
part in equality.
"""

from __future__ import annotations

import functools
from array import array
from dataclasses import dataclass, field
from enum import IntEnum


class Tag(IntEnum):
    """Port tags, numbered as in HVM2's memory layout."""

    VAR = 0
    REF = 1
    ERA = 2
    NUM = 3
    CON = 4
    DUP = 5
    OPR = 6
    SWI = 7


NODE_TAGS = (Tag.CON, Tag.DUP, Tag.OPR, Tag.SWI)


@dataclass(frozen=True, slots=True)
class Var:
    name: str
    pos: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Era:
    pos: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Ref:
    name: str
    pos: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Num:
    numb: int
    pos: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Node:
    tag: Tag
    fst: "Tree"
    snd: "Tree"
    pos: int | None = field(default=None, compare=False, repr=False)


Tree = Var | Era | Ref | Num | Node


@dataclass(frozen=True, slots=True)
class Redex:
    """`& a ~ b`; `parallel` is the `&!` hint (only the GPU scheduler uses it)."""

    a: Tree
    b: Tree
    parallel: bool = False


@dataclass(frozen=True, slots=True)
class Chain:
    """The redexes of a long literal (a string, or a list of numbers), as one object: for each
    number word n_i of `numbs`, `& @cons ~ (n_i (w_i+1 w_i))`, where w_0 is the wire `head`
    and w_len is `@nil`. Written out, a million-character string is four million trees;
    kept like this, the net passes skip it and hvm.flatbook lays it out without a loop per node.
    It stands for those redexes, after the net's other redexes (`expand_chain`)."""

    cons: str
    nil: str
    numbs: array  # ("I": u32 number words, at least one)
    head: Var


@dataclass(slots=True)
class Net:
    root: Tree
    redexes: list[Redex] = field(default_factory=list)
    chains: list[Chain] = field(default_factory=list)

    @property
    def reducible(self) -> bool:
        """Whether the net has redexes (written out or in chains): not a value yet."""
        return bool(self.redexes or self.chains)


@dataclass(slots=True)
class Definition:
    name: str
    net: Net
    pos: int | None = field(default=None, compare=False, repr=False)


@dataclass(slots=True)
class Book:
    """Definitions by name, in source order. `source` and `path` serve error messages."""

    defs: dict[str, Definition] = field(default_factory=dict)
    source: str | None = field(default=None, compare=False, repr=False)
    path: str | None = field(default=None, compare=False, repr=False)


@functools.lru_cache(maxsize=None)
def var_name(k: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa, 27 -> ab, ..."""
    name = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        name = chr(97 + r) + name
    return name


def iter_subtrees(tree: Tree):
    """Every tree inside `tree`, itself included, in pre-order (left to right); no recursion."""
    stack = [tree]
    while stack:
        t = stack.pop()
        yield t
        if type(t) is Node:
            stack.append(t.snd)
            stack.append(t.fst)


def closed(t: Tree) -> bool:
    """Whether every wire in `t` has both its ends in `t`."""
    open_ends: set[str] = set()
    stack = [t]
    while stack:
        x = stack.pop()
        if type(x) is Var:
            open_ends ^= {x.name}
        elif type(x) is Node:
            stack += (x.fst, x.snd)
    return not open_ends


def iter_net_trees(net: Net):
    """The root and then each redex's two sides, in the order HVM2 numbers their nodes; then,
    for each chain, `(@cons (@nil head))`: what the chain refers to and where it is wired, for
    the passes that look for references or wire ends (its own nodes are not there: count them
    with `chain_nodes`)."""
    yield net.root
    for redex in net.redexes:
        yield redex.a
        yield redex.b
    for chain in net.chains:
        yield Node(Tag.CON, Ref(chain.cons), Node(Tag.CON, Ref(chain.nil), chain.head))


def chain_nodes(chain: Chain) -> int:
    return 2 * len(chain.numbs)


def expand_chain(chain: Chain, fresh) -> list[Redex]:
    """The redexes a chain stands for, its inner wires named by `fresh()` (one call per wire)."""
    redexes, out = [], chain.head
    last = len(chain.numbs) - 1
    for i, numb in enumerate(chain.numbs):
        tail = Ref(chain.nil) if i == last else Var(fresh())
        redexes.append(Redex(Ref(chain.cons), Node(Tag.CON, Num(numb), Node(Tag.CON, tail, out))))
        out = tail
    return redexes


def expand_chains(net: Net) -> Net:
    """The same net with its chains written out as redexes (new wires named as var_name names
    them, after the names the net has)."""
    if not net.chains:
        return net
    taken = {t.name for tree in iter_net_trees(net) for t in iter_subtrees(tree) if type(t) is Var}
    count = [len(taken)]

    def fresh() -> str:
        while True:
            name = var_name(count[0])
            count[0] += 1
            if name not in taken:
                return name

    redexes = list(net.redexes)
    for chain in net.chains:
        redexes += expand_chain(chain, fresh)
    return Net(net.root, redexes)
