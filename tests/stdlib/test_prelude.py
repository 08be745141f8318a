"""The prelude's helpers and casts (stdlib/prelude/*.bend) that tests/bend/test_stdlib.py does not
call by name: each run directly, on the reference evaluator."""

from __future__ import annotations

CASES = [
    ("Result/unwrap(List/split_once.go([1, 2, 3], lambda x: x == 2, DiffList/wrap(0)))", "([0, 1], [3])"),
    ("Result/unwrap(List/split_once.go([1, 3], lambda x: x == 2, DiffList/new))", "[1, 3]"),
    ("String/split.prepend('a', [\"bc\", \"d\"])", '["abc", "d"]'),
    ("String/split.prepend('a', [])", '["a"]'),
    ("Utf8/decode_character.go(0x03, 1, 0x80, 0xBF, [0xA9, 0x41])", "(233, [65])"),  # é = C3 A9
    ("Utf8/decode_character.go(0x03, 1, 0x80, 0xBF, [0x41])", "(65533, [65])"),  # not a continuation byte
    ("u24/to_string.go(12, \"!\")", '"12!"'),
    ("[u24/to_f24(3), u24/to_f24(16777215)]", "[3.000, 16777216.000]"),
    ("[i24/to_f24(-3), i24/to_f24(+5)]", "[-3.000, 5.000]"),
    ("[f24/to_u24(2.9), f24/to_u24(-1.0), f24/to_u24(100000000.0), f24/to_u24(0.0 / 0.0)]", "[2, 0, 16777215, 0]"),
    ("[f24/to_i24(-2.9), f24/to_i24(100000000.0), f24/to_i24(-100000000.0)]", "[-2, +8388607, -8388608]"),
    ("[u24/to_i24(16777215), u24/to_i24(5)]", "[-1, +5]"),
    ("[i24/to_u24(-1), i24/to_u24(+5)]", "[16777215, 5]"),
    ("[Math/floor.exact(1.5), Math/floor.exact(8388608.0), Math/floor.exact(-100000000.0), Math/floor.exact(0.0 / 0.0)]",
     "[0, 1, 1, 1]"),
]


def test_prelude_helpers_and_casts(check):
    check("", CASES)
