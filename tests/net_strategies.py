"""Hypothesis strategies for well-formed HVM2 books and nets.

Every variable of a generated net occurs exactly twice, every `@ref` names a definition of the
book, and `@main` exists: what `hvm.validate` accepts.
"""

from __future__ import annotations

import string

from hypothesis import strategies as st

from hvm import numbers as N
from hvm.book import NODE_TAGS, Book, Definition, Era, Net, Node, Num, Redex, Ref, Var  # noqa: F401

NAME_CHARS = string.ascii_letters + string.digits + "_.-/$"
VAR_FIRST = string.ascii_letters + "_./"

# a name may not start with `//`: that starts a comment (as in HVM2)
var_names = st.builds(lambda a, b: a + b, st.sampled_from(VAR_FIRST), st.text(NAME_CHARS, max_size=5)).filter(
    lambda n: not n.startswith("//"))
ref_names = st.text(NAME_CHARS, min_size=1, max_size=8).filter(lambda n: not n.startswith("//"))

u24s = st.integers(0, N.MASK24).map(N.new_u24)
i24s = st.integers(-(1 << 23), (1 << 23) - 1).map(N.new_i24)
f24s = st.integers(0, N.MASK24).map(lambda p: N.numb(p, N.F24)).filter(lambda n: N.get_f24(n) == N.get_f24(n))
operators = st.sampled_from(sorted(N.OPERATOR_SYMBOLS))
casts = st.sampled_from(sorted(N.TYPE_NAMES))
any_numbs = st.one_of(
    u24s, i24s, f24s, st.just(N.parse_float("NaN")),
    operators.map(N.new_sym), casts.map(N.new_sym),
    st.builds(N.numb, st.integers(0, N.MASK24), operators),
)

HOLE = ("hole",)  # a variable occurrence, named once the whole net is drawn


def shapes(numbs, refs: list[str], max_leaves: int):
    leaves = [st.just(HOLE), st.just(HOLE), st.just(("era",)), numbs.map(lambda n: ("num", n))]
    if refs:
        leaves.append(st.sampled_from(refs).map(lambda r: ("ref", r)))
    return st.recursive(
        st.one_of(leaves),
        lambda kids: st.tuples(st.sampled_from(NODE_TAGS), kids, kids),
        max_leaves=max_leaves,
    )


@st.composite
def nets(draw, refs: list[str], numbs=any_numbs, max_redexes: int = 3, max_leaves: int = 10) -> Net:
    shape = shapes(numbs, refs, max_leaves)
    root = draw(shape)
    pairs = draw(st.lists(st.tuples(shape, shape, st.booleans()), max_size=max_redexes))
    holes = count_holes(root) + sum(count_holes(a) + count_holes(b) for a, b, _ in pairs)
    names = draw(st.lists(var_names, min_size=(holes + 1) // 2, max_size=(holes + 1) // 2, unique=True))
    order = draw(st.permutations(range(holes)))
    # hole k gets the name of the pair it is in; with an odd count the last hole is an eraser
    slot_names = [None] * holes
    for i in range(holes // 2):
        slot_names[order[2 * i]] = slot_names[order[2 * i + 1]] = names[i]
    counter = iter(slot_names)
    build = lambda s: to_tree(s, counter)  # noqa: E731
    root_tree = build(root)
    return Net(root_tree, [Redex(build(a), build(b), par) for a, b, par in pairs])


def count_holes(shape) -> int:
    if shape == HOLE:
        return 1
    if shape[0] in NODE_TAGS:
        return count_holes(shape[1]) + count_holes(shape[2])
    return 0


def to_tree(shape, names):
    if shape == HOLE:
        name = next(names)
        return Var(name) if name is not None else Era()
    kind = shape[0]
    if kind in NODE_TAGS:
        return Node(kind, to_tree(shape[1], names), to_tree(shape[2], names))
    if kind == "era":
        return Era()
    if kind == "num":
        return Num(shape[1])
    return Ref(shape[1])


@st.composite
def books(draw, max_defs: int = 4) -> Book:
    others = draw(st.lists(ref_names.filter(lambda n: n != "main"), max_size=max_defs - 1, unique=True))
    names = ["main", *others]
    order = draw(st.permutations(names))
    return Book({name: Definition(name, draw(nets(names))) for name in order})


# A book of small definitions for random nets to call (none recursive, so runs end quickly),
# and small numbers and operators that make OPER and SWIT do something.
HELPERS = """
@id = (a a)
@four = 4
@dup = ({a b} (a b))
@pair = (a (b (a b)))
@add = ($([+] $(a b)) (a b))
@sw = (?((0 ($([+1] a) a)) b) b)
"""
HELPER_NAMES = ["id", "four", "dup", "pair", "add", "sw"]
small_numbs = st.one_of(
    st.integers(0, 5).map(N.new_u24),
    st.sampled_from([N.ADD, N.SUB, N.MUL, N.LT, N.EQ]).map(N.new_sym),
    st.builds(N.numb, st.integers(0, 5), st.sampled_from([N.ADD, N.MUL, N.FP_SUB])),
)


def main_with_helpers(net: Net) -> str:
    """The text of a book whose @main is `net`, with HELPERS beside it."""
    from hvm.syntax import parse_book, show_book

    book = parse_book(HELPERS)
    book.defs = {"main": Definition("main", net), **book.defs}
    return show_book(book)
