"""hvm.syntax: parsing and printing HVM2's text format."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from support import HVM_PROGRAMS

from hvm import numbers as N
from hvm.book import Era, Node, Num, Ref, Tag, Var
from hvm.errors import ParseError
from hvm.syntax import parse_book, parse_tree, show_book, show_tree
from net_strategies import books

SHARED_NETS = sorted(HVM_PROGRAMS.glob("*.hvm"))


@pytest.mark.parametrize("path", SHARED_NETS, ids=lambda p: p.stem)
def test_shared_nets_print_back_exactly(path):
    text = path.read_text()
    assert show_book(parse_book(text, str(path))) == text


@pytest.mark.slow
@given(books())
@settings(max_examples=300, deadline=None)
def test_print_parse_round_trip(book):
    text = show_book(book)
    parsed = parse_book(text)
    assert parsed == book
    assert show_book(parsed) == text


def test_every_kind_of_tree():
    tree = parse_tree("(a {* $(@f ?(1 [+]))})")
    assert tree == Node(
        Tag.CON,
        Var("a"),
        Node(Tag.DUP, Era(), Node(Tag.OPR, Ref("f"), Node(Tag.SWI, Num(N.new_u24(1)), Num(N.new_sym(N.ADD))))),
    )


@pytest.mark.parametrize(
    "text, numb",
    [
        ("42", N.new_u24(42)),
        ("0x1F", N.new_u24(31)),
        ("0b101", N.new_u24(5)),
        ("+5", N.new_i24(5)),
        ("-12", N.new_i24(-12)),
        ("1.5", N.new_f24(1.5)),
        ("-0.25", N.new_f24(-0.25)),
        ("+inf", N.new_f24(float("inf"))),
        ("-inf", N.new_f24(float("-inf"))),
        ("[+]", N.new_sym(N.ADD)),
        ("[:-]", N.new_sym(N.FP_SUB)),
        ("[<<]", N.new_sym(N.SHL)),
        ("[:>>]", N.new_sym(N.FP_SHR)),
        ("[!]", N.new_sym(N.NEQ)),
        ("[u24]", N.new_sym(N.U24)),
        ("[f24]", N.new_sym(N.F24)),
        ("[+1]", N.numb(1, N.ADD)),
        ("[+0x0000001]", N.numb(1, N.ADD)),
        ("[*2]", N.numb(2, N.MUL)),
        ("[-+1]", N.numb(1, N.SUB)),
        ("[+-1]", N.numb(0xFFFFFF, N.ADD)),
        ("[<<3]", N.numb(3, N.SHL)),
        ("[ * 2 ]", N.numb(2, N.MUL)),
    ],
)
def test_number_literals(text, numb):
    assert parse_tree(text) == Num(numb)


def test_nan_literal_is_nan():
    (num,) = [parse_tree("+NaN")]
    value = N.get_f24(num.numb)
    assert value != value
    assert show_tree(num) == "+NaN"


def test_trivia_between_tokens_and_comments():
    text = """
    // a comment before the first definition
    @main = $ ( a b )   // the root
      & @ id ~ ( [+1] // inside a node
        b )
      &!@id ~ (c (c a))
    @id = (x x)
    """
    book = parse_book(text)
    assert list(book.defs) == ["main", "id"]
    net = book.defs["main"].net
    assert [r.parallel for r in net.redexes] == [False, True]
    assert show_tree(net.root) == "$(a b)"
    assert show_tree(net.redexes[0].b) == "([+0x0000001] b)"


def test_underscore_splits_a_number_as_in_hvm2():
    # `1_000` is the number 1 followed by a variable `_000`: inside a node that is three trees
    with pytest.raises(ParseError, match="expected `\\)`"):
        parse_tree("(1_000 a)")


def test_deep_trees_parse_and_print_without_recursion():
    depth = 100_000
    text = "(1 " * depth + "*" + ")" * depth
    tree = parse_tree(text)
    assert show_tree(tree) == text


def parse_error(text: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse_book(text, "bad.hvm")
    return info.value


@pytest.mark.parametrize(
    "text, message, line, col",
    [
        ("@main = (a b", "expected `)` to close the `(` opened at 1:9", 1, 13),
        ("@main = (a b c)", "expected `)` to close the `(`", 1, 14),
        ("@main = ]", "expected a tree, found `]`", 1, 9),
        ("@main (a a)", "expected `=` after `@main`", 1, 7),
        ("main = *", "expected a definition", 1, 1),
        ("@main = * & * *", "expected `~`", 1, 15),
        ("@main = *\n  & (a b) ~", "unexpected end of file, expected a tree", 2, 12),
        ("@main = *\n  & (a b) ~\n\n", "unexpected end of file, expected a tree", 2, 12),
        ("@main = [+1", "expected `]`", 1, 12),
        ("@main = [?]", "unknown operator", 1, 10),
        ("@main = [u24 1]", "a cast `[u24]` takes no operand", 1, 14),
        ("@main = 16777216", "does not fit in u24", 1, 9),
        ("@main = +8388608", "does not fit in i24", 1, 9),
        ("@main = 12abc", "not a valid number literal", 1, 9),
        ("@main = 1.2.3", "not a valid f24 literal", 1, 9),
        ("@main = $ a", "expected `(` after `$`", 1, 11),
        ("@main = @", "expected a definition name", 1, 10),
        ("@main = *\n@main = *", "@main is defined twice", 2, 1),
        ("@ = *", "expected a definition name", 1, 3),
    ],
)
def test_parse_errors_have_positions(text, message, line, col):
    err = parse_error(text)
    assert message in err.message
    assert err.span.line_col() == (line, col)
    assert err.span.path == "bad.hvm"
