"""stdlib/map.bend and stdlib/tree.bend: every definition, run on the reference evaluator."""

from __future__ import annotations

IMPORTS = "from stdlib/map import *\nfrom stdlib/tree import *\nfrom stdlib/maybe import Maybe/to_list"

MAP_CASES = [
    ("Map/size({3: 30, 0: 5, 8: 80})", "3"),
    ("Map/size(Map/empty)", "0"),
    ("Map/size(Map/delete({1: 1, 2: 2}, 1))", "1"),
    ("Map/is_empty(Map/empty)", "1"),
    ("Map/is_empty(Map/delete({1: 1}, 1))", "1"),
    ("Map/is_empty({0: 0})", "0"),
    ("Map/to_list({3: 30, 0: 5, 8: 80, 5: 50, 2: 20, 16777215: 1})",
     "[(0, 5), (2, 20), (3, 30), (5, 50), (8, 80), (16777215, 1)]"),
    ("Map/to_list(Map/empty)", "[]"),
    ("Map/to_list.go(Map/set(Map/empty, 1, 7), 2, 5)", "[(7, 7)]"),  # key 1 there stands for 5 + 2 * 1
    ("Map/merge_pairs([(1, 10), (4, 40)], [(2, 20), (3, 30)])", "[(1, 10), (2, 20), (3, 30), (4, 40)]"),
    ("Map/merge_pairs([], [(2, 20)])", "[(2, 20)]"),
    ("Map/keys({7: 1, 1: 2, 4: 3})", "[1, 4, 7]"),
    ("Map/keys.go([(5, 0), (6, 0)])", "[5, 6]"),
    ("Map/values({7: 1, 1: 2, 4: 3})", "[2, 3, 1]"),
    ("Map/values.go([(5, 8), (6, 9)])", "[8, 9]"),
    ("Map/to_list(Map/from_list([(4, 1), (2, 2), (4, 3)]))", "[(2, 2), (4, 3)]"),
    ("Map/to_list(Map/from_list([]))", "[]"),
    ("Map/to_list(Map/delete({1: 1, 2: 2}, 1))", "[(2, 2)]"),
    ("Map/to_list(Map/delete({1: 1}, 6))", "[(1, 1)]"),
    ("Map/to_list(Map/delete(Map/empty, 6))", "[]"),
    ("Tuple/first(Map/get_or({1: 5}, 1, 9))", "5"),
    ("Tuple/first(Map/get_or({1: 5}, 2, 9))", "9"),
    ("Map/to_list(Tuple/second(Map/get_or({1: 5}, 2, 9)))", "[(1, 5)]"),  # the map comes back whole
    ("Map/to_list(Map/map_values({1: 1, 2: 2, 9: 3}, lambda v: v * 10))", "[(1, 10), (2, 20), (9, 30)]"),
    ("Map/to_list(Map/union({1: 1, 2: 2}, {2: 9, 3: 3}))", "[(1, 1), (2, 2), (3, 3)]"),
    ("Map/to_list(Map/union(Map/empty, {4: 4}))", "[(4, 4)]"),
    ("Map/to_list(Map/union({4: 4}, Map/empty))", "[(4, 4)]"),
]

TREE = "![![!1, !7], ![!3, ![!2, !5]]]"

TREE_CASES = [
    (f"Tree/size({TREE})", "5"),
    ("Tree/size(!1)", "1"),
    (f"Tree/depth({TREE})", "3"),
    ("Tree/depth(!1)", "0"),
    (f"Tree/sum({TREE})", "18"),
    (f"Tree/to_list(Tree/map({TREE}, lambda x: x * 10))", "[10, 70, 30, 20, 50]"),
    (f"Tree/fold({TREE}, lambda a, b: a + b)", "18"),
    ("Tree/fold(![![!1, !2], !3], lambda a, b: a - b)", "16777212"),  # (1 - 2) - 3 = -4 in u24: the tree's shape
    (f"Tree/min({TREE})", "1"),
    ("Tree/min(![!+2, !-4])", "-4"),
    (f"Tree/max({TREE})", "7"),
    ("Tree/max(![!0.5, !-4.0])", "0.500"),
    (f"Tree/contains({TREE}, 5)", "1"),
    (f"Tree/contains({TREE}, 4)", "0"),
    ("Tree/size(Tree/full(10, 0))", "1024"),
    ("Tree/to_list(Tree/full(2, 9))", "[9, 9, 9, 9]"),
    ("Tree/to_list(Tree/full(0, 9))", "[9]"),
    ("Tree/to_list(Maybe/unwrap(Tree/from_list([1, 2, 3, 4, 5])))", "[1, 2, 3, 4, 5]"),
    ("Tree/depth(Maybe/unwrap(Tree/from_list([1, 2, 3, 4, 5])))", "3"),  # balanced
    ("Tree/depth(Maybe/unwrap(Tree/from_list(List/range(0, 64))))", "6"),
    ("Maybe/to_list(Tree/from_list([]))", "[]"),
    ("Tree/to_list(Tree/from_list.go([4, 5, 6], 3))", "[4, 5, 6]"),
]

EXTRA = """
def Tuple/first(pair):
  (a, *) = pair
  return a

def Tuple/second(pair):
  (*, b) = pair
  return b
"""


def test_map_module(check):
    check(IMPORTS, MAP_CASES, EXTRA)


def test_tree_module(check):
    check(IMPORTS, TREE_CASES)
