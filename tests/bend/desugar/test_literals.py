"""bend.desugar.literals: strings, lists, trees, tuples and superpositions (and their patterns) become
constructors and pairs."""

from __future__ import annotations

from passes_support import stage, shown, nodes

from bend import ast


LITERALS = """\
S = "hi"
L = [1, 2]
T = ![!1 !2]
Tup = (1, 2, 3)
Sup3 = {1 2 3}
Swap = λ(a, b) (b, a)
(F "a") = 1
(F x) = 2
(G [a, b]) = a
(G x) = 0
(H (a, b, c)) = c
main = 0
"""


def test_literals_strings_lists_and_trees_become_constructor_applications():
    out = shown(LITERALS, "literals")
    assert out["S"] == "S = (String/Cons 104 (String/Cons 105 String/Nil))"
    assert out["L"] == "L = (List/Cons 1 (List/Cons 2 List/Nil))"
    assert out["T"] == "T = (Tree/Node (Tree/Leaf 1) (Tree/Leaf 2))"


def test_literals_tuples_and_superpositions_become_right_nested_pairs():
    out = shown(LITERALS, "literals")
    assert out["Tup"] == "Tup = (1, (2, 3))"
    assert out["Sup3"] == "Sup3 = {1 {2 3}}"


def test_literals_a_destructuring_lambda_binds_a_name_and_lets_it():
    assert shown(LITERALS, "literals")["Swap"] == "Swap = λa let (b, c) = a; (c, b)"


def test_literals_string_list_and_tuple_patterns():
    out = shown(LITERALS, "literals")
    assert out["F"].startswith("(F (String/Cons 97 (String/Nil))) = 1")
    assert out["G"].startswith("(G (List/Cons a (List/Cons b (List/Nil)))) = a")
    assert out["H"] == "(H (a, (b, c))) = c"
    book, _ = stage(LITERALS, "literals")
    no_sugar = (ast.Str, ast.List, ast.TreeNode, ast.TreeLeaf)
    for d in book.defs.values():
        for x in nodes(d.rules[0].body):
            assert type(x) not in no_sugar
            assert type(x) not in (ast.Tuple, ast.Sup) or len(x.items) == 2
