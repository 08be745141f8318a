"""hvm.readback: read_back_words (a runtime's memory read in one loop, a list's cell in one step)
gives what read_back gives (a call per node and per var chain), on results and on random memory."""

from __future__ import annotations

import random

import pytest

from hvm import readback
from hvm.book import Era, Node, Num, Ref, Tag, Var
from hvm.errors import HvmError
from hvm.ports import CON, DUP, ERA, NONE, NUM, REF, VAR
from hvm.readback import chain_resolver, new_node, new_num, new_var, read_back, read_back_words
from hvm.syntax import show_tree

NAMES = ["String/Cons/tag", "List/Nil", "main"]


def both(port: int, fst: list[int], snd: list[int], variables: list[int]):
    """(read_back's text or error, read_back_words's), on the same memory."""
    results = []
    for read in (generic, words):
        try:
            results.append(show_tree(read(port, fst, snd, variables)))
        except HvmError as err:
            results.append(("error", err.message))
    return results


def generic(port, fst, snd, variables):
    return read_back(port, lambda i: (fst[i], snd[i]), chain_resolver(variables.__getitem__, len(variables)),
                     NAMES.__getitem__)


def words(port, fst, snd, variables):
    nodes = [f | s << 32 for f, s in zip(fst, snd)]
    return read_back_words(port, nodes, variables, len(variables), NAMES.__getitem__)


def port(tag: int, val: int) -> int:
    return val << 3 | tag


class Memory:
    """Nodes and vars laid out by hand: cells of lists, wires through chains of vars."""

    def __init__(self):
        self.fst, self.snd, self.vars = [0], [0], [NONE]

    def node(self, tag: int, fst: int, snd: int) -> int:
        self.fst.append(fst)
        self.snd.append(snd)
        return port(tag, len(self.fst) - 1)

    def var(self, target: int = NONE) -> int:
        self.vars.append(target)
        return port(VAR, len(self.vars) - 1)

    def via(self, p: int, steps: int) -> int:
        """A port that reaches `p` through `steps` substituted vars."""
        for _ in range(steps):
            p = self.var(p)
        return p

    def cell(self, head: int, tail: int, steps: int = 0, ref: int = port(REF, 0)) -> int:
        """((ref (head (tail w))) w), each link through `steps` vars."""
        w = self.var()
        d = self.node(CON, tail, self.via(w, steps))
        c = self.node(CON, head, self.via(d, steps))
        b = self.node(CON, ref, self.via(c, steps))
        return self.node(CON, self.via(b, steps), self.via(w, steps))

    def read(self, p: int):
        return both(p, self.fst, self.snd, self.vars)


@pytest.mark.parametrize("steps", [0, 1, 3])
@pytest.mark.parametrize("seen_after", [1 << 13, 2])
def test_lists_read_the_same(monkeypatch, steps, seen_after):
    monkeypatch.setattr(readback, "SEEN_AFTER", seen_after)
    m = Memory()
    tail = port(REF, 1)
    for i in range(50):
        head = port(NUM, i) if i % 3 else m.var()  # (a free wire in some heads: named in order)
        tail = m.cell(m.via(head, steps), m.via(tail, steps), steps)
    old, new = m.read(tail)
    assert old == new and "String/Cons/tag" in new


def test_cells_whose_parts_are_nodes_or_wires():
    m = Memory()
    w = m.var()
    pair = m.node(CON, port(NUM, 7), w)
    inner = m.cell(port(NUM, 1), port(REF, 1))
    x = m.node(DUP, port(ERA, 0), w)  # (x is a node here, not the tag's reference)
    tail = m.cell(pair, inner, ref=x)
    tail = m.cell(m.node(CON, tail, port(NUM, 2)), port(REF, 1), 1)
    old, new = m.read(tail)
    assert old == new and "{* a}" in new


def test_a_cycle_is_an_error_either_way():
    m = Memory()
    loop = m.var()
    top = m.cell(port(NUM, 1), loop)
    m.vars[loop >> 3] = top  # the tail is the cell itself
    old, new = m.read(top)
    assert old == new and old[0] == "error"


@pytest.mark.parametrize("seen_after, seen_bytes", [(1 << 13, 1 << 25), (2, 1 << 25), (2, 6)])
def test_random_memory_reads_the_same(monkeypatch, seen_after, seen_bytes):
    """Random nodes and vars (cells among them, cycles, shared nodes, var loops): the same tree,
    or the same error (with the nodes read marked in a set, a bytearray, or both)."""
    monkeypatch.setattr(readback, "SEEN_AFTER", seen_after)
    monkeypatch.setattr(readback, "SEEN_BYTES", seen_bytes)
    rng = random.Random(11)
    for trial in range(400):
        m = Memory()
        n = rng.randint(1, 30)
        for _ in range(rng.randint(0, 4)):
            m.cell(port(NUM, rng.randint(0, 9)), port(REF, 1), rng.randint(0, 2))
        for _ in range(n):
            m.var(NONE)
        for _ in range(n):
            m.node(rng.choice([CON, CON, DUP]), 0, 0)

        def any_port(m=m):
            kind = rng.random()
            if kind < 0.3:
                return port(rng.choice([CON, CON, DUP]), rng.randint(1, len(m.fst) - 1))
            if kind < 0.6:
                return port(VAR, rng.randint(1, len(m.vars) - 1))
            return rng.choice([port(NUM, rng.randint(0, 9)), port(REF, rng.randint(0, 2)), port(ERA, 0)])

        for i in range(len(m.fst) - n, len(m.fst)):
            m.fst[i], m.snd[i] = any_port(), any_port()
        for v in range(1, len(m.vars)):
            if rng.random() < 0.4:
                m.vars[v] = any_port()
        for _ in range(3):
            start = any_port()
            old, new = m.read(start)
            assert old == new, (trial, start)


def test_trees_made_without_their_init_are_the_same_objects():
    n = new_node(Tag.CON, new_var("a"), new_num(5))
    assert type(n) is Node and type(n.fst) is Var and type(n.snd) is Num
    assert n == Node(Tag.CON, Var("a"), Num(5)) and hash(n) == hash(Node(Tag.CON, Var("a"), Num(5)))
    assert n.pos is None and n.fst.pos is None and n.snd.pos is None
    assert repr(n) == repr(Node(Tag.CON, Var("a"), Num(5)))
    with pytest.raises(AttributeError):
        n.tag = Tag.DUP  # (frozen, as any Node)
    assert Era() == Era() and Ref("x") == Ref("x")
