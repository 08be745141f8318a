"""Results of any size read back (issue 11): a list of a million numbers, a string of two million
characters, through every stage a result passes (the runtime's readback, the Bend readback and
its passes, the printers, the Python API), with no RecursionError and in linear time. The
default suite reads 200,000 items (far past Python's recursion limit); the full sizes are slow."""

from __future__ import annotations

import itertools

import pytest
from typer.testing import CliRunner

import bend
import bend.to_hvm.readback as readback_module
from bend.cli import app
from bend.to_hvm.pretty import show_pretty
from bend.to_hvm.readback import readback, show
from hvm import numbers
from hvm.book import Node, Num, Ref, Tag, Var
from hvm.syntax import parse_tree

runner = CliRunner()

LIST = """
def build(n, acc):
  if n == 0:
    return acc
  else:
    return build(n - 1, List/Cons(n, acc))

def main():
  return build({n}, [])
"""

STRING = """
def build(n, acc):
  if n == 0:
    return acc
  else:
    return build(n - 1, String/Cons(97 + n % 26, acc))

def main():
  return build({n}, "")
"""

PAIRS = """
def build(n, acc):
  if n == 0:
    return acc
  else:
    return build(n - 1, List/Cons((n, "a"), acc))

def main():
  return build({n}, [])
"""


def expected_string(n: int) -> str:
    return "".join(chr(97 + i % 26) for i in range(1, n + 1))


def run_c(tmp_path, source: str, *flags: str):
    path = tmp_path / "big.bend"
    path.write_text(source)
    result = runner.invoke(app, ["run-c", str(path), *flags])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0, result.output[-2000:]
    return result.stdout


def check_list(stdout: str, n: int) -> None:
    assert stdout.startswith("Result: [1, 2, 3, ")
    assert stdout.endswith(f", {n - 1}, {n}]\n")
    assert stdout.count(", ") == n - 1


@pytest.mark.parametrize("n", [200_000, pytest.param(1_000_000, marks=pytest.mark.slow)])
def test_a_big_list_reads_back(tmp_path, n):
    check_list(run_c(tmp_path, LIST.format(n=n)), n)


@pytest.mark.parametrize("n", [200_000, pytest.param(2_000_000, marks=pytest.mark.slow)])
def test_a_big_string_reads_back(tmp_path, n):
    assert run_c(tmp_path, STRING.format(n=n)) == f'Result: "{expected_string(n)}"\n'


@pytest.mark.parametrize("n", [100_000, pytest.param(1_000_000, marks=pytest.mark.slow)])
def test_the_python_api_returns_a_big_list(n):
    assert bend.run(LIST.format(n=n)) == list(range(1, n + 1))


def test_the_python_api_returns_a_big_string():
    n = 100_000
    assert bend.run(STRING.format(n=n)) == expected_string(n)


def test_a_big_list_of_pairs_and_strings():
    n = 50_000
    assert bend.run(PAIRS.format(n=n)) == [(i, "a") for i in range(1, n + 1)]


def test_a_big_list_pretty_printed(tmp_path):
    n = 50_000
    stdout = run_c(tmp_path, LIST.format(n=n), "-p")
    assert stdout == "Result:\n[" + " ".join(str(i) for i in range(1, n + 1)) + "]\n"


def test_a_big_list_under_the_scott_encoding(tmp_path):
    n = 5_000  # (every cell is read as a term there: the general path, deeper than Python's limit)
    check_list(run_c(tmp_path, LIST.format(n=n), "-Oadt-scott"), n)


# -- the readback itself, on trees made here


def cons(tail, head, kind="List"):
    wire = Var(f"w{id(tail)}")
    return Node(Tag.CON, Node(Tag.CON, Ref(f"{kind}/Cons/tag"), Node(Tag.CON, head, Node(Tag.CON, tail, wire))), wire)


def test_a_deep_list_of_terms_that_are_not_data():
    """Items that need the passes after reading (a λ each): the general path, as deep as the list."""
    n = 10_000
    tree = Ref("List/Nil")
    for i in range(n):
        tree = cons(tree, Node(Tag.CON, Var(f"x{i}"), Var(f"x{i}")))
    text = show(readback(tree))
    assert text.startswith("[λa a, λb b, ") and text.count("λ") == n


def test_a_deeply_nested_list():
    n = 20_000
    tree = Ref("List/Nil")
    for _ in range(n):
        tree = cons(Ref("List/Nil"), tree)
    term = readback(tree)
    assert show(term) == "[" * (n + 1) + "]" * (n + 1)  # (the innermost item is [])
    assert show_pretty(term) == "[" * (n + 1) + "]" * (n + 1)


WIRES = itertools.count()


def tree_text(cells: list, kind: str = "List", nil: str | None = None) -> str:
    tail = nil or f"@{kind}/Nil"
    for head in reversed(cells):
        wire = f"c{next(WIRES)}"
        tail = f"((@{kind}/Cons/tag ({head} ({tail} {wire}))) {wire})"
    return tail


def string_text(text: str) -> str:
    return tree_text([str(ord(c)) for c in text], "String")


NIL_CELL = "((@List/Nil/tag n) n)"
SHAPES = [
    tree_text(["1", "2"]), tree_text(["1", "2"], nil=NIL_CELL), NIL_CELL, string_text("hi"),
    tree_text(["104", "105"], "String", nil="((@String/Nil/tag n) n)"), tree_text(["(x x)", "2", "3"]),
    tree_text(["1", "2"], nil="@String/Nil"), tree_text(["1", "2"], "String", nil="@List/Nil"),
    tree_text([string_text("h"), tree_text(["1", "2"]), "7"]), tree_text([tree_text(["(x x)"]), "7"]),
    tree_text([tree_text([tree_text(["1"])]), "7"]), f"({tree_text(['1'])} {tree_text(['2'])})",
    f"{{{tree_text(['1'])} {tree_text(['2'])}}}", tree_text(["+1", "105", "106"], "String"),
    tree_text(["104", "+1", "106"], "String"), tree_text(["1", "2"], nil="x"), f"(x {tree_text(['1'])})",
    f"({tree_text(['1'])} x)", f"{{a {tree_text(['1', '2'])}}}", tree_text(["1", "1.5", "+3", "@foo"]),
    tree_text(["(1 2)", "(3 (4 5))", "((6 7) 8)"]), tree_text(["(1 *)", "(* 1)", "(1 x)"]),
    tree_text(["@String/Nil", "@List/Nil", "(@List/Nil @String/Nil)"]),
    tree_text([string_text("ab"), f"({string_text('c')} {tree_text(['1'])})"]),
    tree_text(["(1 2)", "(x x)", "(3 4)"]), tree_text(["{1 2}", "3"]), tree_text(["@main__C0", "3"]),
    f"((1 2) {tree_text(['(a b)', '(b a)'])})",
]


@pytest.mark.parametrize("text", SHAPES)
def test_strings_and_lists_read_straight_from_the_tree_read_as_before(text, monkeypatch):
    """The loop that reads plain strings and lists (readback.Chains) gives what reading every
    cell as a term and resugaring it gives."""
    tree = parse_tree(text)
    fast = show(readback(tree))
    monkeypatch.setattr(readback_module.Chains, "find", lambda self, t: None)
    assert fast == show(readback(tree))


def test_a_number_leaf_is_shared_safely():
    """(Leaves of the runtime's readback are one object each: the term of each place is its own.)"""
    same = Num(numbers.new_u24(5))
    tree = cons(cons(Ref("List/Nil"), same), same)
    term = readback(tree)
    assert show(term) == "[5, 5]" and term.items[0] is not term.items[1]
