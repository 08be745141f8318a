"""The standard library (bend/stdlib/*.bend): every builtin function, run as a Bend program.

One program per group of functions returns a list or tuple of results. Most run on the reference
evaluator (a fraction of a second each); the math functions, the UTF-8 decoder and a program using
maps, lambdas and strings also run natively (an LLVM compilation each, cached on disk; seconds when
cold, so there are few of them).
"""

from __future__ import annotations

import ast
import math
import random

import pytest
from support import run_bend


def run(source: str, backend: str = "py") -> str:
    return run_bend(source, backend).text


def floats(text: str) -> list[float]:
    """The f24 values of a printed flat list such as `[0.841, -1.000, NaN, inf]`."""
    assert text.startswith("[") and text.endswith("]"), text
    return [float(x) for x in text[1:-1].split(", ")]


# ---------------------------------------------------------------------------------------------
# Lists

LISTS = """
def main():
  return [
    List/length([1, 2, 3]),
    List/length([]),
    List/reverse([1, 2, 3]),
    List/reverse([]),
    List/flatten([[1], [2, 3], [], [4]]),
    List/flatten([]),
    List/flatten([[], []]),
    List/concat([1, 2], [3]),
    List/concat([], [3]),
    List/concat([1], []),
    List/filter([1, 2, 3, 4, 5], lambda x: x % 2),
    List/filter([], lambda x: 1),
    List/filter([2, 4], lambda x: x % 2)
  ]
"""


def test_list_functions():
    assert run(LISTS) == (
        "[(3, [1, 2, 3]), (0, []), [3, 2, 1], [], [1, 2, 3, 4], [], [], [1, 2, 3], [3], [1], [1, 3, 5], [], []]"
    )


SPLIT_ONCE = """
def main():
  return [
    List/split_once([1, 2, 3, 4], lambda x: x == 3),
    List/split_once([3, 4], lambda x: x == 3),
    List/split_once([1, 3], lambda x: x == 3),
    List/split_once([1, 2], lambda x: x == 3),
    List/split_once([], lambda x: x == 3),
    List/split_once([1, 3, 2, 3], lambda x: x == 3)
  ]
"""


def test_list_split_once_splits_at_the_first_match_and_drops_it():
    assert run(SPLIT_ONCE) == (
        "[λa (a Result/Ok/tag ([1, 2], [4])), λb (b Result/Ok/tag ([], [4])), λc (c Result/Ok/tag ([1], [])), "
        "λd (d Result/Err/tag [1, 2]), λe (e Result/Err/tag []), λf (f Result/Ok/tag ([1], [2, 3]))]"
    )


# ---------------------------------------------------------------------------------------------
# Strings

STRINGS = """
def main():
  return (
    [String/equals("abc", "abc"), String/equals("", ""), String/equals("abc", "abd"),
     String/equals("ab", "abc"), String/equals("abc", "ab"), String/equals("", "a"),
     String/equals("a", ""), String/equals("é🌎", "é🌎")],
    [String/split("a,b,,c", ','), String/split("", ','), String/split(",", ','),
     String/split("abc", ','), String/split(",a,", ','), String/split("x€y€", '€')]
  )
"""


def test_string_equals_and_split():
    assert run(STRINGS) == (
        '([1, 1, 0, 0, 0, 0, 0, 1], [["a", "b", "", "c"], [""], ["", ""], ["abc"], ["", "a", ""], ["x", "y", ""]])'
    )


# ---------------------------------------------------------------------------------------------
# Encodings

ENCODINGS = """
def main():
  return (
    String/encode_utf8("hé€🌎"),
    String/encode_utf8(""),
    String/decode_utf8([104, 195, 169, 226, 130, 172, 240, 159, 140, 142]),
    String/decode_utf8([]),
    String/decode_ascii([104, 105, 33]),
    String/decode_ascii([]),
    String/encode_ascii("hi!"),
    String/encode_ascii(""),
    [Utf8/decode_character([0xC3, 0xA9, 1]), Utf8/decode_character([0x41]), Utf8/decode_character([]),
     Utf8/decode_character([0xE2, 0x41]), Utf8/decode_character([0x80, 0x41]),
     Utf8/decode_character([0xF0, 0x9F, 0x8C, 0x8E, 0xFF])],
    Utf8/REPLACEMENT_CHARACTER,
    String/decode_utf8(String/encode_utf8("añ€😀z"))
  )
"""


def test_encodings():
    assert run(ENCODINGS) == (
        '([104, 195, 169, 226, 130, 172, 240, 159, 140, 142], ([], ("hé€🌎", ("", ("hi!", ("", '
        "([104, 105, 33], ([], ([(233, [1]), (65, []), (0, []), (65533, [65]), (65533, [65]), "
        '(127758, [255])], (65533, "añ€😀z"))))))))))'
    )


def utf8_cases() -> list[bytes]:
    """Byte strings for the decoder: boundaries, every kind of invalid sequence, random bytes."""
    cases = [
        b"",
        "\x00\x7f\x80\u07ff\u0800\uffff\U00010000\U0010ffff".encode(),
        "héllo wörld €100 🌎🎉".encode(),
        b"\x80", b"\xbf\x41", b"\xc0\x80", b"\xc1\xbf", b"\xc2", b"\xc2\x41", b"\xdf\xbf",
        b"\xe0\x80\x80", b"\xe0\x9f\xbf", b"\xe0\xa0\x80", b"\xed\x9f\xbf", b"\xed\xa0\x80",
        b"\xee\x80", b"\xe2\x82", b"\xe2\x82\x41", b"\xe2\x82\xe2\x82\xac",
        b"\xf0\x8f\xbf\xbf", b"\xf0\x90\x80\x80", b"\xf0\x9f\x8c", b"\xf4\x8f\xbf\xbf",
        b"\xf4\x90\x80\x80", b"\xf5\x80\x80\x80", b"\xf8", b"\xfe\xff", b"a\xffb\xc3",
    ]
    rng = random.Random(2438)
    interesting = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0,
                   0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]
    for _ in range(60):
        cases.append(bytes(rng.choice(interesting) for _ in range(rng.randint(1, 7))))
    return cases


@pytest.mark.parametrize("backend", ["py", "c"])
def test_utf8_decoding_replaces_invalid_sequences_as_python_does(backend):
    cases = utf8_cases()
    items = ",\n    ".join(
        "String/encode_ascii(String/decode_utf8([" + ", ".join(map(str, case)) + "]))" for case in cases
    )
    got = ast.literal_eval(run(f"def main():\n  return [\n    {items}\n  ]\n", backend))
    expected = [[ord(c) for c in case.decode("utf-8", errors="replace")] for case in cases]
    for case, g, e in zip(cases, got, expected, strict=True):
        assert g == e, case


def test_utf8_encoding_is_pythons():
    texts = ["", "plain", "\x7f\x80\u07ff\u0800\uffff\U00010000\U0010ffff", "añ€😀z", "日本語"]
    items = ", ".join("String/encode_utf8(" + '"' + t.replace("\x7f", "\\u{7f}") + '")' for t in texts)
    got = ast.literal_eval(run(f"def main():\n  return [{items}]\n"))
    assert got == [list(t.encode("utf-8")) for t in texts]


# ---------------------------------------------------------------------------------------------
# DiffList, Result, Tree, Maybe, laziness

DATA = """
def main():
  d = DiffList/append(DiffList/cons(DiffList/wrap(2), 1), 3)
  e = DiffList/concat(d, DiffList/append(DiffList/new, 4))
  t = ![![!1, !2], ![!3, ![!4, !5]]]
  return [
    DiffList/to_list(e),
    DiffList/to_list(DiffList/new),
    DiffList/to_list(DiffList/concat(DiffList/new, DiffList/wrap(7))),
    DiffList/to_list(DiffList/cons(DiffList/new, 8)),
    Result/and(Result/Ok(1), Result/Ok(2)),
    Result/and(Result/Err(1), Result/Ok(2)),
    Result/and(Result/Ok(1), Result/Err(3)),
    Result/map_err(Result/Err(3), lambda x: x * 2),
    Result/map_err(Result/Ok(3), lambda x: x * 2),
    Result/unwrap(Result/Err(5)),
    Result/unwrap(Result/Ok(6)),
    Tree/to_list(t),
    Tree/to_list(Tree/reverse(t)),
    Tree/to_list(!9),
    Tree/reverse(![!1, !2]),
    Maybe/unwrap(Maybe/Some(4)),
    undefer(defer(10)),
    undefer(defer_arg(defer(lambda x: x + 1), 41))
  ]
"""


def test_difflist_result_tree_maybe_and_laziness():
    assert run(DATA) == (
        "[[1, 2, 3, 4], [], [7], [8], λa (a Result/Ok/tag 2), λb (b Result/Err/tag 1), "
        "λc (c Result/Err/tag 3), λd (d Result/Err/tag 6), λe (e Result/Ok/tag 3), 5, 6, "
        "[1, 2, 3, 4, 5], [5, 4, 3, 2, 1], [9], "
        "λf (f Tree/Node/tag λg (g Tree/Leaf/tag 2) λh (h Tree/Leaf/tag 1)), 4, 10, 42]"
    )


def test_maybe_unwrap_of_none_is_unreachable():
    # `unreachable()` is `*`; a reference to it that nothing forces reads back by name, as in Bend.
    assert run("def main():\n  return [Maybe/unwrap(Maybe/None), 1]\n") == "[unreachable, 1]"


# ---------------------------------------------------------------------------------------------
# Maps

MAPS = """
def main():
  m = Map/set(Map/set(Map/set(Map/empty, 1, 10), 2, 20), 0, 5)
  m = Map/set(m, 16777215, 99)
  m = Map/set(m, 2, 21)
  (a, m) = Map/get(m, 1)
  (b, m) = Map/get(m, 2)
  (c, m) = Map/get(m, 0)
  (d, m) = Map/get(m, 16777215)
  (e, m) = Map/get_check(m, 2)
  (f, m) = Map/get_check(m, 3)
  (g, m) = Map/get_check(m, 4)
  (h, m) = Map/contains(m, 0)
  (i, m) = Map/contains(m, 4)
  (j, m) = Map/contains(m, 6)
  m = Map/map(m, 2, lambda x: x + 1)
  m = Map/map(m, 9, lambda x: x + 1)
  m = Map/map(m, 4, lambda x: x + 1)
  (k, m) = Map/get(m, 2)
  (l, m) = Map/contains(m, 9)
  (n, m) = Map/get(m, 1)
  (o, *) = Map/get_check(Map/empty, 0)
  (p, *) = Map/contains(Map/empty, 0)
  return ([a, b, c, d, k, n], [e, f, g, o], [h, i, j, l, p])
"""


def test_map_functions():
    some = "λa (a Maybe/Some/tag 21)"
    assert run(MAPS) == (
        f"([10, 21, 5, 99, 22, 10], ([{some}, Maybe/None, Maybe/None, Maybe/None], [1, 0, 0, 0, 0]))"
    )


def test_map_get_of_a_missing_key_is_unreachable():
    source = "def main():\n  (x, m) = Map/get(Map/set(Map/empty, 2, 1), 3)\n  (y, m) = Map/get(m, 6)\n  (z, m) = Map/get(m, 2)\n  return [x, y, z]\n"
    assert run(source) == "[unreachable, unreachable, 1]"


# ---------------------------------------------------------------------------------------------
# Numbers

def test_u24_to_string():
    source = "def main():\n  return [u24/to_string(0), u24/to_string(7), u24/to_string(10), u24/to_string(1234567), u24/to_string(16777215)]\n"
    assert run(source) == '["0", "7", "10", "1234567", "16777215"]'


MATH_CASES = [  # (Bend expression, the value it approximates)
    ("Math/PI", math.pi), ("Math/E", math.e),
    ("Math/log(2.0, 3.0)", math.log(2) / math.log(3)), ("Math/log(8.0, 2.0)", 3.0),
    ("Math/log(0.5, 2.0)", -1.0), ("Math/log(100.0, 10.0)", 2.0),
    ("Math/atan2(3.0, 4.0)", math.atan2(3, 4)), ("Math/atan2(-1.0, -1.0)", math.atan2(-1, -1)),
    ("Math/atan2(1.0, -1.0)", math.atan2(1, -1)), ("Math/atan2(0.0, 1.0)", 0.0),
    ("Math/sin(1.0)", math.sin(1)), ("Math/sin(-1.0)", math.sin(-1)), ("Math/sin(0.0)", 0.0),
    ("Math/cos(1.0)", math.cos(1)), ("Math/cos(-2.0)", math.cos(-2)), ("Math/cos(0.0)", 1.0),
    ("Math/tan(1.0)", math.tan(1)), ("Math/tan(-0.5)", math.tan(-0.5)),
    ("Math/cot(1.0)", 1 / math.tan(1)), ("Math/sec(1.0)", 1 / math.cos(1)),
    ("Math/csc(-1.0)", 1 / math.sin(-1)),
    ("Math/atan(1.0)", math.atan(1)), ("Math/atan(-2.0)", math.atan(-2)),
    ("Math/asin(0.5)", math.asin(0.5)), ("Math/asin(-1.0)", math.asin(-1)),
    ("Math/acos(0.5)", math.acos(0.5)), ("Math/acos(-0.5)", math.acos(-0.5)),
    ("Math/radians(180.0)", math.pi), ("Math/radians(-90.0)", -math.pi / 2),
    ("Math/sqrt(2.0)", math.sqrt(2)), ("Math/sqrt(0.0)", 0.0), ("Math/sqrt(-4.0)", math.nan),
    ("Math/ceil(2.1)", 3.0), ("Math/ceil(-2.1)", -2.0), ("Math/ceil(-2.5)", -2.0),
    ("Math/ceil(3.0)", 3.0), ("Math/ceil(-3.0)", -3.0), ("Math/ceil(0.5)", 1.0),
    ("Math/floor(2.9)", 2.0), ("Math/floor(-2.1)", -3.0), ("Math/floor(-0.5)", -1.0),
    ("Math/floor(4.0)", 4.0), ("Math/floor(-4.0)", -4.0),
    ("Math/round(2.4)", 2.0), ("Math/round(2.5)", 3.0), ("Math/round(-2.3)", -2.0),
    ("Math/round(-2.5)", -3.0), ("Math/round(-2.7)", -3.0), ("Math/round(0.49)", 0.0),
    ("Math/floor(16777216.0)", 16777216.0), ("Math/round(-33554432.0)", -33554432.0),
    ("Math/ceil(8388607.5)", 8388608.0), ("Math/floor(-9999.75)", -10000.0),
    ("Math/ceil(1.0 / 0.0)", math.inf), ("Math/floor(-1.0 / 0.0)", -math.inf),
    ("Math/round(0.0 / 0.0)", math.nan),
]


@pytest.mark.parametrize("backend", ["py", "c"])
def test_math_functions_approximate_pythons(backend):
    source = "def main():\n  return [" + ", ".join(expr for expr, _ in MATH_CASES) + "]\n"
    got = floats(run(source, backend))
    for (expr, expected), value in zip(MATH_CASES, got, strict=True):
        if math.isnan(expected):
            assert math.isnan(value), expr
        else:
            assert value == pytest.approx(expected, abs=2e-3), expr


def test_math_prints_as_bend():
    # Bend's golden test basic_num_ops pins Math/log(2.0, 3.0) and Math/atan2(3.0, 4.0)
    source = (
        "def main():\n  return [Math/log(2.0, 3.0), Math/atan2(3.0, 4.0), Math/floor(-2.5), Math/sqrt(-1.0), "
        "Math/round(1.0 / 0.0), Math/ceil(-0.5), Math/PI, Math/E]\n"
    )
    assert run(source) == "[0.631, 0.643, -3.000, NaN, inf, 0.000, 3.142, 2.718]"


# ---------------------------------------------------------------------------------------------
# Additions (not in Bend 0.2.38)

ADDITIONS = """
def main():
  return [
    List/map([1, 2, 3], lambda x: x * 10), List/map([], lambda x: x),
    List/range(2, 6), List/range(5, 5), List/range(6, 2), List/range(0, 1),
    List/take([1, 2, 3], 2), List/take([1, 2, 3], 5), List/take([1], 0), List/take([], 3),
    List/drop([1, 2, 3], 2), List/drop([1, 2, 3], 0), List/drop([1, 2], 5), List/drop([], 1),
    List/zip([1, 2, 3], [4, 5]), List/zip([1], [4, 5]), List/zip([], [1])
  ]
"""


def test_added_list_functions():
    assert run(ADDITIONS) == (
        "[[10, 20, 30], [], [2, 3, 4, 5], [], [], [0], [1, 2], [1, 2, 3], [], [], [3], [1, 2, 3], [], [], "
        "[(1, 4), (2, 5)], [(1, 4)], []]"
    )


def test_added_sum_and_string_concat():
    source = (
        "def main():\n  return (List/sum([1, 2, 3, 4]), List/sum([]), List/sum([16777215, 2]), "
        'List/sum(List/range(0, 101)), String/concat("ab", "cd"), String/concat("", "x"), '
        'String/concat("é", ""), String/concat("", ""))\n'
    )
    assert run(source) == '(10, (0, (1, (5050, ("abcd", ("x", ("é", "")))))))'


@pytest.mark.xfail(strict=True, reason=(
    "HVM2 has one dup label (notes §1.9, Bend issue #702): a function that duplicates its "
    "argument, itself duplicated by List/map, gives a wrong result ([3, 4, *]) as in Bend"
))
def test_list_map_with_a_function_that_copies_its_argument():
    assert run("def main():\n  return List/map([1, 2, 3], lambda x: x + x)\n") == "[2, 4, 6]"


# ---------------------------------------------------------------------------------------------
# The native runtime agrees with the reference evaluator (lambdas, maps, strings; the math and
# UTF-8 tests above run natively too)

EVERY_GROUP = """
def main():
  m = Map/set(Map/set(Map/empty, 3, 30), 4, 40)
  m = Map/map(m, 3, lambda x: x + 1)
  (a, m) = Map/get(m, 3)
  (b, m) = Map/contains(m, 5)
  d = DiffList/cons(DiffList/append(DiffList/wrap(2), 3), 1)
  return [
    List/filter(List/range(0, 10), lambda x: x % 3 == 0),
    List/split_once([1, 2, 3], lambda x: x == 2),
    String/split("a b", ' '),
    DiffList/to_list(d),
    Tree/to_list(Tree/reverse(![!1, ![!2, !3]])),
    (a, b),
    u24/to_string(4096)
  ]
"""


def test_native_runtime_agrees_with_the_reference_evaluator():
    assert run(EVERY_GROUP, "c") == run(EVERY_GROUP, "py")
