"""Functions defined by number and character patterns (bend.desugar.match_defs) compute what
their rules say, also when the function is passed around and duplicated, on both backends.

A rule set `g 5 = ..; g 6 = ..; g _ = ..` once tested `(== x n)` for each number: the argument
was duplicated inside the function, and a copy of the function (`let f = g` used twice)
duplicated that duplication with the same label, which gave wrong answers. Bend compiles such
rules to switches on differences; so do we, and these programs check it.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from support import run_bend

MASK = (1 << 24) - 1


def program(cases: list[tuple[int, int]], default: tuple[int, int], probes: list[int], chars: bool) -> str:
    """`g` by its rules (a number or a char each, then a default `n * a + b`), copied and applied."""
    show = (lambda v: repr(chr(v)).replace('"', "'") if chars else str(v))
    rules = [f"g {show(n)} = {out}" for n, out in cases]
    rules.append(f"g n = (+ (* n {default[0]}) {default[1]})")
    calls = " ".join(f"(List/Cons (f {show(p)})" for p in probes) + " List/Nil" + ")" * len(probes)
    return "\n".join(rules) + f"\nmain = let f = g; {calls}\n"


def expected(cases: list[tuple[int, int]], default: tuple[int, int], probes: list[int]) -> str:
    table = dict(reversed(cases))  # the first rule for a number wins
    return "[" + ", ".join(str(table.get(p, (p * default[0] + default[1]) & MASK)) for p in probes) + "]"


def check(cases, default, probes, chars=False):
    source = program(cases, default, probes, chars)
    want = expected(cases, default, probes)
    native = run_bend(source, "c")
    assert native.text == want, source
    reference = run_bend(source, "py")
    assert (reference.text, reference.stats.interactions) == (want, native.stats.interactions), source


def test_the_examples_of_the_report():
    assert run_bend("g 5 = 1\ng 6 = 2\ng _ = 0\nmain = let f = g; [(f 5), (f 6), (f 7)]\n").text == "[1, 2, 0]"
    source = "c2n '1' = 1\nc2n '0' = 0\nc2n _ = 9\nmain = let f = c2n; [(f '1'), (f '0'), (f 'x')]\n"
    assert run_bend(source).text == "[1, 0, 9]"


def test_the_default_sees_the_number_and_wraps_below_the_smallest_case():
    check([(5, 1), (7, 2)], (10, 0), [0, 4, 5, 6, 7, 8, MASK])


numbers = st.integers(0, 200) | st.integers(MASK - 3, MASK)


@given(cases=st.lists(st.tuples(numbers, st.integers(0, 99)), min_size=1, max_size=6),
       default=st.tuples(st.integers(0, 5), st.integers(0, 99)),
       probes=st.lists(numbers, min_size=1, max_size=6))
@settings(max_examples=20, deadline=None)
def test_number_patterns(cases, default, probes):
    check(cases, default, probes + [n for n, _ in cases])


@given(cases=st.lists(st.tuples(st.sampled_from("0123456789abcxyz"), st.integers(0, 99)), min_size=1, max_size=5),
       probes=st.lists(st.sampled_from("0123456789abcxyz!"), min_size=1, max_size=5))
@settings(max_examples=12, deadline=None)
def test_char_patterns(cases, probes):
    check([(ord(c), out) for c, out in cases], (1, 0), [ord(p) for p in probes], chars=True)
