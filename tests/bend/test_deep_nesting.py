"""Deeply nested terms compile, in time linear in their depth (issue 11; bench/deep_nesting.py
times them): every walk over a term in bend.ast and the desugaring passes is a loop or has room
to recurse, so no depth a program can be written with stops the compiler."""

import pytest

from bend.compiler import compile_source
from hvm.syntax import show_book


def main_net(source: str) -> str:
    book = compile_source(source).hvm
    return show_book(book).split("@main = ", 1)[1].split("\n\n", 1)[0]


@pytest.mark.parametrize("n", [20_000, pytest.param(100_000, marks=pytest.mark.slow)])
def test_nested_lists(n):
    net = main_net("def main():\n  return " + "[" * n + "]" * n + "\n")
    assert net.count("& @List/Cons ~") == n - 1  # the innermost `[]` is List/Nil


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["sums", "lambdas", "parens"])
def test_other_shapes_100_000_deep(shape):
    n = 100_000
    if shape == "sums":
        net = main_net("def main():\n  return " + "(1 + " * n + "1" + ")" * n + "\n")
        assert net.count("~ [+0x0000001]") == n
    elif shape == "lambdas":
        net = main_net("main = " + "".join(f"λx{i} " for i in range(n)) + "1\n")
        assert net.count("(*") == n
    else:
        assert main_net("def main():\n  return " + "(" * n + "1" + ")" * n + "\n") == "1"
