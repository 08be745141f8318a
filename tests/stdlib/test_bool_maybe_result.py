"""stdlib/bool.bend, stdlib/maybe.bend and stdlib/result.bend: every definition, on the reference evaluator."""

from __future__ import annotations

IMPORTS = "from stdlib/bool import *\nfrom stdlib/maybe import *\nfrom stdlib/result import *"

T, F = "Bool/True", "Bool/False"
PAIRS = [(T, T), (T, F), (F, T), (F, F)]


def table(fn: str) -> str:
    """The truth table of a two-argument Bool function, as a list of u24."""
    return "[" + ", ".join(f"Bool/to_u24({fn}({a}, {b}))" for a, b in PAIRS) + "]"


BOOL_CASES = [
    (table("Bool/and"), "[1, 0, 0, 0]"),
    (table("Bool/or"), "[1, 1, 1, 0]"),
    (table("Bool/xor"), "[0, 1, 1, 0]"),
    (table("Bool/eq"), "[1, 0, 0, 1]"),
    (table("Bool/implies"), "[1, 0, 1, 1]"),
    ("[Bool/to_u24(Bool/not(Bool/True)), Bool/to_u24(Bool/not(Bool/False))]", "[0, 1]"),
    ("[Bool/to_u24(Bool/True), Bool/to_u24(Bool/False)]", "[1, 0]"),
    ("[Bool/to_u24(Bool/from_u24(0)), Bool/to_u24(Bool/from_u24(1)), Bool/to_u24(Bool/from_u24(7))]", "[0, 1, 1]"),
    ("[Bool/show(Bool/True), Bool/show(Bool/False)]", '["true", "false"]'),
    ("[Bool/choose(Bool/True, 1, 2), Bool/choose(Bool/False, 1, 2)]", "[1, 2]"),
    ("[Bool/to_u24(Bool/all([Bool/True, Bool/True])), Bool/to_u24(Bool/all([Bool/True, Bool/False])), "
     "Bool/to_u24(Bool/all([]))]", "[1, 0, 1]"),
    ("[Bool/to_u24(Bool/any([Bool/False, Bool/True])), Bool/to_u24(Bool/any([Bool/False])), "
     "Bool/to_u24(Bool/any([]))]", "[1, 0, 0]"),
    # `and` and `or` do not look at their second argument when the first decides
    ("Bool/to_u24(Bool/and(Bool/False, *))", "0"),
    ("Bool/to_u24(Bool/or(Bool/True, *))", "1"),
]

MAYBE_CASES = [
    ("Maybe/to_list(Maybe/map(Maybe/Some(2), lambda x: x + 1))", "[3]"),
    ("Maybe/to_list(Maybe/map(Maybe/None, lambda x: x + 1))", "[]"),
    ("Maybe/to_list(Maybe/and_then(Maybe/Some(8), lambda x: half(x)))", "[4]"),
    ("Maybe/to_list(Maybe/and_then(Maybe/Some(7), lambda x: half(x)))", "[]"),
    ("Maybe/to_list(Maybe/and_then(Maybe/None, lambda x: half(x)))", "[]"),
    ("Maybe/to_list(quarter(20))", "[5]"),  # `with Maybe:` uses Maybe/bind and Maybe/wrap
    ("Maybe/to_list(quarter(6))", "[]"),
    ("Maybe/to_list(Maybe/bind(Maybe/Some(4), defer(lambda x: Maybe/Some(x + 1))))", "[5]"),
    ("Maybe/to_list(Maybe/wrap(9))", "[9]"),
    ("[Maybe/default(Maybe/Some(1), 7), Maybe/default(Maybe/None, 7)]", "[1, 7]"),
    ("[Maybe/is_some(Maybe/Some(1)), Maybe/is_some(Maybe/None)]", "[1, 0]"),
    ("[Maybe/is_none(Maybe/Some(1)), Maybe/is_none(Maybe/None)]", "[0, 1]"),
    ("[Maybe/to_list(Maybe/Some(1)), Maybe/to_list(Maybe/None)]", "[[1], []]"),
    ("[Maybe/to_list(Maybe/or(Maybe/Some(1), Maybe/Some(2))), Maybe/to_list(Maybe/or(Maybe/None, Maybe/Some(2))), "
     "Maybe/to_list(Maybe/or(Maybe/None, Maybe/None))]", "[[1], [2], []]"),
    ("[Result/unwrap(Maybe/to_result(Maybe/Some(1), 0)), Result/is_ok(Maybe/to_result(Maybe/Some(1), 0)), "
     "Result/unwrap(Maybe/to_result(Maybe/None, 5)), Result/is_err(Maybe/to_result(Maybe/None, 5))]", "[1, 1, 5, 1]"),
]

RESULT_CASES = [
    ("Result/unwrap(Result/map(Result/Ok(2), lambda x: x * 5))", "10"),
    ("Result/is_err(Result/map(Result/Err(2), lambda x: x * 5))", "1"),
    ("Result/unwrap(Result/map(Result/Err(2), lambda x: x * 5))", "2"),
    ("Result/unwrap(Result/and_then(Result/Ok(10), lambda x: checked_sub(x, 3)))", "7"),
    ("Result/unwrap(Result/and_then(Result/Ok(1), lambda x: checked_sub(x, 3)))", '"below zero"'),
    ("Result/unwrap(Result/and_then(Result/Err(\"before\"), lambda x: checked_sub(x, 3)))", '"before"'),
    ("Result/unwrap(sub_twice(10, 3))", "4"),  # `with Result:` uses Result/bind and Result/wrap
    ("Result/unwrap(sub_twice(5, 3))", '"below zero"'),
    ("Result/unwrap(Result/bind(Result/Ok(4), defer(lambda x: Result/Ok(x + 1))))", "5"),
    ("Result/unwrap(Result/wrap(6))", "6"),
    ("[Result/is_ok(Result/Ok(1)), Result/is_ok(Result/Err(1))]", "[1, 0]"),
    ("[Result/is_err(Result/Ok(1)), Result/is_err(Result/Err(1))]", "[0, 1]"),
    ("[Maybe/to_list(Result/ok(Result/Ok(1))), Maybe/to_list(Result/ok(Result/Err(2)))]", "[[1], []]"),
    ("[Maybe/to_list(Result/err(Result/Ok(1))), Maybe/to_list(Result/err(Result/Err(2)))]", "[[], [2]]"),
    ("[Result/default(Result/Ok(1), 9), Result/default(Result/Err(2), 9)]", "[1, 9]"),
    ("[Result/unwrap(Result/or(Result/Ok(1), Result/Ok(2))), Result/unwrap(Result/or(Result/Err(1), Result/Ok(2))), "
     "Result/unwrap(Result/or(Result/Err(1), Result/Err(3)))]", "[1, 2, 3]"),
]

EXTRA = """
def half(x):
  if x % 2 == 0:
    return Maybe/Some(x / 2)
  else:
    return Maybe/None

def quarter(x):
  with Maybe:
    h <- half(x)
    q <- half(h)
    return wrap(q)

def checked_sub(a, b):
  if b > a:
    return Result/Err("below zero")
  else:
    return Result/Ok(a - b)

def sub_twice(a, b):
  with Result:
    x <- checked_sub(a, b)
    y <- checked_sub(x, b)
    return wrap(y)
"""


def test_bool_module(check):
    check(IMPORTS, BOOL_CASES)


def test_maybe_module(check):
    check(IMPORTS, MAYBE_CASES, EXTRA)


def test_result_module(check):
    check(IMPORTS, RESULT_CASES, EXTRA)
