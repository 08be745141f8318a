"""hvm.book.Chain: a long literal's redexes kept as one object. Written out (hvm.syntax), laid
out (hvm.flatbook) and run on every backend, it is the net of its redexes."""

from __future__ import annotations

from array import array

import pytest

from hvm.book import Book, Chain, Definition, Net, Node, Redex, Ref, Tag, Var, expand_chains
from hvm.flatbook import flatten
from hvm.llvm_cpu.backend import NativeBackend
from hvm.numbers import new_u24
from hvm.reference import ReferenceBackend
from hvm.syntax import parse_book, show_book, show_tree
from hvm.validate import validate

# a list as Bend's constructors make it (num-scott), and a sum over it
LIST_DEFS = """
@Cons = (a (b ((0 (a (b c))) c)))
@Nil = ((1 a) a)
@sum = ((@sum_tag a) a)
@sum_tag = (?((@sum_cons (* 0)) a) a)
@sum_cons = (a (b c))
  & @sum ~ (b d)
  & a ~ $([+] $(d c))
"""


def chained_book(numbers: list[int], wrap_head: bool) -> Book:
    """`@main` sums a chain of `numbers` (its head in the root, or in a redex of its own)."""
    book = parse_book(LIST_DEFS)
    numbs = array("I", [new_u24(n) for n in numbers])
    head = Var("h")
    if wrap_head:  # & @sum ~ (h r)
        net = Net(Var("r"), [Redex(Ref("sum"), Node(Tag.CON, head, Var("r")))], [Chain("Cons", "Nil", numbs, head)])
    else:  # the chain's head is the root: the list itself
        net = Net(head, [], [Chain("Cons", "Nil", numbs, head)])
    book.defs["main"] = Definition("main", net)
    return book


@pytest.mark.parametrize("wrap_head", [True, False])
def test_a_chain_lays_out_as_its_redexes_written_out(wrap_head):
    book = chained_book(list(range(1, 40)), wrap_head)
    validate(book)
    text = show_book(book)
    assert "& @Cons ~ (1 (" in text and "(@Nil " in text
    written = parse_book(text)
    assert not written.defs["main"].net.chains
    assert flatten(book) == flatten(written)
    assert show_book(written) == text


def test_expand_chains_names_new_wires_after_the_nets_own():
    net = chained_book([5, 6, 7], True).defs["main"].net
    expanded = expand_chains(net)
    assert [show_tree(r.b) for r in expanded.redexes] == ["(h r)", "(5 (c h))", "(6 (d c))", "(7 (@Nil d))"]


@pytest.mark.parametrize("backend", [ReferenceBackend(), NativeBackend()], ids=["py", "c"])
def test_a_chain_runs_as_its_redexes_do(backend):
    book = chained_book(list(range(1000)), True)
    options = {"threads": 1} if isinstance(backend, NativeBackend) else {}
    chained = backend.run(book, **options)
    written = backend.run(parse_book(show_book(book)), **options)
    assert show_tree(chained.tree) == show_tree(written.tree) == str(sum(range(1000)))
    assert chained.stats.rules == written.stats.rules
