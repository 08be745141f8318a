"""bend.to_hvm.priority: the redexes of recursive calls are marked to run in parallel."""

from __future__ import annotations

from support import compile_bend

from bend.to_hvm.priority import mark_recursive_calls
from hvm.book import Ref
from hvm.syntax import parse_book


def test_priority_marks_the_calls_of_a_binary_recursion():
    src = "(Fib 0) = 0\n(Fib 1) = 1\n(Fib n) = (+ (Fib (- n 1)) (Fib (- n 2)))\n" \
          "(Sum 0) = 0\n(Sum n) = (+ n (Sum (- n 1)))\n(Id x) = x\n(Two x) = (+ (Id x) (Id x))\nmain = (Fib 5)\n"
    compiled = compile_bend(src)
    parallel = {n: [r.parallel for r in d.net.redexes] for n, d in compiled.hvm.defs.items()}
    assert parallel["Fib__C0"] == [True, True]
    assert parallel["Sum__C0"] == [False]  # one recursive call
    assert parallel["Two"] == [False, False]  # two calls, not recursive
    assert parallel["main"] == [False]


def test_priority_mutual_recursion_counts_as_recursion():
    book = parse_book("@f = (a b) & @g ~ (a b)\n@g = (a c) & @f ~ (a b) & @f ~ (b c)\n"
                      "@h = (a c) & @f ~ (a b) & @g ~ (b c)\n")
    mark_recursive_calls(book)
    assert [r.parallel for r in book.defs["g"].net.redexes] == [True, True]
    assert [r.parallel for r in book.defs["f"].net.redexes] == [False]
    assert [r.parallel for r in book.defs["h"].net.redexes] == [False, False]  # calls the cycle, not in it
    assert all(type(r.a) is Ref for r in book.defs["g"].net.redexes)
