"""bend.desugar.float_combinators: closed terms that are not safe to duplicate become definitions of
their own."""

from __future__ import annotations

from passes_support import shown


FLOAT = """\
(Fib 0) = 0
(Fib 1) = 1
(Fib n) = (+ (Fib (- n 1)) (Fib (- n 2)))
(Id x) = x
(Safe x) = (x λy y 5 (Id 3) (List/Cons 1 List/Nil))
(Unsafe x) = (x λa λb (a b))
(CallsRec x) = (x (Fib 3))
main = (Fib λa λb (a b))
"""


def test_float_combinators_a_recursive_call_in_a_switch_arm_waits_behind_a_reference():
    out = shown(FLOAT, "float_combinators")
    assert out["Fib"] == "Fib = λa switch a { 0: 0; _: Fib__C1 }"
    assert out["Fib__C1"] == "Fib__C1 = λa switch a { 0: 1; _: Fib__C0 }"
    assert out["Fib__C0"].startswith("Fib__C0 = λa let {b c} = a; (+ (Fib ")


def test_float_combinators_extracts_unsafe_closed_terms_and_keeps_safe_ones():
    out = shown(FLOAT, "float_combinators")
    assert out["Unsafe"] == "Unsafe = λa (a Unsafe__C0)"
    assert out["Unsafe__C0"] == "Unsafe__C0 = λa λb (a b)"  # uses a variable
    assert out["CallsRec"] == "CallsRec = λa (a CallsRec__C0)"
    assert out["CallsRec__C0"] == "CallsRec__C0 = (Fib 3)"  # reaches a recursive definition
    assert out["Safe"] == "Safe = λa (a λb b 5 (Id 3) (List/Cons 1 List/Nil))"
    assert not any(n.startswith("Safe__") for n in out)


def test_float_combinators_leaves_main_alone():
    assert shown(FLOAT, "float_combinators")["main"] == "main = (Fib λa λb (a b))"


def test_float_combinators_is_switched_off_by_its_option():
    out = shown(FLOAT, "float_combinators", "no-float-combinators")
    assert out["Unsafe"] == "Unsafe = λa (a λb λc (b c))"
    assert not any("__C" in n for n in out)


def big(n: int) -> str:
    sum_ = "x"
    for i in range(n):
        sum_ = f"(+ {sum_} {i})"
    return sum_


def test_float_combinators_a_definition_over_64_nodes_gives_up_its_safe_closed_parts():
    src = f"(Big x) = (x λy y {big(70)})\n(Small x) = (x λy y {big(3)})\nmain = 0\n"
    out = shown(src, "float_combinators")
    assert out["Big"].startswith("Big = λa let {b c} = a; (b Big__C0 (+ ")
    assert out["Big__C0"] == "Big__C0 = λa a"
    assert out["Small"] == "Small = λa let {b c} = a; (b λd d (+ (+ (+ c 0) 1) 2))"
