"""stdlib/number.bend (show and parse for u24, i24, f24) and stdlib/math.bend, on the reference evaluator."""

from __future__ import annotations

NUMBER_IMPORTS = "from stdlib/number import *\nfrom stdlib/maybe import Maybe/to_list"

NUMBER_CASES = [
    ("u24/show(0)", '"0"'),
    ("u24/show(16777215)", '"16777215"'),
    ("i24/show(-42)", '"-42"'),
    ("i24/show(+7)", '"7"'),
    ("i24/show(+0)", '"0"'),
    ("i24/show(-8388608)", '"-8388608"'),
    ("i24/show(+8388607)", '"8388607"'),
    ("f24/show(1.5)", '"1.500"'),
    ("f24/show(-0.25)", '"-0.250"'),
    ("f24/show(0.0)", '"0.000"'),
    ("f24/show(2.9996)", '"3.000"'),  # rounds up into the whole part
    ("f24/show(12345.0)", '"12345.000"'),
    ("f24/show(1.0 / 0.0)", '"inf"'),
    ("f24/show(-1.0 / 0.0)", '"-inf"'),
    ("f24/show(0.0 / 0.0)", '"NaN"'),
    ("f24/show(33554432.0)", '"33554432.000"'),  # 2^25: past u24, digits one by one
    ("f24/show.abs(0.125)", '"0.125"'),
    ("f24/show.int(1234.0)", '"1234"'),
    ("f24/show.int(167772160.0)", '"167772160"'),
    ("f24/show.big(1.0, 3)", '"8"'),
    ("f24/show.digits(120)", "[0, 2, 1]"),
    ("f24/show.double([5], 2)", "[0, 2]"),
    ("f24/show.times2([5, 9], 1)", "[1, 9, 1]"),
    ("f24/show.text([3, 2, 1], \"!\")", '"123!"'),
    ("f24/show(1267650600228229401496703205376.0)", '"1267650600228229401496703205376.000"'),  # 2^100
    ("u24/show.pad3(5)", '"005"'),
    ("u24/show.pad3(123)", '"123"'),
    ('Maybe/to_list(u24/parse("123"))', "[123]"),
    ('Maybe/to_list(u24/parse("007"))', "[7]"),
    ('Maybe/to_list(u24/parse("16777215"))', "[16777215]"),
    ('Maybe/to_list(u24/parse("12a"))', "[]"),
    ('Maybe/to_list(u24/parse(""))', "[]"),
    ('Maybe/to_list(u24/parse("-1"))', "[]"),
    ('Maybe/to_list(u24/parse.go("45", 1))', "[145]"),
    ('Maybe/to_list(i24/parse("-8388608"))', "[-8388608]"),
    ('Maybe/to_list(i24/parse("+5"))', "[+5]"),
    ('Maybe/to_list(i24/parse("42"))', "[+42]"),
    ('Maybe/to_list(i24/parse("-"))', "[]"),
    ('Maybe/to_list(i24/parse(""))', "[]"),
    ("Maybe/to_list(i24/parse.sign(Maybe/Some(3), -1))", "[-3]"),
    ('Maybe/to_list(f24/parse("-2.5"))', "[-2.500]"),
    ('Maybe/to_list(f24/parse("+10"))', "[10.000]"),
    ('Maybe/to_list(f24/parse(".5"))', "[0.500]"),
    ('Maybe/to_list(f24/parse("3."))', "[3.000]"),
    ('Maybe/to_list(f24/parse("0.125"))', "[0.125]"),
    ('Maybe/to_list(f24/parse("."))', "[]"),
    ('Maybe/to_list(f24/parse("1.2.3"))', "[]"),
    ('Maybe/to_list(f24/parse(""))', "[]"),
    ('Maybe/to_list(f24/parse.int("12", 0.0, 0))', "[12.000]"),
    ('Maybe/to_list(f24/parse.frac("5", 1.0, 0.1, 1))', "[1.500]"),
    ("Maybe/to_list(f24/parse.sign(Maybe/Some(2.0), -1.0))", "[-2.000]"),
    # they read back what they show
    ('Maybe/to_list(i24/parse(i24/show(-1234)))', "[-1234]"),
    ('Maybe/to_list(f24/parse(f24/show(-3.25)))', "[-3.250]"),
]

MATH_IMPORTS = "from stdlib/math import *"

MATH_CASES = [
    ("[Math/min(3, 2), Math/min(-1, +4), Math/min(0.5, 1.5), Math/min(2, 2)]", "[2, -1, 0.500, 2]"),
    ("[Math/max(3, 2), Math/max(-1, +4), Math/max(0.5, 1.5)]", "[3, +4, 1.500]"),
    ("[Math/clamp(5, 1, 3), Math/clamp(0, 1, 3), Math/clamp(2, 1, 3), Math/clamp(-5, -1, +1)]", "[3, 1, 2, -1]"),
    ("[Math/abs(-2.5), Math/abs(2.5), Math/abs(0.0)]", "[2.500, 2.500, 0.000]"),
    ("[Math/sign(-2.0), Math/sign(3.0), Math/sign(0.0)]", "[-1.000, 1.000, 0.000]"),
    ("[i24/abs(-3), i24/abs(+3), i24/abs(-8388608)]", "[+3, +3, -8388608]"),
    ("[i24/sign(+9), i24/sign(-9), i24/sign(+0)]", "[+1, -1, +0]"),
    ("[Math/degrees(Math/PI), Math/degrees(0.0)]", "[180.000, 0.000]"),
    ("[Math/exp(0.0), Math/exp(1.0)]", "[1.000, 2.718]"),
    ("[Math/ln(1.0), Math/ln(Math/E)]", "[0.000, 1.000]"),
    ("Math/hypot(3.0, 4.0)", "5.000"),
    ("[Math/lerp(1.0, 3.0, 0.5), Math/lerp(1.0, 3.0, 0.0), Math/lerp(1.0, 3.0, 1.0)]", "[2.000, 1.000, 3.000]"),
    ("[Math/is_even(4), Math/is_even(7), Math/is_even(0)]", "[1, 0, 1]"),
    ("[Math/is_odd(4), Math/is_odd(7)]", "[0, 1]"),
    ("[Math/gcd(12, 18), Math/gcd(7, 0), Math/gcd(0, 7), Math/gcd(0, 0), Math/gcd(17, 5)]", "[6, 7, 7, 0, 1]"),
    ("[Math/lcm(4, 6), Math/lcm(0, 6), Math/lcm(7, 5)]", "[12, 0, 35]"),
    ("[u24/pow(3, 5), u24/pow(2, 23), u24/pow(2, 24), u24/pow(7, 0), u24/pow(0, 0)]", "[243, 8388608, 0, 1, 1]"),
    ("[u24/isqrt(0), u24/isqrt(15), u24/isqrt(16), u24/isqrt(16777215)]", "[0, 3, 4, 4095]"),
    ("u24/isqrt.go(50, 0, 16)", "7"),
    ("[u24/log2(0), u24/log2(1), u24/log2(1024), u24/log2(1025), u24/log2(16777215)]", "[0, 0, 10, 10, 23]"),
    ("[u24/product_range(3, 6), u24/product_range(5, 5), u24/product_range(6, 3)]", "[60, 1, 1]"),
    ("[u24/factorial(0), u24/factorial(5), u24/factorial(10)]", "[1, 120, 3628800]"),
]


def test_number_module(check):
    check(NUMBER_IMPORTS, NUMBER_CASES)


def test_math_module(check):
    check(MATH_IMPORTS, MATH_CASES)
