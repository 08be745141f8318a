"""stdlib/list.bend: every definition, run on the reference evaluator in one program."""

from __future__ import annotations

import random

IMPORTS = "from stdlib/list import *\nfrom stdlib/maybe import Maybe/to_list"

CASES = [
    ("Maybe/to_list(List/head([4, 5]))", "[4]"),
    ("Maybe/to_list(List/head([]))", "[]"),
    ("Maybe/to_list(List/last([1, 2, 3]))", "[3]"),
    ("Maybe/to_list(List/last([]))", "[]"),
    ("Maybe/to_list(List/nth([4, 5, 6], 0))", "[4]"),
    ("Maybe/to_list(List/nth([4, 5, 6], 2))", "[6]"),
    ("Maybe/to_list(List/nth([4, 5, 6], 3))", "[]"),
    ("List/tail([1, 2, 3])", "[2, 3]"),
    ("List/tail([])", "[]"),
    ("List/init([1, 2, 3])", "[1, 2]"),
    ("List/init([1])", "[]"),
    ("List/init([])", "[]"),
    ("List/is_empty([])", "1"),
    ("List/is_empty([0])", "0"),
    ("List/singleton(7)", "[7]"),
    ("List/replicate(3, 9)", "[9, 9, 9]"),
    ("List/replicate(0, 9)", "[]"),
    ("List/append([1, 2], 3)", "[1, 2, 3]"),
    ("List/append([], 3)", "[3]"),
    # foldl and foldr differ on a function that is not associative
    ("List/foldl([1, 2, 3], 100, lambda acc, x: acc - x)", "94"),
    ("List/foldl([], 100, lambda acc, x: acc - x)", "100"),
    ("List/foldr([1, 2, 3], 10, lambda x, acc: x - acc)", "16777208"),  # 1 - (2 - (3 - 10)) wraps
    ("List/foldr([1, 2, 3], [], lambda x, acc: List/Cons(x * 10, acc))", "[10, 20, 30]"),
    ("List/fold([1, 2, 3, 4, 5, 6, 7], 0, lambda a, b: a + b)", "28"),
    ("List/fold([], 0, lambda a, b: a + b)", "0"),
    ("List/fold([5], 1, lambda a, b: a * b)", "5"),
    ("List/fold([[1], [2, 3], [], [4]], [], List/concat)", "[1, 2, 3, 4]"),  # order kept
    ("List/fold.go([1, 2, 3], 3, 0, lambda a, b: a + b)", "6"),
    ("List/any([1, 2, 3], lambda x: x > 2)", "1"),
    ("List/any([1, 2, 3], lambda x: x > 3)", "0"),
    ("List/any([], lambda x: 1)", "0"),
    ("List/all([1, 2, 3], lambda x: x > 0)", "1"),
    ("List/all([1, 0, 3], lambda x: x > 0)", "0"),
    ("List/all([], lambda x: 0)", "1"),
    ("List/contains([3, 1, 2], 2)", "1"),
    ("List/contains([3, 1, 2], 5)", "0"),
    ("List/contains([-1, +2], -1)", "1"),
    ("List/contains([0.5, 1.5], 1.5)", "1"),
    ("Maybe/to_list(List/find([1, 4, 6, 9], lambda x: x % 2 == 0))", "[4]"),
    ("Maybe/to_list(List/find([1, 3], lambda x: x % 2 == 0))", "[]"),
    ("Maybe/to_list(List/index([7, 8, 9, 8], 8))", "[1]"),
    ("Maybe/to_list(List/index([7, 8], 5))", "[]"),
    ("Maybe/to_list(List/index.go([7, 8], 8, 10))", "[11]"),
    ("List/unzip([(1, 'a'), (2, 'b')])", "([1, 2], [97, 98])"),
    ("List/unzip([])", "([], [])"),
    ("List/zip_with([1, 2, 3], [10, 20], lambda x, y: x + y)", "[11, 22]"),
    ("List/zip_with([], [1], lambda x, y: x)", "[]"),
    ("Maybe/to_list(List/min([5, 3, 8, 3]))", "[3]"),
    ("Maybe/to_list(List/min([-1, +4, -7]))", "[-7]"),
    ("Maybe/to_list(List/min([]))", "[]"),
    ("List/min.go([5, 9], 7)", "5"),
    ("Maybe/to_list(List/max([5, 3, 8, 3]))", "[8]"),
    ("Maybe/to_list(List/max([0.5, 2.5, 1.0]))", "[2.500]"),
    ("Maybe/to_list(List/max([]))", "[]"),
    ("List/max.go([5, 9], 7)", "9"),
    ("List/partition([1, 2, 3, 4, 5], lambda x: x % 2)", "([1, 3, 5], [2, 4])"),
    ("List/partition([], lambda x: 1)", "([], [])"),
    ("List/split_at([1, 2, 3, 4], 1)", "([1], [2, 3, 4])"),
    ("List/split_at([1, 2], 5)", "([1, 2], [])"),
    ("List/split_at([1, 2], 0)", "([], [1, 2])"),
    ("List/chunks([1, 2, 3, 4, 5], 2)", "[[1, 2], [3, 4], [5]]"),
    ("List/chunks([1, 2, 3], 3)", "[[1, 2, 3]]"),
    ("List/chunks([1, 2], 0)", "[[1, 2]]"),
    ("List/chunks([], 2)", "[]"),
    ("List/sort([5, 3, 9, 1, 1, 0, 7])", "[0, 1, 1, 3, 5, 7, 9]"),
    ("List/sort([])", "[]"),
    ("List/sort([2, 1])", "[1, 2]"),
    ("List/sort([+3, -5, +0, -1])", "[-5, -1, +0, +3]"),
    ("List/sort([2.5, -1.0, 0.5])", "[-1.000, 0.500, 2.500]"),
    ("List/sort.go([3, 2, 1], 3)", "[1, 2, 3]"),
    ("List/merge([1, 4, 6], [2, 3, 7, 8])", "[1, 2, 3, 4, 6, 7, 8]"),
    ("List/merge([], [1])", "[1]"),
    ("List/sort_by([3, 1, 2], lambda a, b: a > b)", "[3, 2, 1]"),
    # stable: equal keys keep their order
    ("List/sort_by([(2, 'a'), (1, 'b'), (2, 'c'), (1, 'd')], lambda a, b: Tuple/first(a) < Tuple/first(b))",
     "[(1, 98), (1, 100), (2, 97), (2, 99)]"),
    ("List/sort_by.go([3, 1, 2], 3, lambda a, b: a < b)", "[1, 2, 3]"),
    ("List/merge_by([5, 1], [4, 2], lambda a, b: a > b)", "[5, 4, 2, 1]"),
    ("List/take_while([1, 2, 5, 1], lambda x: x < 3)", "[1, 2]"),
    ("List/take_while([], lambda x: 1)", "[]"),
    ("List/drop_while([1, 2, 5, 1], lambda x: x < 3)", "[5, 1]"),
    ("List/drop_while([1], lambda x: 1)", "[]"),
    ("List/enumerate([7, 8])", "[(0, 7), (1, 8)]"),
    ("List/enumerate.go([7], 5)", "[(5, 7)]"),
    ("List/intersperse([1, 2, 3], 0)", "[1, 0, 2, 0, 3]"),
    ("List/intersperse([1], 0)", "[1]"),
    ("List/intersperse([], 0)", "[]"),
    ("List/count([1, 2, 3, 4], lambda x: x > 2)", "2"),
    ("List/count([], lambda x: 1)", "0"),
    ("List/product([2, 3, 4])", "24"),
    ("List/product([])", "1"),
    ("List/equals([1, 2], [1, 2])", "1"),
    ("List/equals([1, 2], [1, 3])", "0"),
    ("List/equals([1], [1, 2])", "0"),
    ("List/equals([], [])", "1"),
    ("List/concat_map([1, 2, 3], lambda x: [x, 0])", "[1, 0, 2, 0, 3, 0]"),
    ("List/concat_map([[1], [], [2, 3]], lambda x: x)", "[1, 2, 3]"),
    ("List/insert([1, 3, 5], 4)", "[1, 3, 4, 5]"),
    ("List/insert([1, 3], 9)", "[1, 3, 9]"),
    ("List/insert([], 2)", "[2]"),
    ("List/dedup([1, 1, 2, 2, 2, 1, 3, 3])", "[1, 2, 1, 3]"),
    ("List/dedup([])", "[]"),
    ("List/dedup.go([4, 4, 5], 4)", "[5]"),
    ("List/unique([3, 1, 3, 2, 1])", "[1, 2, 3]"),
    ("Maybe/to_list(List/lookup([(1, 'a'), (2, 'b'), (2, 'c')], 2))", "[98]"),
    ("Maybe/to_list(List/lookup([(1, 'a')], 3))", "[]"),
    ("List/delete([1, 2, 3, 2], 2)", "[1, 3, 2]"),
    ("List/delete([1, 2], 5)", "[1, 2]"),
    ("List/set([1, 2, 3], 1, 9)", "[1, 9, 3]"),
    ("List/set([1, 2, 3], 3, 9)", "[1, 2, 3]"),
]

EXTRA = """
def Tuple/first(pair):
  (a, *) = pair
  return a
"""


def test_list_module(check):
    check(IMPORTS, CASES, EXTRA)


def test_sort_agrees_with_python_on_random_lists(check):
    rng = random.Random(10)
    lists = [[rng.randrange(100) for _ in range(n)] for n in (0, 1, 2, 3, 7, 16, 33)]
    cases = [(f"List/sort({xs})", str(sorted(xs))) for xs in lists]
    cases += [(f"List/unique({xs})", str(sorted(set(xs)))) for xs in lists]
    check(IMPORTS, cases)
