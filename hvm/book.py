"""The HVM2 net language as data: trees, nets, definitions and books.

In:  built by `hvm.syntax.parse_book` (from text) or by the Bend compiler (from terms).
Out: read by `hvm.syntax` (to text), `hvm.validate`, `hvm.flatbook` and every backend.

A tree is one of:
    Var(name)            a wire end; each name occurs exactly twice in a definition
    Era()                `*`, the eraser
    Ref(name)            `@name`, a reference to a definition
    Num(numb)            a number word (see hvm.numbers): `42`, `+1`, `1.5`, `[+]`, `[*0x0000002]`
    Node(tag, fst, snd)  a binary node: CON `(a b)`, DUP `{a b}`, OPR `$(a b)`, SWI `?(a b)`

A net is a root tree plus redexes `& a ~ b` (`&!` marks a parallel one); a definition is
`@name = net`; a book maps names to definitions, in the order they were written.

Source positions (`pos`, a character offset) are kept for error messages only; they take no
part in equality.
"""

from __future__ import annotations

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


@dataclass(slots=True)
class Net:
    root: Tree
    redexes: list[Redex] = field(default_factory=list)


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


def iter_subtrees(tree: Tree):
    """Every tree inside `tree`, itself included, in pre-order (left to right); no recursion."""
    stack = [tree]
    while stack:
        t = stack.pop()
        yield t
        if type(t) is Node:
            stack.append(t.snd)
            stack.append(t.fst)


def iter_net_trees(net: Net):
    """The root and then each redex's two sides, in the order HVM2 numbers their nodes."""
    yield net.root
    for redex in net.redexes:
        yield redex.a
        yield redex.b
