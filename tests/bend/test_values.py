"""bend.values: Python values as trees in the compiler's encoding of data, and back."""

from __future__ import annotations

import pytest

import bend
from bend import values
from hvm.book import Node, Num, Ref, Tag, Var
from hvm.syntax import show_tree


@pytest.fixture(scope="module")
def prog():
    return bend.compile("type Color:\n  Red\n  Green\n  Blue\n\ndef id(x):\n  return x\n", backend="py")


def decoder(prog):
    return values.Decoder(prog._data, prog.compiled.hvm.defs, prog._term)


def tree_of(prog, value, typ=None):
    return values.Encoder(prog._data).tree(value, typ)


def test_a_constructor_is_the_tree_of_its_num_scott_value(prog):
    # List/Cons(1, List/Nil) = λk (k List/Cons/tag 1 List/Nil), as the runtime leaves it
    assert show_tree(tree_of(prog, [1])) == "((@List/Cons/tag (1 (((@List/Nil/tag w1) w1) w2))) w2)"
    assert show_tree(tree_of(prog, prog.Color.Blue())) == "((@Color/Blue/tag w1) w1)"
    assert show_tree(tree_of(prog, (1, 2.5, -1))) == "(1 (2.5 -1))"


def test_a_dict_is_the_trie_map_set_builds(prog):
    # key 2: even, so left (as 1); 1: odd, so right (as 0): the value is there
    read = decoder(prog)
    assert read.result(tree_of(prog, {2: 7})) == {2: 7}
    trie = read.match(tree_of(prog, {2: 7}))
    assert trie[0].name == "Map/Node" and read.match(trie[1][0])[0].name == "Maybe/None"
    left = read.match(trie[1][1])
    assert left[0].name == "Map/Node" and read.match(left[1][1])[0].name == "Map/Leaf"
    right = read.match(left[1][2])
    some = read.match(right[1][0])
    assert some[0].name == "Maybe/Some" and read.value(some[1][0]) == 7


def test_a_map_with_a_value_no_key_reaches_is_not_a_dict(prog):
    encoder = values.Encoder(prog._data)
    info = prog._data.ctors
    leaf = encoder.ctor(info["Map/Leaf"], ())
    some = encoder.ctor(info["Maybe/Some"], (Num(numbers_u24(5)),))
    none = encoder.ctor(info["Maybe/None"], ())
    # a value one step to the left of the root: the key would be 0, which is the root's
    bad = encoder.ctor(info["Map/Node"], (none, encoder.ctor(info["Map/Node"], (some, leaf, leaf)), leaf))
    assert isinstance(decoder(prog).result(bad), bend.Term)


def numbers_u24(n: int) -> int:
    from hvm import numbers

    return numbers.new_u24(n)


def test_100000_deep_values_convert_both_ways(prog):
    n = 100_000
    nat = bend.Nat.Zero()
    for _ in range(n):
        nat = bend.Nat.Succ(nat)
    back = decoder(prog).result(tree_of(prog, nat))
    depth = 0
    while isinstance(back, bend.Nat.Succ):
        back, depth = back.pred, depth + 1
    assert depth == n and back == bend.Nat.Zero()


@pytest.mark.slow
def test_100000_deep_lists_convert_both_ways(prog):
    n = 100_000
    nested: list = []
    for _ in range(n):
        nested = [nested]
    back = decoder(prog).result(tree_of(prog, nested))
    depth = 0
    while back:
        (back,) = back
        depth += 1
    assert depth == n


def test_a_tree_that_shares_a_wire_with_the_rest_is_not_data(prog):
    # λx (x, 1) written as a pair whose first item is a wire of the second
    x = Var("x")
    with pytest.raises(values.NotData):
        decoder(prog).value(Node(Tag.CON, x, Node(Tag.CON, x, Num(numbers_u24(1)))).fst)


def test_types_of_one_shape_share_a_class_and_keywords_get_an_underscore():
    first = bend.compile("type Color:\n  Red\n  None\n", backend="py").Color
    second = bend.compile("type Color:\n  Red\n  None\ndef f():\n  return 1\n", backend="py").Color
    assert first is second and first.None_ is getattr(first, "None")
    assert values.attribute_name("class") == "class_" and values.attribute_name("a-b") == "a_b"


def test_references_to_generated_plain_trees_are_read_through(prog):
    assert decoder(prog).result(Ref("List/Nil")) == []
    assert decoder(prog).result(Ref("String/Nil")) == ""
    assert decoder(prog).result(Ref("Map/Leaf")) == {}
